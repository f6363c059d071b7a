import { Type, type Static, type TSchema } from '@sinclair/typebox';
import type { JsonObject } from '../../domain/json.js';
import { LIMITS } from '../../domain/limits.js';

/**
 * LangSmith's request shapes (its OpenAPI document, spec §3 and §10). Fields are checked as LangSmith
 * types them; fields it does not define are refused (422) rather than dropped, so a misspelt field
 * (`expected_output` for `expected_outputs`) cannot lose data silently.
 */

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/** A field that may be left out or null: what pydantic's `Optional[...] = None` takes. */
const Maybe = <T extends TSchema>(schema: T) => Type.Optional(Nullable(schema));

export const Uuid = Type.String({ format: 'uuid' });

/** The name of a dataset or session. */
const Name = Type.String({ minLength: 1, maxLength: LIMITS.nameLength });

/** A dataset's or session's name and description, as changes (and sessions) give them: left out or null, they stay as they are. */
const NameAndDescription = { name: Maybe(Name), description: Maybe(Type.String()) };

/** Offset pagination as LangSmith's lists take it: at most 100 a page. */
const OffsetPage = {
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: LIMITS.offsetMax, default: 0 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 100 })),
};

/** A query parameter that may be repeated (`?id=a&id=b`). */
const Repeated = <T extends TSchema>(schema: T) => Type.Optional(Type.Array(schema));

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
export type FeedbackSourceType = (typeof FEEDBACK_SOURCE_TYPES)[number];

const FeedbackSource = Type.Object(
  {
    type: OneOf(FEEDBACK_SOURCE_TYPES),
    metadata: Maybe(AnyObject),
  },
  { additionalProperties: false },
);

const FeedbackConfig = Type.Object(
  {
    type: OneOf(['continuous', 'categorical', 'freeform'] as const),
    min: Maybe(Type.Number()),
    max: Maybe(Type.Number()),
    categories: Type.Optional(
      Nullable(Type.Array(Type.Object({ value: Type.Number(), label: Maybe(Type.String({ minLength: 1 })) }, { additionalProperties: false }))),
    ),
  },
  { additionalProperties: false },
);

/** `FeedbackCreateCoreSchema`: feedback without a run or session id. */
export const FeedbackCreateCore = Type.Object(
  {
    id: Type.Optional(Uuid),
    key: Type.String({ minLength: 1, maxLength: 180 }),
    score: Maybe(Type.Union([Type.Number(), Type.Boolean()])),
    value: Maybe(Type.Union([Type.Number(), Type.Boolean(), Type.String(), AnyObject])),
    comment: Maybe(Type.String()),
    correction: Maybe(Type.Union([AnyObject, Type.String()])),
    feedback_source: Maybe(FeedbackSource),
    feedback_config: Maybe(FeedbackConfig),
    feedback_group_id: Maybe(Uuid),
    comparative_experiment_id: Maybe(Uuid),
    extra: Maybe(AnyObject),
    created_at: Type.Optional(DateTime),
    modified_at: Type.Optional(DateTime),
  },
  { additionalProperties: false },
);
export type FeedbackCreateCore = Static<typeof FeedbackCreateCore>;

/** `ExperimentResultRow`: one dataset example and the run made on it. */
export const ExperimentResultRow = Type.Object(
  {
    row_id: Maybe(Uuid),
    inputs: AnyObject,
    expected_outputs: Maybe(AnyObject),
    actual_outputs: Maybe(AnyObject),
    evaluation_scores: Maybe(Type.Array(FeedbackCreateCore)),
    start_time: DateTime,
    end_time: DateTime,
    run_name: Maybe(Type.String()),
    error: Maybe(Type.String()),
    run_metadata: Maybe(AnyObject),
  },
  { additionalProperties: false },
);
export type ExperimentResultRow = Static<typeof ExperimentResultRow>;

/** `ExperimentResultsUpload`, the body of `POST /datasets/upload-experiment`. */
export const ExperimentResultsUpload = Type.Object(
  {
    experiment_name: Name,
    experiment_description: Maybe(Type.String()),
    experiment_start_time: DateTime,
    experiment_end_time: DateTime,
    experiment_metadata: Maybe(AnyObject),
    dataset_id: Maybe(Uuid),
    dataset_name: Maybe(Name),
    dataset_description: Maybe(Type.String()),
    summary_experiment_scores: Maybe(Type.Array(FeedbackCreateCore)),
    results: Type.Array(ExperimentResultRow),
  },
  { additionalProperties: false },
);
export type ExperimentResultsUpload = Static<typeof ExperimentResultsUpload>;

