import { Type, type Static, type TSchema } from '@sinclair/typebox';
import type { JsonObject } from '../../domain/json.js';
import { LIMITS } from '../../domain/limits.js';

/**
 * LangSmith's request shapes (its OpenAPI document, spec §3 and §10). Fields are checked as LangSmith
 * types them; fields it does not define are refused (422) rather than dropped, so a misspelt field
 * (`expected_output` for `expected_outputs`) cannot lose data silently.
 */

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const Uuid = Type.String({ format: 'uuid' });

/**
 * A date-time as pydantic reads one: ISO-8601 with or without a zone (no zone means UTC), or a Unix
 * time in seconds, or in milliseconds when larger than 2·10¹⁰ (see `fromLangSmithTime`).
 */
const DateTime = Type.Union([Type.String({ format: 'iso-date-time' }), Type.Number()]);

/** A JSON object of any shape. */
export const AnyObject = Type.Unsafe<JsonObject>({ type: 'object' });

/** One of `values`, refused with a message that lists them. */
export const OneOf = <T extends string>(values: readonly T[]) => Type.Unsafe<T>({ type: 'string', enum: values });

const FEEDBACK_SOURCE_TYPES = ['app', 'api', 'model', 'auto_eval'] as const;

const FeedbackSource = Type.Object(
  {
    type: OneOf(FEEDBACK_SOURCE_TYPES),
    metadata: Type.Optional(Nullable(AnyObject)),
  },
  { additionalProperties: false },
);

const FeedbackConfig = Type.Object(
  {
    type: OneOf(['continuous', 'categorical', 'freeform'] as const),
    min: Type.Optional(Nullable(Type.Number())),
    max: Type.Optional(Nullable(Type.Number())),
    categories: Type.Optional(
      Nullable(Type.Array(Type.Object({ value: Type.Number(), label: Type.Optional(Nullable(Type.String({ minLength: 1 }))) }, { additionalProperties: false }))),
    ),
  },
  { additionalProperties: false },
);

/** `FeedbackCreateCoreSchema`: feedback without a run or session id. */
export const FeedbackCreateCore = Type.Object(
  {
    id: Type.Optional(Uuid),
    key: Type.String({ minLength: 1, maxLength: 180 }),
    score: Type.Optional(Nullable(Type.Union([Type.Number(), Type.Boolean()]))),
    value: Type.Optional(Nullable(Type.Union([Type.Number(), Type.Boolean(), Type.String(), AnyObject]))),
    comment: Type.Optional(Nullable(Type.String())),
    correction: Type.Optional(Nullable(Type.Union([AnyObject, Type.String()]))),
    feedback_source: Type.Optional(Nullable(FeedbackSource)),
    feedback_config: Type.Optional(Nullable(FeedbackConfig)),
    feedback_group_id: Type.Optional(Nullable(Uuid)),
    comparative_experiment_id: Type.Optional(Nullable(Uuid)),
    extra: Type.Optional(Nullable(AnyObject)),
    created_at: Type.Optional(DateTime),
    modified_at: Type.Optional(DateTime),
  },
  { additionalProperties: false },
);
export type FeedbackCreateCore = Static<typeof FeedbackCreateCore>;

/** `ExperimentResultRow`: one dataset example and the run made on it. */
export const ExperimentResultRow = Type.Object(
  {
    row_id: Type.Optional(Nullable(Uuid)),
    inputs: AnyObject,
    expected_outputs: Type.Optional(Nullable(AnyObject)),
    actual_outputs: Type.Optional(Nullable(AnyObject)),
    evaluation_scores: Type.Optional(Nullable(Type.Array(FeedbackCreateCore))),
    start_time: DateTime,
    end_time: DateTime,
    run_name: Type.Optional(Nullable(Type.String())),
    error: Type.Optional(Nullable(Type.String())),
    run_metadata: Type.Optional(Nullable(AnyObject)),
  },
  { additionalProperties: false },
);
export type ExperimentResultRow = Static<typeof ExperimentResultRow>;

