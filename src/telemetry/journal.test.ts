import { appendFile, mkdtemp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLog } from '../log';
import { decodeSegment, encodeRecord, Journal } from './journal';

const log = silentLog();

interface Rec {
  n: number;
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'twin-journal-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const segments = async () => (await readdir(dir)).filter((f) => f.endsWith('.wal')).sort();

async function replayAll(at: string): Promise<Rec[]> {
  const journal = await Journal.open<Rec>({ dir: at, groupCommitMs: 1, log });
  const seen: Rec[] = [];
  await journal.replay(async (records) => {
    seen.push(...records);
    return Promise.resolve();
  });
  await journal.close(false);
  return seen;
}

describe('the telemetry journal', () => {
  it('when records are appended, then each resolves once on disk and a new journal replays them in order', async () => {
    const journal = await Journal.open<Rec>({ dir, groupCommitMs: 2, log });
    await Promise.all([1, 2, 3].map((n) => journal.append({ n }, n)));
    // on disk before close: what a crash right now would leave
    const files = await segments();
    expect(files).toHaveLength(1);
    const onDisk = decodeSegment<Rec>(await readFile(join(dir, files[0] ?? '')));
    expect(onDisk).toEqual({ records: [{ n: 1 }, { n: 2 }, { n: 3 }], trailingBytes: 0 });
    await journal.close(true);
    expect(await replayAll(dir)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    expect(await segments()).toEqual([]); // replayed segments are deleted
  });

  it('when many records arrive within the window, then they share one write and fsync (group commit)', async () => {
    const journal = await Journal.open<Rec>({ dir, groupCommitMs: 20, log });
    await Promise.all(Array.from({ length: 500 }, (_, i) => journal.append({ n: i }, i + 1)));
    const stats = journal.stats();
    expect(stats.records).toBe(500);
    expect(stats.commits).toBeLessThan(5);
    await journal.close(false);
  });

  it('when records arrive during an fsync, then they are written right after it, in order', async () => {
    const journal = await Journal.open<Rec>({ dir, groupCommitMs: 0, log });
    const order: number[] = [];
    const all: Promise<void>[] = [];
    for (let i = 0; i < 200; i++) {
      all.push(journal.append({ n: i }, i + 1).then(() => void order.push(i)));
      if (i % 50 === 0) await new Promise((r) => setImmediate(r));
    }
    await Promise.all(all);
    expect(order).toEqual(Array.from({ length: 200 }, (_, i) => i));
    await journal.close(true);
    expect((await replayAll(dir)).map((r) => r.n)).toEqual(order);
  });

  it('when a crash cut the last record short, then replay keeps every whole record before it', async () => {
    const journal = await Journal.open<Rec>({ dir, groupCommitMs: 1, log });
    for (const n of [1, 2, 3]) await journal.append({ n }, n);
    await journal.close(true);
    const [file] = await segments();
    const path = join(dir, file ?? '');
    // a torn fourth record: its header and half its body
    const torn = encodeRecord({ n: 4 });
    await appendFile(path, torn.subarray(0, torn.length - 3));
    expect(decodeSegment<Rec>(await readFile(path)).trailingBytes).toBe(torn.length - 3);
    expect(await replayAll(dir)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
  });

  it('when a record is damaged, then replay stops before it instead of reading garbage', async () => {
    const good = encodeRecord({ n: 1 });
    const bad = encodeRecord({ n: 2 });
    bad[bad.length - 2] = 0x20; // the body changed, the CRC not
    await writeFile(join(dir, 'segment-0000000000000001.wal'), Buffer.concat([good, bad]));
    expect(await replayAll(dir)).toEqual([{ n: 1 }]);
  });

  it('when only a header survived, then nothing of it is read', async () => {
    const path = join(dir, 'segment-0000000000000001.wal');
    await writeFile(path, encodeRecord({ n: 1 }));
    await truncate(path, 5);
    expect(await replayAll(dir)).toEqual([]);
  });

  it('when the writer commits the records of a closed segment, then the segment is deleted', async () => {
    // tiny segments: every group starts a new one
    const journal = await Journal.open<Rec>({ dir, groupCommitMs: 0, segmentBytes: 1, log });
    await journal.append({ n: 1 }, 1);
    await journal.append({ n: 2 }, 2);
    await journal.append({ n: 3 }, 3);
    expect(await segments()).toHaveLength(3);
    journal.committed(2);
    await journal.close(true); // keeps the uncommitted one
    const left = await segments();
    expect(left).toHaveLength(1);
    expect(decodeSegment<Rec>(await readFile(join(dir, left[0] ?? ''))).records).toEqual([
      { n: 3 },
    ]);
  });

  it('when everything written is committed, then the current segment goes too', async () => {
    const journal = await Journal.open<Rec>({ dir, groupCommitMs: 0, log });
    await journal.append({ n: 1 }, 1);
    await journal.append({ n: 2 }, 2);
    journal.committed(2);
    await journal.close(true);
    expect(await segments()).toEqual([]);
  });

  it('when the journal closes with everything committed, then no segment is left', async () => {
    const journal = await Journal.open<Rec>({ dir, groupCommitMs: 0, log });
    await journal.append({ n: 1 }, 1);
    await journal.close(false);
    expect(await segments()).toEqual([]);
  });

  it('when replay fails, then the segment stays for the next start', async () => {
    const first = await Journal.open<Rec>({ dir, groupCommitMs: 0, log });
    await first.append({ n: 1 }, 1);
    await first.close(true);
    const second = await Journal.open<Rec>({ dir, groupCommitMs: 0, log });
    await expect(second.replay(() => Promise.reject(new Error('Neo4j away')))).rejects.toThrow(
      'Neo4j away',
    );
    expect(await segments()).toHaveLength(1);
    expect(await replayAll(dir)).toEqual([{ n: 1 }]);
  });

  it('when a new journal starts after a replay, then its segment names are new ones', async () => {
    const first = await Journal.open<Rec>({ dir, groupCommitMs: 0, log });
    await first.append({ n: 1 }, 1);
    await first.close(true);
    const [old] = await segments();
    const second = await Journal.open<Rec>({ dir, groupCommitMs: 0, log });
    await second.replay(() => Promise.resolve());
    await second.append({ n: 2 }, 1);
    const [now] = await segments();
    expect(now).not.toBe(old);
    expect((now ?? '') > (old ?? '')).toBe(true);
    await second.close(false);
  });
});
