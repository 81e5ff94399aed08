/**
 * Backfill (docs/history.md, "Backfill"): `npm run backfill` (the built CLI, as an operator runs
 * it) and the backfillTelemetry mutation against a real server. A file of good and bad rows covers
 * every rejection reason, a unit to convert, a duplicate, readings weeks old (history files only)
 * and recent ones (graph too); the rejects report, the graph's readings and their lineage, the
 * Parquet files (read back with DuckDB), the absence of alerts and a second run that changes
 * nothing are checked. Needs `npm run build` (the CLI runs from dist/).
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allFiles } from '../../src/history/layout';
import { CsvReader, type CsvRecord } from '../../src/telemetry/backfill/csv';
import { gql, startTestApp, type TestApp } from '../support/app';
import { graphFingerprint, resetTwins } from '../support/db';

const PLANT = {
  factories: [
    { id: 'F1', name: 'Leipzig' },
    { id: 'F2', name: 'Dresden' },
  ],
  lines: [{ id: 'L1', factoryId: 'F1', name: 'Body' }],
  assets: [
    {
      id: 'A1',
      lineId: 'L1',
      name: 'Press',
      kind: 'PRESS',
      ratePerHour: 60,
      metrics: [
        { name: 'temperature', unit: 'Cel', min: 0, max: 100 },
        { name: 'pressure', unit: 'bar', min: 0, max: 10 },
      ],
    },
  ],
};

const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();
const cli = join(__dirname, '..', '..', 'dist', 'src', 'cli', 'backfill.js');

function backfillCli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [cli, ...args],
      {
        env: {
          PATH: process.env['PATH'] ?? '',
          NEO4J_URI: process.env['NEO4J_URI'] ?? '',
          LOG_LEVEL: 'warn',
          ...env,
        },
      },
      (err, stdout, stderr) => {
        const code = err && typeof err.code === 'number' ? err.code : err ? 1 : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** The rejects report as [line, reason] pairs and its rows (line, reason, detail, raw). */
function report(path: string): { pairs: [number, string][]; rows: string[][] } {
  const records: CsvRecord[] = [];
  const reader = new CsvReader();
  reader.push(readFileSync(path, 'utf8'), records);
  reader.end(records);
  const [header, ...rows] = records.map((r) => r.fields);
  expect(header).toEqual(['line', 'reason', 'detail', 'raw']);
  return { pairs: rows.map((c) => [Number(c[0]), c[1] ?? '']), rows };
}

interface FileRow {
  metric_id: string;
  ts: string;
  value: number;
  original_value: number;
  original_unit: string | null;
  conversion: string | null;
  source: string;
  flagged: boolean;
  factory: string;
}

