import type { FastifyRequest } from 'fastify';
import { ValidationError, type FieldIssue } from '../../domain/errors.js';
import type { Json } from '../../domain/json.js';
import type { BufferedPart } from '../../http/multipart.js';

/**
 * LangSmith's multipart bodies (the SDK's example uploads and run ingestion): a part holds an item,
 * or one field of it, and is named for it (`<example id>.inputs`, `post.<run id>`). Faults point at
 * the part, and within it, as JSON pointers whose first segment is the part's name.
 */

/** The JSON pointer to a multipart part (part names hold dots, and may hold slashes). */
export function partPointer(name: string): string {
  return `/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

/** A multipart part's JSON; 422 naming the part when it is not JSON. */
export function jsonOfPart(part: BufferedPart): Json {
  try {
    return JSON.parse(part.data.toString('utf8')) as Json;
  } catch {
    throw ValidationError.field(partPointer(part.name), 'must be JSON', { in: 'body' });
  }
}

/** Checks a part's JSON against a schema's checker; 422 with the faults located inside the part. */
export function checkPart(check: (value: unknown) => FieldIssue[], value: Json, part: string): void {
  const issues = check(value);
  if (!issues.length) return;
  throw new ValidationError(
    `${part}: ${issues[0]!.pointer} ${issues[0]!.detail}`,
    issues.map((issue) => ({ ...issue, pointer: `${partPointer(part)}${issue.pointer}`, in: 'body' as const })),
  );
}

/** The part each item of a request's lists came from (`create: ['post.<id>', …]`), by request. */
const partsOfRequest = new WeakMap<FastifyRequest, Readonly<Record<string, readonly string[]>>>();

/** Remembers which part each item the request's parts made came from, to locate faults found in the items later. */
export function rememberParts(request: FastifyRequest, lists: Readonly<Record<string, readonly string[]>>): void {
  partsOfRequest.set(request, lists);
}

/** The part the `index`-th item of `list` came from, if the request's parts made it. */
export function partOf(request: FastifyRequest, list: string, index: number): string | undefined {
  return partsOfRequest.get(request)?.[list]?.[index];
}

/**
 * A route's `locate` (src/http/restate.ts) for multipart bodies: `/<list>/<index>/…`, a fault of an
 * item the parts made, as the same place within the part it came from.
 */
export function locateInParts(pointer: string, request: FastifyRequest): string {
  const item = /^\/([^/]+)\/(\d+)(?=\/|$)/.exec(pointer);
  const part = item ? partOf(request, item[1]!, Number(item[2])) : undefined;
  return part === undefined ? pointer : `${partPointer(part)}${pointer.slice(item![0].length)}`;
}
