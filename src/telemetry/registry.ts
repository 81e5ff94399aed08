import type { Graph } from '../graph/executor';
import { READ_ASSETS } from './telemetry.cypher';
import type { AssetStatus } from '../domain/enums';
import { asAssetStatus } from '../domain/enums.graphql';
import { asProps } from '../graph/props';
import { optNum, optStr, str, type Props } from '../graph/props';

export interface MetricDef {
  id: string;
  name: string;
  unit: string;
  min: number | null;
  max: number | null;
}

export interface AssetInfo {
  id: string;
  factoryId: string;
  lineId: string;
  /** The asset's own properties, for events that carry the asset. */
  props: Props;
  status: AssetStatus;
  metrics: Map<string, MetricDef>;
}

const NO_SCOPE = { ids: null, lineIds: null, factoryIds: null };

/**
 * What ingestion must know of each asset (its place in the plant and its metrics), cached so that
 * validating a reading costs no database round trip. Unknown ids are looked up at most once per
 * `missTtlMs`, so a flood of messages for a bogus asset cannot flood Neo4j.
 */
export class AssetRegistry {
  private readonly assets = new Map<string, AssetInfo>();
  private readonly misses = new Map<string, number>();
  private readonly pending = new Map<string, Promise<AssetInfo | undefined>>();

  constructor(
    private readonly graph: Graph,
    private readonly missTtlMs = 5000,
  ) {}

  async loadAll(): Promise<number> {
    const rows = await this.graph.read(READ_ASSETS, NO_SCOPE);
    this.assets.clear();
    for (const row of rows) this.put(row);
    return this.assets.size;
  }

  /**
   * Re-reads the assets of some lines or factories (a line renamed or moved to another factory,
   * a factory changed): readings are then checked against the topic the asset has now, and live
   * events go to the subscribers of its new line and factory.
   */
  async refreshScope(scope: { lineIds?: string[]; factoryIds?: string[] }): Promise<number> {
    const rows = await this.graph.read(READ_ASSETS, {
      ...NO_SCOPE,
      lineIds: scope.lineIds ?? null,
      factoryIds: scope.factoryIds ?? null,
    });
    for (const row of rows) this.put(row);
    return rows.length;
  }

  /** Re-reads assets by id; those gone from the graph are forgotten. */
  async refreshAssets(ids: string[]): Promise<void> {
    const rows = await this.graph.read(READ_ASSETS, { ...NO_SCOPE, ids });
    const found = new Set(rows.map((row) => this.put(row).id));
    for (const id of ids) if (!found.has(id)) this.forget(id);
  }

  cached(id: string): AssetInfo | undefined {
    return this.assets.get(id);
  }

  async get(id: string): Promise<AssetInfo | undefined> {
    const hit = this.assets.get(id);
    if (hit) return hit;
    const missedAt = this.misses.get(id);
    if (missedAt !== undefined && Date.now() - missedAt < this.missTtlMs) return undefined;
    const inFlight = this.pending.get(id);
    if (inFlight) return inFlight;
    const lookup = this.refresh(id).finally(() => this.pending.delete(id));
    this.pending.set(id, lookup);
    return lookup;
  }

  /** Re-reads one asset (after a mutation changed it or its metrics). */
  async refresh(id: string): Promise<AssetInfo | undefined> {
    const rows = await this.graph.read(READ_ASSETS, { ...NO_SCOPE, ids: [id] });
    const row = rows[0];
    if (!row) {
      this.assets.delete(id);
      this.misses.set(id, Date.now());
      if (this.misses.size > 10000) this.misses.clear();
      return undefined;
    }
    this.misses.delete(id);
    return this.put(row);
  }

  private readonly rechecked = new Map<
    string,
    { at: number; lookup: Promise<AssetInfo | undefined> }
  >();

  /**
   * The asset as stored now, when the cached one lacks something a message names (a metric just
   * added on another instance). At most one lookup per asset per `missTtlMs`; callers within
   * that time share its answer.
   */
  async recheck(id: string): Promise<AssetInfo | undefined> {
    const last = this.rechecked.get(id);
    if (last && Date.now() - last.at < this.missTtlMs) return last.lookup;
    if (this.rechecked.size > 10000) this.rechecked.clear();
    const lookup = this.refresh(id);
    this.rechecked.set(id, { at: Date.now(), lookup });
    return lookup;
  }

  forget(id: string): void {
    this.assets.delete(id);
    this.misses.delete(id);
  }

  setStatus(id: string, status: AssetStatus): void {
    const asset = this.assets.get(id);
    if (asset) {
      asset.status = status;
      asset.props = { ...asset.props, status };
    }
  }

  private put(row: Record<string, unknown>): AssetInfo {
    const props = asProps(row['asset']);
    const rawMetrics: unknown = row['metrics'];
    const metrics = new Map<string, MetricDef>();
    for (const item of Array.isArray(rawMetrics) ? rawMetrics : []) {
      const m = asProps(item);
      const name = str(m, 'name');
      metrics.set(name, {
        id: str(m, 'id'),
        name,
        unit: optStr(m, 'unit') ?? '1',
        min: optNum(m, 'min'),
        max: optNum(m, 'max'),
      });
    }
    const info: AssetInfo = {
      id: str(props, 'id'),
      factoryId: String(row['factoryId']),
      lineId: String(row['lineId']),
      props,
      status: asAssetStatus(props['status']),
      metrics,
    };
    this.assets.set(info.id, info);
    return info;
  }
}
