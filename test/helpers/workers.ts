/**
 * How many test files run at once: one vitest worker per managed Neo4j, each worker on its own
 * server (so files empty their graph without touching each other's). TEST_WORKERS sets it; by
 * default one per core, at most 3. A Neo4j named by NEO4J_URI is one shared graph: one worker.
 */
import { availableParallelism } from 'node:os';

export function testWorkers(env: NodeJS.ProcessEnv = process.env): number {
  if (env.NEO4J_URI) return 1;
  const wanted = Number(env.TEST_WORKERS ?? Math.min(3, availableParallelism()));
  return Number.isInteger(wanted) && wanted >= 1 ? wanted : 1;
}

/** The Neo4j of the worker this file runs in (VITEST_POOL_ID counts workers from 1). */
export function neo4jUriOfWorker(uris: string[], env: NodeJS.ProcessEnv = process.env): string {
  const worker = Number(env.VITEST_POOL_ID ?? '1');
  return uris[(Math.max(1, worker) - 1) % uris.length]!;
}
