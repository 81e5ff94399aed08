// @ts-check
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const ROOMS = {
  graph: [],
  domain: ['graph'],
  twins: ['graph', 'domain'],
  seeds: ['graph', 'domain', 'twins', 'impact'],
  impact: ['graph', 'domain', 'twins'],
  simulation: ['graph', 'domain', 'twins', 'impact'],
  alerts: ['graph', 'domain', 'twins', 'impact'],
  history: ['graph', 'domain', 'twins'],
  telemetry: ['graph', 'domain', 'twins', 'alerts', 'history'],
  auth: ['graph', 'domain'],
};
const ALL_ROOMS = Object.keys(ROOMS);

/** One rule per room: its banned rooms (by relative import) and banned packages. */
function roomRules() {
  return Object.entries(ROOMS).map(([room, allowed]) => {
    const banned = ALL_ROOMS.filter((r) => r !== room && !allowed.includes(r));
    const packages = [
      ...(room === 'graph' ? [] : ['neo4j-driver']),
      ...(room === 'telemetry' ? [] : ['mqtt', 'aedes']),
      // metrics are server/metrics.ts's: rooms report through hooks (domain/observers.ts)
      'prom-client',
    ];
    const messages = {
      'neo4j-driver':
        'Only src/graph/ imports neo4j-driver: run Cypher through Graph (src/graph/executor.ts).',
      'prom-client':
        'Only src/server/metrics.ts imports prom-client: report through a hook (domain/observers.ts, GraphSettings.observe) wired in runtime.ts.',
    };
    return {
      files: [`src/${room}/**/*.ts`],
      rules: {
        '@typescript-eslint/no-restricted-imports': [
          'error',
          {
            paths: packages.map((name) => ({
              name,
              message:
                messages[name] ??
                'Only src/telemetry/ talks MQTT: publish through TwinEvents or the live bus.',
            })),
            patterns: [
              {
                regex: `^(\\.\\./)+(${[...banned, 'server', 'cli'].join('|')})(/|$)`,
                message: `src/${room}/ may import only ${allowed.length ? allowed.map((r) => `src/${r}/`).join(', ') : 'no other room'} and the shared top-level modules (config, errors, log, paths); dependencies point from the server to capabilities to domain/ and graph/ (docs/architecture.md).`,
              },
              {
                regex: '^(\\.\\./)+(runtime|main)$',
                message:
                  'Only the composition root (src/main.ts, src/runtime.ts) wires rooms together.',
              },
            ],
          },
        ],
      },
    };
  });
}

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
  // The rooms of architecture.md (docs/architecture.md): dependencies point one way, from the
  // server to the capabilities to domain/ and graph/, never back. Each room lists the rooms it
  // may import; an import of any other room (or of the server, the CLIs or the composition root)
  // fails the lint. Only graph/ imports neo4j-driver; only telemetry/ talks MQTT.
  ...roomRules(),
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: { ...globals.node } },
  },
);