/** `ExperimentResultsUpload`, the body of `POST /datasets/upload-experiment`. */
export const ExperimentResultsUpload = Type.Object(
  {
    experiment_name: Type.String({ minLength: 1, maxLength: LIMITS.nameLength }),
    experiment_description: Type.Optional(Nullable(Type.String())),
    experiment_start_time: DateTime,
    experiment_end_time: DateTime,
    experiment_metadata: Type.Optional(Nullable(AnyObject)),
    dataset_id: Type.Optional(Nullable(Uuid)),
    dataset_name: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: LIMITS.nameLength }))),
    dataset_description: Type.Optional(Nullable(Type.String())),
    summary_experiment_scores: Type.Optional(Nullable(Type.Array(FeedbackCreateCore))),
    results: Type.Array(ExperimentResultRow),
  },
  { additionalProperties: false },
);
export type ExperimentResultsUpload = Static<typeof ExperimentResultsUpload>;

/** A string naming an example split, or several (LangSmith's `split`). */
const Split = Type.Union([Type.String(), Type.Array(Type.String())]);

/** `DatasetCreate`, the body of `POST /datasets`. The SDK keeps a dataset's metadata in `extra.metadata`. */
export const DatasetCreate = Type.Object(
  {
    id: Type.Optional(Nullable(Uuid)),
    name: Type.String({ minLength: 1, maxLength: LIMITS.nameLength }),
    description: Type.Optional(Nullable(Type.String())),
    created_at: Type.Optional(Nullable(DateTime)),
    data_type: Type.Optional(Nullable(OneOf(['kv', 'llm', 'chat'] as const))),
    inputs_schema_definition: Type.Optional(Nullable(AnyObject)),
    outputs_schema_definition: Type.Optional(Nullable(AnyObject)),
    externally_managed: Type.Optional(Nullable(Type.Boolean())),
    transformations: Type.Optional(Nullable(Type.Array(AnyObject))),
    extra: Type.Optional(Nullable(AnyObject)),
    metadata: Type.Optional(Nullable(AnyObject)),
    tag_value_ids: Type.Optional(Nullable(Type.Array(Uuid))),
  },
  { additionalProperties: false },
);
export type DatasetCreate = Static<typeof DatasetCreate>;

/** `DatasetUpdate`, the body of `PATCH /datasets/{id}`: fields left out (or null) keep their values. */
export const DatasetUpdate = Type.Object(
  {
    name: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: LIMITS.nameLength }))),
    description: Type.Optional(Nullable(Type.String())),
    metadata: Type.Optional(Nullable(AnyObject)),
    inputs_schema_definition: Type.Optional(Nullable(AnyObject)),
    outputs_schema_definition: Type.Optional(Nullable(AnyObject)),
    baseline_experiment_id: Type.Optional(Nullable(Uuid)),
    transformations: Type.Optional(Nullable(Type.Array(AnyObject))),
    patch_examples: Type.Optional(Nullable(AnyObject)),
  },
  { additionalProperties: false },
);
export type DatasetUpdate = Static<typeof DatasetUpdate>;

/** `ExampleCreate` of the JSON routes (`POST /examples`, `POST /examples/bulk`). */
export const ExampleCreate = Type.Object(
  {
    id: Type.Optional(Nullable(Uuid)),
    dataset_id: Uuid,
    inputs: AnyObject,
    outputs: Type.Optional(Nullable(AnyObject)),
    metadata: Type.Optional(Nullable(AnyObject)),
    split: Type.Optional(Nullable(Split)),
    created_at: Type.Optional(Nullable(DateTime)),
    source_run_id: Type.Optional(Nullable(Uuid)),
    use_source_run_io: Type.Optional(Type.Boolean()),
    use_source_run_attachments: Type.Optional(Nullable(Type.Array(Type.String()))),
  },
  { additionalProperties: false },
);
export type ExampleCreate = Static<typeof ExampleCreate>;

const exampleUpdateFields = {
  dataset_id: Type.Optional(Nullable(Uuid)),
  inputs: Type.Optional(Nullable(AnyObject)),
  outputs: Type.Optional(Nullable(AnyObject)),
  metadata: Type.Optional(Nullable(AnyObject)),
  split: Type.Optional(Nullable(Split)),
  attachments_operations: Type.Optional(Nullable(AnyObject)),
  overwrite: Type.Optional(Type.Boolean()),
};

/** `ExampleUpdate` (`PATCH /examples/{id}`): fields left out (or null) keep their values. */
export const ExampleUpdate = Type.Object(exampleUpdateFields, { additionalProperties: false });
export type ExampleUpdate = Static<typeof ExampleUpdate>;

/** `ExampleUpdateWithID` (`PATCH /examples/bulk`). */
export const ExampleUpdateWithId = Type.Object({ id: Uuid, ...exampleUpdateFields }, { additionalProperties: false });
export type ExampleUpdateWithId = Static<typeof ExampleUpdateWithId>;

