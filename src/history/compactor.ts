/**
 * Compaction of the telemetry history (docs/history.md, "Compaction"): every instance rolls its
 * spool into a new file every HISTORY_ROLL_MS, so a month is thousands of small files per factory,
 * and a query's cost is mostly opening them. Once a UTC day has ended (and an hour has passed for
 * the last rolls to land), each (day, factory) partition's files are merged into one compacted
 * file (layout.ts, COMPACTED_PREFIX): its rows deduplicated by (metric_id, ts), the first received
 * kept, sorted by (metric_id, ts). The inputs are deleted once the compacted file is in place.
 *
 * - One instance at a time: a lease in the graph (`history-compaction`, three periods long).
 * - Files are still never rewritten: the compacted file is a new name (never used again), placed
 *   (fsync'd, renamed) before any input is deleted, and only files that went into it are deleted,
 *   a grace period (a minute) after the run's last merge, so that a query that listed the inputs
 *   just before still finds them. A crash (or a stop) before the deletes leaves the compacted file
 *   beside its inputs: readers deduplicate those rows like any other copies, and the next run
 *   merges them again (the merge deduplicates), then deletes them.
 * - Late files (a backfill, a spool rolled after a restart) land beside a compacted file; the
 *   next run merges the two.
 * - Temporary files (`.…tmp`) older than an hour in the partitions visited are leftovers of a
 *   killed writer or compaction, and are deleted.
 */
import { readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import type { Graph } from '../graph/executor';
import { takeLease } from '../graph/lease';
import { errorText, type Log } from '../log';
import { Periodic } from '../periodic';
import { errorCode, listDir } from './files';
import { factorySegment, isCompacted, MINUTES_FOLDER, summaryPathOf } from './layout';
import { ParquetFiles } from './parquet';

export interface HistoryCompactorOptions {
  /** HISTORY_DIR: the root of the layout (layout.ts). */
  dir: string;
  /** Names this instance on the lease and in its compacted files' names. */
  instanceId: string;
  /** Where the lease lives; needed unless `lease` is given. */
  graph?: Graph;
  /** A run every this many ms (HISTORY_COMPACT_MS); the lease lasts three of them. */
  everyMs: number;
  log: Log;
  /** Takes (or renews) the lease at `nowMs`; default: the `history-compaction` lease in the graph. */
  lease?: (nowMs: number) => Promise<boolean>;
  /** DuckDB's memory limit for a merge; a larger partition spills to disk (default 512MB). */
  memoryLimit?: string;
  /** Where a merge spills (default `<os tmpdir>/twin-history-compact/<instanceId>`). */
  tempDirectory?: string;
  /**
   * The inputs of a run are deleted this long after its last compacted file is in place (default
   * a minute): a query that listed them before still finds them while it reads.
   */
  graceMs?: number;
}

export interface CompactionResult {
  /** Partitions (day, factory) merged into one compacted file. */
  partitions: number;
  /** Files merged (and deleted). */
  filesIn: number;
  /** Compacted files put in place. */
  filesOut: number;
  /** Rows in those compacted files (after deduplication). */
  rows: number;
  /** Minute summaries written (one per compacted file, and for compacted files that lacked one). */
  summaries: number;
}

export const COMPACTION_LEASE = 'history-compaction';
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** A day is compacted once it ended this long ago: the last rolls of its readings have landed. */
const SETTLE_MS = HOUR_MS;
const DEFAULT_GRACE_MS = 60_000;
/** A temporary file this old was left by a process that died (a roll takes seconds). */
const STALE_TMP_MS = HOUR_MS;
const DAY_FOLDER = /^day=(\d{4}-\d{2}-\d{2})$/u;
const FACTORY_FOLDER = 'factory=';

/** A finished file of the layout: a `.parquet` name that is not a temporary (leading `.`) one. */
const isFinished = (name: string): boolean => name.endsWith('.parquet') && !name.startsWith('.');

export class HistoryCompactor {
  private readonly lease: (nowMs: number) => Promise<boolean>;
  private readonly periodic: Periodic;
  /** Set by stop: a run in flight stops after its current partition. */
  private stopped = false;
  /** Ends the grace of a run in flight (stop). */
  private wake: (() => void) | undefined;

  constructor(private readonly options: HistoryCompactorOptions) {
    const { graph, lease, instanceId, everyMs } = options;
    if (lease) this.lease = lease;
    else if (graph) {
      this.lease = (nowMs) => takeLease(graph, COMPACTION_LEASE, instanceId, nowMs, 3 * everyMs);
    } else throw new Error('HistoryCompactor needs a graph (for its lease) or a lease');
    this.periodic = new Periodic({
      name: 'history compaction',
      everyMs,
      log: options.log,
      run: async () => {
        const result = await this.compactOnce(Date.now());
        if (result && (result.partitions > 0 || result.summaries > 0)) {
          options.log.info(
            `history compaction: ${result.filesIn} files of ${result.partitions} partitions ` +
              `merged into ${result.filesOut} (${result.rows} rows); ${result.summaries} minute summaries written`,
          );
        }
      },
      failure: (err) => `history compaction failed (retrying in ${everyMs} ms): ${errorText(err)}`,
    });
  }

  /** Runs compactOnce every `everyMs` (never two at once); failures are logged, and retried. */
  start(): void {
    if (!this.stopped) this.periodic.start();
  }

  /**
   * Stops the timer and waits a little for a run in flight (it stops after its current
   * partition; a merge cut short by the process exiting leaves only a temporary file).
   */
  async stop(waitMs = 2000): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.periodic.stop(waitMs);
  }

  /**
   * One run at `nowMs`: null when another instance holds the lease. Every partition of a day that
   * ended at least an hour before `nowMs` holding more than one file, or one file that is not a
   * compacted one, is merged into one compacted file, and its inputs deleted after `graceMs`
   * (stopped meanwhile: they stay, and the next run merges them with the compacted file). A
   * partition that fails is skipped and the others go on; the run then throws, naming the first.
   */
  async compactOnce(nowMs: number): Promise<CompactionResult | null> {
    if (!(await this.lease(nowMs))) return null;
    const result: CompactionResult = {
      partitions: 0,
      filesIn: 0,
      filesOut: 0,
      rows: 0,
      summaries: 0,
    };
    const failures: string[] = [];
    const merged: string[] = [];
    const files = new ParquetFiles(this.options.dir, this.options.instanceId, {
      // a compacted file's name is never used again once deleted (a reader may keep its footer)
      firstSeq: Date.now(),
      memoryLimit: this.options.memoryLimit ?? '512MB',
      tempDirectory:
        this.options.tempDirectory ??
        join(tmpdir(), 'twin-history-compact', factorySegment(this.options.instanceId)),
    });
    try {
      for (const day of await this.closedDays(nowMs)) {
        const dayDir = join(this.options.dir, `day=${day}`);
        for (const folder of await subfolders(dayDir)) {
          if (this.stopped) break;
          const partition = join(dayDir, folder);
          try {
            await removeStaleTemporaries(partition, nowMs);
            await removeStaleTemporaries(this.summaryFolder(partition), nowMs);
            const done = await this.compactPartition(files, partition, day, folder);
            if (done.inputs.length > 0) {
              result.partitions += 1;
              result.filesIn += done.inputs.length;
              result.filesOut += done.output === null ? 0 : 1;
              result.rows += done.rows;
              merged.push(...done.inputs);
            }
            // the day's one compacted file gets its minute summary (a file compacted before
            // summaries existed, or whose summary failed, gets one now)
            if (done.output !== null && (await this.summarize(files, done.output))) {
              result.summaries += 1;
            }
          } catch (err) {
            failures.push(`${partition}: ${errorText(err)}`);
          }
        }
      }
    } finally {
      files.close();
    }
    await this.deleteAfterGrace(merged);
    if (failures.length > 0) {
      throw new Error(
        `${failures.length} partitions not compacted (the others were), first: ${failures[0]}`,
      );
    }
    return result;
  }

  /** The `day=` folders of days that ended at least SETTLE_MS before `nowMs`, oldest first. */
  private async closedDays(nowMs: number): Promise<string[]> {
    const days: string[] = [];
    for (const folder of await subfolders(this.options.dir)) {
      const day = DAY_FOLDER.exec(folder)?.[1];
      if (day === undefined) continue;
      const start = Date.parse(`${day}T00:00:00.000Z`);
      if (Number.isFinite(start) && start + DAY_MS + SETTLE_MS <= nowMs) days.push(day);
    }
    return days.sort();
  }

  /**
   * Deletes the inputs of the compacted files once the grace has passed. The compacted files are
   * in place (fsync'd) before any input goes: a crash or a stop until the last delete leaves copies
   * of their rows, which readers deduplicate and the next run merges away.
   */
  private async deleteAfterGrace(inputs: readonly string[]): Promise<void> {
    if (inputs.length === 0) return;
    const graceMs = this.options.graceMs ?? DEFAULT_GRACE_MS;
    if (graceMs > 0 && !this.stopped) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, graceMs);
        timer.unref();
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
    if (this.stopped) {
      this.options.log.info(
        `history compaction stopped: ${inputs.length} merged files stay until the next run`,
      );
      return;
    }
    for (const path of inputs) {
      await rm(path, { force: true });
      // its summary, if it was a compacted file: the summary of a file that is gone is never read
      if (isCompacted(path)) await rm(summaryPathOf(this.options.dir, path), { force: true });
    }
  }

  /** The `_minutes` folder of a partition (layout.ts, MINUTES_FOLDER). */
  private summaryFolder(partition: string): string {
    return join(this.options.dir, MINUTES_FOLDER, relative(this.options.dir, partition));
  }

  /**
   * Writes the minute summary of the compacted file at `path` unless it has one; false when it had.
   * Summaries left by a crash between deleting a compacted file and its summary are deleted here.
   */
  private async summarize(files: ParquetFiles, path: string): Promise<boolean> {
    const folder = this.summaryFolder(dirname(path));
    const present = (await listDir(folder)).filter(isFinished);
    const own = basename(path);
    const kept = new Set((await listDir(dirname(path))).filter(isFinished));
    for (const name of present) {
      if (name !== own && !kept.has(name)) await rm(join(folder, name), { force: true });
    }
    if (present.includes(own)) return false;
    await files.summarize(path);
    return true;
  }

  /**
   * Merges one partition's files (deleted by the caller). `inputs`: the files merged (none when
   * the partition is one compacted file already, or not a folder of the layout); `output`: the
   * partition's compacted file (new or already there), or null.
   */
  private async compactPartition(
    files: ParquetFiles,
    partition: string,
    day: string,
    folder: string,
  ): Promise<{ inputs: string[]; output: string | null; rows: number }> {
    const inputs = (await readdir(partition)).filter(isFinished).sort();
    const [only] = inputs;
    if (inputs.length === 0) return { inputs: [], output: null, rows: 0 };
    if (inputs.length === 1 && only !== undefined && isCompacted(only)) {
      return { inputs: [], output: join(partition, only), rows: 0 };
    }
    const factoryId = factoryOf(folder);
    if (factoryId === null) {
      this.options.log.debug(`history compaction: ${partition} is not a folder of the layout`);
      return { inputs: [], output: null, rows: 0 };
    }
    const paths = inputs.map((name) => join(partition, name));
    const merged = await files.merge(paths, day, factoryId);
    return { inputs: paths, output: merged?.path ?? null, rows: merged?.rows ?? 0 };
  }
}

/** The factory id of a `factory=` folder, or null when the folder is not one the layout makes. */
function factoryOf(folder: string): string | null {
  if (!folder.startsWith(FACTORY_FOLDER)) return null;
  const segment = folder.slice(FACTORY_FOLDER.length);
  try {
    const id = decodeURIComponent(segment);
    return factorySegment(id) === segment ? id : null;
  } catch {
    return null;
  }
}

/** The names of the folders in `dir`; none when it does not exist. */
async function subfolders(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return [];
    throw err;
  }
}

/** Deletes the `.…tmp` files of a partition last written more than STALE_TMP_MS before `nowMs`. */
async function removeStaleTemporaries(partition: string, nowMs: number): Promise<void> {
  for (const name of await listDir(partition)) {
    if (!name.startsWith('.') || !name.endsWith('.tmp')) continue;
    const path = join(partition, name);
    try {
      if ((await stat(path)).mtimeMs < nowMs - STALE_TMP_MS) await rm(path, { force: true });
    } catch (err) {
      if (errorCode(err) !== 'ENOENT') throw err;
    }
  }
}
