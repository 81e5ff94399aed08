import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memoryLog } from '../log';
import { readingRecord } from '../../test/support/records';
import type { ReadingRecord, RowCounts, WriteBatch } from './records';
import {
  parseSpill,
  PreviousBatchFailedError,
  TelemetryWriter,
  WriterStoppedError,
  type Write,
} from './writer';

/* The writer's bookkeeping, with a write function standing in for Neo4j (pure logic). */
function reading(i: number): ReadingRecord {
  const ts = new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString();
  return readingRecord({ metricId: 'M1', ts, value: i, topic: 't/F1/L1/A1/telemetry' });
}

async function writerWith(write: Write, lines: string[] = [], overlap = false) {
  const spillDir = await mkdtemp(join(tmpdir(), 'writer-test-'));
  const writer = new TelemetryWriter(write, {
    maxBatch: 10,
    flushMs: 5,
    maxBuffered: 1000,
    spillDir,
    overlap,
    log: memoryLog(lines),
  });
  return { writer, spillDir };
}

async function spilledRows(dir: string): Promise<{ ids: string[]; readings: number }> {
  const files = (await readdir(dir)).filter((f) => f.startsWith('spill-'));
  let readings = 0;
  const ids: string[] = [];
  for (const f of files) {
    const batches = parseSpill(await readFile(join(dir, f), 'utf8'), f) ?? [];
    for (const b of batches) {
      ids.push(b.id);
      readings += b.readings.length;
    }
  }
  return { ids, readings };
}

describe('TelemetryWriter.stop', () => {
  it('when every write fails during shutdown, then stop resolves and spills every accepted row', async () => {
    const { writer, spillDir } = await writerWith(() =>
      Promise.reject(new Error('Neo4j is not reachable')),
    );
    for (let i = 0; i < 25; i++) await writer.add({ readings: [reading(i)] });
    const result = await writer.stop(200);
    expect(result).toEqual({ written: false, spilled: 25, lost: 0 });
    expect((await spilledRows(spillDir)).readings).toBe(25);
  });

  it('when the batch in flight is still pending at the timeout, then it is spilled under its own id', async () => {
    const ids: string[] = [];
    let release: () => void = () => {};
    const { writer, spillDir } = await writerWith(
      (b) =>
        new Promise((resolve) => {
          ids.push(b.id);
          release = () => resolve([]);
        }),
    );
    for (let i = 0; i < 15; i++) await writer.add({ readings: [reading(i)] });
    await new Promise((r) => setTimeout(r, 20)); // the first batch (10 rows) is in flight
    const result = await writer.stop(100);
    release(); // it commits after all: the replay must skip it by id
    expect(result.spilled).toBe(15);
    const spilled = await spilledRows(spillDir);
    expect(spilled.readings).toBe(15);
    expect(spilled.ids).toContain(ids[0]);
  });

  it('when rows are added after stop, then add refuses them so the message is not acknowledged', async () => {
    const { writer } = await writerWith(() => Promise.resolve([]));
    await writer.stop(100);
    await expect(writer.add({ readings: [reading(1)] })).rejects.toBeInstanceOf(WriterStoppedError);
  });

  it('when writes succeed, then stop writes everything and spills nothing', async () => {
    const written: number[] = [];
    const { writer, spillDir } = await writerWith((b) => {
      written.push(b.readings.length);
      return Promise.resolve([]);
    });
    for (let i = 0; i < 23; i++) await writer.add({ readings: [reading(i)] });
    expect(await writer.stop(1000)).toEqual({ written: true, spilled: 0, lost: 0 });
    expect(written.reduce((a, b) => a + b, 0)).toBe(23);
    expect(await readdir(spillDir)).toEqual([]);
  });
});

describe('parseSpill', () => {
  it('when a file from before batch ids holds one object of rows, then it becomes one batch named by the file', () => {
    const old = JSON.stringify({ readings: [reading(1)], states: [], rejections: [], alerts: [] });
    expect(parseSpill(old, 'spill-1.json')).toEqual([
      expect.objectContaining({ id: 'spill:spill-1.json' }),
    ]);
  });

  it('when the file is not a spill file, then it is refused', () => {
    expect(parseSpill('{"hello": 1}', 'x')).toBeNull();
    expect(parseSpill('not json', 'x')).toBeNull();
  });
});

