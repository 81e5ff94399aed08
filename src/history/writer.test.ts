import { DuckDBInstance } from '@duckdb/node-api';
import { appendFile, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { memoryLog, silentLog } from '../log';
import { allFiles, type HistoryRow } from './layout';
import { HistoryWriter, type HistoryWriterOptions } from './writer';

const DAY1 = Date.parse('2026-11-30T23:59:00.000Z');
const DAY2 = Date.parse('2026-12-01T00:01:00.000Z');

function row(metricId: string, tsMs: number, factoryId = 'F1', value = 1): HistoryRow {
  const [assetId = '', metric = ''] = metricId.split('/');
  return {
    metricId,
    assetId,
    factoryId,
    metric,
    tsMs,
    value,
    unit: 'Cel',
    flagged: value > 100,
    originalValue: value,
    originalUnit: value === 2 ? '[degF]' : null,
    conversion: value === 2 ? '[degF]→Cel' : null,
    source: `twin/${factoryId}/L1/${assetId}/telemetry`,
    receivedAtMs: tsMs + 5,
  };
}

let dir: string;
const writers: HistoryWriter[] = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'twin-history-'));
});
afterEach(async () => {
  for (const w of writers.splice(0)) await w.close();
  await rm(dir, { recursive: true, force: true });
});

async function openWriter(options: Partial<HistoryWriterOptions> = {}): Promise<HistoryWriter> {
  const writer = await HistoryWriter.open({
    dir,
    instanceId: 'api-1',
    rollMs: 3_600_000, // tests roll by hand
    log: silentLog(),
    ...options,
  });
  writers.push(writer);
  return writer;
}

/** Every Parquet file under `dir`, relative, sorted (temporary files included, to see none is left). */
async function files(): Promise<string[]> {
  const all = await readdir(dir, { recursive: true });
  return all
    .filter((f) => f.endsWith('.parquet') || f.endsWith('.tmp'))
    .map((f) => relative(dir, join(dir, f)))
    .sort();
}

const spoolFiles = async (instance = 'api-1') =>
  (await readdir(join(dir, '_spool', instance))).filter((f) => f.endsWith('.jsonl'));

/** What a warehouse sees: every file through read_parquet with Hive partitioning, as HistoryRows. */
async function readBack(): Promise<(HistoryRow & { day: string; factory: string })[]> {
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  try {
    const reader = await c.runAndReadAll(
      `SELECT metric_id, asset_id, factory_id, metric, epoch_ms(ts)::DOUBLE AS ts_ms, value, unit,
              flagged, original_value, original_unit, conversion, source,
              epoch_ms(received_at)::DOUBLE AS received_ms, day::VARCHAR AS day, factory
         FROM read_parquet('${allFiles(dir)}', hive_partitioning = true)
        ORDER BY ts_ms, metric_id`,
    );
    return reader.getRowObjectsJson().map((r) => ({
      metricId: String(r['metric_id']),
      assetId: String(r['asset_id']),
      factoryId: String(r['factory_id']),
      metric: String(r['metric']),
      tsMs: Number(r['ts_ms']),
      value: Number(r['value']),
      unit: String(r['unit']),
      flagged: r['flagged'] === true,
      originalValue: Number(r['original_value']),
      originalUnit: r['original_unit'] === null ? null : String(r['original_unit']),
      conversion: r['conversion'] === null ? null : String(r['conversion']),
      source: String(r['source']),
      receivedAtMs: Number(r['received_ms']),
      day: String(r['day']),
      factory: String(r['factory']),
    }));
  } finally {
    c.closeSync();
    db.closeSync();
  }
}

const byTs = (a: HistoryRow, b: HistoryRow) =>
  a.tsMs - b.tsMs || a.metricId.localeCompare(b.metricId);

