import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { AlertNotice } from '../domain/alerts';
import { errorText, type Log } from '../log';
import {
  addCounts,
  batchSize,
  emptyBatch,
  emptyCounts,
  ROW_KINDS,
  storedRows,
  type BatchRows,
  type RowCounts,
  type WriteBatch,
} from './records';

export interface WriterOptions {
  /** Rows per transaction. */
  maxBatch: number;
  /** A row waits at most this long before it is written. */
  flushMs: number;
  /** Above this many buffered rows, `add` waits: ingestion stops reading the broker (back-pressure). */
  maxBuffered: number;
  /** Where rows that could not be written by shutdown are kept, to be written at the next start. */
  spillDir: string;
  /**
   * While a batch is being written and a full one waits, write that one behind it (`Sequence`):
   * only for a write function that serialises the two in the database (src/telemetry/store.ts).
   */
  overlap?: boolean;
  log: Log;
}

/**
 * How a batch written behind another one keeps its place (given to `Write` when `overlap` is on).
 * Its statements that read what the batch before it writes wait in the database on a lock that
 * one holds until its commit; it commits only after `previous` resolved, and rolls back when
 * `previous` rejects (the batch before it failed: both are written again, in order). A write
 * given a Sequence must not be retried as is (src/telemetry/store.ts, retriedUntilLocked).
 */
export interface Sequence {
  /** The batch before this one: settles when it committed (or failed); null when none is in flight. */
  previous: Promise<unknown> | null;
  /**
   * Called once the batch's statements all ran (it holds that lock, and the others it takes):
   * a batch behind it may now be started.
   */
  locked: () => void;
}

/**
 * Writes one batch in one transaction; a batch id already written is skipped (idempotent).
 * `through` counts the rows of each kind that this writer will have committed once the batch
 * commits (every kind is committed in add order, so they are a prefix of those added); null for a
 * batch of an earlier run (spill file, journal replay). Kept with the batch, it tells a journal
 * replay which of its rows are in the database already (src/telemetry/replay.ts).
 */
export type Write = (
  batch: WriteBatch,
  through: RowCounts | null,
  sequence: Sequence | null,
) => Promise<AlertNotice[]>;

/** What `add` tells of the rows it buffered. */
export interface Added {
  /** The add's sequence number (1, 2, …; see `committedThrough`). */
  seq: number;
  /** Rows of each kind added before these: their offsets in this writer's order of each kind. */
  before: RowCounts;
}

export interface WriterStats {
  buffered: number;
  written: number;
  failedAttempts: number;
  lastError: string | null;
  /** Batches started behind the one in flight (`overlap`, under a backlog). */
  overlapped: number;
}

export interface StopResult {
  /** Everything accepted was written. */
  written: boolean;
  /** Rows kept in the spill file for the next start. */
  spilled: number;
  /** Rows that could be neither written nor spilled (the spill file could not be written). */
  lost: number;
}

/** Failed writes of a batch after which it is tried without its alert observations. */
const OBSERVATION_FAILURES = 3;

/** A batch written behind one that failed: it rolled back, and is written again after it. */
export class PreviousBatchFailedError extends Error {
  constructor() {
    super('the telemetry batch before this one failed; this one is written again after it');
  }
}

/** A batch being written: the first of those taken, or the one started behind it. */
interface Slot {
  batch: WriteBatch;
  result: Promise<AlertNotice[]>;
  /** It holds its lock (its Sequence said so): one may be started behind it. */
  locked: boolean;
}

/** `add` after `stop`: the caller must not acknowledge the message (the broker redelivers it). */
export class WriterStoppedError extends Error {
  constructor() {
    super('the telemetry writer is stopping; the message was not accepted');
  }
}

/**
 * Buffers accepted telemetry and writes it in batches: flushed by size or after `flushMs`.
 * A failed write keeps its rows and is retried with backoff until Neo4j answers again, so an
 * accepted reading is never dropped; on shutdown whatever still cannot be written is spilled
 * to disk and written at the next start. Each batch has an id written with it, so a batch
 * that is both spilled and committed (the shutdown timed out while it was in flight) is applied
 * once when the spill is replayed.
 */
