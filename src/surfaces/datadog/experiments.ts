import { v5 as uuidv5 } from 'uuid';
import { NotFoundError, ValidationError } from '../../domain/errors.js';
import { isJsonObject, type Json, type JsonObject } from '../../domain/json.js';
import type { Actor, Experiment } from '../../domain/types.js';
import type { Services } from '../../services/index.js';
import type { IngestedRun } from '../../services/run-ingest.js';
import type { PlacedScore } from '../../services/scores.js';
import type { IntakeSpan, Metric, Span } from './schemas.js';

/**
 * Datadog experiments as evalstore experiments. A Datadog experiment is an ordinary experiment pinned
 * to the dataset version it names; what Datadog has and evalstore does not (the logical name, config,
 * run count, status, error, parent, soft deletion) is kept in its metadata under `DATADOG_KEY`, the
 * user's metadata beside it. A span is a run (its id derived from the span id, so a span sent twice
 * is recorded once and metrics find their span whatever the order); a metric is a score.
 */

/** The metadata key that holds the Datadog-only attributes of an experiment. */
export const DATADOG_KEY = 'datadog';

/** Namespace of the ids derived from Datadog's span ids and metrics. */
const NAMESPACE = '3f0c3c8e-9a57-4f3e-8d1e-2b1c7f6a9d40';

/** Datadog refuses metric timestamps more than 24 hours away (`timestamp_within_24hr`). */
const METRIC_WINDOW_MS = 24 * 60 * 60 * 1000;

export interface DatadogAttributes {
  experiment: string;
  config: JsonObject;
  run_count: number;
  status: string;
  error: Json;
  parent_experiment_id: string | null;
  deleted_at: string | null;
}

/** The Datadog attributes of an experiment (defaults for one made through another surface). */
export function datadogAttributes(experiment: Experiment): DatadogAttributes {
  const kept = experiment.metadata[DATADOG_KEY];
  const stored = isJsonObject(kept) ? kept : {};
  return {
    experiment: typeof stored.experiment === 'string' ? stored.experiment : experiment.name,
    config: isJsonObject(stored.config) ? stored.config : {},
    run_count: typeof stored.run_count === 'number' ? stored.run_count : 1,
    status: typeof stored.status === 'string' ? stored.status : experiment.end_time ? 'completed' : 'running',
    error: stored.error ?? null,
    parent_experiment_id: typeof stored.parent_experiment_id === 'string' ? stored.parent_experiment_id : null,
    deleted_at: typeof stored.deleted_at === 'string' ? stored.deleted_at : null,
  };
}

/** The user's metadata: everything but the Datadog attributes. */
export function userMetadata(experiment: Experiment): JsonObject {
  const { [DATADOG_KEY]: _kept, ...rest } = experiment.metadata;
  return rest;
}

/** Metadata to store: the user's, with the Datadog attributes under their key. */
export function storedMetadata(user: JsonObject, datadog: DatadogAttributes): JsonObject {
  return { ...user, [DATADOG_KEY]: { ...datadog } as unknown as JsonObject };
}

/** The run a span is: the same id for the same span of the same experiment. */
export function runIdOf(experimentId: string, spanId: string): string {
  return uuidv5(`${experimentId}:span:${spanId}`, NAMESPACE);
}

/** `key:value` tags as an object (the first value of a repeated key). */
export function tagValues(tags: readonly string[] | undefined): Record<string, string> {
  const values: Record<string, string> = {};
  for (const tag of tags ?? []) {
    const at = tag.indexOf(':');
    if (at <= 0) continue;
    const key = tag.slice(0, at);
    if (!(key in values)) values[key] = tag.slice(at + 1);
  }
  return values;
}

/**
 * The record ids of the experiment's dataset version, by the ids Datadog knows them by (the writer's
 * id, else evalstore's record id).
 */
export async function recordIdsOf(services: Services, actor: Actor, experiment: Experiment): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  if (!experiment.dataset_id) return ids;
  let cursor: string | undefined;
  do {
    const page = await services.records.list(actor, experiment.dataset_id, { version: experiment.dataset_version ?? undefined, cursor });
    for (const record of page.data) {
      ids.set(record.id, record.id);
      if (record.external_id) ids.set(record.external_id, record.id);
    }
    cursor = page.next_cursor ?? undefined;
  } while (cursor);
  return ids;
}

