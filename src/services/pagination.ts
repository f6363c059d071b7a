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

/** What a list's sort key is: an entity id (a UUID), or a version number (a positive integer). */
export type CursorKind = 'id' | 'version';

/**
 * The sort key a cursor holds, checked to be one this list hands out (a UUID, or a positive safe
 * integer) before it reaches SQL: a forged or damaged cursor is a 400 naming `cursor`, never a
 * database error, and never read differently by the two databases.
 */
export function decodeCursor(cursor: string | undefined, kind: 'id'): [string] | undefined;
export function decodeCursor(cursor: string | undefined, kind: 'version'): [number] | undefined;
export function decodeCursor(cursor: string | undefined, kind: CursorKind): [string] | [number] | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  const part = cursor.length <= MAX_CURSOR_LENGTH && BASE64URL.test(cursor) ? onlyPart(cursor) : undefined;
  if (kind === 'id' && typeof part === 'string' && isId(part)) return [part.toLowerCase()];
  if (kind === 'version' && typeof part === 'number' && Number.isSafeInteger(part) && part > 0) return [part];
  throw ValidationError.field('/cursor', 'is not a cursor this list handed out', { in: 'query' });
}

/** A cursor is far shorter than this; longer text is not decoded at all. */
const MAX_CURSOR_LENGTH = 256;
const BASE64URL = /^[A-Za-z0-9_-]+={0,2}$/;

function onlyPart(cursor: string): unknown {
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    return Array.isArray(key) && key.length === 1 ? key[0] : undefined;
  } catch {
    return undefined;
  }
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