describe('TelemetryWriter and alert observations', () => {
  it('when a batch keeps failing only because of its alert observations, then its readings are stored without them and the error is logged', async () => {
    const lines: string[] = [];
    const written: WriteBatch[] = [];
    const { writer } = await writerWith((b) => {
      if (b.observations.length > 0) return Promise.reject(new Error('poison observation'));
      written.push(b);
      return Promise.resolve([]);
    }, lines);
    const observation = {
      ruleId: 'r',
      subjectId: 'M1',
      about: { label: 'Asset' as const, id: 'A1' },
      condition: 'bad' as const,
      at: reading(0).ts,
      message: 'x',
      value: 1,
      factoryId: 'F1',
      lineId: 'L1',
      assetId: 'A1',
      metricId: 'M1',
    };
    await writer.add({ readings: [reading(0), reading(1)], observations: [observation] });
    await writer.flush();
    expect(written.flatMap((b) => b.readings.map((r) => r.value))).toEqual([0, 1]);
    expect(writer.stats()).toMatchObject({ buffered: 0, written: 2 });
    expect(lines.join('\n')).toMatch(
      /1 alert observations were dropped after 3 failed writes: poison observation/,
    );
    await writer.stop(100);
  });

  it('when the database itself fails, then the observations are kept and the whole batch is retried', async () => {
    let down = true;
    const written: WriteBatch[] = [];
    const { writer } = await writerWith((b) => {
      if (down) return Promise.reject(new Error('Neo4j is not reachable'));
      written.push(b);
      return Promise.resolve([]);
    });
    const observation = {
      ruleId: 'r',
      subjectId: 'M1',
      about: { label: 'Asset' as const, id: 'A1' },
      condition: 'bad' as const,
      at: reading(0).ts,
      message: 'x',
      value: 1,
      factoryId: 'F1',
      lineId: 'L1',
      assetId: 'A1',
      metricId: 'M1',
    };
    await writer.add({ readings: [reading(0)], observations: [observation] });
    while (writer.stats().failedAttempts < 4) await new Promise((r) => setTimeout(r, 20));
    down = false;
    await writer.flush();
    expect(written).toHaveLength(1);
    expect(written[0]?.observations).toHaveLength(1);
    await writer.stop(100);
  });
});