/** A span as a run of `experiment`: `dataset_record_id` names the record, `run_iteration` the repetition. */
export function spanToRun(experiment: Experiment, span: Span, index: number, records: Map<string, string>): IngestedRun {
  const tags = tagValues(span.tags);
  const recordKey = tags.dataset_record_id;
  let recordId: string | null = null;
  if (recordKey) {
    recordId = records.get(recordKey) ?? null;
    if (!recordId) {
      throw ValidationError.field(
        `/spans/${index}/tags`,
        `names dataset_record_id ${JSON.stringify(recordKey)}, which is not in the experiment's dataset version`,
      );
    }
  }
  const iteration = Number(tags.run_iteration);
  const meta = span.meta ?? {};
  const error = isJsonObject(meta.error) ? meta.error : null;
  const errorText = error ? String(error.message ?? error.type ?? 'error') : null;
  const startMs = Math.floor(span.start_ns / 1e6);
  return {
    destination: { experiment_id: experiment.id },
    id: runIdOf(experiment.id, span.span_id),
    record_id: recordId,
    ...(recordId && Number.isInteger(iteration) ? { repetition: Math.max(1, iteration) } : {}),
    name: span.name,
    run_type: 'experiment',
    status: span.status === 'error' || error ? 'error' : 'success',
    input: meta.input ?? null,
    output: meta.output ?? null,
    error: errorText,
    start_time: startMs,
    end_time: Math.floor((span.start_ns + span.duration) / 1e6),
    latency_ms: span.duration / 1e6,
    metadata: isJsonObject(meta.metadata) ? meta.metadata : {},
    trace_id: span.trace_id,
    extra: {
      datadog: {
        span_id: span.span_id,
        trace_id: span.trace_id,
        start_ns: span.start_ns,
        duration: span.duration,
        tags: span.tags ?? [],
        expected_output: meta.expected_output ?? null,
        dataset_record_id: recordKey ?? null,
        parent_id: span.parent_id ?? null,
        error,
      },
    },
  };
}

const VALUE_FIELD = { score: 'score_value', categorical: 'categorical_value', boolean: 'boolean_value', json: 'json_value' } as const;

/** A metric as a score: of its span's run, or of the experiment for summary metrics. Its type and extras are kept. */
export function metricToScore(experiment: Experiment, metric: Metric, index: number, now = Date.now()): PlacedScore {
  const at = `/metrics/${index}`;
  if (Math.abs(metric.timestamp_ms - now) > METRIC_WINDOW_MS) {
    throw ValidationError.field(`${at}/timestamp_ms`, 'must be within 24 hours of now (timestamp_within_24hr)');
  }
  if (metric.experiment_id && metric.experiment_id !== experiment.id) {
    throw ValidationError.field(`${at}/experiment_id`, 'must be the experiment of the path');
  }
  const field = VALUE_FIELD[metric.metric_type];
  const value = metric[field];
  const failed = isJsonObject(metric.error);
  if (!failed) {
    if (value === undefined || value === null) throw ValidationError.field(`${at}/${field}`, `is required for a ${metric.metric_type} metric`);
    for (const [type, other] of Object.entries(VALUE_FIELD)) {
      if (type !== metric.metric_type && metric[other] !== undefined && metric[other] !== null) {
        throw ValidationError.field(`${at}/${other}`, `does not go with metric_type ${metric.metric_type}`);
      }
    }
  }
  const summary = metric.metric_source === 'summary' || !metric.span_id;
  const kept: JsonObject = {
    metric_type: metric.metric_type,
    metric_source: metric.metric_source ?? (summary ? 'summary' : 'custom'),
    timestamp_ms: metric.timestamp_ms,
    span_id: metric.span_id ?? '',
    trace_id: metric.trace_id ?? '',
    tags: metric.tags ?? [],
    ...(metric.assessment ? { assessment: metric.assessment } : {}),
    ...(metric.status === undefined ? {} : { status: metric.status }),
    ...(metric.eval_source_type === undefined ? {} : { eval_source_type: metric.eval_source_type }),
    ...(failed ? { error: metric.error as JsonObject } : {}),
    ...(isJsonObject(metric.metadata) ? { metadata: metric.metadata } : {}),
  };
  const score: PlacedScore = {
    id: uuidv5(`${experiment.id}:metric:${metric.span_id ?? ''}:${metric.label}:${metric.timestamp_ms}`, NAMESPACE),
    experiment_id: experiment.id,
    run_id: summary ? null : runIdOf(experiment.id, metric.span_id!),
    key: metric.label,
    source: 'code',
    comment: metric.reasoning ?? null,
    metadata: { [DATADOG_KEY]: kept },
  };
  if (failed) return { ...score, value: null };
  if (metric.metric_type === 'score') return { ...score, score: value as number, value: value as number };
  if (metric.metric_type === 'boolean') return { ...score, score: value as boolean, value: value as boolean };
  return { ...score, value: value as Json };
}

