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
