import { isJsonObject, type Json, type JsonObject } from '../../domain/json.js';
import { toIsoTime } from '../../domain/time.js';
import type {
  AnnotationItem,
  AnnotationQueue,
  ComparativeExperiment,
  Dataset,
  DatasetRecord,
  DatasetVersion,
  Experiment,
  Preference,
  Run,
  Score,
  ScoreSource,
} from '../../domain/types.js';
import {
  summarizeScores,
  type ComparisonRow,
  type ExperimentStats,
  type GroupedView,
  type RunWithScores,
  type ScoreStats,
} from '../../services/comparisons/index.js';
import type { DatasetExperimentSummary } from '../../services/experiments.js';
import type { RunStats } from '../../services/run-stats.js';
import type { FeedbackSourceType, GroupRunsBody } from './schemas.js';
import { fromLangSmithTime } from './times.js';

/**
 * LangSmith's wire shapes for evalstore's entities (spec §3): `Dataset`, `Example`, `DatasetVersion`,
 * `TracerSession` (an experiment), `Run`, `FeedbackSchema` (a score) and the groups of `group/runs`.
 * Every route that answers one of them goes through here.
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
  const { last_run_start_time: lastRunStart, ...stats } = { ...NO_STATS, ...options.stats };
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
    ...stats,
    tenant_id: tenantId,
    last_run_start_time: langsmithTime(lastRunStart),
    last_run_start_time_live: null,
    run_facets: null,
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
    ...totalsOf(stats),
    last_run_start_time: stats.max_start_time,
    feedback_stats: presentFeedbackStats(stats.scores),
    session_feedback_stats: null,
    error_rate: stats.error_rate,
    streaming_rate: stats.streaming_rate,
  };
}

/**
 * LangSmith's run statistics (`POST /runs/stats`): latencies in seconds, costs as decimal strings,
 * `feedback_stats` keyed by feedback key as a session's.
 */
export function presentRunStats(stats: RunStats) {
  const seconds = (ms: number | null) => (ms === null ? null : ms / 1000);
  return {
    run_count: stats.run_count,
    latency_p50: seconds(stats.latency_ms.p50),
    latency_p99: seconds(stats.latency_ms.p99),
    latency_avg: seconds(stats.latency_ms.mean),
    first_token_p50: seconds(stats.first_token_ms.p50),
    first_token_p99: seconds(stats.first_token_ms.p99),
    ...totalsOf(stats),
    median_tokens: stats.tokens.p50,
    tokens_p99: stats.tokens.p99,
    last_run_start_time: langsmithTime(stats.max_start_time),
    feedback_stats: presentFeedbackStats(stats.scores),
    run_facets: null,
    error_rate: stats.error_rate,
    streaming_rate: stats.streaming_rate,
  };
}

type TotalField = 'total_tokens' | 'prompt_tokens' | 'completion_tokens' | 'total_cost' | 'prompt_cost' | 'completion_cost';

