import { Type } from '@sinclair/typebox';
import { JsonObjectSchema, JsonValue } from '../../../domain/record-schema.js';
import { MAX_COMPARED_EXPERIMENTS, ROWS_PAGE_DEFAULT, ROWS_PAGE_MAX } from '../../../services/comparisons/index.js';
import type { Services } from '../../../services/index.js';
import type { NativeApp } from '../app.js';
import { presentRun } from '../presenters.js';
import { Experiment, Run, Score } from '../experiment-schemas.js';
import { DatasetRecord, Errors, Id, Page } from '../schemas.js';

const tags = ['Comparisons'];

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);

const RunFilters = Type.Object(
  {
    run_metadata: Type.Optional(JsonObjectSchema),
    record_metadata: Type.Optional(JsonObjectSchema),
    errors_only: Type.Optional(Type.Boolean()),
    latency_ms: Type.Optional(
      Type.Object({ min: Type.Optional(Type.Number({ minimum: 0 })), max: Type.Optional(Type.Number({ minimum: 0 })) }, { additionalProperties: false }),
    ),
    scores: Type.Optional(
      Type.Array(
        Type.Object(
          { key: Type.String({ minLength: 1 }), min: Type.Optional(Type.Number()), max: Type.Optional(Type.Number()) },
          { additionalProperties: false },
        ),
        { maxItems: 20 },
      ),
    ),
  },
  {
    additionalProperties: false,
    description:
      'Applied to runs before anything is counted: runs whose metadata (or whose record\'s metadata) has these key/value pairs, failed runs only, a latency range, runs with a score of a key within [min, max].',
  },
);

const CompareFields = {
  experiment_ids: Type.Array(Id, { minItems: 1, maxItems: MAX_COMPARED_EXPERIMENTS, description: 'Experiments on one dataset' }),
  baseline_id: Type.Optional(Type.String({ format: 'uuid', description: 'One of experiment_ids, which the others are measured against' })),
  filters: Type.Optional(RunFilters),
  lower_is_better: Type.Optional(Type.Array(Type.String(), { description: 'Score keys for which a lower score is better' })),
};

const CompareBody = Type.Object(
  {
    ...CompareFields,
    group_by: Type.Optional(
      Type.Object(
        { source: Type.Union([Type.Literal('run'), Type.Literal('record')]), key: Type.String({ minLength: 1 }) },
        { additionalProperties: false, description: "Group by a key of the runs' metadata or of their records' metadata" },
      ),
    ),
  },
  { additionalProperties: false },
);

const RowsBody = Type.Object(
  {
    ...CompareFields,
    cursor: Type.Optional(Type.String()),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: ROWS_PAGE_MAX, default: ROWS_PAGE_DEFAULT })),
    change: Type.Optional(
      Type.Object(
        {
          kind: Type.Union([Type.Literal('improved'), Type.Literal('regressed')]),
          key: Type.String({ minLength: 1 }),
          experiment_id: Type.Optional(Type.String({ format: 'uuid' })),
        },
        { additionalProperties: false, description: 'Only records where an experiment (any but the baseline by default) improved or regressed on a score key; needs baseline_id' },
      ),
    ),
  },
  { additionalProperties: false },
);

const Percentiles = Type.Object({ p50: Nullable(Type.Number()), p99: Nullable(Type.Number()) });

const ScoreStats = Type.Object({
  n: Type.Integer({ description: 'Numeric scores counted' }),
  mean: Nullable(Type.Number()),
  stdev: Nullable(Type.Number({ description: 'Sample standard deviation' })),
  min: Nullable(Type.Number()),
  max: Nullable(Type.Number()),
  values: Type.Record(Type.String(), Type.Integer(), { description: 'Categorical values and their counts' }),
});

const ExperimentStats = Type.Object({
  experiment_id: Id,
  group: Type.Optional(JsonValue),
  run_count: Type.Integer(),
  record_count: Type.Integer(),
  error_count: Type.Integer(),
  error_rate: Nullable(Type.Number()),
  streaming_rate: Nullable(Type.Number()),
  latency_ms: Percentiles,
  first_token_ms: Percentiles,
  prompt_tokens: Type.Integer(),
  completion_tokens: Type.Integer(),
  total_tokens: Type.Integer(),
  prompt_cost: Type.String(),
  completion_cost: Type.String(),
  total_cost: Type.String(),
  min_start_time: Nullable(Type.String()),
  max_start_time: Nullable(Type.String()),
  scores: Type.Record(Type.String(), ScoreStats),
});

