import { GraphQLError } from 'graphql';

/** The contract's error codes (`extensions.code`). */
export type ErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'BAD_USER_INPUT'
  | 'CONFLICT'
  | 'SAFEGUARD_PAUSED'
  /** Neo4j cannot be reached now: retry after extensions.retryAfterSeconds (HTTP 503, Retry-After). */
  | 'SERVICE_UNAVAILABLE'
  | 'INTERNAL';

/** An error meant for the client: its message and details are safe to show. */
export class AppError extends GraphQLError {
  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message, { extensions: { code, ...details } });
  }
}

export const badInput = (message: string, details?: Record<string, unknown>): AppError =>
  new AppError('BAD_USER_INPUT', message, details);
export const notFound = (message: string): AppError => new AppError('NOT_FOUND', message);
export const conflict = (message: string, details?: Record<string, unknown>): AppError =>
  new AppError('CONFLICT', message, details);
export const forbidden = (message = 'Not allowed'): AppError => new AppError('FORBIDDEN', message);
export const unauthenticated = (message = 'Authentication required'): AppError =>
  new AppError('UNAUTHENTICATED', message);

/** One row of a batch that was refused, by its position in the input. */
export interface RowProblem {
  index: number;
  key?: string;
  problem: string;
}

export function rejectRows(what: string, problems: RowProblem[]): AppError {
  const shown = problems.slice(0, 50);
  const summary = shown.map((p) => `#${p.index}${p.key ? ` (${p.key})` : ''}: ${p.problem}`).join('; ');
  return badInput(`${what} rejected, nothing was written: ${summary}${problems.length > shown.length ? ` and ${problems.length - shown.length} more` : ''}`, {
    rows: shown,
    rejectedRows: problems.length,
  });
}
