import { sql, type RawBuilder, type SelectQueryBuilder, type SqlBool } from 'kysely';
import { ValidationError } from '../domain/errors.js';
import { parseId } from '../domain/ids.js';
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

export function decodeCursor(cursor: string | undefined, arity: number): CursorKey | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(key) && key.length === arity && key.every((part) => typeof part === 'string' || typeof part === 'number')) {
      return key;
    }
  } catch {
    // fall through to the error below
  }
  throw ValidationError.field('/cursor', 'is not a cursor this list handed out', { in: 'query' });
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
  options: { desc: boolean; after: CursorKey | undefined },
): SelectQueryBuilder<DB, TB, O> {
  const direction = sql.raw(options.desc ? 'desc' : 'asc');
  const beyond = sql.raw(options.desc ? '<' : '>');
  const idRef = sql.ref(id);
  let query = select.orderBy(sql`case when ${value} is null then 1 else 0 end`).orderBy(sql`${value} ${direction}`).orderBy(sql`${idRef} ${direction}`);
  if (options.after) {
    const [missing, seen, lastId] = options.after;
    if ((missing !== 0 && missing !== 1) || typeof lastId !== 'string' || !parseId(lastId)) {
      throw ValidationError.field('/cursor', 'is not a cursor this list handed out', { in: 'query' });
    }
    query = query.where(
      missing === 1
        ? sql<SqlBool>`(${value} is null and ${idRef} ${beyond} ${lastId})`
        : sql<SqlBool>`(${value} is null or ${value} ${beyond} ${seen} or (${value} = ${seen} and ${idRef} ${beyond} ${lastId}))`,
    );
  }
  return query;
}

/** The cursor of a row in a list ordered by orderByValue, from the value selected with it (PostgreSQL answers numerics and bigints as text). */
export function valueCursor(value: unknown, id: string, kind: 'number' | 'text' = 'number'): CursorKey {
  if (value === null || value === undefined) return [1, 0, id];
  return [0, kind === 'text' ? String(value) : Number(value), id];
}