/** Token and cost totals (of runs, or of one run), which LangSmith names as evalstore does. */
function totalsOf<T extends Record<TotalField, unknown>>(totals: T): Pick<T, TotalField> {
  const { total_tokens, prompt_tokens, completion_tokens, total_cost, prompt_cost, completion_cost } = totals;
  return { total_tokens, prompt_tokens, completion_tokens, total_cost, prompt_cost, completion_cost };
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
  const ancestors = dotted
    ? dotted
        .split('.')
        .slice(0, -1)
        .map((segment) => segment.slice(-36))
    : [];
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

/**
 * A run as the generated client's v2 API answers it (`/api/v2/runs/...`): the fields `selects` names
 * (in its upper-case spelling: `NAME`, `LATENCY_SECONDS`, ...), and only `id` when it names none.
 * Run types and statuses are upper case; costs are numbers; times RFC 3339.
 */
export function presentRunV2(run: Run, tenantId: string, selects: readonly string[] | undefined, scores?: readonly Pick<Score, 'key' | 'score' | 'value'>[]) {
  const v1 = presentRun(run, tenantId, scores);
  const cost = (value: string | null) => (value === null ? undefined : Number(value));
  const all: Record<string, unknown> = {
    id: run.id,
    name: v1.name,
    run_type: v1.run_type.toUpperCase(),
    status: run.status.toUpperCase(),
    start_time: run.start_time ?? run.created_at,
    end_time: run.end_time ?? undefined,
    latency_seconds: run.latency_ms === null ? undefined : run.latency_ms / 1000,
    first_token_time: v1.first_token_time ?? undefined,
    error: run.error ?? undefined,
    error_preview: run.error === null ? undefined : run.error.slice(0, 200),
    extra: v1.extra,
    metadata: run.metadata,
    events: v1.events ?? undefined,
    inputs: v1.inputs,
    outputs: v1.outputs ?? undefined,
    parent_run_ids: v1.parent_run_ids,
    project_id: run.experiment_id,
    trace_id: v1.trace_id,
    dotted_order: v1.dotted_order ?? undefined,
    is_root: run.parent_run_id === null,
    reference_example_id: v1.reference_example_id ?? undefined,
    total_tokens: v1.total_tokens,
    prompt_tokens: v1.prompt_tokens,
    completion_tokens: v1.completion_tokens,
    total_cost: cost(run.total_cost),
    prompt_cost: cost(run.prompt_cost),
    completion_cost: cost(run.completion_cost),
    tags: v1.tags,
    app_path: v1.app_path,
    feedback_stats: v1.feedback_stats ?? undefined,
  };
  const wanted = selects?.length ? selects.map((select) => select.toLowerCase()) : ['id'];
  return Object.fromEntries(['id', ...wanted].flatMap((field) => (all[field] === undefined ? [] : [[field, all[field]]])));
}

/** LangSmith's name for who gave a score made elsewhere (one sent through LangSmith keeps its own). */
const SOURCE_TYPE_OF: Record<ScoreSource, FeedbackSourceType> = { human: 'app', api: 'api', model: 'model', code: 'api' };

/**
 * LangSmith's `FeedbackSchema` (of a score, or of one kept until its run arrives, whose session is not
 * known yet). The fields a score has no column for are read back from its metadata (see feedback.ts).
 */
export function presentFeedback(score: Omit<Score, 'experiment_id'> & { experiment_id: string | null }) {
  const kept = score.metadata;
  const source = isJsonObject(kept.feedback_source) ? kept.feedback_source : { type: SOURCE_TYPE_OF[score.source], metadata: {} };
  const time = (value: Json | undefined, fallback: string | null) =>
    langsmithTime((typeof value === 'string' || typeof value === 'number' ? toIsoTime(fromLangSmithTime(value)) : undefined) ?? fallback);
  return {
    id: score.id,
    created_at: time(kept.created_at, score.created_at),
    modified_at: time(kept.modified_at, score.updated_at),
    key: score.key,
    score: score.score,
    value: score.value,
    comment: score.comment,
    correction: score.correction,
    feedback_group_id: kept.feedback_group_id ?? null,
    comparative_experiment_id: kept.comparative_experiment_id ?? null,
    run_id: score.run_id,
    session_id: score.experiment_id,
    trace_id: kept.trace_id ?? null,
    start_time: time(kept.start_time, null),
    feedback_source: { user_id: null, ls_user_id: null, user_name: null, ...source },
    feedback_config: kept.feedback_config ?? null,
    extra: kept.extra ?? null,
    error: kept.error ?? null,
    is_root: null,
  };
}

/** How a `group/runs` request groups examples, and whether it shows runs' inputs and outputs as previews only. */
export type RunGrouping = Pick<GroupRunsBody, 'group_by' | 'metadata_key'> & { preview: boolean };

/** How long a preview of inputs or outputs runs (LangSmith shows the start of the JSON). */
const PREVIEW_CHARACTERS = 200;

/**
 * One group of `POST /datasets/{id}/group/runs` (spec §11): its figures (every session's runs in it
 * pooled), each session's figures within it, and its examples with the runs of every session.
 */
export function presentRunGroup(group: GroupedView['groups'][number], experiments: readonly Experiment[], tenantId: string, grouping: RunGrouping) {
  const groupFilter = filterOf(grouping, group.group);
  return {
    group_key: group.group,
    filter: `and(eq(is_root, true), ${groupFilter})`,
    count: group.pooled.run_count,
    example_count: group.pooled.record_count,
    ...groupTotals(group.pooled),
    sessions: experiments.map((experiment) => {
      const stats = group.experiments.find((s) => s.experiment_id === experiment.id);
      return {
        ...presentTracerSession(experiment, tenantId, { stats: stats ? sessionStats(stats) : { run_count: 0 } }),
        example_count: stats?.record_count ?? 0,
        filter: `and(eq(is_root, true), eq(session_id, '${experiment.id}'), ${groupFilter})`,
        min_start_time: langsmithTime(stats?.min_start_time ?? null),
        max_start_time: langsmithTime(stats?.max_start_time ?? null),
      };
    }),
    examples: group.rows.map((row) => presentExampleWithRuns(row, experiments, tenantId, grouping.preview)),
  };
}

/** LangSmith's filter expression for a group (it names the group; clients may show it or send it back). */
function filterOf({ group_by: groupBy, metadata_key: key }: RunGrouping, value: Json): string {
  const quote = (text: string) => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  const shown = value === null ? 'null' : typeof value === 'string' ? quote(value) : JSON.stringify(value);
  const prefix = groupBy === 'run_metadata' ? 'metadata' : 'example_metadata';
  return `and(eq(${prefix}_key, ${quote(key)}), eq(${prefix}_value, ${shown}))`;
}

/** The group's own figures: every session's runs in the group pooled. */
function groupTotals(pooled: ExperimentStats) {
  const stats = sessionStats(pooled);
  return {
    ...totalsOf(pooled),
    min_start_time: langsmithTime(pooled.min_start_time),
    max_start_time: langsmithTime(pooled.max_start_time),
    latency_p50: stats.latency_p50,
    latency_p99: stats.latency_p99,
    feedback_stats: stats.feedback_stats,
    error_rate: stats.error_rate,
  };
}

/** An `ExampleWithRunsCH`: the record, with the runs of every session for it, flattened. */
function presentExampleWithRuns(row: ComparisonRow, experiments: readonly Experiment[], tenantId: string, preview: boolean) {
  return {
    ...presentExample(row.record),
    runs: experiments.flatMap((experiment) => (row.runs[experiment.id] ?? []).map((run) => presentComparisonRun(run, tenantId, preview))),
  };
}

/** A `RunSchemaComparisonView`: a run with its feedback statistics, its inputs and outputs cut to previews when asked. */
function presentComparisonRun(run: RunWithScores, tenantId: string, preview: boolean) {
  const full = presentRun(run, tenantId, run.scores);
  const previewOf = (value: JsonObject | null) => (value === null ? null : JSON.stringify(value).slice(0, PREVIEW_CHARACTERS));
  return {
    id: full.id,
    name: full.name,
    run_type: full.run_type,
    session_id: full.session_id,
    trace_id: full.trace_id,
    status: full.status,
    start_time: full.start_time,
    end_time: full.end_time,
    inputs: preview ? null : full.inputs,
    inputs_preview: previewOf(full.inputs),
    outputs: preview ? null : full.outputs,
    outputs_preview: previewOf(full.outputs),
    error: full.error,
    extra: full.extra,
    events: full.events,
    tags: full.tags,
    parent_run_id: full.parent_run_id,
    reference_example_id: full.reference_example_id,
    ...totalsOf(run),
    feedback_stats: full.feedback_stats,
  };
}

/**
 * LangSmith's `ComparativeExperiment`: the experiments compared (`experiments_info`, by id and name)
 * and the feedback recorded for it, by key (`feedback_stats`: how many judgements, their mean).
 */
export function presentComparativeExperiment(
  comparative: ComparativeExperiment,
  tenantId: string,
  experiments: readonly Pick<Experiment, 'id' | 'name'>[],
  preferences: readonly Preference[] = [],
) {
  const byKey = new Map<string, number[]>();
  for (const preference of preferences) {
    const list = byKey.get(preference.key) ?? [];
    if (preference.score !== null) list.push(preference.score);
    byKey.set(preference.key, list);
  }
  return {
    id: comparative.id,
    name: comparative.name,
    description: comparative.description,
    tenant_id: tenantId,
    created_at: langsmithTime(comparative.created_at),
    modified_at: langsmithTime(comparative.updated_at),
    reference_dataset_id: comparative.dataset_id,
    extra: { metadata: comparative.metadata },
    experiments_info: experiments.map((experiment) => ({ id: experiment.id, name: experiment.name })),
    feedback_stats: Object.fromEntries(
      [...byKey].map(([key, scores]) => [key, { n: scores.length, avg: scores.length ? scores.reduce((a, b) => a + b, 0) / scores.length : null }]),
    ),
  };
}

/** LangSmith's `AnnotationQueueWithDetails`: the queue, its rubric (the score configs reviewers fill in) and its review settings. */
export function presentAnnotationQueue(queue: AnnotationQueue, tenantId: string) {
  return {
    id: queue.id,
    name: queue.name,
    description: queue.description,
    created_at: langsmithTime(queue.created_at),
    updated_at: langsmithTime(queue.updated_at),
    tenant_id: tenantId,
    default_dataset: null,
    num_reviewers_per_item: queue.reviews_needed,
    enable_reservations: true,
    reservation_minutes: Math.max(1, Math.round(queue.lease_seconds / 60)),
    rubric_instructions: null,
    rubric_items: queue.score_configs.map((config) => ({
      feedback_key: config.name,
      description: config.description,
      value_descriptions: config.categories ? Object.fromEntries(config.categories.map((category) => [category, category])) : null,
      score_descriptions:
        config.type === 'boolean'
          ? { '0': 'false', '1': 'true' }
          : config.min !== null && config.max !== null
            ? { [String(config.min)]: 'min', [String(config.max)]: 'max' }
            : null,
      is_required: true,
    })),
  };
}

/** LangSmith's `RunWithAnnotationQueueInfo`: the run, with when it was added to the queue and when last reviewed. */
export function presentQueuedRun(run: Run, item: AnnotationItem, tenantId: string, lastReviewed: string | null) {
  return {
    ...presentRun(run, tenantId),
    queue_run_id: item.id,
    added_at: langsmithTime(item.created_at),
    last_reviewed_time: langsmithTime(lastReviewed),
  };
}
