import type { FastifyReply } from 'fastify';
import { v5 as uuidv5 } from 'uuid';
import { isJsonObject, type JsonObject } from '../../domain/json.js';
import type { Actor, Dataset, DatasetRecord, DatasetVersion, Experiment, Project, Run, Score } from '../../domain/types.js';
import { DATADOG_KEY, datadogAttributes, userMetadata } from './experiments.js';
import type { ChangeResult } from '../../services/records.js';
import type { UploadSummary } from '../../services/uploads/index.js';
import type { DraftState } from '../../services/drafts.js';
import type { RestoreResult } from '../../services/versions.js';

/**
 * Datadog's wire shapes (JSON:API) for evalstore's entities. Where Datadog's real server and its
 * generated TypeScript client disagree, the answer is a superset both read (spec A.6): empty fields are
 * always sent, and a record carries its fields both flat and under `attributes`.
 */

export const JSON_API = 'application/vnd.api+json';

/** Namespace of the derived ids (record versions, dataset versions): stable, so reads repeat. */
const NAMESPACE = 'b5b8e0f2-6a4d-4d8e-9f50-5a3c1f0e2d71';

/** Every answer of the surface, errors included, is JSON:API. */
export function sendJsonApi(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  return reply.status(status).type(JSON_API).send(JSON.stringify(body));
}

/** A page of a list: Datadog's cursor is `meta.after`, empty on the last page. */
export function presentPage<T>(page: { data: T[]; next_cursor: string | null }, present: (item: T) => unknown) {
  return { data: page.data.map((item) => present(item)), meta: { after: page.next_cursor ?? '' } };
}

export function presentProject(project: Project) {
  return {
    id: project.id,
    type: 'projects',
    attributes: {
      name: project.name,
      description: project.description ?? '',
      metadata: project.metadata,
      created_at: project.created_at,
      updated_at: project.updated_at,
    },
  };
}

export function presentDataset(dataset: Dataset, extra: Record<string, unknown> = {}) {
  return {
    id: dataset.id,
    type: 'datasets',
    attributes: {
      name: dataset.name,
      description: dataset.description ?? '',
      metadata: dataset.metadata,
      current_version: dataset.latest_version,
      record_count: dataset.record_count,
      project_id: dataset.project_id,
      dataset_type: 'user',
      created_at: dataset.created_at,
      updated_at: dataset.updated_at,
      ...extra,
    },
  };
}

/** A dataset's draft state: who is editing it and since when; both null when nobody is. */
export function presentDraftState(datasetId: string, draft: DraftState | null) {
  return {
    data: {
      id: datasetId,
      type: 'draft_state_data',
      attributes: {
        drafting_since: draft?.since ?? null,
        user: draft ? { id: draft.holder_id, name: draft.holder_name, handle: draft.holder_name, email: '', icon: '' } : null,
      },
    },
  };
}

/** A restore's answer: the records it changed, as the records mutations answer them. */
export function presentRestore(result: RestoreResult, dataset: Dataset) {
  return presentChanges({ ...result, skipped: [], unchanged: [] }, dataset);
}

/** A record's Datadog id: the id its writer gave (evalstore's external_id), else evalstore's record id. */
export function datadogRecordId(record: DatasetRecord): string {
  return record.external_id ?? record.id;
}

/** A record with its fields flat (what the TS client reads) and under `attributes` (what dd-trace reads). */
export function presentRecord(record: DatasetRecord, extra: Record<string, unknown> = {}) {
  const fields = {
    dataset_id: record.dataset_id,
    input: record.input,
    expected_output: record.expected_output,
    metadata: record.metadata,
    tags: record.tags,
    canonical_id: uuidv5(`${record.id}@${record.updated_at}`, NAMESPACE),
    created_at: record.created_at,
    updated_at: record.updated_at,
    ...extra,
  };
  return { id: datadogRecordId(record), type: 'datasets', attributes: fields, ...fields };
}

/** An item of a records mutation: the record resource, plus the `records` list the TS client requires. */
function presentChangedRecord(record: DatasetRecord, extra: Record<string, unknown>) {
  const resource = presentRecord(record, extra);
  const { attributes: _attributes, type: _type, ...flat } = resource;
  return { ...resource, records: [flat] };
}

/** Inserted, updated and deleted records, each with the version the change made (`data: []` when none). */
export function presentChanges(result: ChangeResult, dataset: Dataset) {
  const version = result.version?.version ?? dataset.latest_version;
  const at = result.version?.created_at;
  return {
    data: [
      ...result.added.map((record) => presentChangedRecord(record, { version })),
      ...result.updated.map((record) => presentChangedRecord(record, { version })),
      ...result.removed.map((record) => presentChangedRecord(record, { version, deleted_at: at })),
    ],
  };
}

export function presentVersion(version: Pick<DatasetVersion, 'dataset_id' | 'version' | 'created_at'> & Partial<DatasetVersion>) {
  return {
    id: uuidv5(`${version.dataset_id}:${version.version}`, NAMESPACE),
    type: 'dataset_version',
    attributes: {
      dataset_id: version.dataset_id,
      version_number: version.version,
      last_used: version.created_at,
      created_at: version.created_at,
      ...(version.message === undefined ? {} : { message: version.message, name: version.name ?? null, record_count: version.record_count }),
    },
  };
}