/** A string naming an example split, or several (LangSmith's `split`). */
const Split = Type.Union([Type.String(), Type.Array(Type.String())]);

/** What a dataset says of the shape of its examples: schemas they follow, transformations applied to them (evalstore refuses them). */
const ExampleShaping = {
  inputs_schema_definition: Maybe(AnyObject),
  outputs_schema_definition: Maybe(AnyObject),
  transformations: Maybe(Type.Array(AnyObject)),
};

/** `DatasetCreate`, the body of `POST /datasets`. The SDK keeps a dataset's metadata in `extra.metadata`. */
export const DatasetCreate = Type.Object(
  {
    id: Maybe(Uuid),
    name: Name,
    description: Maybe(Type.String()),
    created_at: Maybe(DateTime),
    data_type: Maybe(OneOf(['kv', 'llm', 'chat'] as const)),
    ...ExampleShaping,
    externally_managed: Maybe(Type.Boolean()),
    extra: Maybe(AnyObject),
    metadata: Maybe(AnyObject),
    tag_value_ids: Maybe(Type.Array(Uuid)),
  },
  { additionalProperties: false },
);
export type DatasetCreate = Static<typeof DatasetCreate>;

/** `DatasetUpdate`, the body of `PATCH /datasets/{id}`: fields left out (or null) keep their values. */
export const DatasetUpdate = Type.Object(
  {
    ...NameAndDescription,
    metadata: Maybe(AnyObject),
    ...ExampleShaping,
    baseline_experiment_id: Maybe(Uuid),
    patch_examples: Maybe(AnyObject),
  },
  { additionalProperties: false },
);
export type DatasetUpdate = Static<typeof DatasetUpdate>;

/** `ExampleCreate` of the JSON routes (`POST /examples`, `POST /examples/bulk`). */
export const ExampleCreate = Type.Object(
  {
    id: Maybe(Uuid),
    dataset_id: Uuid,
    inputs: AnyObject,
    outputs: Maybe(AnyObject),
    metadata: Maybe(AnyObject),
    split: Maybe(Split),
    created_at: Maybe(DateTime),
    source_run_id: Maybe(Uuid),
    use_source_run_io: Type.Optional(Type.Boolean()),
    use_source_run_attachments: Maybe(Type.Array(Type.String())),
  },
  { additionalProperties: false },
);
export type ExampleCreate = Static<typeof ExampleCreate>;

const exampleUpdateFields = {
  dataset_id: Maybe(Uuid),
  inputs: Maybe(AnyObject),
  outputs: Maybe(AnyObject),
  metadata: Maybe(AnyObject),
  split: Maybe(Split),
  attachments_operations: Maybe(AnyObject),
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
    created_at: Maybe(DateTime),
    modified_at: Maybe(DateTime),
    metadata: Maybe(AnyObject),
    split: Maybe(Split),
    source_run_id: Maybe(Uuid),
    use_source_run_io: Maybe(Type.Boolean()),
    use_source_run_attachments: Maybe(Type.Array(Type.String())),
  },
  { additionalProperties: false },
);
export type ExamplePart = Static<typeof ExamplePart>;

/** `TracerSessionCreate`, the body of `POST /sessions`. */
export const SessionCreate = Type.Object(
  {
    id: Maybe(Uuid),
    ...NameAndDescription,
    start_time: Maybe(DateTime),
    end_time: Maybe(DateTime),
    extra: Maybe(AnyObject),
    default_dataset_id: Maybe(Uuid),
    reference_dataset_id: Maybe(Uuid),
    trace_tier: Maybe(OneOf(['longlived', 'shortlived'] as const)),
    num_examples: Maybe(Type.Integer({ minimum: 0 })),
    num_repetitions: Maybe(Type.Integer({ minimum: 0 })),
    evaluator_keys: Maybe(Type.Array(Type.String())),
    tag_value_ids: Maybe(Type.Array(Uuid)),
    kicked_off_by: Maybe(Type.String()),
  },
  { additionalProperties: false },
);
export type SessionCreate = Static<typeof SessionCreate>;