/** The history files through DuckDB: every row, and one per (metric, ts) as readers keep them. */
async function parquet(dir: string): Promise<{ all: number; kept: FileRow[] }> {
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  try {
    const from = `read_parquet('${allFiles(dir)}', hive_partitioning=true)`;
    const all = await c.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM ${from}`);
    const kept = await c.runAndReadAll(
      `SELECT metric_id, strftime(ts AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%gZ') AS ts, value,
              original_value, original_unit, conversion, source, flagged, factory::VARCHAR AS factory
       FROM ${from}
       QUALIFY row_number() OVER (PARTITION BY metric_id, ts ORDER BY received_at) = 1
       ORDER BY metric_id, ts`,
    );
    const rows: FileRow[] = [];
    for (const r of kept.getRowObjectsJson()) {
      rows.push({
        metric_id: String(r['metric_id']),
        ts: String(r['ts']),
        value: Number(r['value']),
        original_value: Number(r['original_value']),
        original_unit: r['original_unit'] === null ? null : String(r['original_unit']),
        conversion: r['conversion'] === null ? null : String(r['conversion']),
        source: String(r['source']),
        flagged: r['flagged'] === true,
        factory: String(r['factory']),
      });
    }
    return { all: Number(all.getRowObjectsJson()[0]?.['n']), kept: rows };
  } finally {
    c.closeSync();
    db.closeSync();
  }
}

const readingsOf = async (app: TestApp, prefix: string) =>
  app.graph.read(
    `MATCH (r:Reading) WHERE r.topic STARTS WITH $p
     RETURN r.topic AS topic, r.value AS value, r.originalValue AS originalValue,
            r.originalUnit AS originalUnit, r.conversion AS conversion, r.flagged AS flagged, r.ts AS ts
     ORDER BY r.topic`,
    { p: prefix },
  );

const alertCount = async (app: TestApp) =>
  Number((await app.graph.read('MATCH (a:Alert) RETURN count(a) AS n'))[0]?.['n']);

describe('backfill', () => {
  let app: TestApp;
  let work: string;
  let historyDir: string;
  const now = Date.now();
  const recent = (h: number) => iso(now - h * HOUR);
  const old = (days: number) => iso(now - days * 24 * HOUR);

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'twin-backfill-'));
    historyDir = join(work, 'history');
    app = await startTestApp({ MQTT_TOPIC_PREFIX: 'bf', HISTORY_DIR: historyDir });
    await resetTwins(app.graph, app.runtime.telemetry.rules);
    const res = await gql(app, 'mutation($d: JSON!) { importTwinGraph(document: $d) { twins } }', {
      d: PLANT,
    });
    expect(res.errors).toBeUndefined();
  });
  afterAll(async () => {
    await app.stop();
    rmSync(work, { recursive: true, force: true });
  });

  describe('npm run backfill of a CSV file', () => {
    let csv: string;
    let rejects: string;
    const lines = () => [
      'asset,metric,ts,value,unit',
      `A1,temperature,${recent(1)},20,`, // 2: recent → graph and files
      `A1,temperature,${recent(2)},212,degF`, // 3: converted to 100 Cel
      `A1,temperature,${recent(3)},150,Cel`, // 4: out of range: flagged, no alert
      `A1,pressure,${old(21)},2.5,bar`, // 5: three weeks ago → files only
      `"A1","temperature","${old(20)}","21.5",""`, // 6: quoted, files only
      `A1,temperature,${Date.parse(recent(1))},99,`, // 7: line 2's instant in epoch ms
      `A1,temperature,${recent(4)},abc,`, // 8
      `A9,temperature,${recent(4)},1,`, // 9
      `A1,speed,${recent(4)},1,`, // 10
      `A1,temperature,${recent(4)},1,degrees`, // 11
      `A1,temperature,${recent(4)},1,kg`, // 12
      `A1,temperature,2026-11-25T10:00:00,1,`, // 13: no zone
      `A1,temperature,${iso(now + HOUR)},1,`, // 14
      `A1,temperature,${recent(4)}`, // 15: a field short
      `A1,,${recent(4)},1,`, // 16: no metric
    ];
    const expectedRejects: [number, string][] = [
      [7, 'DUPLICATE'],
      [8, 'NOT_FINITE'],
      [9, 'UNKNOWN_ASSET'],
      [10, 'UNKNOWN_METRIC'],
      [11, 'BAD_UNIT'],
      [12, 'INCOMPATIBLE_UNIT'],
      [13, 'BAD_TIMESTAMP'],
      [14, 'FUTURE_TIMESTAMP'],
      [15, 'BAD_SHAPE'],
      [16, 'BAD_SHAPE'],
    ];

    beforeAll(() => {
      csv = join(work, 'plant-export.csv');
      rejects = join(work, 'plant-export.rejects.csv');
      writeFileSync(csv, `${lines().join('\r\n')}\r\n`);
    });

    it('when it runs, then it exits 0 with a summary that says no alert is raised, and the rejects report names each bad row by line and reason', async () => {
      const run = await backfillCli([csv, '--history-dir', historyDir]);
      expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
      expect(run.stdout).toContain('15 rows read');
      expect(run.stdout).toMatch(/accepted\s+5/);
      expect(run.stdout).toMatch(/graph\s+3 written/);
      expect(run.stdout).toMatch(/files\s+5 written/);
      expect(run.stdout).toMatch(/refused\s+9: /);
      expect(run.stdout).toMatch(/duplicates\s+1/);
      expect(run.stdout).toContain(`rejects report: ${rejects} (10 rows)`);
      expect(run.stdout).toContain('Backfilled readings raise no alerts');
      const { pairs, rows } = report(rejects);
      expect(pairs).toEqual(expectedRejects);
      expect(rows[0]?.[2]).toContain('as line 2');
      // the raw row comes back as written
      expect(rows[1]?.[3]).toBe(lines()[7]);
    });

    it('then the recent readings are in the graph with the file and line as lineage, converted, and no alert is open', async () => {
      const stored = await readingsOf(app, 'backfill:plant-export.csv:');
      expect(stored).toEqual([
        expect.objectContaining({
          topic: 'backfill:plant-export.csv:2',
          value: 20,
          originalUnit: null,
          conversion: null,
          flagged: false,
        }),
        expect.objectContaining({
          topic: 'backfill:plant-export.csv:3',
          value: 100,
          originalValue: 212,
          originalUnit: 'degF',
          conversion: '[degF]→Cel',
        }),
        expect.objectContaining({
          topic: 'backfill:plant-export.csv:4',
          value: 150,
          flagged: true,
        }),
      ]);
      expect(await alertCount(app)).toBe(0);
    });

    it('then every accepted reading is in the Parquet files, old ones too, under its factory', async () => {
      const files = await parquet(historyDir);
      expect(files.all).toBe(5);
      expect(files.kept.map((r) => [r.metric_id, r.source, r.value, r.factory])).toEqual([
        ['A1/pressure', 'backfill:plant-export.csv:5', 2.5, 'F1'],
        ['A1/temperature', 'backfill:plant-export.csv:6', 21.5, 'F1'],
        ['A1/temperature', 'backfill:plant-export.csv:4', 150, 'F1'],
        ['A1/temperature', 'backfill:plant-export.csv:3', 100, 'F1'],
        ['A1/temperature', 'backfill:plant-export.csv:2', 20, 'F1'],
      ]);
      const converted = files.kept.find((r) => r.source.endsWith(':3'));
      expect(converted).toMatchObject({
        original_value: 212,
        original_unit: 'degF',
        conversion: '[degF]→Cel',
      });
    });

    it('when the same file runs again, then nothing changes: the graph is the same and the files read the same', async () => {
      const before = await graphFingerprint(app.graph);
      const filesBefore = await parquet(historyDir);
      const again = await backfillCli([csv, '--history-dir', historyDir]);
      expect(again.code).toBe(0);
      expect(await graphFingerprint(app.graph)).toBe(before);
      const filesAfter = await parquet(historyDir);
      expect(filesAfter.kept).toEqual(filesBefore.kept);
      expect(filesAfter.all).toBe(10); // at least once: the readers keep the first
      expect(await alertCount(app)).toBe(0);
    });

    it('when a dry run checks the file, then it writes nothing and reports the same rows', async () => {
      const before = await graphFingerprint(app.graph);
      const dryRejects = join(work, 'dry.csv');
      const dry = await backfillCli([
        csv,
        '--dry-run',
        '--rejects',
        dryRejects,
        '--history-dir',
        historyDir,
      ]);
      expect(dry.code).toBe(0);
      expect(dry.stdout).toContain('nothing written; would write 3 to the graph');
      expect(report(dryRejects).pairs).toEqual(expectedRejects);
      expect(await graphFingerprint(app.graph)).toBe(before);
      expect((await parquet(historyDir)).all).toBe(10);
    });

    it('when the header lacks a column or the file is missing, then it exits 2 saying why and writes nothing', async () => {
      const bad = join(work, 'bad.csv');
      writeFileSync(bad, 'asset,metric,value\nA1,temperature,1\n');
      const run = await backfillCli([bad, '--history-dir', historyDir]);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('has no column ts');
      const missing = await backfillCli([join(work, 'nope.csv')]);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain('cannot read it');
    });
  });

  it('when a JSONL file is backfilled with the history files off, then old rows are OUTSIDE_RETENTION and lines that are not JSON are NOT_JSON', async () => {
    const jsonl = join(work, 'quality.jsonl');
    writeFileSync(
      jsonl,
      [
        JSON.stringify({ asset: 'A1', metric: 'pressure', ts: recent(5), value: 3, unit: 'bar' }),
        '{"asset": "A1", "metric": ',
        JSON.stringify({ asset: 'A1', metric: 'pressure', ts: old(30), value: 3 }),
      ].join('\n'),
    );
    const run = await backfillCli([jsonl, '--rejects', join(work, 'q.csv')], {
      HISTORY_ENABLED: 'false',
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('files       none');
    expect(report(join(work, 'q.csv')).pairs).toEqual([
      [2, 'NOT_JSON'],
      [3, 'OUTSIDE_RETENTION'],
    ]);
    expect(await readingsOf(app, 'backfill:quality.jsonl:')).toEqual([
      expect.objectContaining({ topic: 'backfill:quality.jsonl:1', value: 3 }),
    ]);
  });

  describe('the backfillTelemetry mutation', () => {
    const MUTATION = `mutation($format: BackfillFormat!, $content: String!, $source: String) {
      backfillTelemetry(format: $format, content: $content, source: $source) {
        source read accepted rejected duplicates writtenToGraph writtenToFiles
        byReason { reason count } rejects { line reason detail raw } rejectsTotal
        alertsRaised note
      }
    }`;

    it('when an admin sends a small batch, then it answers the counts and rejects, raises no alert and the readings carry the source as lineage', async () => {
      const content = [
        'asset,metric,ts,value,unit',
        `A1,temperature,${recent(6)},300,`,
        `A1,temperature,${old(10)},68,[degF]`,
        `A1,temperature,${recent(6)},301,`,
        `A1,nothing,${recent(6)},1,`,
      ].join('\n');
      const res = await gql(app, MUTATION, { format: 'CSV', content, source: 'shift-report' });
      expect(res.errors).toBeUndefined();
      expect(res.data?.['backfillTelemetry']).toEqual({
        source: 'shift-report',
        read: 4,
        accepted: 2,
        rejected: 1,
        duplicates: 1,
        writtenToGraph: 1,
        writtenToFiles: 2,
        byReason: expect.arrayContaining([
          { reason: 'DUPLICATE', count: 1 },
          { reason: 'UNKNOWN_METRIC', count: 1 },
        ]),
        rejects: [
          expect.objectContaining({
            line: 4,
            reason: 'DUPLICATE',
            raw: `A1,temperature,${recent(6)},301,`,
          }),
          expect.objectContaining({ line: 5, reason: 'UNKNOWN_METRIC' }),
        ],
        rejectsTotal: 2,
        alertsRaised: false,
        note: expect.stringContaining('raise no alerts'),
      });
      expect(await readingsOf(app, 'backfill:shift-report:')).toEqual([
        expect.objectContaining({ topic: 'backfill:shift-report:2', value: 300, flagged: true }),
      ]);
      const files = await parquet(historyDir);
      expect(files.kept.find((r) => r.source === 'backfill:shift-report:3')).toMatchObject({
        value: 20,
        conversion: '[degF]→Cel',
      });
      expect(await alertCount(app)).toBe(0);
    });

    it('when the batch has more than 10,000 rows, then it is refused whole with TOO_LARGE pointing to the CLI', async () => {
      const before = await graphFingerprint(app.graph);
      const rows = ['asset,metric,ts,value'];
      for (let i = 0; i < 10_001; i++) rows.push(`A1,temperature,${now - 1000 - i},1`);
      const res = await gql(app, MUTATION, { format: 'CSV', content: rows.join('\n') });
      expect(res.errors?.[0]?.extensions?.['code']).toBe('TOO_LARGE');
      expect(res.errors?.[0]?.message).toContain('npm run backfill');
      expect(await graphFingerprint(app.graph)).toBe(before);
    });

    it('when a key scoped to a factory calls it, even an admin one, then it is FORBIDDEN', async () => {
      const made = await gql(
        app,
        'mutation($input: ApiKeyInput!) { createApiKey(input: $input) { key } }',
        { input: { name: 'scoped admin', role: 'admin', factoryIds: ['F1'] } },
      );
      expect(made.errors).toBeUndefined();
      const key = (made.data?.['createApiKey'] as { key: string }).key;
      const res = await gql(
        app,
        MUTATION,
        {
          format: 'JSONL',
          content: JSON.stringify({ asset: 'A1', metric: 'pressure', ts: recent(7), value: 1 }),
        },
        { authorization: `Bearer ${key}` },
      );
      expect(res.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
      expect(await readingsOf(app, 'backfill:request-')).toEqual([]);
    });
  });
});