/** The experiment an events route names, refused as not found once it is soft-deleted. */
export async function liveExperiment(services: Services, actor: Actor, id: string): Promise<Experiment> {
  const experiment = await services.experiments.get(actor, id);
  if (datadogAttributes(experiment).deleted_at) throw new NotFoundError('Experiment', id);
  return experiment;
}

/** Where an intake span goes: the experiment its trace belongs to, or the log stream of its ml_app. */
export type IntakeTarget = { experiment: Experiment; records: Map<string, string> } | { stream: string };

/** The run id of an intake span that goes to a log stream: the same id for the same span of the same ml_app. */
export function streamRunIdOf(stream: string, spanId: string): string {
  return uuidv5(`${stream}:span:${spanId}`, NAMESPACE);
}

/** The error of an intake span: `meta.error` or the `error.*` keys of its meta. */
function intakeError(meta: JsonObject): JsonObject | null {
  if (isJsonObject(meta.error)) return meta.error;
  const message = meta['error.message'] ?? meta['error.msg'];
  if (message === undefined) return null;
  return { message: String(message), type: String(meta['error.type'] ?? ''), stack: String(meta['error.stack'] ?? '') };
}

/**
 * An intake span as a run: an experiment's task span (and the spans of its trace) by the rules of the
 * events push, any other span a run of its ml_app's log stream; a child span is its parent's child.
 */
export function intakeSpanToRun(span: IntakeSpan, index: number, target: IntakeTarget): IngestedRun {
  const meta = (span.meta ?? {}) as JsonObject;
  const error = intakeError(meta);
  const hasParent = Boolean(span.parent_id) && span.parent_id !== 'undefined' && span.parent_id !== '0';
  if ('experiment' in target) {
    const run = spanToRun(
      target.experiment,
      {
        ...span,
        duration: Math.max(span.duration, 1),
        status: span.status === 'error' || error ? 'error' : 'ok',
        meta: { ...meta, metadata: isJsonObject(meta.metadata) ? meta.metadata : null, error },
      },
      index,
      hasParent ? new Map() : target.records,
    );
    if (!hasParent) return run;
    const { record_id: _record, repetition: _repetition, ...child } = run;
    return { ...child, parent_run_id: runIdOf(target.experiment.id, span.parent_id!) };
  }
  const startMs = Math.floor(span.start_ns / 1e6);
  return {
    destination: { stream: target.stream },
    id: streamRunIdOf(target.stream, span.span_id),
    name: span.name,
    run_type: typeof meta['span.kind'] === 'string' ? meta['span.kind'] : 'span',
    status: span.status === 'error' || error ? 'error' : 'success',
    input: meta.input ?? null,
    output: meta.output ?? null,
    error: error ? String(error.message ?? 'error') : null,
    start_time: startMs,
    end_time: Math.floor((span.start_ns + span.duration) / 1e6),
    latency_ms: span.duration / 1e6,
    metadata: isJsonObject(meta.metadata) ? meta.metadata : {},
    trace_id: span.trace_id,
    ...(hasParent ? { parent_run_id: streamRunIdOf(target.stream, span.parent_id!) } : {}),
    extra: { datadog: { span_id: span.span_id, trace_id: span.trace_id, start_ns: span.start_ns, duration: span.duration, tags: span.tags ?? [] } },
  };
}
