import type { FieldIssue } from '../domain/errors.js';

/**
 * FastAPI's validation errors, shared by the surfaces of vendors whose servers are FastAPI apps
 * (LangSmith, Humanloop): `{"detail": [{"loc": ["body", "results", 3, "start_time"], "msg": "…",
 * "type": "…"}]}`. Each surface words `msg` and `type` as its vendor's pydantic version does.
 */

/** A place in the request as FastAPI names it: the part, then the keys and indexes into it. */
export type Loc = (string | number)[];

export interface FastApiValidationItem {
  loc: Loc;
  msg: string;
  type: string;
}

const PART_NAMES: Record<NonNullable<FieldIssue['in']>, string> = { body: 'body', query: 'query', params: 'path', headers: 'header', line: 'body' };

/** The `loc` of a fault: its part, then the segments of its JSON pointer (indexes as numbers). */
export function locOf(issue: FieldIssue, segmentsOf: (segments: string[]) => (string | number)[] = (segments) => segments): Loc {
  const segments = issue.pointer
    .split('/')
    .slice(1)
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
  const path = segmentsOf(segments).map((segment) => (typeof segment === 'string' && /^\d+$/.test(segment) ? Number(segment) : segment));
  return [PART_NAMES[issue.in ?? 'body'], ...path];
}

/**
 * A value that may take several shapes (`string | null`) fails each of them. One item per place says
 * it better ("must be string, or must be null"), and a fault inside the value (a missing key of an
 * item in a list) explains more than the value's other shapes failing, so it stands alone.
 */
export function mergeByLoc(items: FastApiValidationItem[], separator = ', or '): FastApiValidationItem[] {
  const relevant = items.filter((item) => item.msg !== 'must match a schema in anyOf');
  const isInside = (inner: Loc, outer: Loc) => inner.length > outer.length && outer.every((part, index) => inner[index] === part);
  const specific = relevant.filter((item) => !relevant.some((other) => isInside(other.loc, item.loc)));
  const merged = new Map<string, FastApiValidationItem>();
  for (const item of specific) {
    const key = JSON.stringify(item.loc);
    const seen = merged.get(key);
    if (!seen) merged.set(key, { ...item });
    else if (!seen.msg.split(separator).includes(item.msg)) seen.msg = `${seen.msg}${separator}${item.msg}`;
  }
  return merged.size ? [...merged.values()] : items.slice(0, 1);
}
