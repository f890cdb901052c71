/** Where a progress line goes: a terminal stream (process.stderr). */
export interface ProgressStream {
  readonly isTTY?: boolean;
  readonly columns?: number;
  write(text: string): unknown;
}

const WIDTH = 24;

/**
 * One line that a long command (classifier training, the bench) redraws in place on a terminal:
 * `label [#######.........] 42% detail`. Only for a TTY — piped or in CI, forTerminal() gives
 * nothing and the command's output stays what it was. Redraws at most ten times a second.
 */
export class ProgressLine {
  private last = 0;
  private shown = false;

  private constructor(
    private readonly stream: ProgressStream,
    private readonly label: string,
    private readonly now: () => number,
  ) {}

  /** A progress line on `stream` if it is a terminal, else undefined. */
  static forTerminal(label: string, stream: ProgressStream = process.stderr, now: () => number = Date.now): ProgressLine | undefined {
    return stream.isTTY ? new ProgressLine(stream, label, now) : undefined;
  }

  /** Shows how far the work has come (a fraction from 0 to 1), with an optional detail. */
  update(fraction: number, detail = ''): void {
    const at = this.now();
    const complete = fraction >= 1;
    if (this.shown && !complete && at - this.last < 100) return;
    this.last = at;
    this.shown = true;
    const f = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
    const filled = Math.round(f * WIDTH);
    let line =
      `${this.label} [${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ` +
      `${String(Math.floor(f * 100)).padStart(3)}%${detail ? ` ${detail}` : ''}`;
    if (this.stream.columns && line.length >= this.stream.columns) line = line.slice(0, this.stream.columns - 1);
    this.stream.write(`\r\x1b[2K${line}`);
  }

  /** Clears the line, leaving the terminal as it was before. */
  done(): void {
    if (this.shown) this.stream.write('\r\x1b[2K');
    this.shown = false;
  }
}
