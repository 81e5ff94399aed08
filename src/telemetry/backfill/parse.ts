/**
 * The rows of a backfill input, CSV or JSONL, read as a stream (docs/history.md, "Backfill"): the
 * text arrives in chunks and leaves as batches of rows, so a file of any size needs the memory of
 * one chunk. Every row keeps its file line (1-based) and raw text for the rejects report. A row
 * that is not a row (a CSV line with another number of fields than the header, a JSONL line that
 * is not an object) comes out as a problem; a file without a usable header stops the read.
 *
 *   CSV    asset,metric,ts,value,unit        header required; unit optional (column or cell)
 *   JSONL  {"asset": "A1", "metric": "temperature", "ts": "2026-11-25T10:00:00Z", "value": 71.3, "unit": "Cel"}
 */
import { StringDecoder } from 'node:string_decoder';
import { BackfillFileError, CsvReader, MAX_RECORD_CHARS, type CsvRecord } from './csv';
import { problem, type RowProblem } from './reasons';

export { BackfillFileError };

export const BACKFILL_FORMATS = ['CSV', 'JSONL'] as const;
export type BackfillFormat = (typeof BACKFILL_FORMATS)[number];

export const COLUMNS = ['asset', 'metric', 'ts', 'value', 'unit'] as const;
const REQUIRED = ['asset', 'metric', 'ts', 'value'] as const;

/** A row's fields as written: strings from CSV, any JSON value from JSONL. Checked by check.ts. */
export interface RowFields {
  readonly asset: unknown;
  readonly metric: unknown;
  readonly ts: unknown;
  readonly value: unknown;
  readonly unit: unknown;
}

export type SourceRow = { readonly line: number; readonly raw: string } & (
  | { readonly fields: RowFields; readonly problem?: undefined }
  | { readonly problem: RowProblem; readonly fields?: undefined }
);

/** What the reader tells as it goes: bytes consumed, and fields it ignores (extra columns or keys). */
export interface ReadStats {
  bytes: number;
  ignored: Set<string>;
}

const MAX_IGNORED_SHOWN = 20;

/**
 * Batches of rows from chunks of the input (Buffers are decoded as UTF-8 across chunk
 * boundaries). Throws BackfillFileError for a problem with the file itself: no header, a header
 * without the required columns, a runaway quoted field or line.
 */
export async function* readRows(
  input: AsyncIterable<Buffer | string>,
  format: BackfillFormat,
  stats: ReadStats = { bytes: 0, ignored: new Set() },
): AsyncGenerator<SourceRow[]> {
  const decoder = new StringDecoder('utf8');
  const rows = format === 'CSV' ? new CsvRows(stats) : new JsonlRows(stats);
  for await (const chunk of input) {
    const text = typeof chunk === 'string' ? chunk : decoder.write(chunk);
    stats.bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
    const batch = rows.push(text);
    if (batch.length > 0) yield batch;
  }
  const last = rows.end(decoder.end());
  if (last.length > 0) yield last;
  rows.finish();
}

/** All rows of a text already in memory (the mutation's content). */
export function rowsOfText(text: string, format: BackfillFormat, stats?: ReadStats): SourceRow[] {
  const reader = format === 'CSV' ? new CsvRows(stats) : new JsonlRows(stats);
  const rows = reader.push(text);
  rows.push(...reader.end(''));
  reader.finish();
  return rows;
}

/** The format of a file by its extension, or null. */
export function formatOfPath(path: string): BackfillFormat | null {
  const lower = path.toLowerCase();
  if (lower.endsWith('.csv')) return 'CSV';
  if (lower.endsWith('.jsonl') || lower.endsWith('.ndjson')) return 'JSONL';
  return null;
}

interface RowReader {
  push(text: string): SourceRow[];
  end(text: string): SourceRow[];
  finish(): void;
}

/** Column positions of the header, once read. */
interface Header {
  asset: number;
  metric: number;
  ts: number;
  value: number;
  /** -1: no unit column (every value in the canonical unit). */
  unit: number;
  names: string[];
}

class CsvRows implements RowReader {
  private readonly reader = new CsvReader();
  private header: Header | null = null;
  private readonly records: CsvRecord[] = [];

  constructor(private readonly stats: ReadStats = { bytes: 0, ignored: new Set() }) {}

  push(text: string): SourceRow[] {
    this.reader.push(text, this.records);
    return this.drain();
  }

  end(text: string): SourceRow[] {
    if (text !== '') this.reader.push(text, this.records);
    this.reader.end(this.records);
    return this.drain();
  }

  finish(): void {
    if (!this.header) {
      throw new BackfillFileError(
        `the file has no header line: the first line must name the columns ${COLUMNS.join(',')}`,
      );
    }
  }

  private drain(): SourceRow[] {
    const out: SourceRow[] = [];
    for (const record of this.records) {
      if (!this.header) {
        this.header = readHeader(record, this.stats);
        continue;
      }
      out.push(csvRow(record, this.header));
    }
    this.records.length = 0;
    return out;
  }
}

