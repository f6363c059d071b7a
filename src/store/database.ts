import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import {
  CompiledQuery,
  Kysely,
  sql,
  PostgresDialect,
  SqliteDialect,
  SqliteDriver,
  type DatabaseConnection,
  type Driver,
  type SqliteDialectConfig,
} from 'kysely';
import pg from 'pg';
import { postgresSql, sqliteSql, type DialectName, type DialectSql } from './dialect.js';
import { createBulkWriter, type BulkWriter } from './bulk.js';
import { quoteIdentifier } from './sql-names.js';
import { StatisticsUpkeep } from './statistics.js';
import { WorkerSqliteDialect } from './sqlite-worker.js';
import { WalCheckpoints } from './wal-checkpoints.js';
import type { Database } from './schema.js';

/** The handle of an open transaction: what service methods join (their `transaction` option) and row helpers write through. */
export type Transaction = Kysely<Database>;

export type StoreConfig = { dialect: 'sqlite'; filename: string } | { dialect: 'postgres'; connectionString: string; schema?: string; poolSize?: number };

export interface Store {
  readonly db: Kysely<Database>;
  readonly dialect: DialectName;
  readonly sql: DialectSql;
  readonly bulk: BulkWriter;
  /** Tells the store that `rows` rows were written outside the bulk writer (see StatisticsUpkeep). */
  noteWrites(rows: number): void;
  /**
   * Runs `work` as one transaction: it commits whole or leaves no trace. On SQLite the write lock is
   * taken at BEGIN, so two writers never deadlock upgrading a read lock. Every write goes through
   * here (or longTransaction): on SQLite, writers are ordered by an in-process lock, never by the
   * database's busy wait, which would stop the whole server.
   */
  transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T>;
  /**
   * The same, for work whose statements may run for seconds (committing a large upload). On SQLite it
   * runs on a connection in a worker thread, so the server keeps answering meanwhile (the bulk writer
   * works there too, with multi-row statements). On PostgreSQL it is transaction().
   */
  longTransaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export function openStore(config: StoreConfig): Store {
  return config.dialect === 'sqlite' ? openSqlite(config.filename) : openPostgres(config);
}

function openSqlite(filename: string): Store {
  if (filename !== ':memory:') mkdirSync(dirname(filename), { recursive: true });
  const handle = new SqliteDatabase(filename);
  handle.pragma('journal_mode = WAL');
  handle.pragma('synchronous = NORMAL');
  handle.pragma('foreign_keys = ON');
  handle.pragma('busy_timeout = 10000');
  // Statistics from a sample of each index are enough for plans, and keep gathering them quick.
  handle.pragma('analysis_limit = 1000');
  handle.pragma('optimize = 0x10002');
  const writers = new WriteLock();
  // ANALYZE writes its statistics: it takes its turn with the other writers, or better-sqlite3 would
  // wait for the worker's transaction synchronously, stopping the whole server.
  const statistics = new StatisticsUpkeep(() =>
    writers.hold(async () => {
      handle.pragma('optimize');
    }),
  );
  const db = new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database: handle }) });
  // Made on first use: most processes (the CLI, most tests) never need it.
  let background: Kysely<Database> | undefined;
  const workerDialect = new WorkerSqliteDialect(filename);
  const worker = () => (background ??= new Kysely<Database>({ dialect: workerDialect }));
  const workerTransactions = new WeakSet<Kysely<Database>>();
  const checkpoints = filename === ':memory:' ? undefined : new WalCheckpoints(`${filename}-wal`, () => sql`pragma wal_checkpoint(PASSIVE)`.execute(worker()));
  if (checkpoints) handle.pragma('wal_autocheckpoint = 0');
  return {
    db,
    dialect: 'sqlite',
    sql: sqliteSql,
    bulk: createBulkWriter({ dialect: 'sqlite', handle, workerOf: (tx) => (workerTransactions.has(tx) ? workerDialect : undefined) }, (rows) =>
      statistics.noteWrites(rows),
    ),
    noteWrites: (rows) => statistics.noteWrites(rows),
    transaction: (work) => writers.hold(() => db.transaction().execute(work)),
    longTransaction: (work) => {
      const connection = worker();
      return writers.hold(() =>
        connection.transaction().execute((tx) => {
          workerTransactions.add(tx);
          return work(tx);
        }),
      );
    },
    close: async () => {
      checkpoints?.stop();
      await background?.destroy();
      await db.destroy();
    },
  };
}

/** Lets one writer at a time in, the others waiting their turn without blocking the event loop. */
class WriteLock {
  private last: Promise<unknown> = Promise.resolve();

  async hold<T>(work: () => Promise<T>): Promise<T> {
    const turn = this.last.then(work, work);
    this.last = turn.catch(() => undefined);
    return turn;
  }
}

function openPostgres(config: { connectionString: string; schema?: string; poolSize?: number }): Store {
  // Each connection works in UTC and, when asked, inside one schema (tests give each run its own).
  // The URL may carry startup options of its own (`?options=-c search_path=...`); pg would let them
  // replace ours, so both are merged here.
  const url = new URL(config.connectionString);
  const urlOptions = url.searchParams.get('options');
  url.searchParams.delete('options');
  const options = ['-c TimeZone=UTC', urlOptions ?? '', config.schema ? `-c search_path=${quoteIdentifier(config.schema)}` : ''].filter(Boolean).join(' ');
  const pool = new pg.Pool({
    connectionString: url.toString(),
    max: config.poolSize ?? 10,
    options,
    types: { getTypeParser: pgTypeParser },
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const statistics = new StatisticsUpkeep(async () => {
    await sql`analyze record_revisions, runs, scores`.execute(db);
  });
  return {
    db,
    dialect: 'postgres',
    sql: postgresSql,
    bulk: createBulkWriter({ dialect: 'postgres' }, (rows) => statistics.noteWrites(rows)),
    noteWrites: (rows) => statistics.noteWrites(rows),
    transaction: (work) => db.transaction().execute(work),
    longTransaction: (work) => db.transaction().execute(work),
    close: () => db.destroy(),
  };
}

const PG_INT8 = 20;
const PG_TIMESTAMPTZ = 1184;

/** int8 (counts) as numbers and timestamptz as ISO strings, so both databases hand back the same values. */
function pgTypeParser(oid: number, format?: string): (value: string) => unknown {
  if (oid === PG_INT8) return (value) => Number(value);
  if (oid === PG_TIMESTAMPTZ) return (value) => new Date(value).toISOString();
  return pg.types.getTypeParser(oid, format as 'text');
}

/** SQLite's dialect, but transactions begin IMMEDIATE (the write lock is taken up front). */
class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;

  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config);
  }
}

class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}
