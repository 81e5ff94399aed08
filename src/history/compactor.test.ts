import { DuckDBInstance } from '@duckdb/node-api';
import { mkdtemp, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { historyRow } from '../../test/support/history-files';
import { memoryLog, silentLog } from '../log';
import { HistoryCompactor, type HistoryCompactorOptions } from './compactor';
import {
  allFiles,
  type HistoryRow,
  isCompacted,
  MINUTES_FOLDER,
  partitionDir,
  summaryPathOf,
} from './layout';
import { ParquetFiles } from './parquet';

const H = 3_600_000;
const DAY_A = Date.parse('2026-12-01T00:00:00.000Z');
const DAY_B = Date.parse('2026-12-02T00:00:00.000Z');
const TODAY = Date.parse('2026-12-03T00:00:00.000Z');
/** Day B ended 1.5 h before: both days are closed, today is not. */
const NOW = TODAY + 1.5 * H;

function row(
  metricId: string,
  tsMs: number,
  value: number,
  receivedAtMs: number,
  factoryId = 'F1',
  source = `twin/${factoryId}/L1/telemetry`,
): HistoryRow {
  return historyRow({ metricId, tsMs, value, receivedAtMs, factoryId, source });
}

let dir: string;
let spill: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'twin-compact-'));
  spill = await mkdtemp(join(tmpdir(), 'twin-compact-spill-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
  await rm(spill, { recursive: true, force: true });
});

/** Rows as one writer's files (one per day and factory of the rows), like a roll of `instance`. */
async function roll(instance: string, rows: readonly HistoryRow[]): Promise<void> {
  const files = new ParquetFiles(dir, instance);
  try {
    await files.write(rows);
  } finally {
    files.close();
  }
}

function compactor(options: Partial<HistoryCompactorOptions> = {}): HistoryCompactor {
  return new HistoryCompactor({
    dir,
    instanceId: 'api-1',
    everyMs: H,
    log: silentLog(),
    lease: () => Promise.resolve(true),
    tempDirectory: spill,
    graceMs: 0,
    ...options,
  });
}

/** Every file under `dir` (temporary ones too), relative, sorted; `_minutes/` apart. */
async function everyFile(): Promise<string[]> {
  const all = await readdir(dir, { recursive: true });
  return all
    .filter((f) => f.endsWith('.parquet') || f.endsWith('.tmp'))
    .map((f) => relative(dir, join(dir, f)))
    .sort();
}
/** The data files (the partitions'), temporary ones too. */
const files = async () => (await everyFile()).filter((f) => !f.startsWith(`${MINUTES_FOLDER}/`));
/** The minute summaries, as the paths of the files they summarise. */
const summaries = async () =>
  (await everyFile())
    .filter((f) => f.startsWith(`${MINUTES_FOLDER}/`))
    .map((f) => f.slice(MINUTES_FOLDER.length + 1));

const folderOf = (f: string) => f.split('/').slice(0, 2).join('/');
const filesIn = async (folder: string) => (await files()).filter((f) => folderOf(f) === folder);

type Key = string;
/** The readers' rule on plain rows: one per (metric_id, ts), the least (received_at, source). */
function dedup(rows: readonly HistoryRow[]): Map<Key, HistoryRow> {
  const out = new Map<Key, HistoryRow>();
  for (const r of rows) {
    const key = `${r.metricId}@${r.tsMs}`;
    const seen = out.get(key);
    if (
      !seen ||
      r.receivedAtMs < seen.receivedAtMs ||
      (r.receivedAtMs === seen.receivedAtMs && r.source < seen.source)
    ) {
      out.set(key, r);
    }
  }
  return out;
}

interface Stored {
  key: Key;
  value: number;
  source: string;
  receivedAtMs: number;
  day: string;
  factory: string;
  file: string;
}

