import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

/** The repository's root, where docker-compose.yml and docker/ are. */
export const ROOT = join(__dirname, '..', '..');

/**
 * The value at `path` in docker-compose.yml as parsed (undefined where the path leads nowhere):
 * the tests of the compose files, which run without Docker, read them through this.
 */
export function composeValue(...path: (string | number)[]): unknown {
  const doc: unknown = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'));
  return path.reduce<unknown>(
    (v, key) => (typeof v === 'object' && v !== null ? Reflect.get(v, key) : undefined),
    doc,
  );
}
