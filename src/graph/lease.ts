/**
 * Leases in the graph: one instance at a time does a periodic job (the alert sweep, history
 * compaction). A lease is a `(:Lease {name})` node (unique on name, migrations/V0006) held by one
 * instance until a time; another instance takes it over once its holder stops renewing it.
 */
import type { Graph } from './executor';

/**
 * A lease by name: taken when free, expired, or already ours; renewed on each take. The unique
 * constraint on Lease.name makes the MERGE safe between instances. The first SET locks the lease
 * before it is read (Neo4j reads without locks), so two instances that take it at the same moment
 * cannot both see it free.
 */
export const TAKE_LEASE = `
  MERGE (l:Lease {name: $name})
  SET l.checkedAt = $now
  WITH l, (l.holder IS NULL OR l.holder = $holder OR l.until < $now) AS free
  SET l.holder = CASE WHEN free THEN $holder ELSE l.holder END,
      l.until = CASE WHEN free THEN $until ELSE l.until END
  RETURN free AS mine`;

/**
 * Takes (or renews) the lease `name` for `holder` at `nowMs` until `nowMs + ttlMs`; true when
 * `holder` has it, false when another instance holds it and it has not expired.
 */
export async function takeLease(
  graph: Graph,
  name: string,
  holder: string,
  nowMs: number,
  ttlMs: number,
): Promise<boolean> {
  const rows = await graph.write(TAKE_LEASE, {
    name,
    holder,
    now: new Date(nowMs).toISOString(),
    until: new Date(nowMs + ttlMs).toISOString(),
  });
  return rows[0]?.['mine'] === true;
}
