import { sql, type Expression, type RawBuilder, type SqlBool } from 'kysely';
import { canonicalJson, type Json } from '../domain/json.js';

export type DialectName = 'sqlite' | 'postgres';

/** Column types that differ between the two databases; everything else is plain `text`/`integer`. */
export function columnTypes(dialect: DialectName) {
  return dialect === 'postgres'
    ? ({ id: 'uuid', timestamp: 'timestamptz', decimal: 'numeric', bigint: 'bigint' } as const)
    : ({ id: 'text', timestamp: 'text', decimal: 'text', bigint: 'integer' } as const);
}

/**
 * SQL fragments whose spelling differs between SQLite and PostgreSQL. JSON documents are stored as
 * text on both, so that they read back byte for byte as written; these helpers look inside them.
 */
export interface DialectSql {
  /** The JSON value at `key` of the object in `column` equals `value`; null also matches an absent key. */
  jsonFieldEquals(column: string, key: string, value: Json): RawBuilder<SqlBool>;
  /** The JSON text of the value at `key` of the object in `column` (compact), or null when absent. */
  jsonFieldText(column: string, key: string): RawBuilder<string | null>;
  /** The JSON array of strings in `column` holds `value`. */
  jsonArrayIncludes(column: string, value: string): RawBuilder<SqlBool>;
  /** The JSON object in `column` has `key` (with any value, null included). */
  jsonHasKey(column: string, key: string): RawBuilder<SqlBool>;
  /** Some scalar value of the JSON object in `column`, as text (numbers as written, booleans as true/false), is `text`. */
  jsonSomeValueIs(column: string, text: string): RawBuilder<SqlBool>;
  /** The JSON array at `key` of the object in `column` holds the string `value`. */
  jsonFieldArrayIncludes(column: string, key: string, value: string): RawBuilder<SqlBool>;
  /** `column` contains `text`, ignoring ASCII case. */
  containsText(column: Expression<string> | string, text: string): RawBuilder<SqlBool>;
  /**
   * Appended to a SELECT that must lock the rows it reads against other writers until the transaction
   * ends. On PostgreSQL it is FOR NO KEY UPDATE: rows inserted meanwhile that reference the locked one
   * (a run its experiment) hold a key-share lock on it through their foreign key, which FOR UPDATE
   * would conflict with, and two such transactions would deadlock.
   */
  readonly forUpdate: RawBuilder<unknown>;
  /**
   * Like forUpdate, but rows another transaction holds are passed over instead of waited for (work
   * queues: each of several server processes takes a different row). SQLite's write lock already
   * serializes the transactions, so it needs nothing.
   */
  readonly forUpdateSkipLocked: RawBuilder<unknown>;
  /**
   * A statement that makes the current transaction hold a lock named by `key` until it ends, serializing
   * work that has no row to lock (first-start bootstrap). SQLite's write lock already serializes writers.
   */
  transactionLock(key: number): RawBuilder<unknown>;
  /**
   * Locks on many keys at once, each exclusive or shared (`exclusive[i]`; a key given in both modes is
   * taken exclusive), held until the transaction ends and taken in ascending key order, so that two
   * transactions cannot deadlock on them. SQLite's write lock already serializes writers.
   */
  transactionLocks(keys: readonly number[], exclusive: readonly boolean[]): RawBuilder<unknown>;
}

function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

function columnRef(column: Expression<string> | string) {
  return typeof column === 'string' ? sql.ref(column) : column;
}

export const sqliteSql: DialectSql = {
  jsonFieldText: (column, key) => sql<string | null>`(${sql.ref(column)} -> ${`$.${JSON.stringify(key)}`})`,
  jsonFieldEquals: (column, key, value) => sql<SqlBool>`coalesce(${sql.ref(column)} -> ${`$.${JSON.stringify(key)}`}, 'null') = json(${canonicalJson(value)})`,
  jsonArrayIncludes: (column, value) => sql<SqlBool>`exists (select 1 from json_each(${sql.ref(column)}) where json_each.value = ${value})`,
  jsonHasKey: (column, key) => sql<SqlBool>`(json_type(${sql.ref(column)}, ${`$.${JSON.stringify(key)}`}) is not null)`,
  jsonSomeValueIs: (column, text) =>
    sql<SqlBool>`exists (select 1 from json_each(${sql.ref(column)}) e where e.type not in ('object', 'array', 'null') and (case e.type when 'true' then 'true' when 'false' then 'false' else cast(e.value as text) end) = ${text})`,
  jsonFieldArrayIncludes: (column, key, value) =>
    sql<SqlBool>`coalesce(json_type(${sql.ref(column)}, ${`$.${JSON.stringify(key)}`}) = 'array' and exists (select 1 from json_each(${sql.ref(column)}, ${`$.${JSON.stringify(key)}`}) e where e.type = 'text' and e.value = ${value}), false)`,
  containsText: (column, text) => sql<SqlBool>`${columnRef(column)} like ${likePattern(text)} escape '\\'`,
  forUpdate: sql``,
  forUpdateSkipLocked: sql``,
  transactionLock: () => sql`select 1`,
  transactionLocks: () => sql`select 1`,
};

export const postgresSql: DialectSql = {
  jsonFieldText: (column, key) => sql<string | null>`((${sql.ref(column)}::jsonb -> ${key}::text)::text)`,
  jsonFieldEquals: (column, key, value) => sql<SqlBool>`coalesce(${sql.ref(column)}::jsonb -> ${key}::text, 'null'::jsonb) = ${canonicalJson(value)}::jsonb`,
  jsonArrayIncludes: (column, value) => sql<SqlBool>`(${sql.ref(column)}::jsonb ? ${value}::text)`,
  jsonHasKey: (column, key) => sql<SqlBool>`coalesce(jsonb_typeof(${sql.ref(column)}::jsonb) = 'object' and ${sql.ref(column)}::jsonb ? ${key}::text, false)`,
  jsonSomeValueIs: (column, text) =>
    sql<SqlBool>`coalesce(jsonb_typeof(${sql.ref(column)}::jsonb) = 'object' and exists (select 1 from jsonb_each(${sql.ref(column)}::jsonb) e where jsonb_typeof(e.value) in ('string', 'number', 'boolean') and (e.value #>> '{}') = ${text}::text), false)`,
  jsonFieldArrayIncludes: (column, key, value) =>
    sql<SqlBool>`coalesce(jsonb_typeof(${sql.ref(column)}::jsonb -> ${key}::text) = 'array' and (${sql.ref(column)}::jsonb -> ${key}::text) ? ${value}::text, false)`,
  containsText: (column, text) => sql<SqlBool>`${columnRef(column)} ilike ${likePattern(text)} escape '\\'`,
  forUpdate: sql` for no key update`,
  forUpdateSkipLocked: sql` for no key update skip locked`,
  transactionLock: (key) => sql`select pg_advisory_xact_lock(${key})`,
  transactionLocks: (keys, exclusive) =>
    sql`select case when x then pg_advisory_xact_lock(k) else pg_advisory_xact_lock_shared(k) end
      from (select k, bool_or(x) as x from unnest(${[...keys]}::bigint[], ${[...exclusive]}::boolean[]) as t(k, x) group by k order by k) as keys`,
};
