import { sql, type RawBuilder, type SelectQueryBuilder, type SqlBool } from 'kysely';
import { ValidationError } from '../domain/errors.js';
import { isId } from '../domain/ids.js';
import { LIMITS } from '../domain/limits.js';

/** One page of a keyset-paginated list; `next_cursor` is null on the last page. */
export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

export type CursorKey = (string | number)[];

/** Cursors are opaque to clients: the sort key of the last item seen, base64url-encoded. */
export function encodeCursor(key: CursorKey): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/**
 * What a list's sort key is: an entity id (a UUID), a version number (a positive integer), or a value
 * and an id (lists ordered by orderByValue: [has no value, the value, the id]).
 */
export type CursorKind = 'id' | 'version' | 'value';

/** The key of a list ordered by orderByValue: whether the row has no value (1) or has one (0), the value, the row's id. */
export type ValueCursorKey = [0 | 1, string | number, string];

/**
 * The sort key a cursor holds, checked to be one this list hands out (a UUID, or a positive safe
 * integer) before it reaches SQL: a forged or damaged cursor is a 400 naming `cursor`, never a
 * database error, and never read differently by the two databases.
 */
export function decodeCursor(cursor: string | undefined, kind: 'id'): [string] | undefined;
export function decodeCursor(cursor: string | undefined, kind: 'version'): [number] | undefined;
export function decodeCursor(cursor: string | undefined, kind: 'value'): ValueCursorKey | undefined;
export function decodeCursor(cursor: string | undefined, kind: CursorKind): [string] | [number] | ValueCursorKey | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  if (kind === 'value') {
    const key = cursor.length <= MAX_CURSOR_LENGTH && BASE64URL.test(cursor) ? parts(cursor, 3) : undefined;
    if (key && (key[0] === 0 || key[0] === 1) && isSortValue(key[1]) && isId(key[2])) return [key[0], key[1], key[2].toLowerCase()];
    throw ValidationError.field('/cursor', 'is not a cursor this list handed out', { in: 'query' });
  }
  const part = cursor.length <= MAX_CURSOR_LENGTH && BASE64URL.test(cursor) ? parts(cursor, 1)?.[0] : undefined;
  if (kind === 'id' && typeof part === 'string' && isId(part)) return [part.toLowerCase()];
  if (kind === 'version' && typeof part === 'number' && Number.isSafeInteger(part) && part > 0) return [part];
  throw ValidationError.field('/cursor', 'is not a cursor this list handed out', { in: 'query' });
}

/** The rows a list skips: 0 to `LIMITS.offsetMax` (a larger offset is a 400 naming `offset`, never a database's overflow). */
export function checkedOffset(offset: number | undefined): number | undefined {
  if (offset === undefined) return undefined;
  if (!Number.isSafeInteger(offset) || offset < 0 || offset > LIMITS.offsetMax) {
    throw ValidationError.field('/offset', `must be an integer from 0 to ${LIMITS.offsetMax}`, { in: 'query' });
  }
  return offset;
}

/** A cursor is far shorter than this; longer text is not decoded at all. */
const MAX_CURSOR_LENGTH = 256;
const BASE64URL = /^[A-Za-z0-9_-]+={0,2}$/;

function parts(cursor: string, count: number): unknown[] | undefined {
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    return Array.isArray(key) && key.length === count ? key : undefined;
  } catch {
    return undefined;
  }
}

/** A value a sort compares: a finite number, or text short enough and free of NUL (a time). */
function isSortValue(value: unknown): value is string | number {
  return (typeof value === 'number' && Number.isFinite(value)) || (typeof value === 'string' && value.length <= 64 && !value.includes('\u0000'));
}

export function pageSize(limit: number | undefined, max: number = LIMITS.pageSizeMax): number {
  return Math.min(Math.max(limit ?? LIMITS.pageSizeDefault, 1), max);
}

/**
 * Builds a page from rows fetched with `limit + 1`: the extra row only tells that more follow.
 */
export function toPage<Row, T>(rows: Row[], limit: number, present: (row: Row) => T, keyOf: (row: Row) => CursorKey): Page<T> {
  const more = rows.length > limit;
  const kept = more ? rows.slice(0, limit) : rows;
  const last = kept[kept.length - 1];
  return {
    data: kept.map(present),
    next_cursor: more && last !== undefined ? encodeCursor(keyOf(last)) : null,
  };
}

/** Every item of a keyset-paginated list, page after page: for the few places a wire format embeds a whole list. */
export async function allPages<T>(fetch: (cursor: string | undefined) => Promise<Page<T>>): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await fetch(cursor);
    items.push(...page.data);
    cursor = page.next_cursor ?? undefined;
  } while (cursor);
  return items;
}

/**
 * Orders a select by a value, rows without one last whichever the direction, then by their id (the
 * same direction), and, given the cursor of the last row seen ([has no value, value, id]), starts
 * after it. `id` is the column of the rows' ids.
 */
export function orderByValue<DB, TB extends keyof DB, O>(
  select: SelectQueryBuilder<DB, TB, O>,
  value: RawBuilder<unknown>,
  id: string,
  options: { desc: boolean; after: ValueCursorKey | undefined },
): SelectQueryBuilder<DB, TB, O> {
  const direction = sql.raw(options.desc ? 'desc' : 'asc');
  const beyond = sql.raw(options.desc ? '<' : '>');
  const idRef = sql.ref(id);
  let query = select.orderBy(sql`case when ${value} is null then 1 else 0 end`).orderBy(sql`${value} ${direction}`).orderBy(sql`${idRef} ${direction}`);
  if (options.after) {
    const [missing, seen, lastId] = options.after;
    query = query.where(
      missing === 1
        ? sql<SqlBool>`(${value} is null and ${idRef} ${beyond} ${lastId})`
        : sql<SqlBool>`(${value} is null or ${value} ${beyond} ${seen} or (${value} = ${seen} and ${idRef} ${beyond} ${lastId}))`,
    );
  }
  return query;
}

/** The cursor of a row in a list ordered by orderByValue, from the value selected with it (PostgreSQL answers numerics and bigints as text). */
export function valueCursor(value: unknown, id: string, kind: 'number' | 'text' = 'number'): ValueCursorKey {
  if (value === null || value === undefined) return [1, 0, id];
  return [0, kind === 'text' ? String(value) : Number(value), id];
}