/** Counts of a finished upload, as the `completed` event and the docs name them. */
export function presentUploadSummary(summary: UploadSummary, actor: Actor, includeUser: boolean) {
  return {
    records_created: summary.records_created,
    records_updated: summary.records_updated,
    records_unchanged: summary.records_unchanged,
    records_skipped: summary.duplicates_skipped + summary.existing_skipped,
    records_skipped_as_duplicates: summary.duplicates_skipped,
    records_skipped_as_existing: summary.existing_skipped,
    records_superseded: summary.superseded,
    records_failed: 0,
    rows_read: summary.rows_received,
    dataset_id: summary.dataset_id,
    dataset_version: summary.version?.version ?? null,
    version_created: summary.version !== null,
    upload_id: summary.upload_id,
    ...(includeUser ? { user: { id: actor.keyId, name: actor.name } } : {}),
  };
}

/** An experiment: `name` is the unique run name, `experiment` the name as requested (spec A.3). */
export function presentExperiment(experiment: Experiment, extra: { author?: unknown; dataset_name?: string } = {}) {
  const datadog = datadogAttributes(experiment);
  return {
    id: experiment.id,
    type: 'experiments',
    attributes: {
      name: experiment.name,
      experiment: datadog.experiment,
      project_id: experiment.project_id,
      dataset_id: experiment.dataset_id ?? '',
      dataset_version: experiment.dataset_version,
      description: experiment.description ?? '',
      config: datadog.config,
      metadata: userMetadata(experiment),
      run_count: datadog.run_count,
      status: datadog.status,
      error: datadog.error,
      parent_experiment_id: datadog.parent_experiment_id,
      deleted_at: datadog.deleted_at,
      created_at: experiment.created_at,
      updated_at: experiment.updated_at,
      ...extra,
    },
  };
}

/** What the surface kept of a Datadog wire object in an entity's metadata or extra. */
function kept(holder: JsonObject): JsonObject {
  const value = holder[DATADOG_KEY];
  return isJsonObject(value) ? value : {};
}

/** A score as Datadog's metric event: its type and value field as sent. */
export function presentMetric(score: Score, run: Run | undefined) {
  const metric = kept(score.metadata);
  const type =
    typeof metric.metric_type === 'string' ? metric.metric_type : typeof score.value === 'string' ? 'categorical' : score.score === null ? 'json' : 'score';
  const valueField = ({ score: 'score_value', categorical: 'categorical_value', boolean: 'boolean_value', json: 'json_value' } as Record<string, string>)[
    type
  ]!;
  const runKept = run ? kept(run.extra) : {};
  return {
    id: score.id,
    label: score.key,
    metric_type: type,
    ...(metric.error ? { error: metric.error } : { [valueField]: score.value }),
    metric_source: metric.metric_source ?? (score.run_id ? 'custom' : 'summary'),
    span_id: metric.span_id ?? runKept.span_id ?? '',
    trace_id: metric.trace_id ?? runKept.trace_id ?? '',
    timestamp_ms: metric.timestamp_ms ?? Date.parse(score.created_at),
    tags: metric.tags ?? [],
    ...(score.comment === null ? {} : { reasoning: score.comment }),
    ...(metric.assessment ? { assessment: metric.assessment } : {}),
    ...(metric.status === undefined ? {} : { status: metric.status }),
    eval_source_type: metric.eval_source_type ?? 'custom',
    metadata: metric.metadata ?? score.metadata,
    experiment_id: score.experiment_id,
  };
}

/** A run as Datadog's span with its evaluations (the events lists). */
export function presentSpan(experiment: Experiment, run: Run, scores: readonly Score[]) {
  const span = kept(run.extra);
  const evalMetrics = scores.map((score) => presentMetric(score, run));
  const numeric = Object.fromEntries(scores.filter((score) => score.score !== null).map((score) => [score.key, score.score as number]));
  const startNs = typeof span.start_ns === 'number' ? span.start_ns : run.start_time ? Date.parse(run.start_time) * 1e6 : 0;
  const duration = typeof span.duration === 'number' ? span.duration : (run.latency_ms ?? 0) * 1e6;
  const error = span.error ?? (run.error ? { message: run.error } : undefined);
  return {
    id: run.id,
    span_id: span.span_id ?? run.id,
    trace_id: span.trace_id ?? run.trace_id ?? run.id,
    parent_id: span.parent_id ?? 'undefined',
    project_id: experiment.project_id,
    dataset_id: experiment.dataset_id ?? '',
    dataset_record_id: span.dataset_record_id ?? run.record_id ?? '',
    name: run.name ?? experiment.name,
    start_ns: startNs,
    duration,
    status: run.status === 'error' ? 'error' : 'ok',
    tags: span.tags ?? [],
    meta: {
      input: run.input,
      output: run.output,
      expected_output: span.expected_output ?? null,
      metadata: run.metadata,
      ...(error ? { error } : {}),
    },
    metrics: numeric,
    eval_metrics: evalMetrics,
  };
}
