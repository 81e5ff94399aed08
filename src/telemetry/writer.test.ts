import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memoryLog } from '../log';
import { readingRecord } from '../../test/support/records';
import type { ReadingRecord, WriteBatch } from './records';
import { parseSpill, TelemetryWriter, WriterStoppedError } from './writer';

/* The writer's bookkeeping, with a write function standing in for Neo4j (pure logic). */
function reading(i: number): ReadingRecord {
  const ts = new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString();
  return readingRecord({ metricId: 'M1', ts, value: i, topic: 't/F1/L1/A1/telemetry' });
}

async function writerWith(write: (b: WriteBatch) => Promise<[]>, lines: string[] = []) {
  const spillDir = await mkdtemp(join(tmpdir(), 'writer-test-'));
  const writer = new TelemetryWriter(write, {
    maxBatch: 10,
    flushMs: 5,
    maxBuffered: 1000,
    spillDir,
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
