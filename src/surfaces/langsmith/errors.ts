import type { FastifyReply } from 'fastify';
import type { FieldIssue } from '../../domain/errors.js';
import type { NormalizedError } from '../../http/errors.js';

/** A place in the request as FastAPI names it: `["body", "results", 3, "start_time"]`. */
export type Loc = (string | number)[];

/**
 * Where a field of a service's input sits in a LangSmith request body. Services point at their own
 * input (`/runs/3/record/input`); a route whose body is shaped otherwise says how to translate.
 */
export type BodyLocator = (segments: string[]) => Loc;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** LangSmith routes: translates the pointers of service faults into the route's body (see errors.ts). */
    langsmithBody?: BodyLocator;
  }
}

export interface FastApiValidationItem {
  loc: Loc;
  msg: string;
  type: string;
}

/**
 * LangSmith's (FastAPI's) error format: `{"detail": "<message>"}`, and for invalid input 422
 * `{"detail": [{"loc": [...], "msg": "...", "type": "..."}]}` with one item per field at fault.
 */
export function sendFastApiError(reply: FastifyReply, error: NormalizedError): FastifyReply {
  if (error.code !== 'validation_failed') {
    return reply.status(error.status).type('application/json').send(JSON.stringify({ detail: error.detail }));
  }
  const locate = reply.request.routeOptions.config?.langsmithBody ?? ((segments: string[]) => segments);
  const items = error.issues.length
    ? mergeByLoc(error.issues.map((issue) => toItem(issue, locate)))
    : [{ loc: ['body'], msg: error.detail, type: 'value_error' }];
  // A body that is not JSON at all: FastAPI's type for it.
  if (error.title === 'Malformed JSON') for (const item of items) item.type = 'json_invalid';
  return reply.status(422).type('application/json').send(JSON.stringify({ detail: items }));
}

const PART_NAMES: Record<NonNullable<FieldIssue['in']>, string> = {
  body: 'body',
  query: 'query',
  params: 'path',
  headers: 'header',
  line: 'body',
};

function toItem(issue: FieldIssue, locate: BodyLocator): FastApiValidationItem {
  const segments = issue.pointer.split('/').slice(1).map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
  // Faults found by request validation point into the request as sent (they name their part);
  // faults raised by services point into the service's input, which the route translates.
  const path = issue.in === undefined ? locate(segments) : segments;
  const loc: Loc = [PART_NAMES[issue.in ?? 'body'], ...path.map((segment) => (typeof segment === 'string' && /^\d+$/.test(segment) ? Number(segment) : segment))];
  const [msg, type] = describe(issue.detail);
  return { loc, msg, type };
}

/** Pydantic's error types (and wording, where it is as clear) for the faults the validator reports most. */
const KNOWN_FAULTS: [RegExp, string, string | null][] = [
  [/^is required$/, 'missing', 'Field required'],
  [/^is not a known field$/, 'extra_forbidden', 'Extra inputs are not permitted'],
  [/format "uuid"/, 'uuid_parsing', 'Input should be a valid UUID'],
  [/format "(iso-)?date-time"/, 'datetime_parsing', 'Input should be a valid datetime'],
  [/^must be string$/, 'string_type', 'Input should be a valid string'],
  [/^must be object$/, 'dict_type', 'Input should be a valid dictionary'],
  [/^must be array$/, 'list_type', 'Input should be a valid list'],
  [/^must be (number|integer)$/, 'float_type', 'Input should be a valid number'],
  [/^must be boolean$/, 'bool_type', 'Input should be a valid boolean'],
  [/^must be null$/, 'none_required', 'Input should be None'],
  [/^must NOT have more than/, 'string_too_long', null],
];

function describe(detail: string): [string, string] {
  for (const [pattern, type, message] of KNOWN_FAULTS) if (pattern.test(detail)) return [message ?? detail, type];
  return [detail, 'value_error'];
}

/**
 * A value that may take several shapes (`string | null`) fails each of them. One item per place says
 * it better ("must be string, or must be null"), and a fault inside the value (a missing key of a
 * score in a list of scores) explains more than the value's other shapes failing, so it stands alone.
 */
function mergeByLoc(items: FastApiValidationItem[]): FastApiValidationItem[] {
  const relevant = items.filter((item) => item.msg !== 'must match a schema in anyOf');
  const isInside = (inner: Loc, outer: Loc) => inner.length > outer.length && outer.every((part, index) => inner[index] === part);
  const specific = relevant.filter((item) => !relevant.some((other) => isInside(other.loc, item.loc)));
  const merged = new Map<string, FastApiValidationItem>();
  for (const item of specific) {
    const key = JSON.stringify(item.loc);
    const seen = merged.get(key);
    if (!seen) merged.set(key, { ...item });
    else if (!seen.msg.split(', or ').includes(item.msg)) seen.msg = `${seen.msg}, or ${item.msg}`;
  }
  return merged.size ? [...merged.values()] : items.slice(0, 1);
}
