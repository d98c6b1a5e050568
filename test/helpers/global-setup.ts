/**
 * Starts the throwaway Neo4j the integration tests use (unless NEO4J_URI names one) and stops
 * it at the end. NEO4J_TEST_PORT and NEO4J_TEST_INSTANCE let several checkouts test at once.
 */
import type { TestProject } from 'vitest/node';
import { startNeo4j, stopNeo4j, wipeNeo4j } from '../../scripts/neo4j.js';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (process.env.NEO4J_URI) {
    project.provide('neo4jUri', process.env.NEO4J_URI);
    return async () => {};
  }
  const name = process.env.NEO4J_TEST_INSTANCE ?? 'test';
  const port = Number(process.env.NEO4J_TEST_PORT ?? 7688);
  const keep = process.env.NEO4J_TEST_KEEP === '1';
  const server = await startNeo4j({ name, port });
  project.provide('neo4jUri', server.uri);
  return async () => {
    if (keep) return;
    await stopNeo4j(name);
    wipeNeo4j(name);
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    neo4jUri: string;
  }
}
