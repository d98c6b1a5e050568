import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['./test/helpers/global-setup.ts'],
    // One Neo4j for the suite: files run one after another, each starting from an empty graph.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 240_000,
    include: ['test/**/*.test.ts'],
  },
});
