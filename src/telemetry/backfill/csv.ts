/**
 * CSV records from text that arrives in chunks (RFC 4180: comma-separated, fields in double quotes
 * may hold commas, quotes doubled and line breaks; CRLF or LF). Nothing but the record being read
 * is held: a file of any size streams through. Each record keeps the number of the file line it
 * starts on (1-based) and its raw text, for the rejects report.
 *
 * Lenient where exports are sloppy and nothing is ambiguous: a quote inside an unquoted field is
 * kept as a character, text after a closing quote is kept, blank lines are skipped. A quoted field
 * that never closes would swallow the rest of the file, so a record longer than MAX_RECORD_CHARS
 * stops the read with the line it started on.
 */

export interface CsvRecord {
  /** The file line the record starts on, 1-based. */
  readonly line: number;
  /** The record as written (its lines joined by \n), for the rejects report. */
  readonly raw: string;
  readonly fields: string[];
}

/** A problem with the file as a whole (not one row): the read stops. */
export class BackfillFileError extends Error {}

export const MAX_RECORD_CHARS = 1024 * 1024;

const QUOTE = 34;
const COMMA = 44;

/** A record whose quoted field runs on past the end of its line. */
interface OpenRecord {
  line: number;
  raw: string[];
  fields: string[];
  field: string;
  chars: number;
}

export class CsvReader {
  private carry = '';
  private lineNo = 0;
  private open: OpenRecord | null = null;
  private first = true;

  /** Records completed by this chunk, appended to `out`. */
  push(chunk: string, out: CsvRecord[]): void {
    let text = this.carry === '' ? chunk : this.carry + chunk;
    if (this.first && text.length > 0) {
      this.first = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // a byte-order mark
    }
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) break;
      const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      this.physicalLine(text.slice(start, end), out);
      start = nl + 1;
    }
    this.carry = start === 0 ? text : text.slice(start);
    if (this.carry.length > MAX_RECORD_CHARS) {
      throw new BackfillFileError(
        `line ${this.lineNo + 1} is longer than ${MAX_RECORD_CHARS} characters: not a file of readings?`,
      );
    }
  }

  /** The last record (a file need not end with a line break). */
  end(out: CsvRecord[]): void {
    if (this.carry !== '') {
      const last = this.carry.endsWith('\r') ? this.carry.slice(0, -1) : this.carry;
      this.carry = '';
      this.physicalLine(last, out);
    }
    if (this.open) {
      throw new BackfillFileError(
        `line ${this.open.line}: a quoted field is not closed before the end of the file (a missing ")`,
      );
    }
  }

  /** Lines read so far. */
  get lines(): number {
    return this.lineNo;
  }

  private physicalLine(text: string, out: CsvRecord[]): void {
    this.lineNo += 1;
    const open = this.open;
    if (open === null) {
      if (text === '' || (text.trim() === '' && !text.includes('"'))) return;
      if (!text.includes('"')) {
        out.push({ line: this.lineNo, raw: text, fields: text.split(',') });
        return;
      }
      this.scan(text, { line: this.lineNo, raw: [], fields: [], field: '', chars: 0 }, false, out);
      return;
    }
    open.field += '\n';
    this.scan(text, open, true, out);
  }

  /**
   * Reads one line's characters into `rec`, starting inside a quoted field when `quoted`; the
   * record is emitted when the line ends outside quotes, else kept open for the next line.
   */
  private scan(text: string, rec: OpenRecord, quoted: boolean, out: CsvRecord[]): void {
    let inQuotes = quoted;
    let fieldStart = !quoted && rec.field === '';
    let field = rec.field;
    const fields = rec.fields;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (inQuotes) {
        if (c === QUOTE) {
          if (text.charCodeAt(i + 1) === QUOTE) {
            field += '"';
            i += 1;
          } else {
            inQuotes = false;
          }
        } else {
          // copy the run up to the next quote at once
          const next = text.indexOf('"', i);
          const stop = next < 0 ? text.length : next;
          field += text.slice(i, stop);
          i = stop - 1;
        }
      } else if (c === COMMA) {
        fields.push(field);
        field = '';
        fieldStart = true;
      } else if (c === QUOTE && fieldStart && field.trim() === '') {
        field = '';
        inQuotes = true;
        fieldStart = false;
      } else {
        field += text[i];
        if (c !== 32 && c !== 9) fieldStart = false;
      }
    }
    rec.raw.push(text);
    rec.chars += text.length + 1;
    if (inQuotes) {
      if (rec.chars > MAX_RECORD_CHARS) {
        throw new BackfillFileError(
          `line ${rec.line}: a quoted field runs on for more than ${MAX_RECORD_CHARS} characters (a missing ")`,
        );
      }
      rec.field = field;
      this.open = rec;
      return;
    }
    fields.push(field);
    this.open = null;
    out.push({ line: rec.line, raw: rec.raw.join('\n'), fields });
  }
}

/** A field for a CSV file: quoted when it holds a comma, a quote or a line break. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
