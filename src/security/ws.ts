/**
 * WebSocket admission: the browser origin allow-list and the per-user connection limit. The
 * payload limit is the WebSocketServer's `maxPayload` (1 MiB, src/app.ts). Operations on an
 * admitted socket go through yoga.getEnveloped, so the query limits and rate limits of
 * src/security/index.ts apply to them as to HTTP.
 *
 * Wiring (src/app.ts, graphql-ws `useServer`):
 *   const wsGuard = new WsGuard(config.security);
 *   onConnect:  if (!wsGuard.originAllowed(ctx.extra.request)) return false;      // before auth
 *               ... after the viewer is known:  if (!wsGuard.admit(ctx, context.viewer)) return false;
 *   onClose:    wsGuard.release(ctx);
 *   onSubscribe: const parsed = parseAndValidate({ schema, parse, validate }, params.query);
 *                if ('errors' in parsed) return parsed.errors;   // instead of parse() + validate()
 */
import type { IncomingMessage } from 'node:http';
import type { DocumentNode, GraphQLError, GraphQLSchema } from 'graphql';
import { createGraphQLError } from 'graphql-yoga';
import type { Viewer } from '../auth/viewer.js';
import type { SecurityConfig } from '../config.js';

/**
 * A request without an Origin header is not from a browser (CLI, server-to-server) and is
 * allowed: origins guard against cross-site WebSocket hijacking, which needs a browser. A browser
 * origin must be on ALLOWED_ORIGINS (`*` allows any) or be the server's own origin (same Host).
 */
export function isAllowedOrigin(origin: string | undefined | null, host: string | undefined | null, allowed: readonly string[]): boolean {
  if (origin === undefined || origin === null || origin === '') return true;
  if (allowed.includes('*')) return true;
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  if (allowed.includes(parsed.origin)) return true;
  return host !== undefined && host !== null && parsed.host === host;
}

export function isAllowedWsRequest(request: IncomingMessage | undefined, security: Pick<SecurityConfig, 'allowedOrigins'>): boolean {
  if (!request) return true;
  return isAllowedOrigin(request.headers.origin, request.headers.host, security.allowedOrigins);
}

/** The key connections are counted under: the user, or the token for the bootstrap admin. */
export function connectionKey(viewer: Viewer): string {
  return viewer.userId !== null ? `user:${viewer.userId}` : `token:${viewer.tokenId ?? 'bootstrap-admin'}`;
}

/** Counts open sockets per user; `admit` refuses past WS_MAX_CONNECTIONS_PER_USER. */
export class WsConnectionLimiter {
  private readonly open = new Map<string, number>();
  constructor(private readonly max: number) {}

  acquire(key: string): boolean {
    const count = this.open.get(key) ?? 0;
    if (count >= this.max) return false;
    this.open.set(key, count + 1);
    return true;
  }

  release(key: string): void {
    const count = (this.open.get(key) ?? 0) - 1;
    if (count <= 0) this.open.delete(key);
    else this.open.set(key, count);
  }

  count(key: string): number {
    return this.open.get(key) ?? 0;
  }
}

/** Origin check and connection limit for graphql-ws, keyed by the connection's context object. */
export class WsGuard {
  readonly connections: WsConnectionLimiter;
  private readonly admitted = new WeakMap<object, string>();

  constructor(private readonly security: Pick<SecurityConfig, 'allowedOrigins' | 'wsMaxConnectionsPerUser'>) {
    this.connections = new WsConnectionLimiter(security.wsMaxConnectionsPerUser);
  }

  /** Call first in onConnect with ctx.extra.request; false: refuse (graphql-ws closes with 4403). */
  originAllowed(request: IncomingMessage | undefined): boolean {
    return isAllowedWsRequest(request, this.security);
  }

  /** Call in onConnect once the viewer is known; false: refuse. Pair with `release` in onClose. */
  admit(connection: object, viewer: Viewer): boolean {
    const key = connectionKey(viewer);
    if (!this.connections.acquire(key)) return false;
    this.admitted.set(connection, key);
    return true;
  }

  /** Call in onClose (safe for connections never admitted, and safe to call twice). */
  release(connection: object): void {
    const key = this.admitted.get(connection);
    if (key === undefined) return;
    this.admitted.delete(connection);
    this.connections.release(key);
  }
}

interface Enveloped {
  schema: GraphQLSchema;
  parse: (source: string) => DocumentNode;
  validate: (schema: GraphQLSchema, document: DocumentNode) => readonly GraphQLError[];
}

/**
 * Parse and validate for onSubscribe without throwing: a syntax error or the token limit
 * (thrown by the parser) would otherwise escape onSubscribe, and graphql-ws then closes the whole
 * socket with 4500 and the error text. Returned errors go to the client as an `error` message.
 */
export function parseAndValidate(enveloped: Enveloped, query: string): { document: DocumentNode } | { errors: readonly GraphQLError[] } {
  let document: DocumentNode;
  try {
    document = enveloped.parse(query);
  } catch (error) {
    // Parse errors (syntax, the token limit) are about the query text: safe to show.
    const { message, extensions } = error as { message?: string; extensions?: Record<string, unknown> };
    const isGraphQLError = typeof message === 'string' && (error as Error).name === 'GraphQLError';
    return {
      errors: [createGraphQLError(isGraphQLError ? message : 'The query could not be parsed', { extensions: { code: 'BAD_USER_INPUT', ...(isGraphQLError ? extensions : {}) } })],
    };
  }
  const errors = enveloped.validate(enveloped.schema, document);
  if (errors.length > 0) return { errors };
  return { document };
}
