import { Type, type Static } from '@sinclair/typebox';
import { ValidationError } from '../../../domain/errors.js';
import type { Json, JsonObject } from '../../../domain/json.js';
import type { Experiment } from '../../../domain/types.js';
import type { ComparisonRow, ExperimentStats, RunWithScores } from '../../../services/comparisons/index.js';
import type { Services } from '../../../services/index.js';
import type { SurfaceApp } from '../../../http/app.js';
import { langsmithTime, presentExample, presentRun, presentTracerSession, sessionStats } from '../present.js';

const GroupRunsBody = Type.Object(
  {
    session_ids: Type.Array(Type.String({ format: 'uuid' }), { minItems: 1 }),
    group_by: Type.Union([Type.Literal('run_metadata'), Type.Literal('example_metadata')]),
    metadata_key: Type.String({ minLength: 1 }),
    offset: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 10 })),
    per_group_limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10, default: 5 })),
    preview: Type.Optional(Type.Boolean({ default: false })),
    filters: Type.Optional(Type.Union([Type.Record(Type.String(), Type.Array(Type.String())), Type.Null()])),
  },
  { additionalProperties: false },
);
type GroupRunsBody = Static<typeof GroupRunsBody>;

const PATHS = [
  '/datasets/:dataset_id/group/runs',
  '/platform/datasets/:dataset_id/group/runs',
  '/v1/platform/datasets/:dataset_id/group/runs',
];

/** How long a preview of inputs or outputs runs (LangSmith shows the start of the JSON). */
const PREVIEW_CHARACTERS = 200;

/**
 * `POST /datasets/{dataset_id}/group/runs` (spec §11): the dataset's examples grouped by a run or
 * example metadata key, with each session's statistics within each group. Semantics the spec leaves
 * open are decided in docs/surfaces/langsmith.md: `offset`/`limit` page through groups (in group order,
 * examples without the key last, as the group `null`), `per_group_limit` caps the examples shown per
 * group, and group-level statistics pool the runs of every session (so feedback averages are weighted
 * by the number of scores).
 */
export function groupRunsRoutes(app: SurfaceApp, services: Services): void {
  for (const url of PATHS) {
    app.post(url, {
      config: { access: 'read' },
      schema: { hide: true, params: Type.Object({ dataset_id: Type.String({ format: 'uuid' }) }), body: GroupRunsBody },
      handler: async (request) => {
        const body = request.body;
        if (body.filters && Object.values(body.filters).some((filters) => filters.length > 0)) {
          throw ValidationError.field('/filters', 'run filters are not supported by this server; send null or empty lists');
        }
        const dataset = await services.datasets.get(request.actor, request.params.dataset_id);
        const groupBy = { source: body.group_by === 'run_metadata' ? ('run' as const) : ('record' as const), key: body.metadata_key };
        const view = await services.comparisons.groupedView(request.actor, {
          dataset_id: dataset.id,
          experiment_ids: body.session_ids,
          group_by: groupBy,
          offset: body.offset ?? 0,
          limit: body.limit ?? 10,
          per_group_limit: body.per_group_limit ?? 5,
        });
        const experiments = view.experiments;
        const tenantId = request.actor.workspaceId;
        return {
          groups: view.groups.map((group) => {
            const groupFilter = filterOf(body.group_by, body.metadata_key, group.group);
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
              examples: group.rows.map((row) => presentExampleWithRuns(row, experiments, tenantId, body.preview ?? false)),
            };
          }),
        };
      },
    });
  }
}

/** LangSmith's filter expression for a group (it names the group; clients may show it or send it back). */
function filterOf(groupBy: GroupRunsBody['group_by'], key: string, value: Json): string {
  const quote = (text: string) => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  const shown = value === null ? 'null' : typeof value === 'string' ? quote(value) : JSON.stringify(value);
  const prefix = groupBy === 'run_metadata' ? 'metadata' : 'example_metadata';
  return `and(eq(${prefix}_key, ${quote(key)}), eq(${prefix}_value, ${shown}))`;
}

/** The group's own figures: every session's runs in the group pooled. */
function groupTotals(pooled: ExperimentStats) {
  const stats = sessionStats(pooled);
  return {
    total_tokens: stats.total_tokens,
    prompt_tokens: stats.prompt_tokens,
    completion_tokens: stats.completion_tokens,
    total_cost: stats.total_cost,
    prompt_cost: stats.prompt_cost,
    completion_cost: stats.completion_cost,
    min_start_time: langsmithTime(pooled.min_start_time),
    max_start_time: langsmithTime(pooled.max_start_time),
    latency_p50: stats.latency_p50,
    latency_p99: stats.latency_p99,
    feedback_stats: stats.feedback_stats,
    error_rate: stats.error_rate,
  };
}

/** An `ExampleWithRunsCH`: the record, with the runs of every session for it, flattened. */
function presentExampleWithRuns(row: ComparisonRow, experiments: Experiment[], tenantId: string, preview: boolean) {
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
    total_tokens: run.total_tokens,
    prompt_tokens: run.prompt_tokens,
    completion_tokens: run.completion_tokens,
    total_cost: full.total_cost,
    prompt_cost: full.prompt_cost,
    completion_cost: full.completion_cost,
    feedback_stats: full.feedback_stats,
  };
}