describe('what the writer reports committed (the journal deletes what it covers)', () => {
  it('when batches commit, then committedThrough names the last add whose rows are all written', async () => {
    const reported: number[] = [];
    let fail = false;
    const { writer } = await writerWith(() =>
      fail ? Promise.reject(new Error('away')) : Promise.resolve([]),
    );
    writer.onCommitted((seq) => reported.push(seq));
    // 25 adds of one reading each: batches of 10
    for (let i = 0; i < 25; i++) {
      expect(await writer.add({ readings: [reading(i)] })).toEqual({
        seq: i + 1,
        before: { readings: i, states: 0, rejections: 0, observations: 0 },
      });
    }
    await writer.flush();
    expect(writer.committedThrough()).toBe(25);
    expect(reported).toEqual([10, 20, 25]);

    // an add of a reading and a rejection is covered only once both are written
    fail = true;
    await writer.add({
      readings: [reading(100)],
      rejections: [
        {
          reason: 'UNKNOWN_METRIC',
          detail: 'x',
          topic: 't',
          payload: '{}',
          receivedAt: new Date().toISOString(),
          metric: 'x',
        },
      ],
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(writer.committedThrough()).toBe(25);
    fail = false;
    await writer.flush();
    expect(writer.committedThrough()).toBe(26);
    await writer.stop(1000);
  });
});

describe('overlapping batches (a batch started behind the one in flight)', () => {
  const tick = () => new Promise((r) => setTimeout(r, 2));

  /**
   * Stands in for store.ts's contract: a batch holds its lock a tick after it starts, waits for
   * the one ahead before it commits, and rolls back (PreviousBatchFailedError) when that failed.
   */
  function sequenced(fails: (b: WriteBatch, attempt: number) => boolean) {
    const committed: { first: number; through: RowCounts | null }[] = [];
    const attempts = new Map<string, number>();
    let open = 0;
    let maxOpen = 0;
    let behind = 0;
    let rolledBack = 0;
    const write: Write = async (batch, through, sequence) => {
      open += 1;
      maxOpen = Math.max(maxOpen, open);
      try {
        const attempt = (attempts.get(batch.id) ?? 0) + 1;
        attempts.set(batch.id, attempt);
        await tick();
        sequence?.locked();
        if (sequence?.previous) {
          behind += 1;
          await sequence.previous.catch(() => {
            rolledBack += 1;
            throw new PreviousBatchFailedError();
          });
        }
        await tick();
        if (fails(batch, attempt)) throw new Error('Neo4j said no'); // at its commit
        committed.push({ first: batch.readings[0]?.value ?? -1, through });
        return [];
      } finally {
        open -= 1;
      }
    };
    return { write, committed, stats: () => ({ maxOpen, behind, rolledBack }) };
  }

  it('when full batches wait, then the next is written behind the one in flight and they commit in order', async () => {
    const s = sequenced(() => false);
    const { writer } = await writerWith(s.write, [], true);
    const reported: number[] = [];
    writer.onCommitted((seq) => reported.push(seq));
    for (let i = 0; i < 60; i++) await writer.add({ readings: [reading(i)] });
    await writer.flush();
    expect(s.stats().maxOpen).toBe(2);
    expect(s.stats().behind).toBeGreaterThan(0);
    // batches of 10, committed in the order their rows came, each counting those ahead of it
    expect(s.committed.map((c) => c.first)).toEqual([0, 10, 20, 30, 40, 50]);
    expect(s.committed.map((c) => c.through?.readings)).toEqual([10, 20, 30, 40, 50, 60]);
    expect(reported).toEqual([10, 20, 30, 40, 50, 60]);
    expect(writer.stats()).toMatchObject({ buffered: 0, written: 60, failedAttempts: 0 });
    await writer.stop(100);
  });

  it('when the batch ahead fails, then the one behind it rolls back and both are written again, in order', async () => {
    // the first attempt of the batch starting at 10 fails after the one behind it was started
    const s = sequenced((b, attempt) => b.readings[0]?.value === 10 && attempt === 1);
    const { writer } = await writerWith(s.write, [], true);
    for (let i = 0; i < 40; i++) await writer.add({ readings: [reading(i)] });
    await writer.flush();
    expect(s.stats().rolledBack).toBe(1);
    expect(s.committed.map((c) => c.first)).toEqual([0, 10, 20, 30]);
    expect(s.committed.map((c) => c.through?.readings)).toEqual([10, 20, 30, 40]);
    expect(writer.stats()).toMatchObject({ buffered: 0, written: 40, failedAttempts: 1 });
    expect(writer.committedThrough()).toBe(40);
    await writer.stop(100);
  });

  it('when the write function never says it holds its lock, then no batch is started behind it', async () => {
    let open = 0;
    let maxOpen = 0;
    const { writer } = await writerWith(
      async () => {
        open += 1;
        maxOpen = Math.max(maxOpen, open);
        await tick();
        open -= 1;
        return [];
      },
      [],
      true,
    );
    for (let i = 0; i < 50; i++) await writer.add({ readings: [reading(i)] });
    await writer.flush();
    expect(maxOpen).toBe(1);
    expect(writer.stats()).toMatchObject({ written: 50 });
    await writer.stop(100);
  });

  it('when the writer stops with two batches in flight and Neo4j never answers, then both are spilled under their ids', async () => {
    const ids: string[] = [];
    const { writer, spillDir } = await writerWith(
      (batch, _through, sequence) => {
        ids.push(batch.id);
        sequence?.locked();
        return new Promise(() => {});
      },
      [],
      true,
    );
    for (let i = 0; i < 35; i++) await writer.add({ readings: [reading(i)] });
    await tick();
    expect(ids).toHaveLength(2);
    const result = await writer.stop(50);
    expect(result).toEqual({ written: false, spilled: 35, lost: 0 });
    const spilled = await spilledRows(spillDir);
    expect(spilled.readings).toBe(35);
    expect(spilled.ids.slice(0, 2)).toEqual(ids);
  });
});
