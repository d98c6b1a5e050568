/**
 * The security plugins of the API (docs/security.md): request size and CSRF on HTTP; query
 * limits, rate limits, the WebSocket origin and persisted-operations mode on every operation,
 * HTTP and WebSocket alike, all before any resolver runs.
 */
import type { IncomingMessage } from 'node:http';
import type { ExecutionResult, GraphQLError } from 'graphql';
import { usePersistedOperations } from '@graphql-yoga/plugin-persisted-operations';
import type { Plugin } from 'graphql-yoga';
import type { Viewer } from '../auth/viewer.js';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { forbiddenBySecurity, limitExceeded, rateLimited } from './errors.js';
import { bodyLimitPlugin } from './body-limit.js';
import { requestParamsPlugin } from './request-params.js';
import { armorPlugin, checkOperation, type OperationArgs } from './limits.js';
import { isRestricted, PersistedOperations } from './persisted.js';
import type { ViewerRateLimits } from './rate-limit.js';
import { isAllowedWsRequest } from './ws.js';

export { WsGuard, parseAndValidate, isAllowedOrigin } from './ws.js';

/** Headers that make a request non-simple, so a browser must pass a CORS preflight to send it. */
export const CSRF_HEADERS = ['x-graphql-csrf', 'x-graphql-yoga-csrf', 'apollo-require-preflight'];
const SIMPLE_CONTENT_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'];

/** What the operation hooks read from the context, on HTTP (node server context) and WebSocket (graphql-ws ctx). */
interface OperationContext {
  viewer?: Viewer | null;
  req?: IncomingMessage;
  extra?: { request?: IncomingMessage };
}

function errorResult(error: GraphQLError): ExecutionResult {
  return { errors: [error] };
}

/** A browser can send GET and form-like POSTs cross-site without a preflight: those must carry a CSRF header. */
export function needsCsrfHeader(method: string, contentType: string | null): boolean {
  if (method.toUpperCase() === 'GET') return true;
  if (!contentType) return true;
  const type = contentType.toLowerCase();
  return SIMPLE_CONTENT_TYPES.some((simple) => type.startsWith(simple));
}

function httpGuard(): Plugin {
  return {
    onRequestParse({ request }) {
      if (!needsCsrfHeader(request.method, request.headers.get('content-type'))) return;
      if (CSRF_HEADERS.some((header) => request.headers.has(header))) return;
      throw forbiddenBySecurity('CSRF', `This request needs a non-simple content type (application/json) or the header ${CSRF_HEADERS[0]}`, 403);
    },
  };
}

export function securityPlugins(config: Config, services: { logger: Logger; rateLimits: ViewerRateLimits }): Plugin[] {
  const security = config.security;
  const persisted = security.persistedOperationsFile ? PersistedOperations.fromFile(security.persistedOperationsFile) : null;
  if (persisted) services.logger.info('persisted-operations mode', { operations: persisted.size, for: security.persistedOperationsFor });

  /** The checks every operation passes before its resolvers run; null lets it through. */
  const admit = (args: OperationArgs & { contextValue: unknown }): GraphQLError | null => {
    const context = (args.contextValue ?? {}) as OperationContext;
    const viewer = context.viewer ?? null;
    const wsRequest = context.extra?.request;
    const admission = services.rateLimits.take(viewer, (context.req ?? wsRequest)?.socket?.remoteAddress);
    if (!admission.allowed) {
      services.logger.warn('rate limited', { tokenId: viewer?.tokenId ?? null, userId: viewer?.userId ?? null });
      return rateLimited(admission.retryAfterSeconds);
    }
    // Over WebSocket the origin is checked per operation too, whatever the upgrade admitted.
    if (wsRequest && !isAllowedWsRequest(wsRequest, security)) return forbiddenBySecurity('ORIGIN', 'This origin may not use the API');
    if (persisted && isRestricted(viewer, security.persistedOperationsFor) && !persisted.allows(args.document)) {
      return forbiddenBySecurity('PERSISTED_OPERATIONS_ONLY', 'This token may run only registered operations');
    }
    return checkOperation(args, security, config.maxPageSize);
  };

  const operationGuard: Plugin = {
    onExecute({ args, setResultAndStopExecution }) {
      const problem = admit(args);
      if (problem) setResultAndStopExecution(errorResult(problem));
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const problem = admit(args);
      if (problem) setResultAndStopExecution(errorResult(problem));
    },
  };

  // The contract's code for a query that does not validate is BAD_USER_INPUT (yoga says GRAPHQL_VALIDATION_FAILED).
  const validationCode: Plugin = {
    onValidate() {
      return ({ valid, result }) => {
        if (valid) return;
        for (const error of result) {
          const extensions = error.extensions as Record<string, unknown>;
          if (extensions.code === undefined || extensions.code === 'GRAPHQL_VALIDATION_FAILED') extensions.code = 'BAD_USER_INPUT';
        }
      };
    },
  };

  const plugins: Plugin[] = [httpGuard(), bodyLimitPlugin(security.maxRequestBytes), requestParamsPlugin(), armorPlugin(security), validationCode];
  if (persisted) {
    plugins.push(
      usePersistedOperations({
        // Anyone may send a full text; restricted tokens are held to registered documents in operationGuard,
        // which also covers WebSocket, where clients always send the text.
        allowArbitraryOperations: true,
        getPersistedOperation: (hash) => persisted.textOf(hash),
        customErrors: {
          notFound: { message: 'PersistedQueryNotFound', extensions: { code: 'BAD_USER_INPUT', reason: 'PERSISTED_QUERY_NOT_FOUND' } },
          keyNotFound: { message: 'PersistedQueryKeyNotFound', extensions: { code: 'BAD_USER_INPUT', reason: 'PERSISTED_QUERY_KEY_NOT_FOUND' } },
        },
      }),
    );
  }
  plugins.push(operationGuard);
  return plugins;
}

export { limitExceeded };
