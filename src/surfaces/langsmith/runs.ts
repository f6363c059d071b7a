import { ValidationError } from '../../domain/errors.js';
import { isJsonObject, type Json, type JsonObject } from '../../domain/json.js';
import type { RunStatus } from '../../domain/types.js';
import { compileChecker } from '../../domain/validation.js';
import type { BufferedPart } from '../../http/multipart.js';
import type { IngestedRun, RunBatch, RunDestination } from '../../services/run-ingest.js';
import type { RunPatch, RunUpdate } from '../../services/runs.js';
import type { PlacedScore } from '../../services/scores.js';
import { toPlacedScore } from './feedback.js';
import { checkPart, jsonOfPart, partPointer } from './parts.js';
import { FeedbackPart, RunBody, type FeedbackCreate } from './schemas.js';
import { fromLangSmithTime } from './times.js';

/**
 * LangSmith's runs as evalstore's, both ways (the table is in docs/surfaces/langsmith.md). A run's
 * LangSmith fields without a column of their own are kept in the run's `extra` under their LangSmith
 * names, and `presentRun` reads them back from there.
 */

/** The project runs go to when they name none (LangSmith's rule, spec §6.5). */
const DEFAULT_SESSION = 'default';

/** Where `extra` keeps the example a run names when its session is not an experiment on a dataset. */
export const REFERENCE_KEPT_AS = 'reference_example_id';

/** Run fields with a column (or a place) of their own: every other field sent is kept in `extra`. */
const MAPPED_FIELDS = new Set([
  'id',
  'name',
  'run_type',
  'start_time',
  'end_time',
  'inputs',
  'outputs',
  'error',
  'status',
  'extra',
  'parent_run_id',
  'trace_id',
  'session_id',
  'session_name',
  'reference_example_id',
  // The SDK always sends it empty: child runs travel as runs of their own.
  'child_runs',
]);

const STATUSES: readonly RunStatus[] = ['success', 'error', 'pending'];

/** An attachment of a run (a multipart `attachment.<run_id>.<name>` part), kept in the run's `extra.attachments`. */
export interface RunAttachment {
  mime_type: string;
  /** The bytes, base64. */
  data: string;
}

/** A new run (`post`) as the ingest service takes it. */
export function toIngestedRun(body: RunBody, attachments?: Record<string, RunAttachment>): IngestedRun {
  const destination: RunDestination = body.session_id ? { experiment_id: body.session_id } : { stream: body.session_name ?? DEFAULT_SESSION };
  const fields = runFields(body, attachments);
  return {
    ...(body.id ? { id: body.id } : {}),
    destination,
    record_id: body.reference_example_id ?? null,
    // A root run is its own trace; a child run's trace is its root's, which a client leaving it out leaves unknown.
    trace_id: body.trace_id ?? (body.parent_run_id ? null : (body.id ?? null)),
    parent_run_id: body.parent_run_id ?? null,
    name: body.name ?? null,
    run_type: body.run_type ?? null,
    // LangSmith's rule (spec §6.5): failed with an error, done with an end, running until then.
    status: statusOf(body.status) ?? (body.error ? 'error' : body.end_time !== undefined && body.end_time !== null ? 'success' : 'pending'),
    input: body.inputs ?? null,
    output: body.outputs ?? null,
    error: body.error ?? null,
    start_time: body.start_time === undefined || body.start_time === null ? null : fromLangSmithTime(body.start_time),
    end_time: body.end_time === undefined || body.end_time === null ? null : fromLangSmithTime(body.end_time),
    metadata: fields.metadata ?? {},
    extra: fields.extra,
    ...fields.measures,
  };
}

/** A change to a run (`patch`): only what it gives changes (null is as good as absent). */
export function toRunUpdate(body: RunBody, runId: string, attachments?: Record<string, RunAttachment>): RunUpdate {
  const fields = runFields(body, attachments);
  const patch: RunPatch = { ...fields.measures };
  if (body.name) patch.name = body.name;
  if (body.run_type) patch.run_type = body.run_type;
  const status = statusOf(body.status);
  if (status) patch.status = status;
  if (body.inputs) patch.input = body.inputs;
  if (body.outputs) patch.output = body.outputs;
  if (body.error) patch.error = body.error;
  if (body.start_time !== undefined && body.start_time !== null) patch.start_time = fromLangSmithTime(body.start_time);
  if (body.end_time !== undefined && body.end_time !== null) patch.end_time = fromLangSmithTime(body.end_time);
  if (fields.metadata !== undefined) patch.metadata = fields.metadata;
  if (Object.keys(fields.extra).length) patch.extra = fields.extra;
  return { ...patch, id: runId };
}

function statusOf(status: string | null | undefined): RunStatus | undefined {
  return STATUSES.includes(status as RunStatus) ? (status as RunStatus) : undefined;
}

/** What a run body says beyond its columns: metadata, the fields kept in `extra`, and measures derived from them. */
function runFields(body: RunBody, attachments?: Record<string, RunAttachment>) {
  const extra: JsonObject = {};
  for (const [field, value] of Object.entries(body as Record<string, Json | undefined>)) {
    if (!MAPPED_FIELDS.has(field) && value !== undefined && value !== null) extra[field] = value;
  }
  const { metadata, ...runtime } = body.extra ?? {};
  if (Object.keys(runtime).length) extra.extra = runtime;
  if (attachments && Object.keys(attachments).length) extra.attachments = attachments as unknown as JsonObject;
  const given = body.extra ? (isJsonObject(metadata) ? metadata : {}) : undefined;
  return { extra, metadata: given, measures: measuresOf(body, given) };
}

