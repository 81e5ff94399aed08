/**
 * A progress bar on one terminal line (rewritten in place with \r), or, when the output is not a
 * terminal (a log file, CI), a plain line every few seconds. No dependency: a bar is a few
 * characters.
 */
export interface ProgressFigures {
  /** 0…1, or null when the total is unknown. */
  fraction: number | null;
  /** What follows the bar, e.g. `520,000 rows · 118,400 rows/s`. */
  text: string;
}

export class ProgressLine {
  private shown = 0;
  private lastPlain = 0;

  constructor(
    private readonly stream: NodeJS.WriteStream = process.stdout,
    private readonly plainEveryMs = 5000,
    private readonly width = 28,
  ) {}

  get tty(): boolean {
    return this.stream.isTTY === true;
  }

  update(figures: ProgressFigures): void {
    const line = this.render(figures);
    if (this.tty) {
      const pad = Math.max(0, this.shown - line.length);
      this.stream.write(`\r${line}${' '.repeat(pad)}`);
      this.shown = line.length;
      return;
    }
    const now = Date.now();
    if (now - this.lastPlain < this.plainEveryMs) return;
    this.lastPlain = now;
    this.stream.write(`${line}\n`);
  }

  /** Ends the bar's line, so that what follows starts on a line of its own. */
  done(): void {
    if (this.tty && this.shown > 0) this.stream.write('\n');
    this.shown = 0;
  }

  private render({ fraction, text }: ProgressFigures): string {
    if (fraction === null) return text;
    const f = Math.min(1, Math.max(0, fraction));
    const full = Math.round(f * this.width);
    const percent = `${Math.floor(f * 100)}`.padStart(3);
    return `[${'#'.repeat(full)}${'-'.repeat(this.width - full)}] ${percent}%  ${text}`;
  }
}
