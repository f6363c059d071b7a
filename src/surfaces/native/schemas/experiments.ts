import { Type } from '@sinclair/typebox';
import { LIMITS } from '../../../domain/limits.js';
import { JsonObjectSchema, JsonValue } from '../../../domain/record-schema.js';
import { SCORE_SOURCES } from '../../../domain/types.js';
import { Description, StoredDescription, ExportFormat, Id, MetadataFilter, Name, Page, PageQuery, Timestamp, VersionParam } from './common.js';

/** Experiments, their runs and scores, and logs: as the routes of experiments.ts and logs.ts take and answer them. */
const TimeInput = Type.Union([Type.String({ minLength: 1 }), Type.Number(), Type.Null()], {
  description: 'ISO-8601 time or epoch milliseconds',
});
const Cost = Type.Union([Type.String({ maxLength: 100, pattern: '^[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?$' }), Type.Number(), Type.Null()], {
  description: 'US dollars as a number or a decimal string; kept exactly to nine decimal places, returned as a decimal string',
});
const Count = Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]);
const Millis = Type.Union([Type.Number({ minimum: 0 }), Type.Null()]);
const RunStatus = Type.Union([Type.Literal('success'), Type.Literal('error'), Type.Literal('pending')]);
const ScoreSource = Type.Union(SCORE_SOURCES.map((source) => Type.Literal(source)));

export const Experiment = Type.Object({
  id: Id,
  project_id: Id,
  dataset_id: Type.Union([Id, Type.Null()], { description: 'Null for a log stream (runs without a dataset)' }),
  dataset_version: Type.Union([Type.Integer(), Type.Null()], { description: 'The dataset version the experiment ran on' }),
  name: Type.String(),
  description: StoredDescription,
  metadata: JsonObjectSchema,
  source: Type.String({ description: 'The surface it was created through (native, langsmith, arize, ...)' }),
  start_time: Type.Union([Timestamp, Type.Null()]),
  end_time: Type.Union([Timestamp, Type.Null()]),
  created_at: Timestamp,
  updated_at: Timestamp,
});

export const ExperimentCreate = Type.Object(
  {
    name: Name,
    dataset_id: Type.Optional(Type.Union([Id, Type.Null()])),
    dataset_version: Type.Optional(VersionParam),
    project_id: Type.Optional(Id),
    description: Type.Optional(Description),
    metadata: Type.Optional(JsonObjectSchema),
    start_time: Type.Optional(TimeInput),
    end_time: Type.Optional(TimeInput),
  },
  { additionalProperties: false },
);

export const ExperimentUpdate = Type.Object(
  {
    name: Type.Optional(Name),
    description: Type.Optional(Description),
    metadata: Type.Optional(JsonObjectSchema),
    start_time: Type.Optional(TimeInput),
    end_time: Type.Optional(TimeInput),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const ExperimentQuery = Type.Object(
  {
    ...PageQuery,
    dataset_id: Type.Optional(Id),
    project_id: Type.Optional(Id),
    name: Type.Optional(Type.String({ description: 'Exact name' })),
    q: Type.Optional(Type.String({ minLength: 1, description: 'Substring of the name' })),
    kind: Type.Optional(Type.Union([Type.Literal('experiment'), Type.Literal('log_stream')], { description: 'On a dataset, or a log stream' })),
    sort: Type.Optional(
      Type.Union([Type.Literal('created'), Type.Literal('name'), Type.Literal('activity')], {
        description: "`created` (the default), `name`, or `activity`: the time of the experiment's newest run, else of its last update",
      }),
    ),
    order: Type.Optional(
      Type.Union([Type.Literal('asc'), Type.Literal('desc')], { description: 'Descending by default for `created` and `activity`, ascending for `name`' }),
    ),
  },
  { additionalProperties: false },
);

export const ScoreInput = Type.Object(
  {
    id: Type.Optional(Type.String({ format: 'uuid', description: 'Caller-chosen; sending it again records nothing new' })),
    run_id: Type.Optional(Type.Union([Id, Type.Null()], { description: 'Absent or null: a score of the whole experiment' })),
    key: Type.String({ minLength: 1, maxLength: 200 }),
    score: Type.Optional(Type.Union([Type.Number(), Type.Boolean(), Type.Null()])),
    value: Type.Optional(JsonValue),
    comment: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    correction: Type.Optional(JsonValue),
    source: Type.Optional(ScoreSource),
    metadata: Type.Optional(JsonObjectSchema),
  },
  { additionalProperties: false },
);

const RunScoreInput = Type.Omit(ScoreInput, ['run_id'], { additionalProperties: false });

export const RunInput = Type.Object(
  {
    id: Type.Optional(Type.String({ format: 'uuid', description: 'Caller-chosen; sending the run again records nothing new' })),
    record_id: Type.Optional(Type.Union([Id, Type.Null()], { description: "A record of the experiment's dataset version" })),
    repetition: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.Null()], { description: 'Numbered 1, 2, ... per record when omitted' })),
    name: Type.Optional(Type.Union([Type.String({ maxLength: 500 }), Type.Null()])),
    run_type: Type.Optional(Type.Union([Type.String({ maxLength: 100 }), Type.Null()])),
    status: Type.Optional(RunStatus),
    input: Type.Optional(JsonValue),
    output: Type.Optional(JsonValue),
    error: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    start_time: Type.Optional(TimeInput),
    end_time: Type.Optional(TimeInput),
    latency_ms: Type.Optional(Millis),
    first_token_ms: Type.Optional(Millis),
    prompt_tokens: Type.Optional(Count),
    completion_tokens: Type.Optional(Count),
    total_tokens: Type.Optional(Count),
    prompt_cost: Type.Optional(Cost),
    completion_cost: Type.Optional(Cost),
    total_cost: Type.Optional(Cost),
    metadata: Type.Optional(JsonObjectSchema),
    trace_id: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()])),
    parent_run_id: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()])),
    scores: Type.Optional(Type.Array(RunScoreInput, { maxItems: 100 })),
  },
  {
    additionalProperties: true,
    description: 'A run. Fields beyond these are kept and returned as sent.',
  },
);

