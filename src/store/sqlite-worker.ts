import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import {
  CompiledQuery,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
} from 'kysely';

/**
 * A SQLite connection that lives in a worker thread. better-sqlite3 runs every statement synchronously,
 * so a statement over a million rows on the main thread stops the whole server for its duration; on
 * this connection it stops only the worker, and the main thread keeps answering requests (reading
 * through its own connection, which WAL lets run beside the writer).
 *
 * The worker's code is a short CommonJS script evaluated in the worker, so it runs the same from
 * compiled output, under tsx and under the test runner.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driverPath);
const db = new Database(workerData.filename);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.pragma('foreign_keys = ON');
db.pragma('busy_timeout = 10000');
const inserts = new Map();
parentPort.on('message', ({ id, sql, parameters, rows }) => {
  try {
    if (rows) {
      let insert = inserts.get(sql);
      if (!insert) inserts.set(sql, (insert = db.prepare(sql)));
      for (const row of rows) insert.run(row);
      parentPort.postMessage({ id, rows: [], changes: rows.length });
      return;
    }
    const statement = db.prepare(sql);
    if (statement.reader) {
      parentPort.postMessage({ id, rows: statement.all(parameters) });
    } else {
      const { changes, lastInsertRowid } = statement.run(parameters);
      parentPort.postMessage({ id, rows: [], changes, lastInsertRowid: String(lastInsertRowid) });
    }
  } catch (error) {
    parentPort.postMessage({ id, error: { message: error.message, code: error.code } });
  }
});
`;

interface Reply {
  id: number;
  rows: Record<string, unknown>[];
  changes?: number;
  lastInsertRowid?: string;
  error?: { message: string; code?: string };
}

/** An error from the worker's database, with the code a SQLite error carries (unique violations...). */
class WorkerSqliteError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = 'SqliteError';
  }
}

class WorkerConnection implements DatabaseConnection {
  private readonly pending = new Map<number, { resolve: (reply: Reply) => void }>();
  private nextId = 1;

  constructor(private readonly worker: Worker) {
    worker.on('message', (reply: Reply) => {
      this.pending.get(reply.id)?.resolve(reply);
      this.pending.delete(reply.id);
    });
  }

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    const reply = await this.send({ sql: compiledQuery.sql, parameters: compiledQuery.parameters });
    return {
      rows: reply.rows as R[],
      ...(reply.changes === undefined ? {} : { numAffectedRows: BigInt(reply.changes), insertId: BigInt(reply.lastInsertRowid ?? 0) }),
    };
  }

  /** Runs the INSERT `sql` once per row of values (its statement prepared once), on this connection. */
  async insertRows(sql: string, rows: readonly unknown[][]): Promise<void> {
    await this.send({ sql, rows });
  }

  private async send(message: { sql: string; parameters?: readonly unknown[]; rows?: readonly unknown[][] }): Promise<Reply> {
    const id = this.nextId++;
    const reply = await new Promise<Reply>((resolve) => {
      this.pending.set(id, { resolve });
      this.worker.postMessage({ id, ...message });
    });
    if (reply.error) throw new WorkerSqliteError(reply.error.message, reply.error.code);
    return reply;
  }

  // biome-ignore lint/correctness/useYield: Kysely's connection interface wants a generator; this one refuses at once
  async *streamQuery(): AsyncIterableIterator<QueryResult<never>> {
    throw new Error('The SQLite worker connection does not stream');
  }
}

class WorkerDriver implements Driver {
  private worker?: Worker;
  connection?: WorkerConnection;
  private busy: Promise<void> = Promise.resolve();
  private release?: () => void;

  constructor(private readonly filename: string) {}

  async init(): Promise<void> {
    const driverPath = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { filename: this.filename, driverPath } });
    this.worker.unref();
    this.connection = new WorkerConnection(this.worker);
  }

  /** One connection, used by one transaction at a time. */
  async acquireConnection(): Promise<DatabaseConnection> {
    const previous = this.busy;
    let release!: () => void;
    this.busy = new Promise((resolve) => (release = resolve));
    await previous;
    this.release = release;
    return this.connection!;
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async releaseConnection(): Promise<void> {
    this.release?.();
  }

  async destroy(): Promise<void> {
    await this.worker?.terminate();
  }
}

/** Kysely's SQLite dialect, over the worker's connection. */
export class WorkerSqliteDialect implements Dialect {
  private driver?: WorkerDriver;

  constructor(private readonly filename: string) {}

  createDriver(): Driver {
    this.driver = new WorkerDriver(this.filename);
    return this.driver;
  }

  /**
   * Inserts rows on the worker's connection, inside the transaction in progress there: one message for
   * many rows, run by a statement prepared once (the bulk writer's way on this connection).
   */
  insertRows(sql: string, rows: readonly unknown[][]): Promise<void> {
    const connection = this.driver?.connection;
    if (!connection) throw new Error('The SQLite worker has no connection yet: insert inside one of its transactions');
    return connection.insertRows(sql, rows);
  }

  createQueryCompiler() {
    return new SqliteQueryCompiler();
  }

  createAdapter() {
    return new SqliteAdapter();
  }

  // biome-ignore lint/suspicious/noExplicitAny: Kysely's Driver interface declares its introspector over any schema
  createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    return new SqliteIntrospector(db);
  }
}
