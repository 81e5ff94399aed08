/**
 * Parquet files of the telemetry history for tests, written with DuckDB in the layout of
 * src/history/layout.ts (one file per day and factory of the rows given), independent of the
 * product's writer.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type HistoryRow, partitionDir, utcDay } from '../../src/history/layout';

export type FixtureRow = Pick<HistoryRow, 'metricId' | 'tsMs' | 'value'> & Partial<HistoryRow>;

let seq = 0;

/** A full history row from a fixture: the fields not given as a writer would fill them for F1. */
export function historyRow(r: FixtureRow): HistoryRow {
  return {
    assetId: r.metricId.split('/')[0] ?? r.metricId,
    factoryId: 'F1',
    metric: r.metricId.split('/')[1] ?? 'm',
    unit: 'Cel',
    flagged: false,
    originalValue: r.value,
    originalUnit: null,
    conversion: null,
    source: `twin/F1/L1/${r.metricId}`,
    receivedAtMs: r.tsMs + 1000,
    ...r,
  };
}

/** Writes `rows` as one new file per (UTC day, factory) under `dir`; returns the paths. */
export async function writeHistoryFiles(
  dir: string,
  rows: readonly FixtureRow[],
  instanceId = 'fixture',
): Promise<string[]> {
  const groups = new Map<string, HistoryRow[]>();
  for (const r of rows) {
    const full = historyRow(r);
    const key = `${utcDay(full.tsMs)}\u0000${full.factoryId}`;
    groups.set(key, [...(groups.get(key) ?? []), full]);
  }
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  const paths: string[] = [];
  try {
    for (const [key, group] of groups) {
      const [day = '', factoryId = ''] = key.split('\u0000');
      await c.run(`CREATE OR REPLACE TABLE t (
        metric_id VARCHAR, asset_id VARCHAR, factory_id VARCHAR, metric VARCHAR, ts TIMESTAMPTZ,
        value DOUBLE, unit VARCHAR, flagged BOOLEAN, original_value DOUBLE, original_unit VARCHAR,
        conversion VARCHAR, source VARCHAR, received_at TIMESTAMPTZ)`);
      for (const r of group) {
        await c.run(
          `INSERT INTO t VALUES ($1, $2, $3, $4, make_timestamptz($5::BIGINT * 1000), $6::DOUBLE,
             $7, $8, $9::DOUBLE, $10, $11, $12, make_timestamptz($13::BIGINT * 1000))`,
          [
            r.metricId,
            r.assetId,
            r.factoryId,
            r.metric,
            BigInt(r.tsMs),
            r.value,
            r.unit,
            r.flagged,
            r.originalValue,
            r.originalUnit,
            r.conversion,
            r.source,
            BigInt(r.receivedAtMs),
          ],
        );
      }
      const partition = partitionDir(dir, day, factoryId);
      mkdirSync(partition, { recursive: true });
      seq += 1;
      const path = join(partition, `${instanceId}-${group[0]?.tsMs ?? 0}-${seq}.parquet`);
      await c.run(`COPY t TO '${path.replace(/'/g, "''")}' (FORMAT parquet)`);
      paths.push(path);
    }
  } finally {
    c.closeSync();
    db.closeSync();
  }
  return paths;
}
