import type { FastifyReply } from 'fastify';
import type { FieldIssue } from '../../domain/errors.js';
import type { NormalizedError } from '../../http/errors.js';
import { locOf, mergeByLoc, type FastApiValidationItem } from '../../http/fastapi.js';
import type { Restatement } from '../../http/restate.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * LangSmith's Go routes (run ingestion, multipart examples) answer errors as
     * `{"error": "<message>", "details": "<JSON text>"}` rather than FastAPI's `{"detail": ...}`.
     */
    langsmithGoErrors?: boolean;
  }
}

/**
 * LangSmith's (FastAPI's) error format: `{"detail": "<message>"}`, and for invalid input 422
 * `{"detail": [{"loc": [...], "msg": "...", "type": "..."}]}` with one item per field at fault. The
 * faults of services arrive restated in the request's terms by each route's `config.restate`, built
 * from the tables below.
 */
export function sendFastApiError(reply: FastifyReply, error: NormalizedError): FastifyReply {
  const goErrors = reply.request.routeOptions.config?.langsmithGoErrors === true;
  // LangSmith's own wording, which its clients and documentation know (spec §1.2).
  const detail = error.status === 401 ? 'Invalid token' : error.detail;
  if (error.code !== 'validation_failed') {
    const body = goErrors ? { error: detail } : { detail };
    return reply.status(error.status).type('application/json').send(JSON.stringify(body));
  }
  const items = error.issues.length ? mergeByLoc(error.issues.map(toItem)) : [{ loc: ['body'], msg: error.detail, type: 'value_error' }];
  // A body that is not JSON at all: FastAPI's type for it.
  if (error.title === 'Malformed JSON') for (const item of items) item.type = 'json_invalid';
  const body = goErrors ? { error: error.detail, details: JSON.stringify(items) } : { detail: items };
  return reply.status(422).type('application/json').send(JSON.stringify(body));
}

function toItem(issue: FieldIssue): FastApiValidationItem {
  const [msg, type] = describe(issue.detail);
  // A fault of an uploaded file (POST /datasets/upload) is at a line of the file part, and in a column of it.
  if (issue.in === 'line') return { loc: ['body', 'file', issue.line ?? 0, ...(issue.column ? [issue.column] : [])], msg: `line ${issue.line}: ${msg}`, type };
  return { loc: locOf(issue), msg, type };
}

/*
 * Where the fields of the services' inputs sit in LangSmith's bodies, for the routes' restatements
 * (`config.restate.fields`). A name may span segments: `destination/stream` is one value, a run's
 * session name.
 */

type FieldNames = NonNullable<Restatement['fields']>;

/** A record's fields as an example's. */
export const EXAMPLE_FIELDS: FieldNames = [
  ['input', 'inputs'],
  ['expected_output', 'outputs'],
  ['splits', 'split'],
  ['source', 'source_run_id'],
];

/** A run's fields as a LangSmith run's: its session by id or name, and the measures derived from its outputs and events. */
export const RUN_FIELDS: FieldNames = [
  ['destination/stream', 'session_name'],
  ['destination/experiment_id', 'session_id'],
  ['destination', 'session_id'],
  ['input', 'inputs'],
  ['output', 'outputs'],
  ['record_id', 'reference_example_id'],
  ['metadata', 'extra/metadata'],
  ['first_token_ms', 'events'],
  ['prompt_tokens', 'outputs/usage_metadata/input_tokens'],
  ['completion_tokens', 'outputs/usage_metadata/output_tokens'],
  ['total_tokens', 'outputs/usage_metadata/total_tokens'],
  ['prompt_cost', 'outputs/usage_metadata/input_cost'],
  ['completion_cost', 'outputs/usage_metadata/output_cost'],
  ['total_cost', 'outputs/usage_metadata/total_cost'],
];

/** A score's fields as feedback's. */
export const FEEDBACK_FIELDS: FieldNames = [
  ['experiment_id', 'session_id'],
  ['source', 'feedback_source'],
];

/**
 * An experiment upload (ExperimentUpload) as the body of `POST /datasets/upload-experiment`: the
 * experiment's fields are prefixed `experiment_`, a row (`results/<i>`) holds a run and the record it
 * was made on side by side, and feedback names its source `feedback_source`.
 */
export const UPLOAD_RESTATED: Restatement = {
  lists: [
    ['/runs', '/results'],
    ['/scores', '/summary_experiment_scores'],
    ['/name', '/experiment_name'],
    ['/description', '/experiment_description'],
    ['/metadata', '/experiment_metadata'],
    ['/start_time', '/experiment_start_time'],
    ['/end_time', '/experiment_end_time'],
  ],
  fields: [
    ['record/id', 'row_id'],
    ['record/input', 'inputs'],
    ['record/expected_output', 'expected_outputs'],
    ['input', 'inputs'],
    ['output', 'actual_outputs'],
    ['name', 'run_name'],
    ['metadata', 'run_metadata'],
    ['scores', 'evaluation_scores'],
    ['source', 'feedback_source'],
  ],
};

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
