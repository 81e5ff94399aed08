/**
 * The rejects report of a backfill: one CSV line per refused or duplicate row, with its file line,
 * reason, what was wrong and the row as written, so the rows can be fixed and backfilled again
 * (a second run of the fixed rows writes only what was missing). Written as it goes, in batches.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import type { BackfillIssue } from './backfill';
import { csvField } from './csv';

export const REJECTS_HEADER = 'line,reason,detail,raw';

export function rejectsLine(issue: BackfillIssue): string {
  return `${issue.line},${issue.reason},${csvField(issue.detail)},${csvField(issue.raw)}`;
}

/** A rejects report file, written in 64 KiB batches; `close` writes the rest. */
export class RejectsFile {
  private readonly fd: number;
  private pending = '';
  private closed = false;
  count = 0;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'w');
    this.pending = `${REJECTS_HEADER}\n`;
  }

  add(issue: BackfillIssue): void {
    if (this.closed) return;
    this.count += 1;
    this.pending += `${rejectsLine(issue)}\n`;
    if (this.pending.length >= 65536) this.flush();
  }

  /** Writes what is pending and closes the file; a second call does nothing. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.flush();
    closeSync(this.fd);
  }

  private flush(): void {
    if (this.pending === '') return;
    writeSync(this.fd, this.pending);
    this.pending = '';
  }
}