export class TelemetryWriter {
  private buffer = emptyBatch();
  /** Batches taken from the buffer and not yet committed, in the order they commit. */
  private taken: WriteBatch[] = [];
  /** The first of `taken` while it is being written. */
  private head: Slot | null = null;
  /** The second of `taken`, when it is being written behind the first (`overlap`). */
  private follower: Slot | null = null;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private waiters: (() => void)[] = [];
  private stopped = false;
  /** Set when shutdown spilled what was left: nothing more is taken or retried. */
  private abandoned = false;
  private wake: (() => void) | null = null;
  private readonly counters: Omit<WriterStats, 'buffered'> = {
    written: 0,
    failedAttempts: 0,
    lastError: null,
    overlapped: 0,
  };
  /** Sequence number of the last `add`; see `committedThrough`. */
  private added = 0;
  /** Rows of each kind added and committed since the start: each kind is written in add order. */
  private readonly addedRows = emptyCounts();
  private readonly committedRows = emptyCounts();
  /** Adds not yet wholly committed, with the row counts that cover them, oldest first. */
  private openAdds: { seq: number; upTo: RowCounts }[] = [];
  /** Index of the oldest open add in `openAdds` (a head index: shift() moved every element). */
  private openHead = 0;
  private committedSeq = 0;
  private committedListener: (seq: number) => void = () => {};

  constructor(
    private readonly write: Write,
    private readonly options: WriterOptions,
    private readonly onAlerts: (alerts: AlertNotice[]) => void = () => {},
  ) {}

  stats(): WriterStats {
    return { buffered: this.bufferedRows(), ...this.counters };
  }

  /** Rows buffered or in flight (`add` checks it for every message: no object built). */
  private bufferedRows(): number {
    let n = batchSize(this.buffer);
    for (const b of this.taken) n += batchSize(b);
    return n;
  }

  /**
   * Queues rows; resolves once they are buffered (waits while the buffer is full) with the add's
   * sequence number and offsets. Throws WriterStoppedError once shutdown began, so the message is
   * not acknowledged.
   */
  async add(rows: Partial<BatchRows>): Promise<Added> {
    while (!this.stopped && this.bufferedRows() >= this.options.maxBuffered) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    if (this.stopped) throw new WriterStoppedError();
    appendRows(this.buffer, rows);
    this.added += 1;
    const before = { ...this.addedRows };
    addCounts(this.addedRows, rows);
    this.openAdds.push({ seq: this.added, upTo: { ...this.addedRows } });
    // observations ride along (every one is taken): the batch is full when its rows are
    if (storedRows(this.buffer) >= this.options.maxBatch) this.kick();
    else this.timer ??= setTimeout(() => this.kick(), this.options.flushMs);
    return { seq: this.added, before };
  }

  /**
   * The highest add sequence number whose rows are all committed (every add before it too).
   * Each kind of row is taken from the buffer in add order and batches commit one after the
   * other, so the rows of each kind committed so far are a prefix of those added.
   */
  committedThrough(): number {
    return this.committedSeq;
  }

  /** Called with `committedThrough()` each time it moves (the journal deletes what it covers). */
  onCommitted(listener: (seq: number) => void): void {
    this.committedListener = listener;
  }

  private markCommitted(batch: BatchRows): void {
    addCounts(this.committedRows, batch);
    let seq = this.committedSeq;
    for (let next = this.openAdds[this.openHead]; next; next = this.openAdds[this.openHead]) {
      if (!covers(this.committedRows, next.upTo)) break;
      seq = next.seq;
      this.openHead += 1;
    }
    // drop the covered adds now and then, not at each commit
    if (this.openHead > 1024 && this.openHead * 2 > this.openAdds.length) {
      this.openAdds = this.openAdds.slice(this.openHead);
      this.openHead = 0;
    }
    if (seq === this.committedSeq) return;
    this.committedSeq = seq;
    this.committedListener(seq);
  }

