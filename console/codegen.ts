/**
 * The console's operations, typed from the printed schema (GraphQL Code Generator, client
 * preset). An operation that no longer matches schema.graphql fails here, and so the console's
 * typecheck and build (npm run console:typecheck, scripts/lib/ensure.sh).
 *
 *   npx graphql-codegen --config console/codegen.ts
 */
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: 'schema.graphql',
  documents: ['console/src/**/*.tsx', 'console/src/**/*.ts', '!console/src/gql/**'],
  ignoreNoDocuments: false,
  generates: {
    'console/src/gql/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: { documentMode: 'string', enumsAsTypes: true, useTypeImports: true, scalars: { DateTime: 'string' }, skipTypename: true },
    },
  },
  silent: true,
};

export default config;