/** What a warehouse sees: every file through read_parquet with Hive partitioning, in file order. */
async function readBack(glob = allFiles(dir)): Promise<Stored[]> {
  const db = await DuckDBInstance.create(':memory:', { threads: '1' });
  const c = await db.connect();
  try {
    const reader = await c.runAndReadAll(
      `SELECT metric_id, epoch_ms(ts)::DOUBLE AS ts_ms, value, source,
              epoch_ms(received_at)::DOUBLE AS received_ms, day::VARCHAR AS day, factory, filename
         FROM read_parquet('${glob}', hive_partitioning = true, filename = true)`,
    );
    return reader.getRowObjectsJson().map((r) => ({
      key: `${String(r['metric_id'])}@${Number(r['ts_ms'])}`,
      value: Number(r['value']),
      source: String(r['source']),
      receivedAtMs: Number(r['received_ms']),
      day: String(r['day']),
      factory: String(r['factory']),
      file: relative(dir, String(r['filename'])),
    }));
  } finally {
    c.closeSync();
    db.closeSync();
  }
}

/** The deduplicated rows of `stored`, as comparable records sorted by key. */
function deduplicated(stored: readonly Stored[]) {
  const best = new Map<Key, Stored>();
  for (const s of stored) {
    const seen = best.get(s.key);
    if (
      !seen ||
      s.receivedAtMs < seen.receivedAtMs ||
      (s.receivedAtMs === seen.receivedAtMs && s.source < seen.source)
    ) {
      best.set(s.key, s);
    }
  }
  return [...best.values()]
    .map(({ key, value, source, receivedAtMs }) => ({ key, value, source, receivedAtMs }))
    .sort((a, b) => a.key.localeCompare(b.key));
}

const expected = (rows: readonly HistoryRow[]) =>
  [...dedup(rows).values()]
    .map((r) => ({
      key: `${r.metricId}@${r.tsMs}`,
      value: r.value,
      source: r.source,
      receivedAtMs: r.receivedAtMs,
    }))
    .sort((a, b) => a.key.localeCompare(b.key));

/** Two closed days × two factories, several files each from two instances, with duplicates. */
async function fixture(): Promise<HistoryRow[]> {
  const all: HistoryRow[] = [];
  const add = async (instance: string, rows: HistoryRow[]) => {
    all.push(...rows);
    await roll(instance, rows);
  };
  // metric ids are per asset, so per factory: AF1/x, BF2/x, …
  for (const day of [DAY_A, DAY_B]) {
    for (const f of ['F1', 'F2']) {
      // three rolls of api-1, metrics interleaved, 10 minutes apart
      for (let k = 0; k < 3; k += 1) {
        const rows: HistoryRow[] = [];
        for (let i = 0; i < 6; i += 1) {
          const ts = day + (k * 6 + i) * 600_000;
          rows.push(row(`B${f}/x`, ts, ts / 1e9, ts + 5, f));
          rows.push(row(`A${f}/x`, ts, -ts / 1e9, ts + 5, f));
        }
        await add('api-1', rows);
      }
      const t = day + 600_000;
      // a replay on api-2, received later with other values: must lose
      await add('api-2', [
        row(`A${f}/x`, t, 999, t + 60_000, f),
        row(`B${f}/x`, t, 999, t + 60_000, f),
      ]);
      // a reading api-2 received before api-1 did, in a file written later: must win
      await add('api-2', [row(`A${f}/x`, day + 1_200_000, 42, day + 1_200_000 + 1, f)]);
      // the same received time, another source: the smaller source wins
      await add('api-2', [row(`B${f}/x`, day + 1_800_000, 7, day + 1_800_000 + 5, f, 'a/first')]);
    }
  }
  return all;
}

