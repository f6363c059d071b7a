import type { FastifyReply } from 'fastify';
import { DomainError, type FieldIssue } from '../../domain/errors.js';
import { RestatedError, type NormalizedError } from '../../http/errors.js';
import { locOf, mergeByLoc, type FastApiValidationItem } from '../../http/fastapi.js';

/**
 * Humanloop's errors, as its FastAPI server writes them: `{"detail": "<sentence>"}` with the status,
 * and for invalid input 422 `{"detail": [{"loc": ["body", "inputs", "question"], "msg": "str type
 * expected", "type": "type_error.str"}]}`, one item per field at fault, worded as pydantic v1 words
 * them (the spec's recorded 422). Both of Humanloop's SDKs hand these bodies to the caller as they are.
 */
export function sendHumanloopError(reply: FastifyReply, error: NormalizedError): FastifyReply {
  if (error.code !== 'validation_failed' && error.status !== 422) {
    return reply.status(error.status).type('application/json').send(JSON.stringify({ detail: error.detail }));
  }
  const items = error.issues.length ? mergeByLoc(error.issues.map(toItem), '; or ') : [{ loc: ['body'], msg: error.detail, type: 'value_error' }];
  if (error.title === 'Malformed JSON') for (const item of items) item.type = 'value_error.jsondecode';
  return reply.status(422).type('application/json').send(JSON.stringify({ detail: items }));
}

function toItem(issue: FieldIssue): FastApiValidationItem {
  const [msg, type] = describe(issue.detail);
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

/** How a service's input and words differ from the Humanloop request it was made from. */
export interface RequestTerms {
  /** Where a service's pointer sits in the request body (the service's own pointer when it returns undefined). */
  pointer?: (pointer: string) => string | undefined;
  /** UUIDs the request named by Humanloop ids, and those ids. */
  ids?: Record<string, string>;
  /** Words of the service's messages and Humanloop's for them (`['Run', 'Log']`). */
  words?: [service: string, request: string][];
}

/**
 * Runs a service call and restates its faults for a Humanloop client: pointers, ids and nouns become
 * the request's. A fault the service found in the body (a bad value, or an id in it naming nothing)
 * is 422 with the field's `loc`, as Humanloop's FastAPI server answers; an unknown dataset in the
 * path stays 404.
 */
export async function inHumanloopTerms<T>(work: () => Promise<T>, terms: RequestTerms = {}): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    const say = (text: string) => {
      let out = text;
      for (const [uuid, id] of Object.entries(terms.ids ?? {})) out = out.split(uuid).join(id);
      for (const [service, request] of terms.words ?? []) out = out.replace(new RegExp(`\\b${service}\\b`, 'g'), request);
      return out;
    };
    const issues = error.issues.map((issue) => ({
      ...issue,
      pointer: (issue.in === undefined || issue.in === 'body' ? terms.pointer?.(issue.pointer) : undefined) ?? issue.pointer,
      detail: say(issue.detail),
      in: issue.in ?? 'body',
    }));
    const inBody = issues.length > 0 && error.issues.every((issue) => issue.in === undefined || issue.in === 'body') && error.issues.some((issue) => issue.pointer !== '');
    const unprocessable = error.code === 'validation_failed' || (error.code === 'not_found' && inBody);
    throw new RestatedError(error.code, unprocessable ? 422 : error.status, say(error.message), unprocessable ? issues : error.issues);
  }
}