describe('the history writer', () => {
  it('when rows span two days and two factories, then write() makes one file per day and factory, read back equal', async () => {
    const writer = await openWriter();
    const rows = [
      row('A1/temperature', DAY1, 'F1', 2),
      row('A2/pressure', DAY1 + 1, 'F2', 150),
      row('A1/temperature', DAY2, 'F1', 3),
      row('A1/speed', DAY2 + 1, 'F1', 4),
    ];
    expect(await writer.write(rows)).toBe(4);
    expect(await files()).toEqual([
      `day=2026-11-30/factory=F1/api-1-${DAY1}-0.parquet`,
      `day=2026-11-30/factory=F2/api-1-${DAY1 + 1}-1.parquet`,
      `day=2026-12-01/factory=F1/api-1-${DAY2}-2.parquet`,
    ]);
    const back = await readBack();
    expect(back.map(({ day: _day, factory: _factory, ...r }) => r)).toEqual([...rows].sort(byTs));
    expect(back.map((r) => `${r.day} ${r.factory}`)).toEqual([
      '2026-11-30 F1',
      '2026-11-30 F2',
      '2026-12-01 F1',
      '2026-12-01 F1',
    ]);
    expect(writer.stats()).toMatchObject({ files: 3, spooledRows: 0 });
  });

  it('when a file is written, then its rows are sorted by metric and time (row-group statistics per metric)', async () => {
    const writer = await openWriter();
    await writer.write([
      row('B/x', DAY1 + 2),
      row('A/x', DAY1 + 3),
      row('B/x', DAY1),
      row('A/x', DAY1 + 1),
    ]);
    const [file = ''] = await files();
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    const reader = await c.runAndReadAll(
      `SELECT metric_id, epoch_ms(ts)::DOUBLE AS t FROM read_parquet('${join(dir, file)}')`,
    );
    const order = reader
      .getRowObjectsJson()
      .map((r) => `${String(r['metric_id'])}@${Number(r['t']) - DAY1}`);
    c.closeSync();
    db.closeSync();
    expect(order).toEqual(['A/x@1', 'A/x@3', 'B/x@0', 'B/x@2']);
  });

  it('when rows are appended, then they wait in the spool until a roll puts them in Parquet files', async () => {
    const writer = await openWriter();
    const rows = [row('A1/temperature', DAY1, 'F1', 2), row('A1/temperature', DAY1 + 1, 'F2', 150)];
    await writer.append(rows);
    await writer.append([row('A1/temperature', DAY2)]);
    expect(writer.stats().spooledRows).toBe(3);
    expect(await files()).toEqual([]);
    expect(await writer.roll()).toBe(3);
    expect(writer.stats()).toMatchObject({ spooledRows: 0, files: 3, lastError: null });
    expect(writer.stats().lastRollAt).not.toBeNull();
    expect(await spoolFiles()).toEqual([]);
    const back = (await readBack()).map(({ day: _day, factory: _factory, ...r }) => r);
    expect(back).toEqual([...rows, row('A1/temperature', DAY2)]);
    expect(await writer.roll()).toBe(0);
  });

  it('when the process dies without closing, then the next writer of the instance rolls its spool first', async () => {
    const crashed = await openWriter();
    await crashed.append([row('A1/temperature', DAY1), row('A1/temperature', DAY1 + 1)]);
    // a crash mid-append leaves a torn last line: skipped, the whole lines are kept
    const [spool = ''] = await spoolFiles();
    await appendFile(join(dir, '_spool', 'api-1', spool), '{"metricId":"A1/tempe');
    expect(await files()).toEqual([]);
    writers.splice(0); // never closed: its timer is unref'd, its handle dies with the test
    const lines: string[] = [];
    const next = await openWriter({ log: memoryLog(lines) });
    expect(await spoolFiles()).toEqual([]);
    expect((await readBack()).map((r) => r.tsMs)).toEqual([DAY1, DAY1 + 1]);
    expect(next.stats()).toMatchObject({ spooledRows: 0, files: 1 });
    expect(lines.join('\n')).toMatch(/1 unreadable lines skipped/);
    expect(lines.join('\n')).toMatch(/rolled 2 rows left in the spool/);
  });

  it("when another instance's spool is there, then a writer leaves it alone", async () => {
    const other = join(dir, '_spool', 'api-2');
    await mkdir(other, { recursive: true });
    await writeFile(join(other, '1-1-0.jsonl'), `${JSON.stringify(row('A1/temperature', DAY1))}\n`);
    await openWriter();
    expect(await files()).toEqual([]);
    expect(await spoolFiles('api-2')).toEqual(['1-1-0.jsonl']);
  });

  it('when a roll fails (the partition cannot be made), then the rows stay spooled and a later roll writes them', async () => {
    const lines: string[] = [];
    const writer = await openWriter({ log: memoryLog(lines) });
    await writer.append([row('A1/temperature', DAY1)]);
    // a plain file where the day's folder must go: mkdir fails, whoever runs the test (root too)
    const blocker = join(dir, 'day=2026-11-30');
    await writeFile(blocker, 'not a folder');
    await expect(writer.roll()).rejects.toThrow();
    await writer.append([row('A1/temperature', DAY1 + 1)]);
    await expect(writer.roll()).rejects.toThrow();
    expect(writer.stats()).toMatchObject({
      spooledRows: 2,
      files: 0,
      failedRolls: 2,
      lastRollAt: null,
    });
    expect(writer.stats().lastError).toMatch(/day=2026-11-30/);
    expect(lines.filter((l) => l.startsWith('history roll failed'))).toHaveLength(1); // once, not per retry
    expect(await files()).toEqual([]);
    expect(await spoolFiles()).toHaveLength(2);

    await rm(blocker);
    expect(await writer.roll()).toBe(2);
    expect(writer.stats()).toMatchObject({ spooledRows: 0, lastError: null });
    expect((await readBack()).map((r) => r.tsMs)).toEqual([DAY1, DAY1 + 1]);
    expect(await spoolFiles()).toEqual([]);
  });

  it('when the roll timer fires after a failure, then it retries by itself', async () => {
    const writer = await openWriter({ rollMs: 1000 });
    const blocker = join(dir, 'day=2026-11-30');
    await writeFile(blocker, 'not a folder');
    await writer.append([row('A1/temperature', DAY1)]);
    await waitFor(() => writer.stats().failedRolls > 0);
    await rm(blocker);
    await waitFor(() => writer.stats().spooledRows === 0);
    expect((await readBack()).map((r) => r.tsMs)).toEqual([DAY1]);
  });

  it('when maxRows are spooled, then a roll starts without waiting for the timer', async () => {
    const writer = await openWriter({ maxRows: 3 });
    await writer.append([row('A/x', DAY1), row('A/x', DAY1 + 1)]);
    expect(writer.stats().spooledRows).toBe(2);
    await writer.append([row('A/x', DAY1 + 2)]);
    await waitFor(() => writer.stats().files === 1);
    expect((await readBack()).map((r) => r.tsMs)).toEqual([DAY1, DAY1 + 1, DAY1 + 2]);
  });

  it('when appends and rolls overlap, then no row is lost or written twice', async () => {
    const writer = await openWriter();
    const work: Promise<unknown>[] = [];
    for (let i = 0; i < 50; i++) {
      work.push(writer.append([row('A/x', DAY1 + 2 * i), row('A/x', DAY1 + 2 * i + 1)]));
      if (i % 7 === 0) work.push(writer.roll());
    }
    await Promise.all(work);
    await writer.close();
    const ts = (await readBack()).map((r) => r.tsMs);
    expect(ts).toEqual(Array.from({ length: 100 }, (_, i) => DAY1 + i));
  });

  it('when a file name is taken already, then the new file gets the next number and nothing is replaced', async () => {
    const first = await openWriter();
    await first.write([row('A/x', DAY1, 'F1', 1)]);
    await first.close();
    // a new run of the same instance starts its sequence at 0 again
    const second = await openWriter();
    await second.write([row('A/x', DAY1, 'F1', 7)]);
    expect(await files()).toEqual([
      `day=2026-11-30/factory=F1/api-1-${DAY1}-0.parquet`,
      `day=2026-11-30/factory=F1/api-1-${DAY1}-1.parquet`,
    ]);
    expect((await readBack()).map((r) => r.value).sort()).toEqual([1, 7]);
  });

  it('when closed, then what was spooled is rolled, appends are refused, and a second close is harmless', async () => {
    const writer = await openWriter();
    await writer.append([row('A/x', DAY1)]);
    await writer.close();
    expect((await readBack()).map((r) => r.tsMs)).toEqual([DAY1]);
    await expect(writer.append([row('A/x', DAY2)])).rejects.toThrow(/closed/);
    await writer.close();
  });

  it('when a row has no valid time, then append refuses it before it reaches the spool', async () => {
    const writer = await openWriter();
    await expect(writer.append([row('A/x', Number.NaN)])).rejects.toThrow(/no valid time/);
    expect(writer.stats().spooledRows).toBe(0);
  });
});

async function waitFor(ok: () => boolean, ms = 20000): Promise<void> {
  const until = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
}
