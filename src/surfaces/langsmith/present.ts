import { isJsonObject, type Json, type JsonObject } from '../../domain/json.js';
import { summarizeScores, type ExperimentStats, type ScoreStats } from '../../services/comparisons/index.js';
import type { Dataset, DatasetRecord, DatasetVersion, Experiment, Run, Score } from '../../domain/types.js';
import type { DatasetExperimentSummary } from '../../services/experiments.js';

/**
 * LangSmith's wire shapes for evalstore's entities (spec §3): `Dataset` for a dataset and
 * `TracerSession` for an experiment. Every route that answers one of them goes through here.
 */

/**
 * A time as LangSmith's API writes it: Python's `isoformat()` of a UTC datetime, such as
 * `2024-08-03T00:36:23.289730+00:00`, without the fraction when it is zero
 * (`2024-08-03T00:12:43+00:00`). evalstore keeps milliseconds, so microseconds end in 000.
 */
export function langsmithTime(iso: string): string;
export function langsmithTime(iso: string | null): string | null;
export function langsmithTime(iso: string | null): string | null {
  if (iso === null) return null;
  const date = new Date(iso);
  const whole = date.toISOString().slice(0, 19);
  const millis = date.getUTCMilliseconds();
  return millis === 0 ? `${whole}+00:00` : `${whole}.${String(millis).padStart(3, '0')}000+00:00`;
}

/** An empty object reads as LangSmith's null (nothing was given). */
function objectOrNull(value: JsonObject): JsonObject | null {
  return Object.keys(value).length ? value : null;
}

/** LangSmith's `Dataset`. `tenantId` is the workspace's id; `experiments` sums up its sessions. */
export function presentDataset(dataset: Dataset, tenantId: string, experiments: DatasetExperimentSummary) {
  return {
    name: dataset.name,
    description: dataset.description,
    created_at: langsmithTime(dataset.created_at),
    data_type: 'kv' as const,
    inputs_schema_definition: null,
    outputs_schema_definition: null,
    externally_managed: dataset.managed_by === 'external',
    transformations: null,
    id: dataset.id,
    tenant_id: tenantId,
    example_count: dataset.record_count,
    session_count: experiments.experiment_count,
    modified_at: langsmithTime(dataset.updated_at),
    last_session_start_time: langsmithTime(experiments.last_start_time),
    metadata: objectOrNull(dataset.metadata),
    baseline_experiment_id: null,
  };
}

/**
 * The statistics LangSmith computes over a session's runs. LangSmith fills them asynchronously, so a
 * session answered right after its creation has them all null; so does ours until they are asked for.
 */
export interface SessionStats {
  run_count: number | null;
  /** Seconds. */
  latency_p50: number | null;
  latency_p99: number | null;
  first_token_p50: number | null;
  first_token_p99: number | null;
  total_tokens: number | null;
  prompt_tokens: number | null;
  completion_tokens: number | null;
  /** Decimal strings of US dollars. */
  total_cost: string | null;
  prompt_cost: string | null;
  completion_cost: string | null;
  last_run_start_time: string | null;
  feedback_stats: JsonObject | null;
  session_feedback_stats: JsonObject | null;
  error_rate: number | null;
  streaming_rate: number | null;
}

const NO_STATS: SessionStats = {
  run_count: null,
  latency_p50: null,
  latency_p99: null,
  first_token_p50: null,
  first_token_p99: null,
  total_tokens: null,
  prompt_tokens: null,
  completion_tokens: null,
  total_cost: null,
  prompt_cost: null,
  completion_cost: null,
  last_run_start_time: null,
  feedback_stats: null,
  session_feedback_stats: null,
  error_rate: null,
  streaming_rate: null,
};

/**
 * LangSmith's `TracerSession` (an experiment, or a tracing project when it has no dataset). The SDK
 * keeps an experiment's metadata in `extra.metadata`. `test_run_number` is the experiment's ordinal
 * among its dataset's experiments.
 */
