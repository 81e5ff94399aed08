import { ROLES, type Role } from '../domain/principal';
import type { Problem } from '../errors';
import type { Graph } from '../graph/executor';
import { asProps, optStr, type Props } from '../graph/props';
import {
  CREATE_KEY,
  EXISTING_FACTORIES,
  FIND_KEY,
  LIST_KEYS,
  REVOKE_KEY,
  TOUCH_KEY,
} from './auth.cypher';
import { newKey } from './keys';

/** An API key as stored, without its hash. */
export interface KeyRecord {
  id: string;
  name: string;
  role: Role;
  /** null: every factory. */
  factoryIds: string[] | null;
  createdAt: string;
  createdBy: string | null;
  revokedAt: string | null;
  revokedBy: string | null;
  lastUsedAt: string | null;
}

const isRole = (v: unknown): v is Role =>
  typeof v === 'string' && (ROLES as readonly string[]).includes(v);

export function keyFromProps(p: Props): KeyRecord {
  const ids = p['factoryIds'];
  return {
    id: String(p['id']),
    name: optStr(p, 'name') ?? '',
    // an unknown stored role grants the least
    role: isRole(p['role']) ? p['role'] : 'viewer',
    factoryIds: Array.isArray(ids) ? ids.map(String) : null,
    createdAt: optStr(p, 'createdAt') ?? '',
    createdBy: optStr(p, 'createdBy'),
    revokedAt: optStr(p, 'revokedAt'),
    revokedBy: optStr(p, 'revokedBy'),
    lastUsedAt: optStr(p, 'lastUsedAt'),
  };
}

export interface KeyInput {
  name: string;
  role: string;
  /** null or absent: every factory. */
  factoryIds?: readonly string[] | null;
}

/** Problems with a new key's settings (the factories are checked against the graph). */
export async function keyProblems(graph: Graph, input: KeyInput): Promise<Problem[]> {
  const problems: Problem[] = [];
  const name = input.name.trim();
  if (name === '' || name.length > 200) {
    problems.push({ path: 'name', message: 'must name who uses the key, 1 to 200 characters' });
  }
  if (!isRole(input.role)) {
    problems.push({ path: 'role', message: `must be one of ${ROLES.join(', ')}` });
  }
  const ids = input.factoryIds ?? null;
  if (ids !== null) {
    if (ids.length === 0 || ids.length > 1000) {
      problems.push({
        path: 'factoryIds',
        message: 'list 1 to 1,000 factories, or leave it out for every factory',
      });
    } else {
      const rows = await graph.read(EXISTING_FACTORIES, { ids: [...new Set(ids)] });
      const found = new Set((rows[0]?.['found'] as unknown[] | undefined)?.map(String) ?? []);
      const missing = ids.filter((id) => !found.has(id));
      if (missing.length > 0) {
        problems.push({
          path: 'factoryIds',
          message: `no factory has the id ${missing
            .slice(0, 5)
            .map((m) => `"${m.slice(0, 100)}"`)
            .join(', ')}`,
        });
      }
    }
  }
  return problems;
}

/** Stores a new key; returns the whole key (shown once) and its record. */
export async function createKey(
  graph: Graph,
  input: KeyInput & { role: Role },
  by: string,
): Promise<{ key: string; record: KeyRecord }> {
  const made = newKey();
  const rows = await graph.write(CREATE_KEY, {
    id: made.id,
    name: input.name.trim(),
    role: input.role,
    factoryIds: input.factoryIds ? [...new Set(input.factoryIds)] : null,
    hash: made.hash,
    now: new Date().toISOString(),
    by,
  });
  return { key: made.key, record: keyFromProps(asProps(rows[0]?.['key'])) };
}

export async function listKeys(graph: Graph, revoked: boolean): Promise<KeyRecord[]> {
  const rows = await graph.read(LIST_KEYS, { revoked });
  return rows.map((r) => keyFromProps(asProps(r['key'])));
}

export async function findKey(
  graph: Graph,
  id: string,
): Promise<{ record: KeyRecord; hash: string } | null> {
  const row = (await graph.read(FIND_KEY, { id }))[0];
  if (!row) return null;
  const p = asProps(row['key']);
  return { record: keyFromProps(p), hash: String(p['hash'] ?? '') };
}

export async function revokeKey(graph: Graph, id: string, by: string): Promise<KeyRecord | null> {
  const row = (await graph.write(REVOKE_KEY, { id, by, now: new Date().toISOString() }))[0];
  return row ? keyFromProps(asProps(row['key'])) : null;
}

export async function touchKey(graph: Graph, id: string): Promise<void> {
  await graph.write(TOUCH_KEY, { id, now: new Date().toISOString() });
}
