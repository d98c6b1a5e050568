/**
 * The WebSocket guards, applied to subscriptions over HTTP too. graphql-yoga answers a
 * subscription sent over HTTP as server-sent events (for `Accept: text/event-stream`, and for
 * `*\/*` or no Accept at all), so the guard sits on the subscribe stage, not on a header:
 * - the Origin allow-list (ALLOWED_ORIGINS), as at the WebSocket upgrade;
 * - the per-user cap (WS_MAX_CONNECTIONS_PER_USER), one count with the user's WebSockets;
 * - the stream is registered as a live connection (src/security/live.ts): a revoked token or a
 *   disabled user ends it, a role change applies to its next event.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createGraphQLError, type Plugin } from 'graphql-yoga';
import type { Viewer } from '../auth/viewer.js';
import type { SecurityConfig } from '../config.js';
import { forbiddenBySecurity } from './errors.js';
import type { LiveConnection, LiveConnections } from './live.js';
import { isAllowedOrigin } from './ws.js';

/** How long a stream ended by the server may take to send its last result before its response is cut. */
const END_GRACE_MS = 1000;

interface HttpSubscriptionContext {
  request?: Request;
  req?: IncomingMessage;
  res?: ServerResponse;
  /** Present over graphql-ws: those operations were admitted at connect. */
  extra?: unknown;
  viewer?: Viewer | null;
  connection?: LiveConnection;
}

export function connectionLimitReached(max: number) {
  return createGraphQLError(`This user already has ${max} open subscription connections (WebSocket and SSE together); close one first`, {
    extensions: { code: 'FORBIDDEN', reason: 'CONNECTION_LIMIT', max, http: { status: 429 } },
  });
}

export function sseGuard(live: LiveConnections, security: Pick<SecurityConfig, 'allowedOrigins' | 'wsMaxConnectionsPerUser'>): Plugin {
  return {
    onSubscribe({ args, setResultAndStopExecution }) {
      const context = args.contextValue as HttpSubscriptionContext;
      if (context.extra !== undefined || !context.request) return;
      const { request, res } = context;
      if (!isAllowedOrigin(request.headers.get('origin'), request.headers.get('host'), security.allowedOrigins)) {
        setResultAndStopExecution({ errors: [forbiddenBySecurity('ORIGIN', 'This origin may not use the API')] });
        return;
      }
      // Without a viewer the subscription field refuses it (UNAUTHENTICATED); without a node
      // response (yoga.fetch in-process) there is no stream to follow.
      const viewer = context.viewer ?? null;
      if (viewer === null || !res) return;
      const connection = live.admit('sse', viewer, () => {
        // Its subscriptions got their last result (UNAUTHENTICATED) and end; a client that does not read it is cut off.
        setTimeout(() => {
          if (!res.writableEnded) res.destroy();
        }, END_GRACE_MS).unref();
      });
      if (connection === null) {
        setResultAndStopExecution({ errors: [connectionLimitReached(security.wsMaxConnectionsPerUser)] });
        return;
      }
      context.connection = connection;
      res.once('close', () => live.release(connection));
    },
  };
}
