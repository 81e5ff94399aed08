import { appendFile, mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Log } from '../log';
import { batchSize, emptyBatch, type WriteBatch } from './records';
import type { StoredAlert } from './store';

export interface WriterOptions {
  /** Rows per transaction. */
  maxBatch: number;
  /** A row waits at most this long before it is written. */
  flushMs: number;
  /** Above this many buffered rows, `add` waits: ingestion stops reading the broker (back-pressure). */
  maxBuffered: number;
  /** Where rows that could not be written by shutdown are kept, to be written at the next start. */
  spillDir: string;
  log: Log;
}

type Write = (batch: WriteBatch) => Promise<StoredAlert[]>;

export interface WriterStats {
  buffered: number;
  written: number;
  failedAttempts: number;
  lastError: string | null;
}

/**
 * Buffers accepted telemetry and writes it in batches: flushed by size or after `flushMs`.
 * A failed write keeps its rows and is retried with backoff until Neo4j answers again, so an
 * accepted reading is never dropped; on shutdown whatever still cannot be written is spilled
 * to disk and written at the next start.
 */
export class TelemetryWriter {
  private buffer = emptyBatch();
  private inFlight: WriteBatch | null = null;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private waiters: (() => void)[] = [];
  private stopped = false;
  private readonly counters: { written: number; failedAttempts: number; lastError: string | null } =
    {
      written: 0,
      failedAttempts: 0,
      lastError: null,
    };

  constructor(
    private readonly write: Write,
    private readonly options: WriterOptions,
    private readonly onAlerts: (alerts: StoredAlert[]) => void = () => {},
  ) {}

  stats(): WriterStats {
    return {
      buffered: batchSize(this.buffer) + (this.inFlight ? batchSize(this.inFlight) : 0),
      ...this.counters,
    };
  }

  /** Queues rows; resolves once they are buffered (waits while the buffer is full). */
  async add(rows: Partial<WriteBatch>): Promise<void> {
    while (!this.stopped && this.stats().buffered >= this.options.maxBuffered) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    appendBatch(this.buffer, rows);
    if (batchSize(this.buffer) >= this.options.maxBatch) this.kick();
    else this.timer ??= setTimeout(() => this.kick(), this.options.flushMs);
  }

  /** Writes everything buffered now; resolves when the buffer is empty. */
  async flush(): Promise<void> {
    while (batchSize(this.buffer) > 0 || this.inFlight) {
      this.kick();
      await this.running;
    }
  }

  private kick(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    this.running ??= this.drain().finally(() => {
      this.running = null;
    });
  }

  private take(): WriteBatch {
    const max = this.options.maxBatch;
    const b = this.buffer;
    // state changes and alerts first: they are few and users wait for them
    const states = b.states.splice(0, max);
    const alerts = b.alerts.splice(0, max - states.length);
    const readings = b.readings.splice(0, max - states.length - alerts.length);
    const rejections = b.rejections.splice(
      0,
      max - states.length - alerts.length - readings.length,
    );
    return { states, alerts, readings, rejections };
  }

  private async drain(): Promise<void> {
    let backoff = 100;
    while (batchSize(this.buffer) > 0 || this.inFlight) {
      this.inFlight ??= this.take();
      try {
        const alerts = await this.write(this.inFlight);
        this.counters.written += batchSize(this.inFlight);
        this.inFlight = null;
        backoff = 100;
        this.release();
        if (alerts.length > 0) this.onAlerts(alerts);
      } catch (err) {
        this.counters.failedAttempts += 1;
        const message = err instanceof Error ? err.message : String(err);
        if (this.counters.lastError !== message || this.counters.failedAttempts % 20 === 1) {
          this.options.log.warn(
            `telemetry write failed (${this.stats().buffered} rows kept, retrying): ${message}`,
          );
        }
        this.counters.lastError = message;
        if (this.stopped) throw err;
        await new Promise((r) => setTimeout(r, backoff));
        backoff = Math.min(backoff * 2, 5000);
      }
    }
  }

  private release(): void {
    const waiting = this.waiters;
    this.waiters = [];
    for (const w of waiting) w();
  }

  /**
   * Stops accepting, writes what is buffered (retrying for up to `timeoutMs`), and spills the
   * rest to `spillDir` if Neo4j stayed unreachable.
   */
  async stop(timeoutMs: number): Promise<{ written: boolean; spilled: number }> {
    this.stopped = true;
    this.release();
    const flushed = await Promise.race([
      this.flush().then(() => true),
      new Promise<boolean>((r) => setTimeout(() => r(false), timeoutMs).unref()),
    ]);
    if (flushed) return { written: true, spilled: 0 };
    const rest = emptyBatch();
    if (this.inFlight) appendBatch(rest, this.inFlight);
    appendBatch(rest, this.buffer);
    const spilled = batchSize(rest);
    if (spilled > 0) {
      await mkdir(this.options.spillDir, { recursive: true });
      const file = join(this.options.spillDir, `spill-${Date.now()}-${process.pid}.json`);
      await appendFile(`${file}.tmp`, JSON.stringify(rest));
      await rename(`${file}.tmp`, file);
      this.options.log.warn(
        `Neo4j unreachable at shutdown: ${spilled} telemetry rows kept in ${file} for the next start`,
      );
    }
    return { written: false, spilled };
  }

  /** Writes rows spilled by an earlier shutdown, then deletes their files. */
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
      const parsed: unknown = JSON.parse(await readFile(file, 'utf8'));
      if (!isBatch(parsed)) {
        this.options.log.warn(`${file} is not a telemetry spill file; left in place`);
        continue;
      }
      rows += batchSize(parsed);
      await this.add(parsed);
      await this.flush();
      await rm(file);
    }
    if (rows > 0)
      this.options.log.info(`wrote ${rows} telemetry rows spilled at the last shutdown`);
    return rows;
  }
}

function appendBatch(into: WriteBatch, from: Partial<WriteBatch>): void {
  if (from.readings) into.readings.push(...from.readings);
  if (from.states) into.states.push(...from.states);
  if (from.rejections) into.rejections.push(...from.rejections);
  if (from.alerts) into.alerts.push(...from.alerts);
}

function isBatch(v: unknown): v is WriteBatch {
  return (
    typeof v === 'object' &&
    v !== null &&
    ['readings', 'states', 'rejections', 'alerts'].every((k) =>
      Array.isArray(Object.getOwnPropertyDescriptor(v, k)?.value),
    )
  );
}
