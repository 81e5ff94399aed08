import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { Graph } from '../../src/graph/executor';
import { closeHistoryReaders } from '../../src/history/reader';
import { exportTelemetry, type ExportFormat } from '../../src/telemetry/export';
import { WRITE_READINGS } from '../../src/telemetry/telemetry.cypher';
import { importDocument } from '../../src/twins/import/service';
import { resetTwins, testGraph } from '../support/db';
import { writeHistoryFiles } from '../support/history-files';

const HOUR = 3_600_000;
const NOW = Date.now();
// retention 24 h: the files answer before NOW - 12 h, the graph from then on
const BOUNDARY = NOW - 12 * HOUR;

const PLANT = {
  factories: [
    { id: 'EF1', name: 'Export one' },
    { id: 'EF2', name: 'Export two' },
  ],
  lines: [
    { id: 'EL1', factoryId: 'EF1', name: 'line 1' },
    { id: 'EL2', factoryId: 'EF2', name: 'line 2' },
  ],
  assets: [
    {
      id: 'EA1',
      lineId: 'EL1',
      name: 'press',
      kind: 'PRESS',
      ratePerHour: 10,
      metrics: [{ name: 'temperature', unit: 'Cel' }],
    },
    {
      id: 'EA2',
      lineId: 'EL2',
      name: 'oven',
      kind: 'OVEN',
      ratePerHour: 10,
      metrics: [{ name: 'temperature', unit: 'Cel' }],
    },
  ],
};

interface Out {
  metric_id: string;
  factory_id: string;
  ts: number;
  value: number;
  source: string;
}

async function readBack(file: string, format: ExportFormat): Promise<Out[]> {
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  try {
    const source =
      format === 'parquet' ? `read_parquet('${file}')` : `read_csv('${file}', header = true)`;
    const reader = await c.runAndReadAll(
      `SELECT metric_id, factory_id, epoch_ms(ts) AS ts, value, source FROM ${source}`,
    );
    return reader.getRowObjectsJS().map((r) => ({
      metric_id: String(r['metric_id']),
      factory_id: String(r['factory_id']),
      ts: Number(r['ts']),
      value: Number(r['value']),
      source: String(r['source']),
    }));
  } finally {
    c.closeSync();
    db.closeSync();
  }
}

describe('export:telemetry: a period for the warehouse', () => {
  let graph: Graph;
  let dir: string;
  let outDir: string;
  /** What the export must hold: one row per (metric, ts), the first received. */
  const expected: Out[] = [];

  beforeAll(async () => {
    graph = testGraph();
    await resetTwins(graph);
    await importDocument(graph, PLANT);
    dir = await mkdtemp(join(tmpdir(), 'export-history-'));
    outDir = await mkdtemp(join(tmpdir(), 'export-out-'));
    // files: two days back, both factories, one reading twice (received twice: the first counts)
    const old = NOW - 48 * HOUR;
    await writeHistoryFiles(dir, [
      { metricId: 'EA1/temperature', tsMs: old, value: 1, factoryId: 'EF1', source: 'first' },
      { metricId: 'EA1/temperature', tsMs: old + 1000, value: 2, factoryId: 'EF1', source: 'f' },
      { metricId: 'EA2/temperature', tsMs: old, value: 3, factoryId: 'EF2', source: 'f' },
    ]);
    await writeHistoryFiles(
      dir,
      [
        {
          metricId: 'EA1/temperature',
          tsMs: old,
          value: 99,
          factoryId: 'EF1',
          source: 'replayed',
          receivedAtMs: old + 60_000,
        },
        // a file reading after the boundary: the graph answers there, so it must not appear
        { metricId: 'EA1/temperature', tsMs: NOW - HOUR, value: 77, factoryId: 'EF1', source: 'x' },
      ],
      'other-instance',
    );
    expected.push(
      { metric_id: 'EA1/temperature', factory_id: 'EF1', ts: old, value: 1, source: 'first' },
      { metric_id: 'EA1/temperature', factory_id: 'EF1', ts: old + 1000, value: 2, source: 'f' },
      { metric_id: 'EA2/temperature', factory_id: 'EF2', ts: old, value: 3, source: 'f' },
    );
    // the graph: recent readings of both factories (and one before the boundary, which the files
    // answer for: it must not appear either)
    const reading = (assetId: string, tsMs: number, value: number) => {
      const ts = new Date(tsMs).toISOString();
      return {
        id: `${assetId}/temperature@${ts}`,
        metricId: `${assetId}/temperature`,
        assetId,
        metric: 'temperature',
        ts,
        value,
        unit: 'Cel',
        flagged: false,
        topic: `twin/${assetId}`,
        receivedAt: ts,
        originalValue: value,
        originalUnit: null,
        conversion: null,
      };
    };
    const recent = [
      reading('EA1', NOW - 2 * HOUR, 10),
      reading('EA1', NOW - HOUR, 11),
      reading('EA2', NOW - HOUR, 12),
      reading('EA2', BOUNDARY - HOUR, 13),
    ];
    await graph.write(WRITE_READINGS, { rows: recent });
    for (const r of recent.slice(0, 3)) {
      expected.push({
        metric_id: r.metricId,
        factory_id: r.assetId === 'EA1' ? 'EF1' : 'EF2',
        ts: Date.parse(r.ts),
        value: r.value,
        source: r.topic,
      });
    }
  });
  afterAll(async () => {
    await closeHistoryReaders();
    await rm(dir, { recursive: true, force: true });
    await rm(outDir, { recursive: true, force: true });
    await graph.close();
  });

  const sorted = (rows: Out[]) =>
    [...rows].sort(
      (a, b) =>
        a.factory_id.localeCompare(b.factory_id) ||
        a.metric_id.localeCompare(b.metric_id) ||
        a.ts - b.ts,
    );

  it.each<ExportFormat>(['parquet', 'csv'])(
    'when a period across the files and the graph is exported as %s, then DuckDB reads back each reading once, from the side that answers for its time, in order',
    async (format) => {
      const out = join(outDir, `all.${format}`);
      const result = await exportTelemetry(graph, {
        fromMs: NOW - 72 * HOUR,
        toMs: NOW + HOUR,
        factoryId: null,
        format,
        out,
        historyDir: dir,
        retentionHours: 24,
        nowMs: NOW,
      });
      const rows = await readBack(out, format);
      expect(rows).toEqual(sorted(expected));
      expect(result).toMatchObject({ rows: 6, fromFiles: 3, fromGraph: 3 });
    },
  );

  it('when one factory is asked for, then only its readings are exported', async () => {
    const out = join(outDir, 'ef2.parquet');
    await exportTelemetry(graph, {
      fromMs: NOW - 72 * HOUR,
      toMs: NOW + HOUR,
      factoryId: 'EF2',
      format: 'parquet',
      out,
      historyDir: dir,
      retentionHours: 24,
      nowMs: NOW,
    });
    expect(await readBack(out, 'parquet')).toEqual(
      sorted(expected.filter((r) => r.factory_id === 'EF2')),
    );
  });

  it('when "to" is not after "from", then nothing is written and the error says so', async () => {
    await expect(
      exportTelemetry(graph, {
        fromMs: NOW,
        toMs: NOW,
        factoryId: null,
        format: 'csv',
        out: join(outDir, 'none.csv'),
        historyDir: dir,
        retentionHours: 24,
      }),
    ).rejects.toThrow('"to" must be after "from"');
  });
});
