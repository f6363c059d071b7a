import { ValidationError } from '../domain/errors.js';
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
