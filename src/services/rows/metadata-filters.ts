import type { RawBuilder, SqlBool } from 'kysely';
import { checkStorable } from '../../domain/input-bounds.js';
import type { Json } from '../../domain/json.js';
import type { DialectSql } from '../../store/dialect.js';

/**
 * The conditions that the JSON object in `column` has each of these key/value pairs. The values come
 * from a query parameter parsed as JSON, after the request's own checks, so they are checked here for
 * what no database can compare (NUL, lone surrogates), naming the parameter (`pointer`).
 */
export function metadataMatches(sqlOf: DialectSql, column: string, filters: Record<string, Json> | undefined, pointer: string): RawBuilder<SqlBool>[] {
  checkStorable(filters, pointer, { in: 'query' });
  return Object.entries(filters ?? {}).map(([key, value]) => sqlOf.jsonFieldEquals(column, key, value));
}
