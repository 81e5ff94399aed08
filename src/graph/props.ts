/** Typed reads of Neo4j property maps: a missing optional property becomes null. */
export type Props = Record<string, unknown>;

export function str(p: Props, key: string): string {
  const v = p[key];
  if (typeof v !== 'string')
    throw new TypeError(`property ${key} should be a string, got ${typeof v}`);
  return v;
}

export function optStr(p: Props, key: string): string | null {
  const v = p[key];
  return typeof v === 'string' ? v : null;
}

export function optNum(p: Props, key: string): number | null {
  const v = p[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

export function num(p: Props, key: string, fallback: number): number {
  return optNum(p, key) ?? fallback;
}

/**
 * A property map returned by Cypher (`n {.*}`, `properties(r)`), checked to be an object. The
 * driver's map itself, not a copy: the driver makes a fresh object per record, and a nested query
 * reads tens of thousands of them.
 */
export function asProps(value: unknown): Record<string, unknown> {
  if (!isPropertyMap(value)) {
    throw new TypeError(`expected a property map, got ${typeof value}`);
  }
  return value;
}

function isPropertyMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** A list of property maps returned by Cypher (`collect(n {.*})`); anything else reads as empty. */
export function asPropsList(value: unknown): Props[] {
  return Array.isArray(value) ? value.map((x: unknown) => asProps(x)) : [];
}