/** `TracerSessionUpdate`, the body of `PATCH /sessions/{id}`: null leaves a field as it is. */
export const SessionUpdate = Type.Object(
  {
    ...NameAndDescription,
    start_time: Maybe(DateTime),
    end_time: Maybe(DateTime),
    extra: Maybe(AnyObject),
    default_dataset_id: Maybe(Uuid),
    trace_tier: Maybe(OneOf(['longlived', 'shortlived'] as const)),
    tag_value_ids: Maybe(Type.Array(Uuid)),
  },
  { additionalProperties: false },
);
export type SessionUpdate = Static<typeof SessionUpdate>;

/**
 * A run as the ingest routes take it (`runs.Run`). LangSmith's run ingestion ignores fields it does
 * not know; evalstore keeps them instead (in the run's `extra`), so they are accepted.
 */
export const RunBody = Type.Object({
  id: Maybe(Uuid),
  name: Maybe(Type.String()),
  run_type: Maybe(Type.String()),
  start_time: Maybe(DateTime),
  end_time: Maybe(DateTime),
  inputs: Maybe(AnyObject),
  outputs: Maybe(AnyObject),
  error: Maybe(Type.String()),
  extra: Maybe(AnyObject),
  events: Maybe(Type.Array(AnyObject)),
  serialized: Maybe(AnyObject),
  tags: Maybe(Type.Array(Type.String())),
  parent_run_id: Maybe(Uuid),
  trace_id: Maybe(Uuid),
  dotted_order: Maybe(Type.String()),
  session_id: Maybe(Uuid),
  session_name: Maybe(Type.String()),
  reference_example_id: Maybe(Uuid),
  status: Maybe(Type.String()),
});
export type RunBody = Static<typeof RunBody>;

/** The body of `POST /runs/batch`: new runs and changes to runs. */
export const RunBatchBody = Type.Object(
  {
    post: Maybe(Type.Array(RunBody)),
    patch: Maybe(Type.Array(RunBody)),
  },
  { additionalProperties: false },
);
export type RunBatchBody = Static<typeof RunBatchBody>;

/** `FeedbackCreateSchema`, the body of `POST /feedback` (and of multipart `feedback.<id>` parts). */
export const FeedbackCreate = Type.Object(
  {
    ...FeedbackCreateCore.properties,
    run_id: Maybe(Uuid),
    session_id: Maybe(Uuid),
    trace_id: Maybe(Uuid),
    start_time: Maybe(DateTime),
    error: Maybe(Type.Boolean()),
    // The JS SDK spells it so (spec §3.6); the same as feedback_config.
    feedbackConfig: Maybe(FeedbackConfig),
    extend_trace_retention: Maybe(Type.Boolean()),
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
    score: Maybe(Type.Union([Type.Number(), Type.Boolean()])),
    value: Maybe(Type.Union([Type.Number(), Type.Boolean(), Type.String(), AnyObject])),
    comment: Maybe(Type.String()),
    correction: Maybe(Type.Union([AnyObject, Type.String()])),
    feedback_config: Maybe(FeedbackConfig),
  },
  { additionalProperties: false },
);
export type FeedbackUpdate = Static<typeof FeedbackUpdate>;

/** What LangSmith's run queries (`POST /runs/query`, `POST /runs/stats`) filter by. */
const RunQueryFilters = {
  id: Maybe(Type.Array(Uuid)),
  trace: Maybe(Uuid),
  parent_run: Maybe(Uuid),
  run_type: Maybe(Type.String()),
  session: Maybe(Type.Array(Uuid)),
  reference_example: Maybe(Type.Array(Uuid)),
  execution_order: Maybe(Type.Integer({ minimum: 1 })),
  start_time: Maybe(DateTime),
  end_time: Maybe(DateTime),
  error: Maybe(Type.Boolean()),
  query: Maybe(Type.String()),
  filter: Maybe(Type.String()),
  trace_filter: Maybe(Type.String()),
  tree_filter: Maybe(Type.String()),
  is_root: Maybe(Type.Boolean()),
  data_source_type: Maybe(Type.String()),
  skip_pagination: Maybe(Type.Boolean()),
  search_filter: Maybe(Type.String()),
  use_experimental_search: Maybe(Type.Boolean()),
  select: Maybe(Type.Array(Type.String())),
};

