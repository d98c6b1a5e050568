import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { testWorkers } from './test/helpers/workers.js';

const graphqlCjs = fileURLToPath(new URL('./node_modules/graphql/index.js', import.meta.url));
const workers = testWorkers();

export default defineConfig({
  // One graphql for all: Node loads graphql's CJS build for Pothos and yoga, so the sources
  // vitest transforms must get the same one ("Cannot use GraphQLObjectType from another realm").
  resolve: { alias: [{ find: /^graphql$/, replacement: graphqlCjs }] },
  test: {
    // After each test, wait until the apps it started are quiet (test/helpers/between-tests.ts).
    setupFiles: ['./test/helpers/between-tests.ts'],
    // One Neo4j per worker (test/helpers/global-setup.ts): files run side by side, each on its
    // worker's server and starting from an empty graph; a shared NEO4J_URI means one worker.
    fileParallelism: workers > 1,
    maxWorkers: workers,
    testTimeout: 60_000,
    hookTimeout: 240_000,
    projects: [
      // The pure rules: no server.
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      // Everything through the API on real Neo4j servers started for the run.
      { extends: true, test: { name: 'integration', include: ['test/integration/**/*.test.ts'], globalSetup: ['./test/helpers/global-setup.ts'] } },
      // The admin console in Debian's Chromium (playwright-core), on the integration project's Neo4j servers.
      { extends: true, test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], testTimeout: 180_000, expect: { poll: { timeout: 45_000, interval: 100 } }, globalSetup: ['./test/helpers/global-setup.ts', './test/e2e/prepare.ts'] } },
      // Health stops and restarts a Neo4j of its own, beside the others.
      { extends: true, test: { name: 'health', include: ['test/health/**/*.test.ts'] } },
    ],
  },
});
