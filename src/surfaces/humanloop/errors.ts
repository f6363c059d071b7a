import type { FastifyReply } from 'fastify';
import type { FieldIssue } from '../../domain/errors.js';
import type { NormalizedError } from '../../http/errors.js';
import { locOf, mergeByLoc, type FastApiValidationItem } from '../../http/fastapi.js';
import type { SurfaceTerms } from '../../http/restate.js';
import { uuidNamedBy } from './ids.js';

/**
 * Humanloop's errors, as its FastAPI server writes them: `{"detail": "<sentence>"}` with the status,
 * and for invalid input 422 `{"detail": [{"loc": ["body", "inputs", "question"], "msg": "str type
 * expected", "type": "type_error.str"}]}`, one item per field at fault, worded as pydantic v1 words
 * them (the spec's recorded 422). Both of Humanloop's SDKs hand these bodies to the caller as they are.
 */

/** Every Humanloop route names the entities of its faults by the ids its client sent (`evts_…` or `ds_…`, `data_…`). */
export const HUMANLOOP_TERMS: SurfaceTerms = { idOf: uuidNamedBy };

export function presentError(reply: FastifyReply, error: NormalizedError): FastifyReply {
  if (!isUnprocessable(error))
    return reply
      .status(error.status)
      .type('application/json')
      .send(JSON.stringify({ detail: error.detail }));
  const items = error.issues.length ? mergeByLoc(error.issues.map(toItem), '; or ') : [{ loc: ['body'], msg: error.detail, type: 'value_error' }];
  if (error.title === 'Malformed JSON') for (const item of items) item.type = 'value_error.jsondecode';
  return reply
    .status(422)
    .type('application/json')
    .send(JSON.stringify({ detail: items }));
}

/**
 * A fault of the input is 422 with the field's `loc`, as Humanloop's FastAPI server answers: a value
 * it refuses, or an id in the body that names nothing this key can see (an unknown log id). An
 * unknown id in the path stays 404, as does one a fault names without a field (`loc` would say nothing).
 */
function isUnprocessable(error: NormalizedError): boolean {
  if (error.code === 'validation_failed' || error.status === 422) return true;
  return (
    error.code === 'not_found' &&
    error.issues.some((issue) => issue.pointer !== '') &&
    error.issues.every((issue) => issue.in === undefined || issue.in === 'body')
  );
}

function toItem(issue: FieldIssue): FastApiValidationItem {
  const [msg, type] = describe(issue.detail);
  // A fault of an uploaded file's line: the file part, the line, the column.
  if (issue.in === 'line') return { loc: ['body', 'file', issue.line ?? 0, ...(issue.column ? [issue.column] : [])], msg: `line ${issue.line}: ${msg}`, type };
  return { loc: locOf(issue), msg, type };
}

/** Pydantic v1's wording and error types for the faults the validator reports most. */
const KNOWN_FAULTS: [RegExp, string, string | null][] = [
  [/^is required$/, 'value_error.missing', 'field required'],
  [/^is not a known field$/, 'value_error.extra', 'extra fields not permitted'],
  [/^must be string$/, 'type_error.str', 'str type expected'],
  [/^must be object$/, 'type_error.dict', 'value is not a valid dict'],
  [/^must be array$/, 'type_error.list', 'value is not a valid list'],
  [/^must be integer$/, 'type_error.integer', 'value is not a valid integer'],
  [/^must be number$/, 'type_error.float', 'value is not a valid float'],
  [/^must be boolean$/, 'type_error.bool', 'value could not be parsed to a boolean'],
  [/^must be null$/, 'type_error.none.allowed', 'none is not an allowed value'],
  [/^must be one of /, 'type_error.enum', null],
  [/^must NOT have fewer than (\d+) items$/, 'value_error.list.min_items', null],
  [/^must NOT have more than (\d+) items$/, 'value_error.list.max_items', null],
  [/^must NOT have fewer than (\d+) characters$/, 'value_error.any_str.min_length', null],
  [/^must NOT have more than (\d+) characters$/, 'value_error.any_str.max_length', null],
];

function describe(detail: string): [string, string] {
  for (const [pattern, type, message] of KNOWN_FAULTS) {
    const match = pattern.exec(detail);
    if (!match) continue;
    if (type === 'value_error.list.min_items') return [`ensure this value has at least ${match[1]} items`, type];
    if (type === 'value_error.list.max_items') return [`ensure this value has at most ${match[1]} items`, type];
    return [message ?? detail, type];
  }
  return [detail, 'value_error'];
}
