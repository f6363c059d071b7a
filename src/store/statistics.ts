/**
 * Keeps the query planner's statistics up to date as tables grow. Without them both databases pick
 * poor plans on large tables (SQLite scans a dataset's current records to update ten of them), and
 * neither gathers them by itself: SQLite never, PostgreSQL only where autovacuum runs. After every
 * `threshold` rows written, statistics are gathered again in the background; a request never waits.
 */
export class StatisticsUpkeep {
  private written = 0;
  private running = false;

  constructor(
    private readonly refresh: () => Promise<void>,
    private readonly threshold = 50_000,
  ) {}

  noteWrites(rows: number): void {
    this.written += rows;
    if (this.written < this.threshold || this.running) return;
    this.written = 0;
    this.running = true;
    setImmediate(() => {
      // Statistics only guide the planner: failing to gather them slows queries down, never breaks one.
      this.refresh()
        .catch(() => undefined)
        .finally(() => {
          this.running = false;
        });
    });
  }
}