/** `BodyParamsForRunsQuerySchema`, the body of `POST /runs/query`. */
export const RunsQueryBody = Type.Object(
  {
    ...RunQueryFilters,
    cursor: Maybe(Type.String()),
    limit: Maybe(Type.Integer({ minimum: 1, maximum: 100 })),
    order: Maybe(OneOf(['asc', 'desc'] as const)),
    skip_prev_cursor: Maybe(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type RunsQueryBody = Static<typeof RunsQueryBody>;

/** `RunQueryV2Params`, the body of the generated client's `POST /api/v2/runs/query` (`client.runs.query()`). */
export const RunsQueryV2Body = Type.Object(
  {
    project_ids: Type.Optional(Type.Array(Uuid)),
    reference_dataset_id: Type.Optional(Uuid),
    ids: Type.Optional(Type.Array(Uuid)),
    reference_examples: Type.Optional(Type.Array(Uuid)),
    trace_id: Type.Optional(Uuid),
    run_type: Type.Optional(Type.String()),
    is_root: Type.Optional(Type.Boolean()),
    has_error: Type.Optional(Type.Boolean()),
    min_start_time: Type.Optional(DateTime),
    max_start_time: Type.Optional(DateTime),
    filter: Type.Optional(Type.String()),
    trace_filter: Type.Optional(Type.String()),
    tree_filter: Type.Optional(Type.String()),
    ai_search: Type.Optional(Type.String()),
    min_feedback_modified_at: Type.Optional(Type.String()),
    max_feedback_modified_at: Type.Optional(Type.String()),
    include_subtree_usage: Type.Optional(Type.Boolean()),
    selects: Type.Optional(Type.Array(Type.String())),
    cursor: Type.Optional(Type.String()),
    page_size: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
  },
  { additionalProperties: false },
);
export type RunsQueryV2Body = Static<typeof RunsQueryV2Body>;

/** `GET /api/v2/runs/{id}` (`client.runs.retrieve()`): the run's project, the fields to answer. */
export const RunV2Query = Type.Object({
  project_id: Type.Optional(Uuid),
  selects: Repeated(Type.String()),
  start_time: Type.Optional(Type.String()),
});

/** `RunStatsQueryParams`, the body of `POST /runs/stats` (statistics of every run a query finds). */
export const RunStatsBody = Type.Object(
  {
    ...RunQueryFilters,
    include_details: Maybe(Type.Boolean()),
    reference_dataset_id: Maybe(Uuid),
    group_by: Maybe(Type.Unknown()),
    groups: Maybe(Type.Array(Type.Union([Type.String(), Type.Null()]))),
  },
  { additionalProperties: false },
);
export type RunStatsBody = Static<typeof RunStatsBody>;

// Paths and queries

export const DatasetParams = Type.Object({ dataset_id: Uuid });
export const ExampleParams = Type.Object({ example_id: Uuid });
export const SessionParams = Type.Object({ session_id: Uuid });
export const RunParams = Type.Object({ run_id: Uuid });
export const FeedbackParams = Type.Object({ feedback_id: Uuid });

/** Pages of a list: `offset` and `limit` alone. */
export const PageQuery = Type.Object({ ...OffsetPage });

/** What LangSmith's lists of named things (datasets, sessions) filter by: ids, a name or part of one, metadata (JSON); and their page. */
const NamedListFilters = {
  id: Repeated(Uuid),
  name: Type.Optional(Type.String()),
  name_contains: Type.Optional(Type.String()),
  metadata: Type.Optional(Type.String()),
  ...OffsetPage,
};

/** `GET /datasets`. */
export const DatasetQuery = Type.Object({ ...NamedListFilters, data_type: Type.Optional(Type.Array(Type.String())) });

/** `GET /datasets/{id}/version`: the version at a time (`as_of`) or of a tag. */
export const VersionQuery = Type.Object({ as_of: Type.Optional(Type.String()), tag: Type.Optional(Type.String()) });

/** A version named by `as_of`: a time, a tag or `latest`. */
export const AsOfQuery = Type.Object({ as_of: Type.Optional(Type.String()) });

/** `GET /datasets/{id}/versions/diff`. */
export const VersionDiffQuery = Type.Object({ from_version: Type.String(), to_version: Type.String() });

/** `PUT /datasets/{id}/tags`: a tag moved to the version at `as_of`. */
export const TagBody = Type.Object(
  { as_of: Type.String({ minLength: 1 }), tag: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
);

/** `GET /examples`: a dataset's examples (at a version, in splits, by metadata), or examples by id. */
export const ExampleQuery = Type.Object({
  dataset: Type.Optional(Uuid),
  id: Repeated(Uuid),
  as_of: Type.Optional(Type.String()),
  splits: Repeated(Type.String()),
  metadata: Type.Optional(Type.String()),
  filter: Type.Optional(Type.String()),
  ...OffsetPage,
});

/** Examples named by id in one request, as many as one version may change. */
const ExampleIds = Type.Array(Uuid, { minItems: 1, maxItems: LIMITS.recordsPerRequest });

/** `DELETE /examples?example_ids=…`. */
export const ExampleIdsQuery = Type.Object({ example_ids: ExampleIds });

/** `POST /examples/bulk`. */
export const ExamplesBulkCreate = Type.Array(ExampleCreate, { minItems: 1, maxItems: LIMITS.recordsPerRequest });

/** `PATCH /examples/bulk`. */
export const ExamplesBulkUpdate = Type.Array(ExampleUpdateWithId, { minItems: 1, maxItems: LIMITS.recordsPerRequest });

/** `POST /v1/platform/datasets/examples/delete`. */
export const ExamplesDelete = Type.Object({ example_ids: ExampleIds, hard_delete: Type.Optional(Type.Boolean()) }, { additionalProperties: false });

/** `PATCH /v1/platform/datasets/{id}/examples/metadata`: values added to or removed from array fields of the examples' metadata. */
export const ExamplesMetadataChange = Type.Object(
  {
    example_ids: ExampleIds,
    operations: Type.Array(
      Type.Object(
        {
          key: Type.String({ minLength: 1 }),
          // Either case: the endpoint first took lower case only (the SDK still sends it so).
          operation: OneOf(['array_add', 'array_remove', 'ARRAY_ADD', 'ARRAY_REMOVE'] as const),
          values: Type.Array(Type.String()),
        },
        { additionalProperties: false },
      ),
      { minItems: 1 },
    ),
  },
  { additionalProperties: false },
);

/** `PUT /datasets/{id}/splits`: examples put in a split, or taken out of it. */
export const ExampleSplitChange = Type.Object(
  { split_name: Type.String({ minLength: 1 }), examples: ExampleIds, remove: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
);

/** `POST /sessions`: `upsert` answers the session of the name given instead of refusing it. */
export const SessionCreateQuery = Type.Object({ upsert: Type.Optional(Type.Boolean()) });

/** Sessions with their statistics, when asked. */
export const SessionStatsQuery = Type.Object({ include_stats: Type.Optional(Type.Boolean()) });

/** `GET /sessions`. */
export const SessionQuery = Type.Object({
  ...NamedListFilters,
  reference_dataset: Repeated(Uuid),
  reference_free: Type.Optional(Type.Boolean()),
  include_stats: Type.Optional(Type.Boolean()),
});

/** `GET /feedback`. */
export const FeedbackQuery = Type.Object({
  run: Repeated(Uuid),
  session: Repeated(Uuid),
  key: Repeated(Type.String()),
  source: Repeated(Type.String()),
  level: Type.Optional(OneOf(['run', 'session'] as const)),
  has_comment: Type.Optional(Type.Boolean()),
  has_score: Type.Optional(Type.Boolean()),
  ...OffsetPage,
});

/** The body of `POST /datasets/{dataset_id}/group/runs` (spec §11). */
export const GroupRunsBody = Type.Object(
  {
    session_ids: Type.Array(Uuid, { minItems: 1 }),
    group_by: Type.Union([Type.Literal('run_metadata'), Type.Literal('example_metadata')]),
    metadata_key: Type.String({ minLength: 1 }),
    offset: Type.Optional(Type.Integer({ minimum: 0, maximum: LIMITS.offsetMax, default: 0 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 10 })),
    per_group_limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10, default: 5 })),
    preview: Type.Optional(Type.Boolean({ default: false })),
    filters: Maybe(Type.Record(Type.String(), Type.Array(Type.String()))),
  },
  { additionalProperties: false },
);
export type GroupRunsBody = Static<typeof GroupRunsBody>;

/** `ComparativeExperimentCreate`, the body of `POST /datasets/comparative` (the SDK's `createComparativeExperiment`). */
export const ComparativeExperimentCreate = Type.Object(
  {
    id: Maybe(Uuid),
    name: Name,
    description: Maybe(Type.String()),
    experiment_ids: Type.Array(Uuid, { minItems: 2, maxItems: 100 }),
    reference_dataset_id: Uuid,
    created_at: Maybe(DateTime),
    extra: Maybe(AnyObject),
  },
  { additionalProperties: false },
);
export type ComparativeExperimentCreate = Static<typeof ComparativeExperimentCreate>;

export const ComparativeExperimentParams = Type.Object({ comparative_experiment_id: Uuid });

/** The query of `GET /datasets/{id}/comparative`. */
export const ComparativeExperimentQuery = Type.Object({ ...OffsetPage, name: Type.Optional(Type.String()) });

/** `AnnotationQueueRubricItem`: a feedback key reviewers fill in (evalstore's score config of that name). */
const RubricItem = Type.Object({
  feedback_key: Type.String({ minLength: 1, maxLength: 200 }),
  description: Maybe(Type.String()),
  value_descriptions: Maybe(Type.Record(Type.String(), Type.String())),
  score_descriptions: Maybe(Type.Record(Type.String(), Type.String())),
  is_required: Maybe(Type.Boolean()),
});
export type RubricItem = Static<typeof RubricItem>;

/** `POST /annotation-queues` (`createAnnotationQueue`). */
export const AnnotationQueueCreate = Type.Object({
  id: Type.Optional(Uuid),
  name: Type.String({ minLength: 1, maxLength: 500 }),
  description: Maybe(Type.String()),
  rubric_instructions: Maybe(Type.String()),
  rubric_items: Maybe(Type.Array(RubricItem, { maxItems: 50 })),
  num_reviewers_per_item: Maybe(Type.Integer({ minimum: 1, maximum: 100 })),
  reservation_minutes: Maybe(Type.Integer({ minimum: 1, maximum: 1_440 })),
});

/** `PATCH /annotation-queues/{id}` (`updateAnnotationQueue`). */
export const AnnotationQueueUpdate = Type.Object({
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
  description: Maybe(Type.String()),
  rubric_instructions: Maybe(Type.String()),
  rubric_items: Maybe(Type.Array(RubricItem, { maxItems: 50 })),
  num_reviewers_per_item: Maybe(Type.Integer({ minimum: 1, maximum: 100 })),
  reservation_minutes: Maybe(Type.Integer({ minimum: 1, maximum: 1_440 })),
});

export const AnnotationQueueParams = Type.Object({ queue_id: Uuid });
export const QueueRunParams = Type.Object({ queue_id: Uuid, queue_run_id: Uuid });
export const QueueIndexParams = Type.Object({ queue_id: Uuid, index: Type.Integer({ minimum: 0 }) });

/** `GET /annotation-queues` (`listAnnotationQueues`). */
export const AnnotationQueueQuery = Type.Object({
  ids: Repeated(Uuid),
  name: Type.Optional(Type.String()),
  name_contains: Type.Optional(Type.String()),
  ...OffsetPage,
});

/** `GET /annotation-queues/{id}/runs` (`listRunsFromAnnotationQueue`). */
export const QueueRunsQuery = Type.Object({ status: Type.Optional(Type.String()), ...OffsetPage });

/** `POST /annotation-queues/{id}/runs`: run ids (deprecated by the SDK, still sent for plain ids). */
export const QueueRunIds = Type.Array(Uuid, { maxItems: LIMITS.recordsPerRequest });

/** `POST /annotation-queues/{id}/runs/by-key`: runs by their lookup key. */
export const QueueRunKeys = Type.Array(Type.Object({ run_id: Uuid, session_id: Uuid, start_time: Type.String(), source_proposed_example_id: Maybe(Uuid) }), {
  maxItems: LIMITS.recordsPerRequest,
});