/**
 * Tokens, costs and time to first token, which LangSmith derives from what a run carries: an llm
 * run's `usage_metadata` (in its outputs, or copied by the SDK into its metadata), and the first
 * `new_token` event of a streamed run.
 */
function measuresOf(body: RunBody, metadata: JsonObject | undefined): RunPatch {
  const measures: RunPatch = {};
  const usage = body.run_type === 'llm' ? (body.outputs?.usage_metadata ?? metadata?.usage_metadata) : undefined;
  if (isJsonObject(usage)) {
    const count = (value: Json | undefined) => (typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined);
    const cost = (value: Json | undefined) => (typeof value === 'number' || typeof value === 'string' ? value : undefined);
    const fields: [keyof RunPatch, Json | undefined][] = [
      ['prompt_tokens', count(usage.input_tokens)],
      ['completion_tokens', count(usage.output_tokens)],
      ['total_tokens', count(usage.total_tokens)],
      ['prompt_cost', cost(usage.input_cost)],
      ['completion_cost', cost(usage.output_cost)],
      ['total_cost', cost(usage.total_cost)],
    ];
    for (const [field, value] of fields) if (value !== undefined) Object.assign(measures, { [field]: value });
  }
  const firstToken = body.events?.find((event) => event.name === 'new_token');
  const start = body.start_time === undefined || body.start_time === null ? undefined : msOf(body.start_time);
  const tokenAt = firstToken && (typeof firstToken.time === 'string' || typeof firstToken.time === 'number') ? msOf(firstToken.time) : undefined;
  if (start !== undefined && tokenAt !== undefined && tokenAt >= start) measures.first_token_ms = tokenAt - start;
  return measures;
}

function msOf(time: string | number): number | undefined {
  const value = fromLangSmithTime(time);
  const ms = typeof value === 'number' ? value : Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value}Z`);
  return Number.isNaN(ms) ? undefined : ms;
}

const checkRun = compileChecker(RunBody);
const checkFeedback = compileChecker(FeedbackPart);

/** The part each new run, change and feedback of a multipart ingest request came from, in the order of the batch's lists. */
export type RunBatchParts = Record<'create' | 'update' | 'scores', string[]>;

/**
 * The runs, changes and feedback of a multipart ingest request (spec §6.2): parts `post.<run id>` and
 * `patch.<run id>` hold a run's fields, with big fields in parts of their own (`post.<id>.inputs`, …);
 * `attachment.<run id>.<name>` parts are files of the run; `feedback.<id>` parts are feedback.
 */
export function batchOfParts(parts: readonly BufferedPart[]): { batch: RunBatch; parts: RunBatchParts } {
  const runs = new Map<string, { event: 'post' | 'patch'; id: string; body: JsonObject }>();
  const attachments = new Map<string, Record<string, RunAttachment>>();
  const feedback: { part: string; body: JsonObject }[] = [];
  for (const part of parts) {
    const at = partPointer(part.name);
    const run = /^(post|patch)\.([0-9a-fA-F-]{36})(?:\.([A-Za-z_]+))?$/.exec(part.name);
    const attachment = /^attachment\.([0-9a-fA-F-]{36})\.([^.]+)$/.exec(part.name);
    if (run) {
      const [, event, id, field] = run as unknown as [string, 'post' | 'patch', string, string | undefined];
      const key = `${event}.${id.toLowerCase()}`;
      const entry = runs.get(key) ?? { event, id: id.toLowerCase(), body: {} };
      runs.set(key, entry);
      const value = jsonOfPart(part);
      if (field === undefined) {
        if (!isJsonObject(value)) throw ValidationError.field(at, 'must be a JSON object', { in: 'body' });
        Object.assign(entry.body, value);
      } else {
        entry.body[field] = value;
      }
    } else if (attachment) {
      const runId = attachment[1]!.toLowerCase();
      const files = attachments.get(runId) ?? {};
      files[attachment[2]!] = { mime_type: part.contentType.split(';')[0]!.trim(), data: part.data.toString('base64') };
      attachments.set(runId, files);
    } else if (/^feedback\.[0-9a-fA-F-]{36}$/.test(part.name)) {
      const value = jsonOfPart(part);
      if (!isJsonObject(value)) throw ValidationError.field(at, 'must be a JSON object', { in: 'body' });
      feedback.push({ part: part.name, body: value });
    } else {
      throw ValidationError.field(
        at,
        'is not a part LangSmith ingestion knows: post.<run id>[.<field>], patch.<run id>[.<field>], attachment.<run id>.<name> or feedback.<id>',
        { in: 'body' },
      );
    }
  }

  const sources: RunBatchParts = { create: [], update: [], scores: [] };
  const create: IngestedRun[] = [];
  const update: RunUpdate[] = [];
  for (const [key, { event, id, body }] of runs) {
    checkPart(checkRun, { ...body, id }, key);
    const files = attachments.get(id);
    attachments.delete(id);
    if (event === 'post') {
      create.push(toIngestedRun({ ...body, id } as RunBody, files));
      sources.create.push(key);
    } else {
      update.push(toRunUpdate(body as RunBody, id, files));
      sources.update.push(key);
    }
  }
  // Files of a run sent without it are a change to the run (kept until it arrives, if need be).
  for (const [id, files] of attachments) {
    update.push(toRunUpdate({}, id, files));
    sources.update.push(`attachment.${id}`);
  }
  const scores: PlacedScore[] = feedback.map(({ part, body }) => {
    checkPart(checkFeedback, body, part);
    sources.scores.push(part);
    return toPlacedScore(body as FeedbackCreate);
  });
  return { batch: { create, update, scores }, parts: sources };
}