function readHeader(record: CsvRecord, stats: ReadStats): Header {
  const names = record.fields.map((f) => f.trim().toLowerCase());
  const at = (name: string): number => names.indexOf(name);
  const missing = REQUIRED.filter((name) => at(name) < 0);
  const repeated = names.filter((n, i) => n !== '' && names.indexOf(n) !== i);
  if (missing.length > 0 || repeated.length > 0) {
    const why =
      missing.length > 0
        ? `has no column ${missing.join(', ')}`
        : `names ${[...new Set(repeated)].join(', ')} twice`;
    throw new BackfillFileError(
      `line ${record.line}: the header ${JSON.stringify(clip(record.raw, 200))} ${why}; ` +
        `the first line must name the columns ${COLUMNS.join(',')} (unit may be left out), in any order`,
    );
  }
  for (const name of names) {
    if (!(COLUMNS as readonly string[]).includes(name) && stats.ignored.size < MAX_IGNORED_SHOWN) {
      stats.ignored.add(name === '' ? '(unnamed column)' : name);
    }
  }
  return {
    asset: at('asset'),
    metric: at('metric'),
    ts: at('ts'),
    value: at('value'),
    unit: at('unit'),
    names,
  };
}

function csvRow(record: CsvRecord, header: Header): SourceRow {
  const { fields, line } = record;
  const raw = clip(record.raw, RAW_SHOWN);
  if (fields.length !== header.names.length) {
    return {
      line,
      raw,
      problem: problem(
        'BAD_SHAPE',
        `the row has ${fields.length} fields and the header ${header.names.length} (${header.names.join(',')}): put a value that holds a comma in double quotes`,
      ),
    };
  }
  const cell = (i: number): string => (fields[i] ?? '').trim();
  return {
    line,
    raw,
    fields: {
      asset: cell(header.asset),
      metric: cell(header.metric),
      ts: csvTimestamp(cell(header.ts)),
      value: csvNumber(cell(header.value)),
      unit: header.unit < 0 ? '' : cell(header.unit),
    },
  };
}

/** Whole digits are epoch milliseconds (as a JSON number would be); anything else stays text. */
function csvTimestamp(text: string): string | number | undefined {
  if (text === '') return undefined;
  return /^\d{1,20}$/.test(text) ? Number(text) : text;
}

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A decimal number as a number; anything else stays text, for the check to say what it is. */
function csvNumber(text: string): string | number | undefined {
  if (text === '') return undefined;
  return DECIMAL.test(text) ? Number(text) : text;
}

const JSONL_KEYS: ReadonlySet<string> = new Set(COLUMNS);

class JsonlRows implements RowReader {
  private carry = '';
  private lineNo = 0;

  constructor(private readonly stats: ReadStats = { bytes: 0, ignored: new Set() }) {}

  push(text: string): SourceRow[] {
    const all = this.carry === '' ? text : this.carry + text;
    const out: SourceRow[] = [];
    let start = 0;
    for (;;) {
      const nl = all.indexOf('\n', start);
      if (nl < 0) break;
      this.line(all.slice(start, nl), out);
      start = nl + 1;
    }
    this.carry = all.slice(start);
    if (this.carry.length > MAX_RECORD_CHARS) {
      throw new BackfillFileError(
        `line ${this.lineNo + 1} is longer than ${MAX_RECORD_CHARS} characters: not a file of readings?`,
      );
    }
    return out;
  }

  end(text: string): SourceRow[] {
    const out = this.push(text);
    if (this.carry !== '') this.line(this.carry, out);
    this.carry = '';
    return out;
  }

  finish(): void {}

  private line(text: string, out: SourceRow[]): void {
    this.lineNo += 1;
    let body = text.endsWith('\r') ? text.slice(0, -1) : text;
    if (this.lineNo === 1 && body.charCodeAt(0) === 0xfeff) body = body.slice(1);
    if (body.trim() === '') return;
    const line = this.lineNo;
    const raw = clip(body, RAW_SHOWN);
    let value: unknown;
    try {
      value = JSON.parse(body);
    } catch (error) {
      const why = error instanceof Error ? error.message.slice(0, 200) : 'parse error';
      out.push({ line, raw, problem: problem('NOT_JSON', `the line is not JSON: ${why}`) });
      return;
    }
    if (!isRecord(value)) {
      const what = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
      out.push({
        line,
        raw,
        problem: problem(
          'BAD_SHAPE',
          `the line is ${what}; expected an object {"asset", "metric", "ts", "value", "unit"}`,
        ),
      });
      return;
    }
    const object = value;
    // own properties only: nothing inherited (a polluted prototype) passes for a field
    const own = (key: string): unknown => (Object.hasOwn(object, key) ? object[key] : undefined);
    for (const key of Object.keys(value)) {
      if (!JSONL_KEYS.has(key) && this.stats.ignored.size < MAX_IGNORED_SHOWN) {
        this.stats.ignored.add(key);
      }
    }
    out.push({
      line,
      raw,
      fields: {
        asset: own('asset'),
        metric: own('metric'),
        ts: own('ts'),
        value: own('value'),
        unit: own('unit'),
      },
    });
  }
}

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Characters of a row's raw text kept for the rejects report. */
export const RAW_SHOWN = 1000;

export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}