export const RunsAppend = Type.Object(
  {
    runs: Type.Array(RunInput, { minItems: 1, maxItems: LIMITS.recordsPerRequest }),
    replace_failed: Type.Optional(
      Type.Boolean({
        description:
          'Replace a run whose `id` was recorded before as a failed result (status `error`, no parent): the failed run, its scores and the spans of its trace are removed and the new run recorded in its place. Other runs recorded before are still skipped.',
      }),
    ),
  },
  { additionalProperties: false },
);

/** An experiment created together with its first runs (one transaction). */
export const ExperimentCreateWithRuns = Type.Composite(
  [
    ExperimentCreate,
    Type.Object({
      runs: Type.Optional(
        Type.Array(RunInput, { minItems: 1, maxItems: LIMITS.recordsPerRequest, description: 'Runs recorded with the experiment, in the same transaction' }),
      ),
    }),
  ],
  { additionalProperties: false },
);

export const ExperimentCreated = Type.Composite([
  Experiment,
  Type.Object({ run_ids: Type.Optional(Type.Array(Id, { description: 'The runs it was created with, in input order' })) }),
]);

export const RunsAppended = Type.Object({
  run_ids: Type.Array(Id, { description: 'Every run given, in input order' }),
  inserted: Type.Integer({ description: 'Runs recorded now; the others had been sent before' }),
});

export const Run = Type.Object(
  {
    id: Id,
    experiment_id: Id,
    record_id: Type.Union([Id, Type.Null()]),
    repetition: Type.Union([Type.Integer(), Type.Null()]),
    name: Type.Union([Type.String(), Type.Null()]),
    run_type: Type.Union([Type.String(), Type.Null()]),
    status: RunStatus,
    input: JsonValue,
    output: JsonValue,
    error: Type.Union([Type.String(), Type.Null()]),
    start_time: Type.Union([Timestamp, Type.Null()]),
    end_time: Type.Union([Timestamp, Type.Null()]),
    latency_ms: Type.Union([Type.Number(), Type.Null()]),
    first_token_ms: Type.Union([Type.Number(), Type.Null()]),
    prompt_tokens: Type.Union([Type.Integer(), Type.Null()]),
    completion_tokens: Type.Union([Type.Integer(), Type.Null()]),
    total_tokens: Type.Union([Type.Integer(), Type.Null()]),
    prompt_cost: Type.Union([Type.String(), Type.Null()]),
    completion_cost: Type.Union([Type.String(), Type.Null()]),
    total_cost: Type.Union([Type.String(), Type.Null()]),
    metadata: JsonObjectSchema,
    trace_id: Type.Union([Type.String(), Type.Null()]),
    parent_run_id: Type.Union([Type.String(), Type.Null()]),
    created_at: Timestamp,
    updated_at: Timestamp,
  },
  { additionalProperties: true, description: 'A run, with any extra fields it was sent with' },
);

/** A page of an experiment's runs, with how many match over every page. */
export const RunsPage = Type.Intersect([Page(Run), Type.Object({ total: Type.Integer({ description: 'How many runs match the filters, over every page' }) })]);

