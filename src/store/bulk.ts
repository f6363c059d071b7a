import type BetterSqlite3 from 'better-sqlite3';
import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';
import { quoteIdentifier } from './sql-names.js';

/** A row to insert: column name to value (strings, numbers or null, as both drivers take them). */
type Row = object;

/**
 * The one path for inserting many rows at once. SQLite: one prepared statement run per row inside the
 * caller's transaction (the fastest way into SQLite), on the main connection or, in a long
 * transaction, the worker thread's (the rows go over in one message). PostgreSQL: one INSERT ... SELECT FROM unnest(...)
 * per chunk, so a chunk of thousands of rows costs one round trip and a fixed number of parameters.
 */
export interface BulkWriter {
  /** Must be called inside a transaction; all rows must have the same keys. */
  insert<T extends Row>(tx: Kysely<Database>, table: string, rows: readonly T[]): Promise<void>;
}

const POSTGRES_CHUNK_ROWS = 5_000;

export function createBulkWriter(
  target:
    | {
        dialect: 'sqlite';
        handle: BetterSqlite3.Database;
        /** For a transaction of the worker thread's connection (Store.longTransaction), its row inserter. */
        workerOf: (tx: Kysely<Database>) => RowInserter | undefined;
      }
    | { dialect: 'postgres' },
  noteWrites: (rows: number) => void = () => undefined,
): BulkWriter {
  const writer = target.dialect === 'sqlite' ? sqliteBulkWriter(target.handle, target.workerOf) : postgresBulkWriter();
  return {
    async insert(tx, table, rows) {
      await writer.insert(tx, table, rows);
      noteWrites(rows.length);
    },
  };
}

/** Runs a one-row INSERT for each row of values, on another connection (the SQLite worker's). */
export interface RowInserter {
  insertRows(sql: string, rows: readonly unknown[][]): Promise<void>;
}

function sqliteBulkWriter(handle: BetterSqlite3.Database, workerOf: (tx: Kysely<Database>) => RowInserter | undefined): BulkWriter {
  const statements = new Map<string, BetterSqlite3.Statement>();
  const insertSql = (table: string, columns: string[]) =>
    `insert into ${quoteIdentifier(table)} (${columns.map(quoteIdentifier).join(', ')}) values (${columns.map(() => '?').join(', ')})`;
  return {
    async insert(tx, table, rows) {
      const first = rows[0];
      if (!first) return;
      const columns = Object.keys(first);
      const values = (row: object) => columns.map((column) => (row as Record<string, unknown>)[column]);
      const worker = workerOf(tx);
      if (worker) {
        await worker.insertRows(insertSql(table, columns), rows.map(values));
        return;
      }
      const text = insertSql(table, columns);
      let statement = statements.get(text);
      if (!statement) {
        statement = handle.prepare(text);
        statements.set(text, statement);
      }
      for (const row of rows) statement.run(values(row));
    },
  };
}

function postgresBulkWriter(): BulkWriter {
  // unnest() needs each array's element type; read it once per table from the catalog.
  const columnTypesByTable = new Map<string, Promise<Map<string, string>>>();

  async function columnTypes(tx: Kysely<Database>, table: string): Promise<Map<string, string>> {
    let types = columnTypesByTable.get(table);
    if (!types) {
      types = sql<{ name: string; type: string }>`
        select attname as name, format_type(atttypid, atttypmod) as type
        from pg_attribute
        where attrelid = to_regclass(${quoteIdentifier(table)}) and attnum > 0 and not attisdropped`
        .execute(tx)
        .then((result) => new Map(result.rows.map((row) => [row.name, row.type])));
      columnTypesByTable.set(table, types);
      types.catch(() => columnTypesByTable.delete(table));
    }
    return types;
  }

  return {
    async insert(tx, table, rows) {
      const first = rows[0];
      if (!first) return;
      const columns = Object.keys(first);
      const types = await columnTypes(tx, table);
      for (let start = 0; start < rows.length; start += POSTGRES_CHUNK_ROWS) {
        const chunk = rows.slice(start, start + POSTGRES_CHUNK_ROWS);
        const arrays = columns.map((column) => {
          const type = types.get(column);
          if (!type) throw new Error(`${table} has no column ${column}`);
          return sql`${chunk.map((row) => (row as Record<string, unknown>)[column])}::${sql.raw(type)}[]`;
        });
        await sql`insert into ${sql.table(table)} (${sql.join(columns.map((c) => sql.ref(c)))})
          select * from unnest(${sql.join(arrays)})`.execute(tx);
      }
    },
  };
}
