/**
 * The history files a backfill writes: straight into new Parquet files of the shared layout
 * (history/parquet.ts, the path HistoryWriter.write takes), without a HistoryWriter's spool. A
 * backfill appends nothing, and a writer per run would leave an empty spool folder per run and a
 * roll timer; files of the same (day, factory) are never replaced, so concurrent runs and the
 * server's own writer coexist in one directory.
 */
import { hostname } from 'node:os';
import { ParquetFiles } from '../../history/parquet';
import type { HistoryRow } from '../../history/layout';
import type { FilesTarget } from './backfill';

export interface BackfillFiles extends FilesTarget {
  /** Parquet files written so far. */
  readonly files: number;
  close(): void;
}

/**
 * The name a run's files start with: `backfill-<host>-<pid>-<time>`, unique per run, so two runs
 * (or a run and the server) never take each other's names.
 */
export function backfillWriterId(): string {
  runs += 1;
  return `backfill-${hostname()}-${process.pid}-${Date.now().toString(36)}${runs.toString(36)}`;
}
let runs = 0;

export function openBackfillFiles(dir: string, writerId = backfillWriterId()): BackfillFiles {
  const parquet = new ParquetFiles(dir, writerId);
  let files = 0;
  return {
    get files() {
      return files;
    },
    async write(rows: readonly HistoryRow[]): Promise<number> {
      const written = await parquet.write(rows);
      files += written.length;
      return rows.length;
    },
    close: () => parquet.close(),
  };
}
