/**
 * How many test files run at once: one vitest worker per managed Neo4j, each worker on its own
 * server (so files empty their graph without touching each other's). TEST_WORKERS sets it; by
 * default one per two cores (at least 1, at most 3): a worker's Neo4j needs about as much CPU as
 * the worker itself (measured on the authorization walk: 35-90 CPU-seconds of Neo4j against 17 of
 * node), so on two cores a second worker only splits the same CPU (7m10s with one, 6m58s with
 * two). A Neo4j named by NEO4J_URI is one shared graph: one worker.
 */
import { availableParallelism } from 'node:os';

export function testWorkers(env: NodeJS.ProcessEnv = process.env): number {
  if (env.NEO4J_URI) return 1;
  const wanted = Number(env.TEST_WORKERS ?? Math.min(3, Math.max(1, Math.floor(availableParallelism() / 2))));
  return Number.isInteger(wanted) && wanted >= 1 ? wanted : 1;
}

/** The Neo4j of the worker this file runs in (VITEST_POOL_ID counts workers from 1). */
export function neo4jUriOfWorker(uris: string[], env: NodeJS.ProcessEnv = process.env): string {
  const worker = Number(env.VITEST_POOL_ID ?? '1');
  return uris[(Math.max(1, worker) - 1) % uris.length]!;
}
