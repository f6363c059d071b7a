import { Type } from '@sinclair/typebox';
import { JsonObjectSchema, JsonValue } from '../../../domain/record-schema.js';
import { SCORE_SOURCES } from '../../../domain/types.js';
import { MAX_COMPARED_EXPERIMENTS, ROWS_PAGE_DEFAULT, ROWS_PAGE_MAX } from '../../../services/comparisons/index.js';
import { Id, Nullable, Page } from './common.js';
import { DatasetRecord } from './datasets.js';
import { Experiment, Run, Score } from './experiments.js';

/** Comparisons of experiments: as the routes of comparisons.ts take and answer them. */

export const RunFilters = Type.Object(
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
    score_source: Type.Optional(
      Type.Union(
        SCORE_SOURCES.map((source) => Type.Literal(source)),
        { description: 'Only scores of this source count, everywhere in the comparison (e.g. `human`: the scores reviewers gave)' },
      ),
    ),
  },
  {
    additionalProperties: false,
    description:
      "Applied to runs before anything is counted: runs whose metadata (or whose record's metadata) has these key/value pairs, failed runs only, a latency range, runs with a score of a key within [min, max]; `score_source` keeps only the scores of one source.",
  },
);

export const CompareFields = {
  experiment_ids: Type.Array(Id, { minItems: 1, maxItems: MAX_COMPARED_EXPERIMENTS, description: 'Experiments on one dataset' }),
  baseline_id: Type.Optional(Type.String({ format: 'uuid', description: 'One of experiment_ids, which the others are measured against' })),
  filters: Type.Optional(RunFilters),
  lower_is_better: Type.Optional(Type.Array(Type.String(), { description: 'Score keys for which a lower score is better' })),
};

export const CompareBody = Type.Object(
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

export const RowsBody = Type.Object(
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
        {
          additionalProperties: false,
          description: 'Only records where an experiment (any but the baseline by default) improved or regressed on a score key; needs baseline_id',
        },
      ),
    ),
    q: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 1_000,
        description: 'Only records whose input or expected output has this text, or with a run in scope whose output or error has it (ASCII case ignored)',
      }),
    ),
    sort: Type.Optional(
      Type.Object(
        {
          by: Type.Union([Type.Literal('change'), Type.Literal('score')]),
          key: Type.String({ minLength: 1 }),
          experiment_id: Type.Optional(Type.String({ format: 'uuid' })),
          order: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')], { default: 'asc' })),
        },
        {
          additionalProperties: false,
          description:
            'Order records by how an experiment’s score of `key` changed against the baseline (`change`: the improvement, so ascending shows the largest regression first; needs baseline_id), or by its mean score (`score`). The experiment is the first compared one that is not the baseline unless named. Records without a value come last.',
        },
      ),
    ),
    count: Type.Optional(Type.Boolean({ default: false, description: 'Also answer `total`: how many records match, over every page' })),
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

/** How an experiment's records moved against the baseline's on one score key. */
const ScoreChange = Type.Object({
  experiment_id: Id,
  key: Type.String(),
  improved: Type.Integer(),
  regressed: Type.Integer(),
  unchanged: Type.Integer(),
  n: Type.Integer(),
  baseline_mean: Nullable(Type.Number()),
  experiment_mean: Nullable(Type.Number()),
  test: PairedTest,
});

export const Comparison = Type.Object({
  dataset_id: Id,
  dataset_version: Type.Integer(),
  experiments: Type.Array(Experiment),
  stats: Type.Array(ExperimentStats),
  groups: Type.Optional(Type.Array(Type.Object({ group: JsonValue, experiments: Type.Array(ExperimentStats) }))),
  baseline: Type.Optional(
    Type.Object({
      experiment_id: Id,
      changes: Type.Array(ScoreChange),
    }),
  ),
});

const CellChange = Type.Object({
  baseline: Nullable(Type.Number()),
  value: Nullable(Type.Number()),
  delta: Nullable(Type.Number()),
  change: Nullable(Type.Union([Type.Literal('improved'), Type.Literal('regressed'), Type.Literal('unchanged')])),
});

export const ComparisonRow = Type.Object({
  record: DatasetRecord,
  runs: Type.Record(Type.String(), Type.Array(Type.Intersect([Run, Type.Object({ scores: Type.Array(Score) })]))),
  changes: Type.Optional(Type.Record(Type.String(), Type.Record(Type.String(), CellChange))),
});

/** A page of the comparison's records, with `total` when asked (`count`). */
export const ComparisonRowsPage = Type.Intersect([
  Page(ComparisonRow),
  Type.Object({ total: Type.Optional(Type.Integer({ description: 'How many records match, over every page (with `count`)' })) }),
]);
