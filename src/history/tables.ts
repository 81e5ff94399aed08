import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBAppender } from '@duckdb/node-api';
import type { Graph } from '../graph/executor';
import type { VisibleIds } from '../graph/scope';
import { sqlLiteral } from './files';
import { type ExportedDocument, exportDocument } from '../twins/import/export';

/**
 * The twin graph as tables for BI tools (issue 13, docs/export.md): one table per twin kind and
 * per relationship, the same rows as the importable document (src/twins/import/document.ts) with
 * each asset's metrics as a table of their own, columns in snake_case with SQL types. Written as
 * Parquet or CSV (with a header), one file per table.
 */

export type TableFormat = 'parquet' | 'csv';
type ColumnType = 'VARCHAR' | 'DOUBLE' | 'TIMESTAMPTZ';

interface TableSpec {
  /** The file's name without extension. */
  name: string;
  /** What one row is, for the docs. */
  about: string;
  /** [column, type, the document row's field]. */
  columns: readonly (readonly [string, ColumnType, string])[];
  rows: (doc: ExportedDocument) => readonly unknown[];
}

const v = 'VARCHAR' as const;
const d = 'DOUBLE' as const;
const t = 'TIMESTAMPTZ' as const;

/** Every table, in the order of the document's sections. */
export const TWIN_TABLES: readonly TableSpec[] = [
  {
    name: 'factories',
    about: 'a factory',
    columns: [
      ['id', v, 'id'],
      ['name', v, 'name'],
      ['country', v, 'country'],
      ['timezone', v, 'timezone'],
      ['lat', d, 'lat'],
      ['lon', d, 'lon'],
    ],
    rows: (doc) => doc.factories,
  },
  {
    name: 'lines',
    about: 'a production line of a factory (HAS_LINE)',
    columns: [
      ['id', v, 'id'],
      ['factory_id', v, 'factoryId'],
      ['name', v, 'name'],
      ['shifts_per_day', d, 'shiftsPerDay'],
      ['hours_per_shift', d, 'hoursPerShift'],
    ],
    rows: (doc) => doc.lines,
  },
  {
    name: 'assets',
    about: 'a machine or station of a line (HAS_ASSET)',
    columns: [
      ['id', v, 'id'],
      ['line_id', v, 'lineId'],
      ['name', v, 'name'],
      ['kind', v, 'kind'],
      ['status', v, 'status'],
      ['rate_per_hour', d, 'ratePerHour'],
      ['mtbf_hours', d, 'mtbfHours'],
      ['mttr_hours', d, 'mttrHours'],
    ],
    rows: (doc) => doc.assets,
  },
  {
    name: 'metrics',
    about: "what an asset measures (HAS_METRIC); `id` is the telemetry files' `metric_id`",
    columns: [
      ['id', v, 'id'],
      ['asset_id', v, 'assetId'],
      ['name', v, 'name'],
      ['unit', v, 'unit'],
      ['min', d, 'min'],
      ['max', d, 'max'],
    ],
    rows: (doc) => doc.assets.flatMap(metricsOf),
  },
  {
    name: 'flows',
    about: 'material passing from one asset to the next on a line (FEEDS)',
    columns: [
      ['from_asset_id', v, 'from'],
      ['to_asset_id', v, 'to'],
    ],
    rows: (doc) => doc.flows,
  },
  {
    name: 'products',
    about: 'a product or component',
    columns: [
      ['id', v, 'id'],
      ['sku', v, 'sku'],
      ['name', v, 'name'],
      ['unit_cost', d, 'unitCost'],
      ['unit_price', d, 'unitPrice'],
    ],
    rows: (doc) => doc.products,
  },
  {
    name: 'bom',
    about: 'a component of a product, per unit of the product (REQUIRES)',
    columns: [
      ['parent_id', v, 'parentId'],
      ['component_id', v, 'componentId'],
      ['quantity', d, 'quantity'],
    ],
    rows: (doc) => doc.bom,
  },
  {
    name: 'production',
    about: 'a product a line makes, and how many per hour (PRODUCES)',
    columns: [
      ['line_id', v, 'lineId'],
      ['product_id', v, 'productId'],
      ['rate_per_hour', d, 'ratePerHour'],
    ],
    rows: (doc) => doc.production,
  },
  {
    name: 'suppliers',
    about: 'a supplier',
    columns: [
      ['id', v, 'id'],
      ['name', v, 'name'],
      ['country', v, 'country'],
      ['recovery_days', d, 'recoveryDays'],
    ],
    rows: (doc) => doc.suppliers,
  },
  {
    name: 'supplies',
    about: 'a product a supplier delivers (SUPPLIES)',
    columns: [
      ['supplier_id', v, 'supplierId'],
      ['product_id', v, 'productId'],
      ['lead_time_days', d, 'leadTimeDays'],
      ['unit_cost', d, 'unitCost'],
    ],
    rows: (doc) => doc.supplies,
  },
  {
    name: 'inventory',
    about: 'the stock of a product at a factory (STOCKS)',
    columns: [
      ['factory_id', v, 'factoryId'],
      ['product_id', v, 'productId'],
      ['quantity', d, 'quantity'],
      ['safety_stock', d, 'safetyStock'],
    ],
    rows: (doc) => doc.inventory,
  },
  {
    name: 'shipments',
    about: 'a shipment of a product from a supplier to a factory',
    columns: [
      ['id', v, 'id'],
      ['supplier_id', v, 'supplierId'],
      ['factory_id', v, 'factoryId'],
      ['product_id', v, 'productId'],
      ['quantity', d, 'quantity'],
      ['status', v, 'status'],
      ['departed_at', t, 'departedAt'],
      ['eta', t, 'eta'],
    ],
    rows: (doc) => doc.shipments,
  },
  {
    name: 'orders',
    about: 'a customer order of a product at a factory',
    columns: [
      ['id', v, 'id'],
      ['factory_id', v, 'factoryId'],
      ['product_id', v, 'productId'],
      ['quantity', d, 'quantity'],
      ['customer', v, 'customer'],
      ['due_date', t, 'dueDate'],
      ['status', v, 'status'],
    ],
    rows: (doc) => doc.orders,
  },
];