/** The JSON part named `<example_id>` of a multipart example upload: the example's own fields. */
export const ExamplePart = Type.Object(
  {
    created_at: Type.Optional(Nullable(DateTime)),
    modified_at: Type.Optional(Nullable(DateTime)),
    metadata: Type.Optional(Nullable(AnyObject)),
    split: Type.Optional(Nullable(Split)),
    source_run_id: Type.Optional(Nullable(Uuid)),
    use_source_run_io: Type.Optional(Nullable(Type.Boolean())),
    use_source_run_attachments: Type.Optional(Nullable(Type.Array(Type.String()))),
  },
  { additionalProperties: false },
);
export type ExamplePart = Static<typeof ExamplePart>;

/** `TracerSessionCreate`, the body of `POST /sessions`. */
export const SessionCreate = Type.Object(
  {
    id: Type.Optional(Nullable(Uuid)),
    name: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: LIMITS.nameLength }))),
    description: Type.Optional(Nullable(Type.String())),
    start_time: Type.Optional(Nullable(DateTime)),
    end_time: Type.Optional(Nullable(DateTime)),
    extra: Type.Optional(Nullable(AnyObject)),
    default_dataset_id: Type.Optional(Nullable(Uuid)),
    reference_dataset_id: Type.Optional(Nullable(Uuid)),
    trace_tier: Type.Optional(Nullable(OneOf(['longlived', 'shortlived'] as const))),
    num_examples: Type.Optional(Nullable(Type.Integer({ minimum: 0 }))),
    num_repetitions: Type.Optional(Nullable(Type.Integer({ minimum: 0 }))),
    evaluator_keys: Type.Optional(Nullable(Type.Array(Type.String()))),
    tag_value_ids: Type.Optional(Nullable(Type.Array(Uuid))),
    kicked_off_by: Type.Optional(Nullable(Type.String())),
  },
  { additionalProperties: false },
);
export type SessionCreate = Static<typeof SessionCreate>;

/** `TracerSessionUpdate`, the body of `PATCH /sessions/{id}`: null leaves a field as it is. */
export const SessionUpdate = Type.Object(
  {
    name: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: LIMITS.nameLength }))),
    description: Type.Optional(Nullable(Type.String())),
    start_time: Type.Optional(Nullable(DateTime)),
    end_time: Type.Optional(Nullable(DateTime)),
    extra: Type.Optional(Nullable(AnyObject)),
    default_dataset_id: Type.Optional(Nullable(Uuid)),
    trace_tier: Type.Optional(Nullable(OneOf(['longlived', 'shortlived'] as const))),
    tag_value_ids: Type.Optional(Nullable(Type.Array(Uuid))),
  },
  { additionalProperties: false },
);
export type SessionUpdate = Static<typeof SessionUpdate>;

/**
 * A run as the ingest routes take it (`runs.Run`). LangSmith's run ingestion ignores fields it does
 * not know; evalstore keeps them instead (in the run's `extra`), so they are accepted.
 */
export const RunBody = Type.Object({
  id: Type.Optional(Nullable(Uuid)),
  name: Type.Optional(Nullable(Type.String())),
  run_type: Type.Optional(Nullable(Type.String())),
  start_time: Type.Optional(Nullable(DateTime)),
  end_time: Type.Optional(Nullable(DateTime)),
  inputs: Type.Optional(Nullable(AnyObject)),
  outputs: Type.Optional(Nullable(AnyObject)),
  error: Type.Optional(Nullable(Type.String())),
  extra: Type.Optional(Nullable(AnyObject)),
  events: Type.Optional(Nullable(Type.Array(AnyObject))),
  serialized: Type.Optional(Nullable(AnyObject)),
  tags: Type.Optional(Nullable(Type.Array(Type.String()))),
  parent_run_id: Type.Optional(Nullable(Uuid)),
  trace_id: Type.Optional(Nullable(Uuid)),
  dotted_order: Type.Optional(Nullable(Type.String())),
  session_id: Type.Optional(Nullable(Uuid)),
  session_name: Type.Optional(Nullable(Type.String())),
  reference_example_id: Type.Optional(Nullable(Uuid)),
  status: Type.Optional(Nullable(Type.String())),
});
export type RunBody = Static<typeof RunBody>;

