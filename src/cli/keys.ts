import { parseArgs } from 'node:util';
import { createKey, keyProblems, listKeys, revokeKey } from '../auth/key.store';
import { ConfigError } from '../config';
import { ROLES, type Role } from '../domain/principal';
import { cliGraph } from './graph-cli';

const USAGE = `npm run keys -- <command>
  create --name NAME --role ${ROLES.join('|')} [--factory ID]...   prints the new key once
  list [--revoked]                                                  the keys (never their secrets)
  revoke ID                                                         ends the key at once`;

const isRole = (v: string): v is Role => (ROLES as readonly string[]).includes(v);

/** `npm run keys`: API keys from the command line, against NEO4J_URI (docs/security.md). */
async function run(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    options: {
      name: { type: 'string' },
      role: { type: 'string' },
      factory: { type: 'string', multiple: true },
      revoked: { type: 'boolean', default: false },
    },
    allowPositionals: true,
  });
  if (command !== 'create' && command !== 'list' && command !== 'revoke') {
    console.error(USAGE);
    return 64;
  }
  const graph = cliGraph();
  try {
    if (command === 'create') {
      const input = {
        name: values.name ?? '',
        role: values.role ?? '',
        factoryIds: values.factory && values.factory.length > 0 ? values.factory : null,
      };
      const problems = await keyProblems(graph, input);
      if (problems.length > 0 || !isRole(input.role)) {
        for (const p of problems)
          console.error(`--${p.path === 'factoryIds' ? 'factory' : p.path}: ${p.message}`);
        return 64;
      }
      const made = await createKey(graph, { ...input, role: input.role }, 'npm run keys');
      console.log(made.key);
      console.error(
        `key ${made.record.id} (${made.record.role}, ${made.record.factoryIds?.join(', ') ?? 'every factory'}) for "${made.record.name}"; it is not shown again`,
      );
      return 0;
    }
    if (command === 'list') {
      for (const k of await listKeys(graph, values.revoked)) {
        console.log(
          [
            k.id,
            k.role,
            k.factoryIds?.join(',') ?? '*',
            k.name,
            k.createdAt,
            k.revokedAt ?? '',
            k.lastUsedAt ?? '',
          ].join('\t'),
        );
      }
      return 0;
    }
    const id = positionals[0];
    if (!id) {
      console.error(USAGE);
      return 64;
    }
    const revoked = await revokeKey(graph, id, 'npm run keys');
    if (!revoked) {
      console.error(`no API key has the id "${id}"`);
      return 1;
    }
    console.log(`revoked ${revoked.id} at ${revoked.revokedAt ?? ''}`);
    return 0;
  } finally {
    await graph.close();
  }
}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof ConfigError ? err.message : `keys: ${String(err)}`);
    process.exit(1);
  },
);
