/**
 * The long-term history's writer (docs/history.md): readings committed to the graph are appended
 * to a local spool (JSON lines in `<dir>/_spool/<instanceId>/`, one open file at a time) and rolled
 * into Parquet files of the shared layout every `rollMs`, or sooner once `maxRows` wait. A spool
 * file is deleted only once its Parquet files are in place, so a killed process loses nothing it
 * appended (the OS keeps what was written; `open` rolls what an earlier run left). No fsync per
 * append: a power loss may lose the spool's last seconds, which the graph still holds for
 * TELEMETRY_RETENTION_HOURS. A roll that fails keeps the spool and is retried with backoff.
 */
import { mkdir, open, readdir, readFile, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { errorText, type Log } from '../log';
import { factorySegment, type HistoryRow } from './layout';
import { ParquetFiles } from './parquet';

export interface HistoryWriterOptions {
  /** HISTORY_DIR: the root of the layout (layout.ts). */
  dir: string;
  /**
   * Names this instance's files and its spool folder; unique per instance, stable across restarts.
   * Never one that a running writer uses: `open` rolls (and deletes) that id's spool files.
   */
  instanceId: string;
  /** The spool is rolled into Parquet files this often (ms). */
  rollMs: number;
  /** Rolled sooner once this many rows are spooled (default 200,000). */
  maxRows?: number;
  log: Log;
}

export interface HistoryWriterStats {
  /** Rows appended and not yet in Parquet files (the open spool file and any not rolled). */
  spooledRows: number;
  /** Parquet files this writer put in place since it was opened. */
  files: number;
  /** When the last roll succeeded (ISO), null before the first. */
  lastRollAt: string | null;
  /** Why the last roll failed; null once one succeeds again. */
  lastError: string | null;
  /** Rolls that failed since the writer was opened (each is retried). */
  failedRolls: number;
}

const DEFAULT_MAX_ROWS = 200_000;
const FIRST_RETRY_MS = 1000;

interface SpoolFile {
  path: string;
  rows: number;
}

interface OpenSpool extends SpoolFile {
  handle: FileHandle;
}

export class HistoryWriter {
  private readonly spoolDir: string;
  private readonly maxRows: number;
  private readonly parquet: ParquetFiles;
  private current: OpenSpool | null = null;
  /** Spool files closed and waiting for a roll, oldest first. */
  private sealed: SpoolFile[] = [];
  /** Appends run one after the other (a torn line must not run into the next). */
  private appends: Promise<void> = Promise.resolve();
  /** Rolls and direct writes run one after the other (one DuckDB, unique file names). */
  private work: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;
  private retryMs = FIRST_RETRY_MS;
  private rollingForSize = false;
  private closed = false;
  private spoolSeq = 0;
  private readonly counters: Omit<HistoryWriterStats, 'spooledRows'> = {
    files: 0,
    lastRollAt: null,
    lastError: null,
    failedRolls: 0,
  };

  private constructor(private readonly options: HistoryWriterOptions) {
    this.spoolDir = join(options.dir, '_spool', factorySegment(options.instanceId));
    this.maxRows = options.maxRows ?? DEFAULT_MAX_ROWS;
    this.parquet = new ParquetFiles(options.dir, options.instanceId);
  }

  /**
   * Opens the writer; what an earlier run of this instance left in its spool (a crash, or a roll
   * that failed at shutdown) is rolled into Parquet files first. A failure of that roll is logged
   * and retried like any other; only a spool folder that cannot be made fails the open.
   */
  static async open(options: HistoryWriterOptions): Promise<HistoryWriter> {
    const writer = new HistoryWriter(options);
    await mkdir(writer.spoolDir, { recursive: true });
    const left = (await readdir(writer.spoolDir)).filter((n) => n.endsWith('.jsonl')).sort();
    for (const name of left) {
      const path = join(writer.spoolDir, name);
      writer.sealed.push({ path, rows: await countLines(path) });
    }
    if (writer.sealed.length > 0) {
      const rows = await writer.roll().catch(() => 0);
      if (rows > 0) options.log.info(`history: rolled ${rows} rows left in the spool`);
    }
    writer.schedule(options.rollMs);
    return writer;
  }

  stats(): HistoryWriterStats {
    const sealed = this.sealed.reduce((n, f) => n + f.rows, 0);
    return { spooledRows: sealed + (this.current?.rows ?? 0), ...this.counters };
  }

  /**
   * Appends rows to the spool (resolves once the OS has them, no fsync); they reach the Parquet
   * files at the next roll. Throws after `close`, or when a row has no valid time.
   */
  async append(rows: readonly HistoryRow[]): Promise<void> {
    if (this.closed) throw new Error('the history writer is closed');
    if (rows.length === 0) return;
    checkRows(rows);
    let text = '';
    for (const row of rows) text += `${JSON.stringify(row)}\n`;
    const appended = this.appends.then(async () => {
      const file = await this.openSpool();
      try {
        await file.handle.appendFile(text);
        file.rows += rows.length;
      } catch (err) {
        // a partly written line would swallow the next one: later appends go to a new file
        await this.closeCurrent();
        throw err;
      }
    });
    this.appends = appended.catch(() => undefined);
    await appended;
    if (this.stats().spooledRows >= this.maxRows && !this.rollingForSize) {
      this.rollingForSize = true;
      this.roll()
        .catch(() => undefined) // logged by the roll; the timer retries
        .finally(() => (this.rollingForSize = false));
    }
  }

  /** Rows straight into new Parquet files (bulk loads); returns how many were written. */
  async write(rows: readonly HistoryRow[]): Promise<number> {
    checkRows(rows);
    if (rows.length === 0) return 0;
    return this.serial(async () => {
      const files = await this.parquet.write(rows);
      this.counters.files += files.length;
      return rows.length;
    });
  }

  /**
   * Rolls what is spooled so far into Parquet files now; returns the rows rolled. Rejects when a
   * file could not be written: the spool is kept, and the next roll tries it again.
   */
  async roll(): Promise<number> {
    return this.serial(() => this.rollNow());
  }

  /** Rolls what is spooled and stops; never throws (what cannot be rolled waits in the spool). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    try {
      await this.roll();
    } catch {
      this.options.log.warn(
        `history: ${this.stats().spooledRows} rows stay in the spool (${this.spoolDir}) ` +
          'and are rolled at the next start',
      );
    }
    await this.sealCurrent().catch(() => undefined);
    this.parquet.close();
  }

  private async rollNow(): Promise<number> {
    await this.sealCurrent();
    let rolled = 0;
    try {
      // file by file: memory stays bounded by one spool file when many waited
      for (const file of [...this.sealed]) {
        const lines = await countLines(file.path);
        const { files, rows } = await this.parquet.writeSpool(file.path);
        this.counters.files += files.length;
        if (rows < lines) {
          this.options.log.warn(
            `history: ${lines - rows} unreadable lines skipped in ${file.path}`,
          );
        }
        await rm(file.path, { force: true });
        this.sealed = this.sealed.filter((f) => f !== file);
        rolled += rows;
      }
    } catch (err) {
      this.counters.failedRolls += 1;
      const message = errorText(err);
      if (this.counters.lastError !== message || this.counters.failedRolls % 20 === 1) {
        this.options.log.warn(
          `history roll failed (${this.stats().spooledRows} rows kept in the spool, retrying): ${message}`,
        );
      }
      this.counters.lastError = message;
      throw err;
    }
    if (this.counters.lastError !== null) {
      this.options.log.info('history: rolling works again');
      this.counters.lastError = null;
    }
    this.counters.lastRollAt = new Date().toISOString();
    return rolled;
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const result = this.work.then(work, work);
    this.work = result.catch(() => undefined);
    return result;
  }

  /** The open spool file, made on the first append after a roll. */
  private async openSpool(): Promise<OpenSpool> {
    if (this.current) return this.current;
    const name = `${Date.now()}-${process.pid}-${this.spoolSeq++}.jsonl`;
    const path = join(this.spoolDir, name);
    const handle = await open(path, 'a');
    this.current = { path, rows: 0, handle };
    return this.current;
  }

  /** After the appends queued so far, closes the open spool file and queues it for a roll. */
  private sealCurrent(): Promise<void> {
    const sealed = this.appends.then(() => this.closeCurrent());
    this.appends = sealed.catch(() => undefined);
    return sealed;
  }

  private async closeCurrent(): Promise<void> {
    const file = this.current;
    if (!file) return;
    this.current = null;
    this.sealed.push({ path: file.path, rows: file.rows });
    await file.handle.close();
  }

  /** The roll timer: every `rollMs`; after a failure sooner, backing off up to `rollMs`. */
  private schedule(ms: number): void {
    if (this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.roll().then(
        () => {
          this.retryMs = FIRST_RETRY_MS;
          this.schedule(this.options.rollMs);
        },
        () => {
          const wait = Math.min(this.retryMs, this.options.rollMs);
          this.retryMs = Math.min(this.retryMs * 2, this.options.rollMs);
          this.schedule(wait);
        },
      );
    }, ms);
    this.timer.unref();
  }
}

/** A bad time would fail every later roll of the spool: refused at the door instead. */
function checkRows(rows: readonly HistoryRow[]): void {
  for (const row of rows) {
    if (!Number.isFinite(row.tsMs) || !Number.isFinite(row.receivedAtMs)) {
      throw new Error(
        `history row of ${row.metricId} has no valid time (tsMs ${row.tsMs}, receivedAtMs ${row.receivedAtMs})`,
      );
    }
  }
}

/** Lines in a spool file (a last line without its newline, torn by a crash, counts too). */
async function countLines(path: string): Promise<number> {
  const bytes = await readFile(path);
  let lines = 0;
  for (let i = bytes.indexOf(10); i !== -1; i = bytes.indexOf(10, i + 1)) lines += 1;
  return bytes.length > 0 && bytes[bytes.length - 1] !== 10 ? lines + 1 : lines;
}