  /** Writes everything buffered now; resolves when the buffer is empty (or shutdown spilled it). */
  async flush(): Promise<void> {
    while (!this.abandoned && (batchSize(this.buffer) > 0 || this.taken.length > 0)) {
      this.kick();
      await this.running;
    }
  }

  private kick(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.running) {
      this.startFollower(); // a full batch came while one is in flight
      return;
    }
    this.running = this.drain().finally(() => {
      this.running = null;
    });
  }

  private take(): WriteBatch {
    const max = this.options.maxBatch;
    const b = this.buffer;
    // state changes first: they are few and users wait for them. Alert observations do not count
    // against the batch size: every one is taken (they stay in arrival order, and a batch applies
    // them in memory, sending Neo4j only the open alerts they touch), so a reading's observation
    // is never applied after a later one's
    const states = b.states.splice(0, max);
    const observations = b.observations.splice(0);
    const readings = b.readings.splice(0, max - states.length);
    const rejections = b.rejections.splice(0, max - states.length - readings.length);
    return { id: randomUUID(), states, observations, readings, rejections };
  }

  /**
   * Never rejects: a failed write is retried (with backoff) until it succeeds or shutdown spills it.
   * Readings never wait on alerts: a batch that keeps failing with alert observations in it is
   * tried without them, and if that works, the observations are dropped (logged as an error) and
   * the readings are stored. With `overlap`, the next full batch is started behind the one in
   * flight (startFollower); batches still commit one after the other, in the order taken.
   */
  private async drain(): Promise<void> {
    let backoff = 100;
    let failures = 0;
    while (!this.abandoned && (batchSize(this.buffer) > 0 || this.taken.length > 0)) {
      if (this.taken.length === 0) this.taken.push(this.take());
      const batch = this.taken[0];
      if (!batch) break;
      const through = { ...this.committedRows };
      addCounts(through, batch);
      let slot: Slot;
      if (this.follower?.batch === batch) {
        slot = this.follower;
        this.follower = null;
        this.head = slot;
        this.startFollower();
      } else {
        slot = { batch, result: Promise.resolve([]), locked: false };
        this.head = slot;
        const overlap = this.options.overlap === true && failures === 0;
        slot.result = this.write(batch, through, overlap ? this.sequence(slot, null) : null);
      }
      try {
        const alerts = await slot.result;
        this.head = null;
        this.counters.written += storedRows(batch);
        if (this.taken[0] === batch) this.taken.shift();
        this.markCommitted(batch);
        backoff = 100;
        failures = 0;
        this.release();
        if (alerts.length > 0) this.onAlerts(alerts);
      } catch (err) {
        this.head = null;
        // a batch started behind this one rolls back (its previous failed); it stays second in
        // `taken` and is written afresh after this one
        if (this.follower) {
          await this.follower.result.catch(() => []);
          this.follower = null;
        }
        failures += 1;
        if (failures >= OBSERVATION_FAILURES && batch.observations.length > 0) {
          const without: WriteBatch = { ...batch, observations: [] };
          if (await this.writeWithout(without, through, batch.observations.length, err)) {
            if (this.taken[0] === batch) this.taken.shift();
            this.markCommitted(batch); // the dropped observations are done with too
            backoff = 100;
            failures = 0;
            continue;
          }
        }
        this.counters.failedAttempts += 1;
        const message = errorText(err);
        if (this.counters.lastError !== message || this.counters.failedAttempts % 20 === 1) {
          this.options.log.warn(
            `telemetry write failed (${this.stats().buffered} rows kept, retrying): ${message}`,
          );
        }
        this.counters.lastError = message;
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, backoff);
          this.wake = () => {
            clearTimeout(t);
            resolve();
          };
        });
        this.wake = null;
        backoff = Math.min(backoff * 2, 5000);
      }
    }
  }

  /** A slot's Sequence: once it holds its lock and is the first, one may start behind it. */
  private sequence(slot: Slot, previous: Promise<unknown> | null): Sequence {
    return {
      previous,
      locked: () => {
        slot.locked = true;
        // not within the write call itself: the slot's result is assigned when it returns
        queueMicrotask(() => {
          if (this.head === slot) this.startFollower();
        });
      },
    };
  }

  /**
   * Starts the next batch behind the one in flight when that one holds its lock, none is started
   * yet and a full batch waits (under a backlog only: a trickle is written as before). A batch
   * started before the one ahead held its lock could take the lock first and wait for it forever.
   */
  private startFollower(): void {
    const head = this.head;
    if (!head?.locked || this.follower || this.stopped || this.taken.length !== 1) return;
    if (storedRows(this.buffer) < this.options.maxBatch) return;
    const batch = this.take();
    this.taken.push(batch);
    const through = { ...this.committedRows };
    addCounts(through, head.batch);
    addCounts(through, batch);
    const slot: Slot = { batch, result: Promise.resolve([]), locked: false };
    this.follower = slot;
    this.counters.overlapped += 1;
    slot.result = this.write(batch, through, this.sequence(slot, head.result));
    // drain awaits it once it is the first; never left unhandled meanwhile
    slot.result.catch(() => []);
  }

  /**
   * The batch without its observations; true when that was written. `through` counts the dropped
   * observations as committed: they are done with, and a journal replay must not apply them.
   */
  private async writeWithout(
    batch: WriteBatch,
    through: RowCounts,
    dropped: number,
    cause: unknown,
  ): Promise<boolean> {
    try {
      await this.write(batch, through, null);
    } catch {
      return false; // the database itself is failing: keep the observations, retry the whole
    }
    this.counters.written += storedRows(batch);
    this.release();
    this.options.log.error(
      `telemetry batch ${batch.id}: its readings were stored, but ${dropped} alert observations ` +
        `were dropped after ${OBSERVATION_FAILURES} failed writes: ${errorText(cause)}`,
    );
    return true;
  }

  private release(): void {
    const waiting = this.waiters;
    this.waiters = [];
    for (const w of waiting) w();
  }

  /**
   * Stops accepting, writes what is buffered (retrying for up to `timeoutMs`), and spills the
   * rest to `spillDir` if Neo4j stayed unreachable. Never throws: every accepted row ends
   * written or spilled, and what could be neither is counted in `lost` and logged. With
   * `spill: false` (a journal holds every accepted row and replays it at the next start) what
   * was not written is left to the journal.
   */
  async stop(timeoutMs: number, { spill = true }: { spill?: boolean } = {}): Promise<StopResult> {
    this.stopped = true;
    this.release();
    if (this.timer) clearTimeout(this.timer);
    let timer: NodeJS.Timeout | undefined;
    const flushed = await Promise.race([
      this.flush().then(() => true),
      new Promise<boolean>((r) => {
        timer = setTimeout(() => r(false), timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    if (flushed && batchSize(this.buffer) === 0 && this.taken.length === 0) {
      return { written: true, spilled: 0, lost: 0 };
    }
    this.abandoned = true;
    this.wake?.();
    if (!spill) {
      const left = this.bufferedRows();
      this.options.log.warn(
        `Neo4j unreachable at shutdown: ${left} telemetry rows stay in the journal for the next start`,
      );
      return { written: false, spilled: 0, lost: 0 };
    }
    // A batch in flight may still commit after this: it is spilled with its id, and the
    // replay skips an id that was written.
    const batches: WriteBatch[] = [...this.taken];
    this.taken = [];
    if (batchSize(this.buffer) > 0) batches.push({ id: randomUUID(), ...this.buffer });
    this.buffer = emptyBatch();
    const rows = batches.reduce((n, b) => n + batchSize(b), 0);
    try {
      await mkdir(this.options.spillDir, { recursive: true });
      const file = join(this.options.spillDir, `spill-${Date.now()}-${process.pid}.json`);
      await writeFile(`${file}.tmp`, JSON.stringify({ version: 2, batches }));
      await rename(`${file}.tmp`, file);
      this.options.log.warn(
        `Neo4j unreachable at shutdown: ${rows} telemetry rows kept in ${file} for the next start`,
      );
      return { written: false, spilled: rows, lost: 0 };
    } catch (err) {
      this.options.log.error(
        `could not spill ${rows} telemetry rows to ${this.options.spillDir}: ${errorText(err)}; they are lost`,
      );
      return { written: false, spilled: 0, lost: rows };
    }
  }

  /** Writes a batch kept by an earlier run (spill file, journal) now, under its own id. */
  async writeReplayed(batch: WriteBatch): Promise<void> {
    const alerts = await this.write(batch, null, null);
    this.counters.written += storedRows(batch);
    if (alerts.length > 0) this.onAlerts(alerts);
  }

  /**
   * Writes the batches spilled by an earlier shutdown, each in its own transaction under its
   * own id (a batch that was committed after all is skipped), then deletes their files. A file
   * that is not a spill file is left in place and named in the log.
   */
  async replaySpill(): Promise<number> {
    let files: string[];
    try {
      files = (await readdir(this.options.spillDir)).filter((f) => /^spill-.*\.json$/.test(f));
    } catch {
      return 0;
    }
    let rows = 0;
    for (const name of files.sort()) {
      const file = join(this.options.spillDir, name);
      const batches = parseSpill(await readFile(file, 'utf8'), name);
      if (!batches) {
        this.options.log.error(`${file} is not a telemetry spill file; left in place`);
        continue;
      }
      for (const batch of batches) {
        await this.writeReplayed(batch);
        rows += batchSize(batch);
      }
      await rm(file);
    }
    if (rows > 0)
      this.options.log.info(`wrote ${rows} telemetry rows spilled at the last shutdown`);
    return rows;
  }
}

function covers(committed: RowCounts, upTo: RowCounts): boolean {
  return ROW_KINDS.every((k) => committed[k] >= upTo[k]);
}

export function appendRows(into: BatchRows, from: Partial<BatchRows>): void {
  if (from.readings) into.readings.push(...from.readings);
  if (from.states) into.states.push(...from.states);
  if (from.rejections) into.rejections.push(...from.rejections);
  if (from.observations) into.observations.push(...from.observations);
}

/* The spill file's rows are our own records; the shape is checked, the rows are passed on as is. */
const rowList = z.array(z.record(z.unknown()));
const spilledRows = z.object({
  readings: rowList,
  states: rowList,
  rejections: rowList,
  observations: rowList,
});
const spillV2 = z.object({
  version: z.literal(2),
  batches: z.array(spilledRows.extend({ id: z.string().min(1) })),
});

function isBatchList(v: unknown): v is WriteBatch[] {
  return spillV2.shape.batches.safeParse(v).success;
}

function isRows(v: unknown): v is BatchRows {
  return spilledRows.safeParse(v).success;
}

/** Batches of a spill file; a file from before batch ids (one object of rows) gets an id from its name. */
export function parseSpill(text: string, name: string): WriteBatch[] | null {
  let parsed: unknown;
  try {
    parsed = upgradeSpill(JSON.parse(text));
  } catch {
    return null;
  }
  const v2 = spillV2.safeParse(parsed);
  if (v2.success) {
    const batches: unknown = v2.data.batches;
    return isBatchList(batches) ? batches : null;
  }
  return isRows(parsed) ? [{ id: `spill:${name}`, ...parsed }] : null;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Spill files of versions before alert rules carry `alerts` (out-of-range rows) where batches
 * now carry `observations`: each becomes a bad observation of the default rule `metric-range`.
 */
function upgradeSpill(json: unknown): unknown {
  const rows = (v: unknown): unknown => {
    if (!isRecord(v) || 'observations' in v) return v;
    const { alerts, ...rest } = v;
    const legacy = Array.isArray(alerts) ? alerts.filter(isRecord) : [];
    return {
      ...rest,
      observations: legacy.map((a) => ({
        ruleId: 'metric-range',
        subjectId: a['metricId'],
        about: { label: 'Asset', id: a['assetId'] },
        condition: 'bad',
        at: a['raisedAt'],
        message: a['message'],
        value: a['value'] ?? null,
        factoryId: null,
        lineId: null,
        assetId: a['assetId'],
        metricId: a['metricId'],
      })),
    };
  };
  if (isRecord(json) && Array.isArray(json['batches'])) {
    return { ...json, batches: json['batches'].map(rows) };
  }
  return rows(json);
}
