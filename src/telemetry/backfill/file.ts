/**
 * A backfill of one file, streamed from disk (the CLI's and the benchmark's path): read in 1 MiB
 * chunks, parsed, checked and written as it goes.
 */
import { createReadStream } from 'node:fs';
import { backfill, type BackfillOptions, type BackfillSummary } from './backfill';
import { readRows, type BackfillFormat, type ReadStats } from './parse';

export interface FileBackfill {
  summary: BackfillSummary;
  /** Columns (CSV) or keys (JSONL) that were not asset, metric, ts, value, unit: ignored. */
  ignored: string[];
}

export async function backfillFile(
  path: string,
  format: BackfillFormat,
  options: Omit<BackfillOptions, 'bytesRead'>,
): Promise<FileBackfill> {
  const stats: ReadStats = { bytes: 0, ignored: new Set() };
  const input = createReadStream(path, { highWaterMark: 1024 * 1024 });
  try {
    const summary = await backfill(readRows(input, format, stats), {
      ...options,
      bytesRead: () => stats.bytes,
    });
    return { summary, ignored: [...stats.ignored] };
  } finally {
    input.destroy();
  }
}
