import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const graphqlCjs = fileURLToPath(new URL('./node_modules/graphql/index.js', import.meta.url));

export default defineConfig({
  // One graphql for all: Node loads graphql's CJS build for Pothos and yoga, so the sources
  // vitest transforms must get the same one ("Cannot use GraphQLObjectType from another realm").
  resolve: { alias: [{ find: /^graphql$/, replacement: graphqlCjs }] },
  test: {
    globalSetup: ['./test/helpers/global-setup.ts'],
    // After each test, wait until the apps it started are quiet (test/helpers/between-tests.ts).
    setupFiles: ['./test/helpers/between-tests.ts'],
    // One Neo4j for the suite: files run one after another, each starting from an empty graph.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 240_000,
    include: ['test/**/*.test.ts'],
  },
});