const PairedTest = Type.Object({
  method: Type.Literal('paired t-test'),
  n: Type.Integer(),
  mean_difference: Nullable(Type.Number()),
  ci95: Nullable(Type.Array(Type.Number(), { minItems: 2, maxItems: 2, description: '[lower, upper]' })),
  t: Nullable(Type.Number()),
  degrees_of_freedom: Nullable(Type.Integer()),
  p_value: Nullable(Type.Number()),
  significant: Type.Boolean(),
  alpha: Type.Number(),
});

const Comparison = Type.Object({
  dataset_id: Id,
  dataset_version: Type.Integer(),
  experiments: Type.Array(Experiment),
  stats: Type.Array(ExperimentStats),
  groups: Type.Optional(Type.Array(Type.Object({ group: JsonValue, experiments: Type.Array(ExperimentStats) }))),
  baseline: Type.Optional(
    Type.Object({
      experiment_id: Id,
      changes: Type.Array(
        Type.Object({
          experiment_id: Id,
          key: Type.String(),
          improved: Type.Integer(),
          regressed: Type.Integer(),
          unchanged: Type.Integer(),
          n: Type.Integer(),
          baseline_mean: Nullable(Type.Number()),
          experiment_mean: Nullable(Type.Number()),
          test: PairedTest,
        }),
      ),
    }),
  ),
});

const CellChange = Type.Object({
  baseline: Nullable(Type.Number()),
  value: Nullable(Type.Number()),
  delta: Nullable(Type.Number()),
  change: Nullable(Type.Union([Type.Literal('improved'), Type.Literal('regressed'), Type.Literal('unchanged')])),
});

const ComparisonRow = Type.Object({
  record: DatasetRecord,
  runs: Type.Record(Type.String(), Type.Array(Type.Intersect([Run, Type.Object({ scores: Type.Array(Score) })]))),
  changes: Type.Optional(Type.Record(Type.String(), Type.Record(Type.String(), CellChange))),
});

export function comparisonRoutes(app: NativeApp, services: Services): void {
  app.post('/comparisons', {
    config: { access: 'read' },
    schema: {
      summary: 'Compare experiments',
      description: [
        'Aggregates of each experiment on one dataset (runs, records, error and streaming rates, latency and first-token p50/p99, token and cost totals, per score key n/mean/stdev/min/max and categorical counts),',
        'optionally within groups of a run or record metadata key (runs without the key form the group `null`).',
        'With `baseline_id`: per other experiment and numeric score key, the records that improved, regressed or stayed (per record, repetitions are averaged),',
        'and a paired t-test of the differences on the records both ran (two-sided p-value, 95% interval, n).',
        'Percentiles interpolate linearly between order statistics (as PostgreSQL percentile_cont). Filters apply to runs before anything is counted.',
      ].join(' '),
      tags,
      body: CompareBody,
      response: { 200: Comparison, ...Errors },
    },
    handler: (request) => services.comparisons.compare(request.actor, request.body),
  });

  app.post('/comparisons/rows', {
    config: { access: 'read' },
    schema: {
      summary: 'Records side by side',
      description:
        "The comparison's records (as of the newest dataset version the experiments ran on) that have a run in scope, in record-id order, each with every experiment's runs (all repetitions) and their scores; with a baseline, each cell's change against it. `change` keeps only records that improved or regressed.",
      tags,
      body: RowsBody,
      response: { 200: Page(ComparisonRow), ...Errors },
    },
    handler: async (request) => {
      const page = await services.comparisons.rows(request.actor, request.body);
      return {
        ...page,
        data: page.data.map((row) => ({
          ...row,
          runs: Object.fromEntries(Object.entries(row.runs).map(([experimentId, runs]) => [experimentId, runs.map(presentRun)])),
        })),
      };
    },
  });
}