export const RunQuery = Type.Object(
  {
    ...PageQuery,
    record_id: Type.Optional(Id),
    status: Type.Optional(RunStatus),
    root_only: Type.Optional(Type.Boolean({ description: 'Only runs without a parent: the results, not their traces' })),
    trace_id: Type.Optional(Type.String()),
    parent_run_id: Type.Optional(Type.String()),
    name: Type.Optional(Type.String()),
    min_latency_ms: Type.Optional(Type.Number({ minimum: 0 })),
    max_latency_ms: Type.Optional(Type.Number({ minimum: 0 })),
    min_total_tokens: Type.Optional(Type.Integer({ minimum: 0 })),
    max_total_tokens: Type.Optional(Type.Integer({ minimum: 0 })),
    score_key: Type.Optional(
      Type.String({ minLength: 1, maxLength: 200, description: 'Runs with a score of this key (within score_min/score_max, or of score_value, when given)' }),
    ),
    score_min: Type.Optional(Type.Number({ description: 'With score_key: the score is at least this' })),
    score_max: Type.Optional(Type.Number({ description: 'With score_key: the score is at most this' })),
    score_value: Type.Optional(Type.String({ maxLength: 1_000, description: 'With score_key: the score’s label (a categorical value) or number' })),
    missing_score_key: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Runs with no score of this key' })),
    q: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 1_000,
        description: 'Text in the run’s input, output or error, or in its record’s input or expected output (ASCII case ignored)',
      }),
    ),
    metadata: MetadataFilter('runs'),
    record_metadata: MetadataFilter('runs whose record'),
    tag: Type.Optional(Type.Array(Type.String(), { description: 'Runs whose record has every one of these tags (repeatable)' })),
    split: Type.Optional(Type.Array(Type.String(), { description: 'Runs whose record is in any of these splits (repeatable)' })),
    sort: Type.Optional(
      Type.String({
        pattern: '^(id|latency_ms|total_tokens|total_cost|start_time|score:.+)$',
        default: 'id',
        description:
          'id (the order runs were made in), latency_ms, total_tokens, total_cost, start_time, or score:<key> (the run’s mean score of that key); runs without a value come last',
      }),
    ),
    order: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')], { default: 'asc' })),
  },
  { additionalProperties: false },
);

export const Score = Type.Object({
  id: Id,
  experiment_id: Id,
  run_id: Type.Union([Id, Type.Null()]),
  key: Type.String(),
  score: Type.Union([Type.Number(), Type.Null()]),
  value: JsonValue,
  comment: Type.Union([Type.String(), Type.Null()]),
  correction: JsonValue,
  source: ScoreSource,
  reviewer: Type.Union([Type.Object({ id: Type.String(), name: Type.Union([Type.String(), Type.Null()]) }), Type.Null()], {
    description: 'Who gave a human score: the user (or else the key) and their name; null for other sources',
  }),
  metadata: JsonObjectSchema,
  created_at: Timestamp,
  updated_at: Timestamp,
});

export const ScoresCreate = Type.Object(
  { scores: Type.Array(ScoreInput, { minItems: 1, maxItems: LIMITS.recordsPerRequest }) },
  { additionalProperties: false },
);

export const ScoresCreated = Type.Object({
  score_ids: Type.Array(Id, { description: 'Every score given, in input order' }),
  inserted: Type.Integer(),
});

export const ScoreQuery = Type.Object(
  {
    ...PageQuery,
    run_id: Type.Optional(Id),
    key: Type.Optional(Type.String()),
    level: Type.Optional(Type.Union([Type.Literal('experiment'), Type.Literal('run')], { description: 'Scores of the whole experiment, or of runs' })),
  },
  { additionalProperties: false },
);

export const RunParams = Type.Object({ run_id: Id });

export const ExperimentExportQuery = Type.Object({ format: ExportFormat }, { additionalProperties: false });

// Logs

export const LogsRecord = Type.Object(
  {
    stream_id: Type.Optional(Id),
    stream_name: Type.Optional(Type.String({ minLength: 1, maxLength: LIMITS.nameLength, description: 'A log stream of this name, made on first use' })),
    project_id: Type.Optional(Id),
    project_name: Type.Optional(
      Type.String({ minLength: 1, maxLength: LIMITS.nameLength, description: 'The project a new stream is made in, made on first use' }),
    ),
    runs: Type.Array(RunInput, { minItems: 1, maxItems: LIMITS.recordsPerRequest }),
  },
  { additionalProperties: false },
);

/** What recording logs answers: the runs, as appending them does, and the stream they went to. */
export const LogsRecorded = Type.Composite([RunsAppended, Type.Object({ log_stream: Experiment })]);

/** A comparative (pairwise) experiment: experiments of one dataset judged against each other record by record. */
export const ComparativeExperiment = Type.Object({
  id: Id,
  dataset_id: Id,
  name: Type.String(),
  description: StoredDescription,
  metadata: JsonObjectSchema,
  experiment_ids: Type.Array(Id, { description: 'The experiments compared, in the order given' }),
  created_at: Timestamp,
  updated_at: Timestamp,
});

/** A comparative experiment with its judgements: for each record, the score each experiment's run got against the others'. */
export const ComparativeExperimentWithPreferences = Type.Object({
  ...ComparativeExperiment.properties,
  experiments: Type.Array(Experiment),
  preferences: Type.Array(
    Type.Object({
      record_id: Type.Union([Id, Type.Null()]),
      experiment_id: Id,
      run_id: Id,
      score_id: Id,
      key: Type.String(),
      score: Type.Union([Type.Number(), Type.Null()]),
    }),
  ),
});

export const ComparativeExperimentParams = Type.Object({ comparative_experiment_id: Id });
