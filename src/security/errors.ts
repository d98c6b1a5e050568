/** The errors the security layer gives clients: each carries a contract code and says which limit. */
import type { GraphQLError } from 'graphql';
// yoga's factory, not `new GraphQLError`: graphql-ws and yoga check errors with instanceof, and
// under vitest our modules may load another copy of graphql than node_modules do.
import { createGraphQLError } from 'graphql-yoga';

/** Which guard refused the operation (`extensions.limit`), so clients and dashboards can tell them apart. */
export type LimitName = 'depth' | 'aliases' | 'directives' | 'tokens' | 'cost' | 'first' | 'rows' | 'string-length' | 'string-encoding' | 'list-length' | 'request-size' | 'batch';

/** A query refused before any resolver ran: BAD_USER_INPUT, with the limit and its value. */
export function limitExceeded(limit: LimitName, message: string, max?: number): GraphQLError {
  return createGraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', limit, ...(max !== undefined ? { max } : {}) } });
}

/** Too many operations from one token (or one address without a token): RATE_LIMITED, HTTP 429. */
export function rateLimited(retryAfterSeconds: number): GraphQLError {
  return createGraphQLError(`Too many requests; retry in ${retryAfterSeconds} s`, {
    extensions: { code: 'RATE_LIMITED', retryAfterSeconds, http: { status: 429, headers: { 'Retry-After': String(retryAfterSeconds) } } },
  });
}

export function forbiddenBySecurity(reason: string, message: string, status = 403): GraphQLError {
  return createGraphQLError(message, { extensions: { code: 'FORBIDDEN', reason, http: { status } } });
}
