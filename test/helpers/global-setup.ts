/**
 * Starts the throwaway Neo4j servers the integration and e2e tests use, one per vitest worker
 * (unless NEO4J_URI names one), and stops them at the end. NEO4J_TEST_PORT (the first server's
 * port; the others take the next ones) and NEO4J_TEST_INSTANCE let several checkouts test at once.
 */
import type { TestProject } from 'vitest/node';
import { startNeo4j, stopNeo4j, wipeNeo4j } from '../../scripts/neo4j.js';
import { testWorkers } from './workers.js';

/**
 * The servers are shared by every project that lists this setup (integration, e2e): vitest runs
 * a project's global setup once per project, in one process, so the first starts them and the
 * last to finish stops them.
 */
interface Shared {
  uris: Promise<string[]>;
  users: number;
  stop: () => Promise<void>;
}
const SHARED = Symbol.for('access-governance.test-neo4j');
type WithShared = typeof globalThis & { [SHARED]?: Shared };

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (process.env.NEO4J_URI) {
    project.provide('neo4jUris', [process.env.NEO4J_URI]);
    return async () => {};
  }
  const holder = globalThis as WithShared;
  const shared = (holder[SHARED] ??= startServers());
  shared.users += 1;
  project.provide('neo4jUris', await shared.uris);
  return async () => {
    shared.users -= 1;
    if (shared.users > 0) return;
    delete holder[SHARED];
    await shared.stop();
  };
}

function startServers(): Shared {
  const base = process.env.NEO4J_TEST_INSTANCE ?? 'test';
  const port = Number(process.env.NEO4J_TEST_PORT ?? 7688);
  const keep = process.env.NEO4J_TEST_KEEP === '1';
  const names = Array.from({ length: testWorkers() }, (_, i) => (i === 0 ? base : `${base}-${i + 1}`));
  const uris = Promise.all(names.map((name, i) => startNeo4j({ name, port: port + i }))).then((servers) => servers.map((s) => s.uri));
  return {
    uris,
    users: 0,
    stop: async () => {
      if (keep) return;
      await Promise.all(
        names.map(async (name) => {
          await stopNeo4j(name);
          wipeNeo4j(name);
        }),
      );
    },
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** One per worker: a test file uses its worker's (test/helpers/workers.ts). */
    neo4jUris: string[];
  }
}
