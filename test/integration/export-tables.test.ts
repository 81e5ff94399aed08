import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { Graph } from '../../src/graph/executor';
import { exportTables, TWIN_TABLES, type TableFormat } from '../../src/history/tables';
import { generateDocument } from '../../src/seeds/generate';
import { exportDocument } from '../../src/twins/import/export';
import { importDocument } from '../../src/twins/import/service';
import { resetTwins, testGraph } from '../support/db';

/** A table's rows as DuckDB reads the file: timestamps as epoch ms, everything else as is. */
async function readBack(
  file: string,
  format: TableFormat,
  columns: readonly (readonly [string, string, string])[],
): Promise<Record<string, unknown>[]> {
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  try {
    const select = columns
      .map(([name, type]) => (type === 'TIMESTAMPTZ' ? `epoch_ms(${name}) AS ${name}` : name))
      .join(', ');
    const source =
      format === 'parquet' ? `read_parquet('${file}')` : `read_csv('${file}', header = true)`;
    const reader = await c.runAndReadAll(`SELECT ${select} FROM ${source}`);
    return reader
      .getRowObjectsJS()
      .map((row) =>
        Object.fromEntries(
          Object.entries(row).map(([k, value]) => [
            k,
            typeof value === 'bigint' ? Number(value) : value,
          ]),
        ),
      );
  } finally {
    c.closeSync();
    db.closeSync();
  }
}

/** What a document row should become in its table. */
function expected(
  row: unknown,
  columns: readonly (readonly [string, string, string])[],
): Record<string, unknown> {
  const get = (key: string): unknown =>
    typeof row === 'object' && row !== null
      ? (Object.getOwnPropertyDescriptor(row, key)?.value as unknown)
      : null;
  return Object.fromEntries(
    columns.map(([name, type, key]) => {
      const value = get(key) ?? null;
      if (value === null) return [name, null];
      if (type === 'TIMESTAMPTZ') return [name, Date.parse(String(value))];
      if (type === 'DOUBLE') return [name, Number(value)];
      return [name, String(value)];
    }),
  );
}

describe('the twin graph as tables (export:tables)', () => {
  let graph: Graph;
  const dirs: string[] = [];

  beforeAll(async () => {
    graph = testGraph();
    await resetTwins(graph);
    await importDocument(graph, generateDocument({ factories: 2, seed: 7 }));
  });
  afterAll(async () => {
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
    await graph.close();
  });

  it.each<TableFormat>(['parquet', 'csv'])(
    'when the tables are written as %s, then DuckDB reads back exactly the rows of the document export, one file per table',
    async (format) => {
      const dir = await mkdtemp(join(tmpdir(), `twin-tables-${format}-`));
      dirs.push(dir);
      const result = await exportTables(graph, dir, format);
      expect((await readdir(dir)).sort()).toEqual(
        TWIN_TABLES.map((t) => `${t.name}.${format}`).sort(),
      );
      const doc = await exportDocument(graph);
      for (const spec of TWIN_TABLES) {
        const want = spec.rows(doc).map((row) => expected(row, spec.columns));
        const got = await readBack(join(dir, `${spec.name}.${format}`), format, spec.columns);
        expect({ table: spec.name, rows: got }).toEqual({ table: spec.name, rows: want });
        expect(result.rows[spec.name]).toBe(want.length);
      }
      // the generated plant has rows in every table, so the comparison covered each of them
      for (const spec of TWIN_TABLES) expect(result.rows[spec.name]).toBeGreaterThan(0);
    },
  );
});