export function presentTracerSession(
  experiment: Experiment,
  tenantId: string,
  options: { stats?: Partial<SessionStats>; test_run_number?: number | null } = {},
) {
  const metadata = objectOrNull(experiment.metadata);
  const stats = { ...NO_STATS, ...options.stats };
  return {
    start_time: langsmithTime(experiment.start_time ?? experiment.created_at),
    end_time: langsmithTime(experiment.end_time),
    extra: metadata === null ? null : { metadata },
    name: experiment.name,
    description: experiment.description,
    default_dataset_id: null,
    reference_dataset_id: experiment.dataset_id,
    trace_tier: 'longlived' as const,
    id: experiment.id,
    run_count: stats.run_count,
    latency_p50: stats.latency_p50,
    latency_p99: stats.latency_p99,
    first_token_p50: stats.first_token_p50,
    first_token_p99: stats.first_token_p99,
    total_tokens: stats.total_tokens,
    prompt_tokens: stats.prompt_tokens,
    completion_tokens: stats.completion_tokens,
    total_cost: stats.total_cost,
    prompt_cost: stats.prompt_cost,
    completion_cost: stats.completion_cost,
    tenant_id: tenantId,
    last_run_start_time: langsmithTime(stats.last_run_start_time),
    last_run_start_time_live: null,
    feedback_stats: stats.feedback_stats,
    session_feedback_stats: stats.session_feedback_stats,
    run_facets: null,
    error_rate: stats.error_rate,
    streaming_rate: stats.streaming_rate,
    test_run_number: options.test_run_number ?? null,
  };
}

/**
 * LangSmith's `feedback_stats`, keyed by feedback key (spec §3.7): `n` counts numeric scores, `avg` and
 * `stdev` describe them, `values` counts categorical values.
 */
export function presentFeedbackStats(scores: Record<string, ScoreStats>): JsonObject {
  return Object.fromEntries(
    Object.entries(scores).map(([key, stats]) => [
      key,
      { n: stats.n, avg: stats.mean, stdev: stats.stdev, errors: 0, min: stats.min, max: stats.max, values: stats.values },
    ]),
  );
}

/** A session's statistics in LangSmith's terms: latencies in seconds, costs as decimal strings. */
export function sessionStats(stats: ExperimentStats): SessionStats {
  const seconds = (ms: number | null) => (ms === null ? null : ms / 1000);
  return {
    run_count: stats.run_count,
    latency_p50: seconds(stats.latency_ms.p50),
    latency_p99: seconds(stats.latency_ms.p99),
    first_token_p50: seconds(stats.first_token_ms.p50),
    first_token_p99: seconds(stats.first_token_ms.p99),
    total_tokens: stats.total_tokens,
    prompt_tokens: stats.prompt_tokens,
    completion_tokens: stats.completion_tokens,
    total_cost: stats.total_cost,
    prompt_cost: stats.prompt_cost,
    completion_cost: stats.completion_cost,
    last_run_start_time: stats.max_start_time,
    feedback_stats: presentFeedbackStats(stats.scores),
    session_feedback_stats: null,
    error_rate: stats.error_rate,
    streaming_rate: stats.streaming_rate,
  };
}

/** LangSmith's inputs and outputs are objects; a record's other JSON values travel wrapped. */
function asLangSmithObject(value: Json, wrapKey: 'input' | 'output'): JsonObject | null {
  if (value === null) return null;
  return isJsonObject(value) ? value : { [wrapKey]: value };
}

/** How an example is named when it has no name of its own: `#` and the start of its id. */
function exampleName(record: DatasetRecord): string {
  return record.external_id ?? `#${record.id.slice(0, 8)}`;
}

/**
 * LangSmith's `Example`. Its splits travel in `metadata.dataset_split` (where LangSmith keeps them and
 * `evaluate()` reads them); a record made elsewhere without splits has none there.
 */
