import { statSync } from 'node:fs';

/**
 * Copies SQLite's write-ahead log back into the database file from the worker thread, instead of
 * letting a commit on the main thread do it. SQLite's automatic checkpoint runs inside the commit that
 * crosses its threshold, synchronously: after a large upload's commit (hundreds of megabytes of log)
 * the next small commit on the main thread would stop every request for a second or more. Automatic
 * checkpoints are off on the main connection; this looks at the log's size every `intervalMs` and,
 * past `thresholdBytes`, runs a PASSIVE checkpoint (it never waits for, nor blocks, readers and
 * writers) on the worker's connection.
 */
export class WalCheckpoints {
  private readonly timer: NodeJS.Timeout;
  private running = false;

  constructor(
    private readonly walFile: string,
    private readonly checkpoint: () => Promise<unknown>,
    private readonly thresholdBytes = 16 * 1024 * 1024,
    intervalMs = 1_000,
  ) {
    this.timer = setInterval(() => this.check(), intervalMs);
    this.timer.unref();
  }

  check(): void {
    if (this.running) return;
    const size = statSync(this.walFile, { throwIfNoEntry: false })?.size ?? 0;
    if (size < this.thresholdBytes) return;
    this.running = true;
    // A checkpoint that fails (the database closing) leaves the log to the next one: nothing is lost.
    this.checkpoint()
      .catch(() => undefined)
      .finally(() => {
        this.running = false;
      });
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
