/**
 * A one-line progress bar on standard error: redrawn in place on a terminal, and written only at the
 * end (and every `logEveryMs` on long work) when the output is a file or a pipe, so logs stay short.
 */
export class ProgressBar {
  private lastLogged = 0;

  constructor(
    private readonly out: NodeJS.WriteStream = process.stderr,
    private readonly options: { width?: number; logEveryMs?: number } = {},
  ) {}

  /** Draws `done` of `total` with a caption; `final` ends the line. */
  draw(done: number, total: number | null, caption: string, final = false): void {
    const width = this.options.width ?? 30;
    const share = total ? Math.min(1, done / Math.max(total, 1)) : 0;
    const filled = Math.round(share * width);
    const percent = total ? `${(100 * share).toFixed(0)}%` : '';
    const line = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${percent}  ${caption}`.replace(/ {3,}/g, '  ');
    if (this.out.isTTY) {
      this.out.write(`\r${line}\x1b[K${final ? '\n' : ''}`);
      return;
    }
    const now = Date.now();
    if (final || now - this.lastLogged >= (this.options.logEveryMs ?? 5_000)) {
      this.lastLogged = now;
      this.out.write(`${line}\n`);
    }
  }
}

export const count = (n: number) => n.toLocaleString('en-US');