/** One asset row's metrics, each with its id and asset id (as stored: `${assetId}/${name}`). */
function metricsOf(asset: unknown): Record<string, unknown>[] {
  const assetId = field(asset, 'id');
  const metrics = field(asset, 'metrics');
  if (typeof assetId !== 'string' || !Array.isArray(metrics)) return [];
  return metrics.map((m: unknown) => ({
    ...(isRecord(m) ? m : {}),
    id: `${assetId}/${String(field(m, 'name'))}`,
    assetId,
  }));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function field(row: unknown, key: string): unknown {
  return isRecord(row) && Object.hasOwn(row, key) ? row[key] : undefined;
}

export interface TablesResult {
  dir: string;
  format: TableFormat;
  /** Rows per table, by table name. */
  rows: Record<string, number>;
  files: string[];
}

/**
 * Writes every table of the twin graph into `dir` (created if needed) as `<table>.parquet` or
 * `<table>.csv`. The tables come from one read transaction, so they agree with each other. With
 * `visible` (a factory scope), only what it sees, as the scoped document export. Each file is
 * written under a temporary name and renamed, so a reader never sees half a file.
 */
export async function exportTables(
  graph: Graph,
  dir: string,
  format: TableFormat,
  visible: VisibleIds | null = null,
): Promise<TablesResult> {
  const doc = await exportDocument(graph, visible);
  await mkdir(dir, { recursive: true });
  const db = await DuckDBInstance.create(':memory:');
  const connection = await db.connect();
  const result: TablesResult = { dir, format, rows: {}, files: [] };
  try {
    for (const spec of TWIN_TABLES) {
      const table = `t_${spec.name}`;
      // timestamps arrive as ISO text and are cast when written, so a bad one fails loudly
      const staged = spec.columns.map(([c, type]) => `${c} ${type === t ? v : type}`);
      await connection.run(`CREATE TABLE ${table} (${staged.join(', ')})`);
      const appender = await connection.createAppender(table);
      const rows = spec.rows(doc);
      for (const row of rows) {
        for (const [, type, key] of spec.columns) append(appender, type, field(row, key));
        appender.endRow();
      }
      appender.closeSync();
      const select = spec.columns
        .map(([c, type]) => (type === t ? `CAST(${c} AS TIMESTAMPTZ) AS ${c}` : c))
        .join(', ');
      const file = join(dir, `${spec.name}.${format}`);
      const tmp = join(dir, `.${spec.name}.${format}.tmp`);
      const options =
        format === 'parquet' ? 'FORMAT parquet, COMPRESSION zstd' : 'FORMAT csv, HEADER true';
      await connection.run(
        `COPY (SELECT ${select} FROM ${table}) TO ${sqlLiteral(tmp)} (${options})`,
      );
      await rename(tmp, file);
      result.rows[spec.name] = rows.length;
      result.files.push(file);
    }
  } catch (err) {
    await Promise.all(
      TWIN_TABLES.map((s) => rm(join(dir, `.${s.name}.${format}.tmp`), { force: true })),
    );
    throw err;
  } finally {
    connection.closeSync();
    db.closeSync();
  }
  return result;
}

function append(appender: DuckDBAppender, type: ColumnType, value: unknown): void {
  if (value === null || value === undefined) return appender.appendNull();
  if (type === 'DOUBLE') {
    const n = typeof value === 'number' ? value : Number(value);
    if (Number.isFinite(n)) appender.appendDouble(n);
    else appender.appendNull();
    return;
  }
  appender.appendVarchar(typeof value === 'string' ? value : String(value));
}
