import { crc32 } from 'node:zlib';
import { mkdir, open, readdir, readFile, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { errorText, type Log } from '../log';

/**
 * A write-ahead journal: the persisting connection acknowledges an MQTT message only once the
 * message's rows are here, on disk (fsync'd), so a crash of the process loses nothing the broker
 * handed over. Appends are group-committed: every record appended within `groupCommitMs` (and
 * while the previous fsync runs) is written with one write and one fsync.
 *
 * The journal is a folder of segment files, `segment-<number>.wal`, each a sequence of records:
 * a 4-byte length and a 4-byte CRC-32 (both little-endian) then the record as UTF-8 JSON. A crash
 * can leave a torn record at the end of the last segment: it fails its length or CRC check and is
 * ignored with whatever follows (it was never acknowledged, so the broker redelivers it).
 *
 * Every record carries a `mark` (the writer's add sequence number): once the writer reports that
 * everything up to a mark is committed to Neo4j, the segments holding only records up to it are
 * deleted. What is left at start is replayed, then deleted.
 */
export interface JournalOptions {
  dir: string;
  /** How long the first record of a group waits for others before the write and fsync (ms). */
  groupCommitMs: number;
  /** A segment is closed once it holds this many bytes… */
  segmentBytes?: number;
  /** …or once it is this old (ms), so that committed records are deleted soon. */
  segmentMs?: number;
  log: Log;
}

export interface JournalStats {
  /** Records appended and fsync'd since the start. */
  records: number;
  /** Write + fsync rounds since the start (records / commits = records per fsync). */
  commits: number;
  /** Segment files on disk now. */
  segments: number;
}

/** What one segment file holds: its valid records, and whether something after them was cut off. */
export interface SegmentContents<T> {
  records: T[];
  /** Bytes after the last valid record (a record torn by a crash, or a damaged one). */
  trailingBytes: number;
}

const HEADER = 8;
const SEGMENT = /^segment-(\d{16})\.wal$/;
const segmentName = (n: number) => `segment-${String(n).padStart(16, '0')}.wal`;

/** Encodes one record: length, CRC-32 of the body, body. */
export function encodeRecord(record: unknown): Buffer {
  const json = JSON.stringify(record);
  const length = Buffer.byteLength(json, 'utf8');
  // one allocation for header and body (this runs for every message taken in)
  const data = Buffer.allocUnsafe(HEADER + length);
  data.write(json, HEADER, 'utf8');
  data.writeUInt32LE(length, 0);
  data.writeUInt32LE(crc32(data.subarray(HEADER)), 4);
  return data;
}

/** The valid records at the start of a segment; stops at the first torn or damaged one. */
export function decodeSegment<T = unknown>(data: Buffer): SegmentContents<T> {
  const records: T[] = [];
  let at = 0;
  while (data.length - at >= HEADER) {
    const length = data.readUInt32LE(at);
    const sum = data.readUInt32LE(at + 4);
    const end = at + HEADER + length;
    if (end > data.length) break;
    const body = data.subarray(at + HEADER, end);
    if (crc32(body) !== sum) break;
    try {
      records.push(JSON.parse(body.toString('utf8')) as T);
    } catch {
      break;
    }
    at = end;
  }
  return { records, trailingBytes: data.length - at };
}

interface Pending {
  data: Buffer;
  mark: number;
  resolve: () => void;
  reject: (err: Error) => void;
}

interface Segment {
  name: string;
  fd: FileHandle | null;
  bytes: number;
  openedAt: number;
  /** Highest mark of a record in it. */
  maxMark: number;
}

export class Journal<T = unknown> {
  private pending: Pending[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  private current: Segment | null = null;
  /** Segments closed, waiting for their records to be committed. */
  private closed: Segment[] = [];
  /** Segments found at open: replayed, then deleted. */
  private leftover: string[];
  private nextNumber: number;
  private committedMark = -1;
  private stopped = false;
  /** File closes and deletions, in order; `close` waits for them. */
  private fileOps: Promise<void> = Promise.resolve();
  private readonly counts = { records: 0, commits: 0 };
  private readonly segmentBytes: number;
  private readonly segmentMs: number;

  private constructor(
    private readonly options: JournalOptions,
    leftover: string[],
  ) {
    this.leftover = leftover;
    // numbered from the clock (µs), so a name is never reused: replayed batches are named after
    // their segment, and a batch name already written is skipped
    const last = Number(SEGMENT.exec(leftover.at(-1) ?? '')?.[1] ?? 0);
    this.nextNumber = Math.max(last + 1, Date.now() * 1000);
    this.segmentBytes = options.segmentBytes ?? 8 * 1024 * 1024;
    this.segmentMs = options.segmentMs ?? 2000;
  }

  /** Opens (creates) the journal folder; segments already there are kept for `replay`. */
  static async open<T>(options: JournalOptions): Promise<Journal<T>> {
    await mkdir(options.dir, { recursive: true });
    const names = (await readdir(options.dir)).filter((f) => SEGMENT.test(f)).sort();
    return new Journal<T>(options, names);
  }

  stats(): JournalStats {
    return {
      ...this.counts,
      segments: this.leftover.length + this.closed.length + (this.current?.bytes ? 1 : 0),
    };
  }

  /**
   * Hands the records of every segment left by an earlier run to `apply`, one segment at a time
   * and in order, and deletes each segment once `apply` resolved. Throws what `apply` throws
   * (the segment stays, for the next start). Returns the number of records replayed.
   */
  async replay(apply: (records: T[], segment: string) => Promise<void>): Promise<number> {
    let replayed = 0;
    while (this.leftover.length > 0) {
      const name = this.leftover[0] ?? '';
      const file = join(this.options.dir, name);
      const { records, trailingBytes } = decodeSegment<T>(await readFile(file));
      if (trailingBytes > 0) {
        this.options.log.warn(
          `journal ${name}: ${trailingBytes} bytes after its last complete record ignored ` +
            '(a record cut off by a crash: it was never acknowledged, so the broker redelivers it)',
        );
      }
      if (records.length > 0) await apply(records, name);
      replayed += records.length;
      await rm(file, { force: true });
      this.leftover.shift();
    }
    return replayed;
  }

  /**
   * Appends a record; resolves once it is on disk (written and fsync'd with its group). `mark`
   * orders it for deletion: see `committed`. Rejects when the write or fsync failed.
   */
  append(record: T, mark: number): Promise<void> {
    if (this.stopped) return Promise.reject(new Error('the telemetry journal is closed'));
    const data = encodeRecord(record);
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ data, mark, resolve, reject });
      if (!this.flushing && !this.timer) {
        this.timer = setTimeout(() => {
          this.timer = null;
          this.startFlush();
        }, this.options.groupCommitMs);
      }
    });
  }

  /** Every record with a mark up to `mark` is committed to the database: its segment may go. */
  committed(mark: number): void {
    if (mark <= this.committedMark) return;
    this.committedMark = mark;
    const c = this.current;
    // everything written so far is committed: close the current segment too, so it goes now
    // rather than be replayed after a crash (harmless for readings, but it would count twice)
    if (c && !this.flushing && this.pending.length === 0 && c.maxMark <= mark && c.bytes > 0) {
      this.closeCurrent();
    }
    const done = this.closed.filter((s) => s.maxMark <= mark);
    if (done.length === 0) return;
    this.closed = this.closed.filter((s) => s.maxMark > mark);
    this.deleteSegments(done);
  }

  /**
   * Writes what is pending and closes the current segment. With `keep` false (everything was
   * committed), deletes every segment; with `keep` true they stay, to be replayed at the next start.
   */
  async close(keep: boolean): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    while (this.pending.length > 0 || this.flushing) {
      if (!this.flushing) this.startFlush();
      await this.flushing;
    }
    this.stopped = true;
    this.closeCurrent();
    if (!keep) this.deleteSegments(this.closed.splice(0));
    await this.fileOps;
  }

  private startFlush(): void {
    this.flushing = this.flush().finally(() => {
      this.flushing = null;
      // records that arrived during the fsync have waited long enough: write them now
      if (this.pending.length > 0 && !this.stopped) this.startFlush();
    });
  }

  private async flush(): Promise<void> {
    const group = this.pending;
    this.pending = [];
    if (group.length === 0) return;
    try {
      const segment = await this.segmentFor();
      const buffers = group.map((p) => p.data);
      const bytes = buffers.reduce((n, b) => n + b.length, 0);
      const fd = segment.fd;
      if (!fd) throw new Error('journal segment is not open');
      let written = 0;
      while (written < bytes) {
        const { bytesWritten } = await fd.writev(
          written === 0 ? buffers : [Buffer.concat(buffers).subarray(written)],
        );
        written += bytesWritten;
      }
      await fd.datasync();
      segment.bytes += bytes;
      for (const p of group) segment.maxMark = Math.max(segment.maxMark, p.mark);
      this.counts.records += group.length;
      this.counts.commits += 1;
    } catch (err) {
      // this segment may now end in a torn record: never append after it
      this.closeCurrent();
      const error = new Error(`telemetry journal write failed: ${errorText(err)}`);
      for (const p of group) p.reject(error);
      return;
    }
    for (const p of group) p.resolve();
  }

  /** The segment to append to: a new one when the current one is full or old. */
  private async segmentFor(): Promise<Segment> {
    const c = this.current;
    if (
      c &&
      c.fd &&
      c.bytes < this.segmentBytes &&
      (c.bytes === 0 || Date.now() - c.openedAt < this.segmentMs)
    ) {
      return c;
    }
    this.closeCurrent();
    const name = segmentName(this.nextNumber++);
    const fd = await open(join(this.options.dir, name), 'wx');
    // the new file's name must survive a crash too: fsync the folder once per segment
    await syncDir(this.options.dir);
    const segment: Segment = { name, fd, bytes: 0, openedAt: Date.now(), maxMark: -1 };
    this.current = segment;
    return segment;
  }

  /** Closes the current segment (its file is closed in the background, before any deletion). */
  private closeCurrent(): void {
    const c = this.current;
    this.current = null;
    if (!c) return;
    const fd = c.fd;
    c.fd = null;
    if (fd) this.fileOps = this.fileOps.then(() => fd.close().catch(() => undefined));
    if (c.maxMark <= this.committedMark) this.deleteSegments([c]);
    else this.closed.push(c);
  }

  private deleteSegments(segments: Segment[]): void {
    for (const s of segments) {
      this.fileOps = this.fileOps.then(() =>
        rm(join(this.options.dir, s.name), { force: true }).catch((err: unknown) =>
          this.options.log.warn(`could not delete journal segment ${s.name}: ${errorText(err)}`),
        ),
      );
    }
  }
}

async function syncDir(dir: string): Promise<void> {
  let fd: FileHandle | undefined;
  try {
    fd = await open(dir, 'r');
    await fd.sync();
  } catch {
    // some file systems refuse fsync on a folder; the file's own fsync still holds its records
  } finally {
    await fd?.close().catch(() => undefined);
  }
}
