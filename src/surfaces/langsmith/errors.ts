import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FieldIssue } from '../../domain/errors.js';
import type { NormalizedError } from '../../http/errors.js';
import { locOf, mergeByLoc, type FastApiValidationItem, type Loc } from '../../http/fastapi.js';

/**
 * Where a field of a service's input sits in a LangSmith request body. Services point at their own
 * input (`/runs/3/record/input`); a route whose body is shaped otherwise says how to translate (with
 * the request, for bodies whose shape only the request tells, like multipart parts).
 */
export type BodyLocator = (segments: string[], request: FastifyRequest) => Loc;

/** `segments` with the first one renamed by `names` (kept when `names` has no new name for it). */
export function renameFirst(names: Record<string, string>, [first, ...rest]: string[]): string[] {
  return first === undefined ? [] : [names[first] ?? first, ...rest];
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** LangSmith routes: translates the pointers of service faults into the route's body (see errors.ts). */
    langsmithBody?: BodyLocator;
    /**
     * LangSmith's Go routes (run ingestion, multipart examples) answer errors as
     * `{"error": "<message>", "details": "<JSON text>"}` rather than FastAPI's `{"detail": ...}`.
     */
    langsmithGoErrors?: boolean;
  }
}

/**
 * LangSmith's (FastAPI's) error format: `{"detail": "<message>"}`, and for invalid input 422
 * `{"detail": [{"loc": [...], "msg": "...", "type": "..."}]}` with one item per field at fault.
 */
export function sendFastApiError(reply: FastifyReply, error: NormalizedError): FastifyReply {
  const config = reply.request.routeOptions.config;
  // LangSmith's own wording, which its clients and documentation know (spec §1.2).
  const detail = error.status === 401 ? 'Invalid token' : error.detail;
  if (error.code !== 'validation_failed') {
    const body = config?.langsmithGoErrors ? { error: detail } : { detail };
    return reply.status(error.status).type('application/json').send(JSON.stringify(body));
  }
  const locate = config?.langsmithBody ?? ((segments: string[]) => segments);
  const items = error.issues.length
    ? mergeByLoc(error.issues.map((issue) => toItem(issue, (segments) => locate(segments, reply.request))))
    : [{ loc: ['body'], msg: error.detail, type: 'value_error' }];
  // A body that is not JSON at all: FastAPI's type for it.
  if (error.title === 'Malformed JSON') for (const item of items) item.type = 'json_invalid';
  const body = config?.langsmithGoErrors ? { error: error.detail, details: JSON.stringify(items) } : { detail: items };
  return reply.status(422).type('application/json').send(JSON.stringify(body));
}

function toItem(issue: FieldIssue, locate: (segments: string[]) => Loc): FastApiValidationItem {
  // Faults found by request validation point into the request as sent (they name their part);
  // faults raised by services point into the service's input, which the route translates.
  const loc = locOf(issue, issue.in === undefined ? locate : undefined);
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