export function presentExample(record: DatasetRecord) {
  const source = record.source?.run_id;
  return {
    id: record.id,
    dataset_id: record.dataset_id,
    name: exampleName(record),
    inputs: asLangSmithObject(record.input, 'input') ?? {},
    outputs: asLangSmithObject(record.expected_output, 'output'),
    metadata: record.splits.length ? { ...record.metadata, dataset_split: record.splits } : record.metadata,
    source_run_id: typeof source === 'string' ? source : null,
    created_at: langsmithTime(record.created_at),
    modified_at: langsmithTime(record.updated_at),
    attachment_urls: null,
  };
}

/** LangSmith's `DatasetVersion`: a version is named by when it was made, and its name is its tag. */
export function presentDatasetVersion(version: Pick<DatasetVersion, 'created_at' | 'name'> | null, datasetCreatedAt: string) {
  return { as_of: langsmithTime(version?.created_at ?? datasetCreatedAt), tags: version?.name ? [version.name] : null };
}

/**
 * LangSmith's `Run` (`RunSchema`), with the run's feedback statistics when its scores are given. The
 * LangSmith fields a run has no column for are in its `extra`, under their LangSmith names (see
 * runs.ts): `extra` (what it held beside `metadata`), `events`, `tags`, `serialized`, `dotted_order`,
 * `attachments`, `reference_example_id` (of runs outside experiments), and any other field sent.
 */
export function presentRun(run: Run, tenantId: string, scores?: readonly Pick<Score, 'key' | 'score' | 'value'>[]) {
  const { extra: extraKept, events, tags, serialized, dotted_order: dottedOrder, reference_example_id: referenceKept, attachments, ...others } = run.extra;
  const traceId = run.trace_id ?? run.id;
  const dotted = typeof dottedOrder === 'string' ? dottedOrder : null;
  // A dotted order lists the trace from its root down to the run: each segment ends with a run id.
  const ancestors = dotted ? dotted.split('.').slice(0, -1).map((segment) => segment.slice(-36)) : [];
  const startMs = run.start_time ? Date.parse(run.start_time) : null;
  return {
    ...others,
    id: run.id,
    name: run.name ?? 'Target',
    run_type: run.run_type ?? 'chain',
    start_time: langsmithTime(run.start_time ?? run.created_at),
    end_time: langsmithTime(run.end_time),
    extra: { ...(isJsonObject(extraKept) ? extraKept : {}), metadata: run.metadata },
    error: run.error,
    serialized: serialized ?? null,
    events: events ?? null,
    inputs: asLangSmithObject(run.input, 'input') ?? {},
    outputs: asLangSmithObject(run.output, 'output'),
    reference_example_id: run.record_id ?? (typeof referenceKept === 'string' ? referenceKept : null),
    parent_run_id: run.parent_run_id,
    tags: tags ?? [],
    attachments: attachments ?? null,
    session_id: run.experiment_id,
    trace_id: traceId,
    dotted_order: dotted,
    status: run.status,
    child_run_ids: null,
    direct_child_run_ids: null,
    parent_run_ids: ancestors.length ? ancestors : run.parent_run_id ? [run.parent_run_id] : [],
    feedback_stats: scores ? presentFeedbackStats(summarizeScores(scores)) : null,
    total_tokens: run.total_tokens ?? 0,
    prompt_tokens: run.prompt_tokens ?? 0,
    completion_tokens: run.completion_tokens ?? 0,
    total_cost: run.total_cost,
    prompt_cost: run.prompt_cost,
    completion_cost: run.completion_cost,
    first_token_time: run.first_token_ms !== null && startMs !== null ? langsmithTime(new Date(startMs + run.first_token_ms).toISOString()) : null,
    app_path: `/o/${tenantId}/projects/p/${run.experiment_id}/r/${run.id}?trace_id=${traceId}`,
    execution_order: 1,
    in_dataset: false,
    trace_tier: 'longlived' as const,
  };
}
