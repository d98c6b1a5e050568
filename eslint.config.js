import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', '.neo4j/', 'dist/', 'coverage/', 'console/dist/', 'console/src/gql/'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
);
