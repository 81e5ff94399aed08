// @ts-check
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'node_modules',
      'dist',
      'coverage',
      '.data',
      'tools/**/target',
      'src/generated/**',
      'test/generated/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-assertions': [
        'error',
        { assertionStyle: 'as', objectLiteralTypeAssertions: 'never' },
      ],
      'no-restricted-imports': 'off',
    },
  },
  // The rooms of architecture.md: only graph/ talks to Neo4j, only telemetry/ talks MQTT,
  // and the simulation engine imports neither GraphQL nor Neo4j.
  ...[
    {
      files: ['src/**/*.ts'],
      ignores: ['src/graph/**', 'src/telemetry/**'],
      banned: ['neo4j-driver', 'mqtt', 'aedes'],
    },
    { files: ['src/graph/**/*.ts'], ignores: [], banned: ['mqtt', 'aedes'] },
    { files: ['src/telemetry/**/*.ts'], ignores: [], banned: ['neo4j-driver'] },
  ].map(({ files, ignores, banned }) => ({
    files,
    ignores,
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: banned.map((name) => ({
            name,
            message:
              name === 'neo4j-driver'
                ? 'Only src/graph/ imports neo4j-driver.'
                : 'Only src/telemetry/ talks MQTT.',
          })),
        },
      ],
    },
  })),
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: { ...globals.node } },
  },
);