/** The body of `POST /runs/batch`: new runs and changes to runs. */
export const RunBatchBody = Type.Object(
  {
    post: Type.Optional(Nullable(Type.Array(RunBody))),
    patch: Type.Optional(Nullable(Type.Array(RunBody))),
  },
  { additionalProperties: false },
);
export type RunBatchBody = Static<typeof RunBatchBody>;

/** `FeedbackCreateSchema`, the body of `POST /feedback` (and of multipart `feedback.<id>` parts). */
export const FeedbackCreate = Type.Object(
  {
    ...FeedbackCreateCore.properties,
    run_id: Type.Optional(Nullable(Uuid)),
    session_id: Type.Optional(Nullable(Uuid)),
    trace_id: Type.Optional(Nullable(Uuid)),
    start_time: Type.Optional(Nullable(DateTime)),
    error: Type.Optional(Nullable(Type.Boolean())),
    // The JS SDK spells it so (spec §3.6); the same as feedback_config.
    feedbackConfig: Type.Optional(Nullable(FeedbackConfig)),
    extend_trace_retention: Type.Optional(Nullable(Type.Boolean())),
  },
  { additionalProperties: false },
);
export type FeedbackCreate = Static<typeof FeedbackCreate>;

/**
 * Feedback in a multipart ingest body (`feedback.<id>` parts). Run ingestion ignores fields it does not
 * know, so this takes them too, and keeps them (in the score's metadata): an SDK sending a new field
 * must not lose a whole batch of runs.
 */
export const FeedbackPart = Type.Object(FeedbackCreate.properties);

/** `FeedbackUpdateSchema`, the body of `PATCH /feedback/{id}`: fields left out keep their values. */
export const FeedbackUpdate = Type.Object(
  {
    score: Type.Optional(Nullable(Type.Union([Type.Number(), Type.Boolean()]))),
    value: Type.Optional(Nullable(Type.Union([Type.Number(), Type.Boolean(), Type.String(), AnyObject]))),
    comment: Type.Optional(Nullable(Type.String())),
    correction: Type.Optional(Nullable(Type.Union([AnyObject, Type.String()]))),
    feedback_config: Type.Optional(Nullable(FeedbackConfig)),
  },
  { additionalProperties: false },
);
export type FeedbackUpdate = Static<typeof FeedbackUpdate>;

/** `BodyParamsForRunsQuerySchema`, the body of `POST /runs/query`. */
export const RunsQueryBody = Type.Object(
  {
    id: Type.Optional(Nullable(Type.Array(Uuid))),
    trace: Type.Optional(Nullable(Uuid)),
    parent_run: Type.Optional(Nullable(Uuid)),
    run_type: Type.Optional(Nullable(Type.String())),
    session: Type.Optional(Nullable(Type.Array(Uuid))),
    reference_example: Type.Optional(Nullable(Type.Array(Uuid))),
    execution_order: Type.Optional(Nullable(Type.Integer({ minimum: 1 }))),
    start_time: Type.Optional(Nullable(DateTime)),
    end_time: Type.Optional(Nullable(DateTime)),
    error: Type.Optional(Nullable(Type.Boolean())),
    query: Type.Optional(Nullable(Type.String())),
    filter: Type.Optional(Nullable(Type.String())),
    trace_filter: Type.Optional(Nullable(Type.String())),
    tree_filter: Type.Optional(Nullable(Type.String())),
    is_root: Type.Optional(Nullable(Type.Boolean())),
    data_source_type: Type.Optional(Nullable(Type.String())),
    skip_pagination: Type.Optional(Nullable(Type.Boolean())),
    search_filter: Type.Optional(Nullable(Type.String())),
    use_experimental_search: Type.Optional(Nullable(Type.Boolean())),
    cursor: Type.Optional(Nullable(Type.String())),
    limit: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 100 }))),
    select: Type.Optional(Nullable(Type.Array(Type.String()))),
    order: Type.Optional(Nullable(OneOf(['asc', 'desc'] as const))),
    skip_prev_cursor: Type.Optional(Nullable(Type.Boolean())),
  },
  { additionalProperties: false },
);
export type RunsQueryBody = Static<typeof RunsQueryBody>;

/** Offset pagination as LangSmith's lists take it: at most 100 a page. */
export const OffsetPage = {
  offset: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 100 })),
};

/** A query parameter that may be repeated (`?id=a&id=b`). */
export const Repeated = <T extends TSchema>(schema: T) => Type.Optional(Type.Array(schema));
