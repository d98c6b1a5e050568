/**
 * Two adjustments of neo4j-driver's behaviour that src/db/database.ts applies to every statement
 * (docs/decisions.md, "Working around the driver"); the third, TCP_NODELAY on its sockets, is
 * src/db/no-delay.ts.
 */

/**
 * Starts a statement without the caller's stack trace that neo4j-driver captures for each result
 * (`new Error().stack` in its Result constructor, to decorate a failed statement's error). Under
 * tsx every stack is mapped through the source maps, and that capture was about 8% of the API's
 * CPU per approval in bench/writes.ts; our errors are translated and logged by code and message,
 * never by the driver's stack. The driver builds the Result synchronously inside run(), so the
 * limit is back before any other code runs.
 */
export function withoutCallerStack<R>(start: () => R): R {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return start();
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/**
 * A statement that found a node or relationship another transaction deleted before it could read
 * it (Neo4j reads committed data: a grant revoked or replaced by a concurrent write, found by an
 * index seek an instant earlier) fails with EntityNotFound, a client error the driver does not
 * retry. It is a race, not a mistake: marked retriable, the driver runs the transaction's work
 * again (a write's work is retry-safe: a fresh unit of work per attempt), and the retry reads the
 * graph as it is now. sync-lease-stress.test.ts provoked it.
 */
export const RACED = 'Neo.ClientError.Statement.EntityNotFound';
export function retriableWhenRaced(error: unknown): unknown {
  if ((error as { code?: string } | null)?.code === RACED) (error as { retriable?: boolean }).retriable = true;
  return error;
}