describe('history compaction', () => {
  it('when days are closed, then each (day, factory) becomes one compacted file of the deduplicated rows, and its inputs go', async () => {
    const rows = await fixture();
    // today: two files, not compacted
    const today = [row('A/x', TODAY + 1000, 1, TODAY + 2000)];
    await roll('api-1', today);
    await roll('api-2', [row('A/x', TODAY + 5000, 2, TODAY + 6000)]);
    const before = await files();
    expect(before.filter((f) => folderOf(f) === 'day=2026-12-01/factory=F1')).toHaveLength(6);

    const result = await compactor().compactOnce(NOW);

    expect(result).toEqual({
      partitions: 4,
      filesIn: 24,
      filesOut: 4,
      rows: expected(rows).length,
      summaries: 4,
    });
    // each compacted file has its minute summary
    expect(await summaries()).toEqual((await files()).filter((f) => isCompacted(f)));
    const after = await files();
    const closed = ['2026-12-01', '2026-12-02'].flatMap((d) =>
      ['F1', 'F2'].map((f) => `day=${d}/factory=${f}`),
    );
    for (const folder of closed) {
      const inFolder = after.filter((f) => folderOf(f) === folder);
      expect(inFolder).toHaveLength(1);
      expect(inFolder.every((f) => isCompacted(f))).toBe(true);
      expect(inFolder[0]).toMatch(new RegExp(`^${folder}/compact-api-1-\\d+-\\d+\\.parquet$`));
    }
    // the inputs of closed days are gone; today's are as they were
    expect(after.filter((f) => !isCompacted(f))).toEqual(
      before.filter((f) => f.startsWith('day=2026-12-03/')),
    );
    // the files' deduplicated set is the inputs' deduplicated set
    const stored = await readBack();
    expect(deduplicated(stored)).toEqual(
      expected([...rows, ...today, row('A/x', TODAY + 5000, 2, TODAY + 6000)]),
    );
    // a compacted file holds no duplicate, sorted by (metric_id, ts)
    const compacted = stored.filter((s) => isCompacted(s.file));
    expect(new Set(compacted.map((s) => s.key)).size).toBe(compacted.length);
    for (const folder of closed) {
      const keys = compacted.filter((s) => folderOf(s.file) === folder).map((s) => s.key);
      const sorted = [...keys].sort((a, b) => {
        const [ma = '', ta = ''] = a.split('@');
        const [mb = '', tb = ''] = b.split('@');
        return ma.localeCompare(mb) || Number(ta) - Number(tb);
      });
      expect(keys).toEqual(sorted);
      expect(keys.length).toBeGreaterThan(0);
    }
    // the winners: first received, then the smaller source
    const at = (key: string, folder: string) =>
      compacted.find((s) => s.key === key && folderOf(s.file) === folder);
    expect(at(`AF1/x@${DAY_A + 600_000}`, 'day=2026-12-01/factory=F1')?.value).not.toBe(999);
    expect(at(`AF2/x@${DAY_A + 1_200_000}`, 'day=2026-12-01/factory=F2')?.value).toBe(42);
    expect(at(`BF1/x@${DAY_B + 1_800_000}`, 'day=2026-12-02/factory=F1')?.source).toBe('a/first');
    // Hive columns still come from the path
    expect(new Set(compacted.map((s) => `${s.day} ${s.factory}`))).toEqual(
      new Set(['2026-12-01 F1', '2026-12-01 F2', '2026-12-02 F1', '2026-12-02 F2']),
    );
  });

  it('when a partition holds one compacted file, then it is left alone; a late file beside one is merged by the next run', async () => {
    const rows = await fixture();
    const c = compactor();
    await c.compactOnce(NOW);
    const first = await files();
    const mtimes = new Map<string, number>();
    for (const f of first) mtimes.set(f, (await stat(join(dir, f))).mtimeMs);

    // nothing new: nothing to do, no file touched
    expect(await c.compactOnce(NOW + H)).toEqual({
      partitions: 0,
      filesIn: 0,
      filesOut: 0,
      rows: 0,
      summaries: 0,
    });
    expect(await files()).toEqual(first);
    for (const f of first) expect((await stat(join(dir, f))).mtimeMs).toBe(mtimes.get(f));

    // a late roll (a backfill, a restart's spool) lands beside the compacted file of day A / F2
    const late = [
      row('AF1/x', DAY_A + 5 * H, 5, NOW + 10), // new
      row('AF1/x', DAY_A, 555, NOW + 10), // a copy received later: loses
    ];
    await roll('api-3', late);
    expect(await filesIn('day=2026-12-01/factory=F1')).toHaveLength(2);

    // another instance compacts it this time
    const result = await compactor({ instanceId: 'api-2' }).compactOnce(NOW + 2 * H);
    expect(result).toMatchObject({ partitions: 1, filesIn: 2, filesOut: 1 });
    const inF1 = await filesIn('day=2026-12-01/factory=F1');
    expect(inF1).toHaveLength(1);
    expect(inF1[0]).toMatch(/\/compact-api-2-/);
    // the other partitions keep their files
    expect((await files()).filter((f) => folderOf(f) !== 'day=2026-12-01/factory=F1')).toEqual(
      first.filter((f) => folderOf(f) !== 'day=2026-12-01/factory=F1'),
    );
    expect(deduplicated(await readBack())).toEqual(expected([...rows, ...late]));
    // the new compacted file has a summary; the one merged away lost its own with it
    expect(await summaries()).toEqual((await files()).filter((f) => isCompacted(f)));
    const back = await readBack();
    expect(new Set(back.map((s) => `${s.file} ${s.key}`)).size).toBe(back.length);
  });

  it('when a crash left the compacted file beside its inputs, then the next run merges them into one, deduplicated', async () => {
    const rows = [row('A/x', DAY_A, 1, DAY_A + 5), row('A/x', DAY_A + 1000, 2, DAY_A + 1005)];
    await roll('api-1', rows.slice(0, 1));
    await roll('api-1', rows.slice(1));
    const partition = partitionDir(dir, '2026-12-01', 'F1');
    await compactor().compactOnce(NOW);
    // as if the run had died before its deletes: the inputs' rows beside the compacted file
    await roll('api-1', rows);
    expect(await files()).toHaveLength(2);
    expect(await readBack()).toHaveLength(4);

    const result = await compactor().compactOnce(NOW);
    expect(result).toMatchObject({ partitions: 1, filesIn: 2, filesOut: 1, rows: 2 });
    const back = await readBack(join(partition, '*.parquet'));
    expect(back.map((s) => s.key).sort()).toEqual([`A/x@${DAY_A}`, `A/x@${DAY_A + 1000}`]);
  });

  it('when a day ended less than an hour ago, then nothing is merged; an hour after, it is', async () => {
    await roll('api-1', [row('A/x', DAY_B, 1, DAY_B + 5)]);
    await roll('api-2', [row('A/x', DAY_B + 1, 1, DAY_B + 6)]);
    expect(await compactor().compactOnce(TODAY + 0.5 * H)).toEqual({
      partitions: 0,
      filesIn: 0,
      filesOut: 0,
      rows: 0,
      summaries: 0,
    });
    expect(await files()).toHaveLength(2);
    expect(await compactor().compactOnce(TODAY + H)).toMatchObject({ partitions: 1 });
  });

  it('when a partition holds one file of a writer, then it is compacted too (the readers skip deduplication of a compacted file)', async () => {
    await roll('api-1', [row('A/x', DAY_A, 1, DAY_A + 5), row('A/x', DAY_A, 2, DAY_A + 1)]);
    expect(await compactor().compactOnce(NOW)).toEqual({
      partitions: 1,
      filesIn: 1,
      filesOut: 1,
      rows: 1,
      summaries: 1,
    });
    const back = await readBack();
    expect(back.map((s) => s.value)).toEqual([2]);
  });

  it('when the compactor stops during the grace before the deletes, then the inputs stay beside the compacted file, and the next run merges them', async () => {
    const rows = [row('A/x', DAY_A, 1, DAY_A + 5), row('A/x', DAY_A + 1000, 2, DAY_A + 1005)];
    await roll('api-1', rows.slice(0, 1));
    await roll('api-2', rows);
    const inputs = await files();
    const c = compactor({ graceMs: 3_600_000 });
    const run = c.compactOnce(NOW);
    // the compacted file is placed, then the run waits out the grace before deleting the inputs
    for (let i = 0; i < 500 && !(await files()).some((f) => isCompacted(f)); i += 1) {
      await new Promise((r) => setTimeout(r, 10));
    }
    const placed = (await files()).filter((f) => isCompacted(f));
    expect(placed).toHaveLength(1);
    expect((await files()).filter((f) => !isCompacted(f))).toEqual(inputs);
    await c.stop();
    expect(await run).toMatchObject({ partitions: 1, filesIn: 2, filesOut: 1, rows: 2 });
    expect(await files()).toEqual([...inputs, ...placed].sort());

    expect(await compactor().compactOnce(NOW)).toMatchObject({ filesIn: 3, filesOut: 1, rows: 2 });
    const left = await files();
    expect(left).toHaveLength(1);
    expect(left[0]).not.toEqual(placed[0]); // a new name: a deleted file's name is not used again
    expect(deduplicated(await readBack())).toEqual(expected(rows));
  });

  it('when runs keep failing, then start() logs the failure once at warn, and once that it works again', async () => {
    const lines: string[] = [];
    let calls = 0;
    const c = compactor({
      everyMs: 5,
      log: memoryLog(lines, 'info'),
      lease: () => {
        calls += 1;
        return calls <= 3 ? Promise.reject(new Error('Neo4j is away')) : Promise.resolve(true);
      },
    });
    c.start();
    for (let i = 0; i < 1000 && calls < 5; i += 1) await new Promise((r) => setTimeout(r, 5));
    await c.stop();
    expect(calls).toBeGreaterThanOrEqual(5);
    expect(lines).toEqual([
      expect.stringMatching(/^history compaction failed \(retrying in 5 ms\): Neo4j is away$/),
      'history compaction works again',
    ]);
  });

  it('when another instance holds the lease, then the run returns null and touches nothing', async () => {
    await fixture();
    const before = await files();
    let asked = 0;
    const c = compactor({
      lease: () => {
        asked += 1;
        return Promise.resolve(false);
      },
    });
    expect(await c.compactOnce(NOW)).toBeNull();
    expect(asked).toBe(1);
    expect(await files()).toEqual(before);
  });

  it('when temporary files were left in a partition, then those older than an hour are deleted', async () => {
    await roll('api-1', [row('A/x', DAY_A, 1, DAY_A + 5)]);
    const partition = partitionDir(dir, '2026-12-01', 'F1');
    const stale = join(partition, '.api-9-1-0.parquet.tmp');
    const fresh = join(partition, '.api-9-2-0.parquet.tmp');
    await writeFile(stale, 'torn');
    await writeFile(fresh, 'being written');
    await utimes(stale, (NOW - 2 * H) / 1000, (NOW - 2 * H) / 1000);
    await utimes(fresh, (NOW - 0.25 * H) / 1000, (NOW - 0.25 * H) / 1000);
    await compactor().compactOnce(NOW);
    const left = await filesIn('day=2026-12-01/factory=F1');
    expect(left).toContain('day=2026-12-01/factory=F1/.api-9-2-0.parquet.tmp');
    expect(left).not.toContain('day=2026-12-01/factory=F1/.api-9-1-0.parquet.tmp');
    expect(left.filter((f) => isCompacted(f))).toHaveLength(1);
  });

  it('when a partition cannot be merged, then the others are, its files stay, and the run throws', async () => {
    await fixture();
    const broken = partitionDir(dir, '2026-12-01', 'F2');
    await writeFile(join(broken, 'api-9-1-0.parquet'), 'not parquet');
    const before = await filesIn('day=2026-12-01/factory=F2');
    await expect(compactor().compactOnce(NOW)).rejects.toThrow(
      /1 partitions not compacted .*factory=F2/,
    );
    expect(await filesIn('day=2026-12-01/factory=F2')).toEqual(before);
    for (const folder of ['day=2026-12-01/factory=F1', 'day=2026-12-02/factory=F2']) {
      const left = await filesIn(folder);
      expect(left).toHaveLength(1);
      expect(isCompacted(left[0] ?? '')).toBe(true);
    }
  });

  it('when a factory id needs escaping, then its folder is compacted in place', async () => {
    await roll('api-1', [row('A/x', DAY_A, 1, DAY_A + 5, 'Köln')]);
    await roll('api-2', [row('A/x', DAY_A + 1, 1, DAY_A + 6, 'Köln')]);
    expect(await compactor().compactOnce(NOW)).toMatchObject({ partitions: 1, filesIn: 2 });
    const left = await filesIn('day=2026-12-01/factory=K%C3%B6ln');
    expect(left).toHaveLength(1);
    expect(isCompacted(left[0] ?? '')).toBe(true);
  });
  it('when a day is compacted, then its minute summary holds each minute of each metric: count, min, max, sum and the last reading', async () => {
    const M = 60_000;
    const rows = [
      row('A/x', DAY_A + 5_000, 3, DAY_A + 6_000),
      row('A/x', DAY_A + 20_000, -1, DAY_A + 21_000),
      row('A/x', DAY_A + 59_999, 7, DAY_A + 61_000), // the minute's last
      row('A/x', DAY_A + 20_000, 100, DAY_A + 99_000), // a copy received later: not counted
      row('A/x', DAY_A + 3 * M, 4, DAY_A + 3 * M + 1),
      row('B/y', DAY_A + 30_000, 2.5, DAY_A + 31_000),
    ];
    await roll('api-1', rows.slice(0, 3));
    await roll('api-2', rows.slice(3));
    await compactor().compactOnce(NOW);
    const [compacted = ''] = (await files()).filter((f) => isCompacted(f));
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    try {
      const read = await c.runAndReadAll(
        `SELECT metric_id, epoch_ms(minute) AS minute, readings, min_value, max_value, sum_value,
                epoch_ms(last_ts) AS last_ts, last_value
           FROM read_parquet('${summaryPathOf(dir, join(dir, compacted))}')`,
      );
      expect(read.getRowObjectsJson()).toEqual([
        {
          metric_id: 'A/x',
          minute: String(DAY_A),
          readings: '3',
          min_value: -1,
          max_value: 7,
          sum_value: 9,
          last_ts: String(DAY_A + 59_999),
          last_value: 7,
        },
        {
          metric_id: 'A/x',
          minute: String(DAY_A + 3 * M),
          readings: '1',
          min_value: 4,
          max_value: 4,
          sum_value: 4,
          last_ts: String(DAY_A + 3 * M),
          last_value: 4,
        },
        {
          metric_id: 'B/y',
          minute: String(DAY_A),
          readings: '1',
          min_value: 2.5,
          max_value: 2.5,
          sum_value: 2.5,
          last_ts: String(DAY_A + 30_000),
          last_value: 2.5,
        },
      ]);
    } finally {
      c.closeSync();
      db.closeSync();
    }
  });

  it('when a compacted file has no summary (compacted before summaries, or its summary failed), then the next run writes one; a summary whose file is gone is deleted', async () => {
    await fixture();
    await compactor().compactOnce(NOW);
    const compacted = (await files()).filter((f) => isCompacted(f));
    const [first = '', second = ''] = compacted;
    await rm(join(dir, MINUTES_FOLDER, first));
    // a crash between deleting a compacted file and its summary leaves the summary alone
    const orphan = join(dir, MINUTES_FOLDER, folderOf(second), 'compact-api-9-1-1.parquet');
    await writeFile(orphan, 'left by a crash');

    expect(await compactor().compactOnce(NOW + H)).toMatchObject({ partitions: 0, summaries: 1 });
    expect(await summaries()).toEqual(compacted);
  });
});
