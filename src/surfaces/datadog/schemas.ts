import { type Static, type TSchema, Type } from '@sinclair/typebox';
import type { Json, JsonObject } from '../../domain/json.js';
import { LIMITS } from '../../domain/limits.js';

/**
 * Datadog's request shapes. Its clients add fields of their own (its generated models take any extra
 * property), so envelopes accept unknown fields; the fields evalstore reads are checked strictly.
 */

/** A JSON:API body: the resource's `attributes` under `data`. */
const Envelope = <T extends TSchema>(attributes: T) =>
  Type.Object({ data: Type.Object({ type: Type.Optional(Type.String()), id: Type.Optional(Type.String()), attributes }) });

const Tag = Type.String({ minLength: 1, maxLength: LIMITS.tagLength, pattern: '^[^:]+:', description: 'key:value' });
const Tags = Type.Array(Tag, { maxItems: LIMITS.tagsPerRecord });
const Anything = Type.Unsafe<Json>({});
const Metadata = Type.Unsafe<JsonObject | null>({ anyOf: [{ type: 'object' }, { type: 'null' }] });
const TagOperations = Type.Object({ add: Type.Optional(Tags), remove: Type.Optional(Tags), set: Type.Optional(Tags) });
const RecordId = Type.String({ minLength: 1, maxLength: LIMITS.externalIdLength });
const Name = Type.String({ minLength: 1, maxLength: LIMITS.nameLength });
const Description = Type.Optional(Type.Union([Type.String({ maxLength: 10_000 }), Type.Null()]));
/** The projects or datasets a delete names. */
const Ids = Type.Array(Type.String(), { minItems: 1, maxItems: 1_000 });

export const InsertRecord = Type.Object({
  id: Type.Optional(Type.Union([RecordId, Type.Null()])),
  input: Anything,
  expected_output: Type.Optional(Anything),
  metadata: Type.Optional(Metadata),
  tags: Type.Optional(Type.Union([Tags, Type.Null()])),
  tag_operations: Type.Optional(Type.Union([TagOperations, Type.Null()])),
});
export type InsertRecord = Static<typeof InsertRecord>;

export const UpdateRecord = Type.Object({
  id: RecordId,
  input: Type.Optional(Anything),
  expected_output: Type.Optional(Anything),
  metadata: Type.Optional(Metadata),
  tags: Type.Optional(Type.Union([Tags, Type.Null()])),
  tag_operations: Type.Optional(Type.Union([TagOperations, Type.Null()])),
});
export type UpdateRecord = Static<typeof UpdateRecord>;

const Records = <T extends TSchema>(item: T) => Type.Array(item, { maxItems: LIMITS.recordsPerRequest });

const PageFields = {
  'page[cursor]': Type.Optional(Type.String()),
  'page[limit]': Type.Optional(Type.Integer({ minimum: 1 })),
};
export const PageQuery = Type.Object({ ...PageFields });
export type PageQuery = Static<typeof PageQuery>;

/** Lists of projects and of datasets: a page, filtered by id or by name. */
export const ListQuery = Type.Object({ 'filter[id]': Type.Optional(Type.String()), 'filter[name]': Type.Optional(Type.String()), ...PageFields });

export const ProjectParams = Type.Object({ project_id: Type.String() });
export const DatasetParams = Type.Object({ project_id: Type.String(), dataset_id: Type.String() });
/** dd-trace-py's routes name a dataset without its project. */
export const UnstableDatasetParams = Type.Object({ dataset_id: Type.String() });

export const NewProjectBody = Envelope(Type.Object({ name: Name, description: Description }));
export const ProjectChangeBody = Envelope(Type.Object({ name: Type.Optional(Name), description: Description }));
export const DeleteProjectsBody = Envelope(Type.Object({ project_ids: Ids }));

export const NewDatasetBody = Envelope(Type.Object({ name: Name, description: Description, metadata: Type.Optional(Metadata) }));
export const DatasetChangeBody = Envelope(Type.Object({ name: Type.Optional(Name), description: Description, metadata: Type.Optional(Metadata) }));
export const DeleteDatasetsBody = Envelope(Type.Object({ dataset_ids: Ids }));
export const CloneDatasetBody = Envelope(Type.Object({ name: Name, description: Description }));
export const RestoreDatasetBody = Envelope(Type.Object({ dataset_version: Type.Integer({ minimum: 0 }) }));
export const ExportQuery = Type.Object({ format: Type.Optional(Type.Literal('csv')), version: Type.Optional(Type.Integer({ minimum: 0 })) });
/** Reads of datasets: `include[user_data]` adds the author (who committed the first version). */
export const DatasetListQuery = Type.Object({ ...ListQuery.properties, 'include[user_data]': Type.Optional(Type.String()) });
export const DatasetReadQuery = Type.Object({ 'include[user_data]': Type.Optional(Type.String()) });
export const UnstableDeleteDatasetsBody = Envelope(Type.Object({ dataset_ids: Ids, type: Type.Optional(Type.String()) }));

export const RecordsQuery = Type.Object({
  'filter[version]': Type.Optional(Type.Integer()),
  'include[user_data]': Type.Optional(Type.String()),
  'filter[tags]': Type.Optional(Type.Array(Type.String())),
  ...PageFields,
});
export const AddRecordsBody = Envelope(Type.Object({ records: Records(InsertRecord), deduplicate: Type.Optional(Type.Boolean()) }));
export const UpdateRecordsBody = Envelope(Type.Object({ records: Records(UpdateRecord) }));
export const DeleteRecordsBody = Envelope(Type.Object({ record_ids: Records(RecordId) }));
export const BatchUpdateBody = Envelope(
  Type.Object({
    insert_records: Type.Optional(Records(InsertRecord)),
    update_records: Type.Optional(Records(UpdateRecord)),
    delete_records: Type.Optional(Records(RecordId)),
    create_new_version: Type.Optional(Type.Boolean()),
    deduplicate: Type.Optional(Type.Boolean()),
    tags: Type.Optional(Tags),
  }),
);

/** The CSV upload's options. Datadog's clients spell booleans their own ways: read by uploads.ts, not coerced here. */
export const UploadQuery = Type.Object({
  deduplicate: Type.Optional(Type.String()),
  overwrite: Type.Optional(Type.String()),
  tags: Type.Optional(Type.Array(Type.String())),
  'include[user_data]': Type.Optional(Type.String()),
});
export type UploadQuery = Static<typeof UploadQuery>;

export const ExperimentParams = Type.Object({ experiment_id: Type.String() });

const ExperimentStatus = Type.Union([Type.Literal('running'), Type.Literal('completed'), Type.Literal('failed'), Type.Literal('interrupted')]);
const JsonObjectField = Type.Optional(Type.Unsafe<JsonObject | null>({ anyOf: [{ type: 'object' }, { type: 'null' }] }));
const OptionalId = Type.Optional(Type.Union([Type.String({ minLength: 1 }), Type.Null()]));

export const NewExperimentBody = Envelope(
  Type.Object({
    name: Name,
    project_id: Type.String({ minLength: 1 }),
    dataset_id: OptionalId,
    dataset_version: Type.Optional(Type.Union([Type.Integer({ minimum: 0 }), Type.Null()])),
    description: Description,
    config: JsonObjectField,
    metadata: JsonObjectField,
    ensure_unique: Type.Optional(Type.Boolean()),
    parent_experiment_id: OptionalId,
    run_count: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.Null()])),
  }),
);
export type NewExperimentBody = Static<typeof NewExperimentBody>;

export const ExperimentChangeBody = Envelope(
  Type.Object({
    name: Type.Optional(Name),
    description: Description,
    dataset_id: OptionalId,
    metadata: JsonObjectField,
    status: Type.Optional(ExperimentStatus),
    error: Type.Optional(Type.Union([Type.String({ maxLength: 100_000 }), Type.Object({}, { additionalProperties: true }), Type.Null()])),
  }),
);
export type ExperimentChangeBody = Static<typeof ExperimentChangeBody>;

export const DeleteExperimentsBody = Envelope(Type.Object({ experiment_ids: Ids }));

const StringOrList = Type.Optional(Type.Union([Type.String(), Type.Array(Type.String())]));
export const ExperimentListQuery = Type.Object({
  'filter[project_id]': StringOrList,
  'filter[dataset_id]': StringOrList,
  'filter[id]': StringOrList,
  'filter[name]': Type.Optional(Type.String()),
  'filter[experiment]': Type.Optional(Type.String()),
  'filter[metadata]': Type.Optional(Type.String()),
  'filter[parent_experiment_id]': StringOrList,
  'filter[is_deleted]': Type.Optional(Type.String()),
  'include[user_data]': Type.Optional(Type.String()),
  'include[dataset_names]': Type.Optional(Type.String()),
  ...PageFields,
});
export type ExperimentListQuery = Static<typeof ExperimentListQuery>;

/** An experiment span (a row's task run), as the events push and dd-trace send it. */
export const Span = Type.Object({
  span_id: Type.String({ minLength: 1, maxLength: 64 }),
  trace_id: Type.String({ minLength: 1, maxLength: 64 }),
  parent_id: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  project_id: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  dataset_id: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  name: Name,
  start_ns: Type.Integer({ minimum: 0 }),
  duration: Type.Number({ exclusiveMinimum: 0 }),
  status: Type.Optional(Type.Union([Type.Literal('ok'), Type.Literal('error')])),
  tags: Type.Optional(Type.Array(Type.String({ maxLength: LIMITS.tagLength }), { maxItems: 1_000 })),
  meta: Type.Optional(
    Type.Object(
      {
        input: Type.Optional(Anything),
        output: Type.Optional(Anything),
        expected_output: Type.Optional(Anything),
        metadata: JsonObjectField,
        error: Type.Optional(Type.Union([Type.Object({}, { additionalProperties: true }), Type.Null()])),
      },
      { additionalProperties: true },
    ),
  ),
});
export type Span = Static<typeof Span>;

const MetricType = Type.Union([Type.Literal('score'), Type.Literal('categorical'), Type.Literal('boolean'), Type.Literal('json')]);
/** An evaluation metric: of a span (a row) or, with `metric_source: summary` or no span, of the whole experiment. */
export const Metric = Type.Object({
  span_id: Type.Optional(Type.String({ maxLength: 64 })),
  trace_id: Type.Optional(Type.String({ maxLength: 64 })),
  label: Type.String({ minLength: 1, maxLength: LIMITS.nameLength, pattern: '^[a-zA-Z0-9_-]+$' }),
  metric_type: MetricType,
  score_value: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
  categorical_value: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  boolean_value: Type.Optional(Type.Union([Type.Boolean(), Type.Null()])),
  json_value: Type.Optional(Anything),
  timestamp_ms: Type.Integer({ minimum: 0 }),
  metric_source: Type.Optional(Type.String()),
  tags: Type.Optional(Type.Array(Type.String({ maxLength: LIMITS.tagLength }), { maxItems: 1_000 })),
  error: Type.Optional(Type.Union([Type.Object({}, { additionalProperties: true }), Type.Null()])),
  status: Type.Optional(Type.String()),
  reasoning: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  assessment: Type.Optional(Type.Union([Type.Literal('pass'), Type.Literal('fail'), Type.Null()])),
  metadata: JsonObjectField,
  eval_source_type: Type.Optional(Type.String()),
  experiment_id: Type.Optional(Type.String()),
});
export type Metric = Static<typeof Metric>;

export const EventsBody = Type.Object({
  data: Type.Object({
    type: Type.Optional(Type.String()),
    id: Type.Optional(Type.String()),
    attributes: Type.Object(
      {
        spans: Type.Optional(Type.Array(Span, { maxItems: LIMITS.recordsPerRequest })),
        metrics: Type.Optional(Type.Array(Metric, { maxItems: LIMITS.recordsPerRequest })),
        scope: Type.Optional(Type.String()),
        tags: Type.Optional(Type.Array(Type.String())),
      },
      { additionalProperties: true },
    ),
  }),
});
export type EventsBody = Static<typeof EventsBody>;

export const EventsQuery = Type.Object({ 'include[eval_metrics]': Type.Optional(Type.String()), ...PageFields });

/** An LLM Observability span as the tracers' span writers send it (`/api/v2/llmobs`). */
export const IntakeSpan = Type.Object(
  {
    span_id: Type.String({ minLength: 1, maxLength: 64 }),
    trace_id: Type.String({ minLength: 1, maxLength: 64 }),
    parent_id: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    name: Name,
    start_ns: Type.Integer({ minimum: 0 }),
    duration: Type.Number({ minimum: 0 }),
    status: Type.Optional(Type.String()),
    tags: Type.Optional(Type.Array(Type.String({ maxLength: LIMITS.tagLength }), { maxItems: 1_000 })),
    meta: Type.Optional(Type.Object({}, { additionalProperties: true })),
    metrics: Type.Optional(Type.Object({}, { additionalProperties: true })),
    _dd: Type.Optional(Type.Object({}, { additionalProperties: true })),
  },
  { additionalProperties: true },
);
export type IntakeSpan = Static<typeof IntakeSpan>;

export const IntakeEvent = Type.Object({ spans: Type.Array(IntakeSpan, { maxItems: LIMITS.recordsPerRequest }) }, { additionalProperties: true });
export type IntakeEvent = Static<typeof IntakeEvent>;
/**
 * One event or a list of them, each holding spans (dd-trace JS sends a list, one span an event). The
 * route checks each event itself (IntakeEvent), so that a fault names its field rather than the union.
 */
export const IntakeBody = Type.Unsafe<IntakeEvent | IntakeEvent[]>({ type: ['object', 'array'], maxItems: LIMITS.recordsPerRequest });

/**
 * A span evaluation metric as the tracers' evaluation writers send it (`/api/intake/llm-obs/v2/eval-metric`):
 * the span it joins on (`join_on.span`, or `span_id`/`trace_id` at the top as older tracers send), its
 * label, type, value and time, as in the events push.
 */
export const EvalMetric = Type.Object(
  {
    join_on: Type.Optional(
      Type.Object(
        { span: Type.Object({ span_id: Type.String({ minLength: 1, maxLength: 64 }), trace_id: Type.String({ minLength: 1, maxLength: 64 }) }) },
        { additionalProperties: true },
      ),
    ),
    ml_app: Type.Optional(Type.String()),
    event_kind: Type.Optional(Type.String()),
    ...Metric.properties,
  },
  { additionalProperties: true },
);
export type EvalMetric = Static<typeof EvalMetric>;

export const EvalMetricBody = Type.Object({
  data: Type.Object({
    type: Type.Optional(Type.String()),
    attributes: Type.Object({ metrics: Type.Array(EvalMetric, { minItems: 1, maxItems: LIMITS.recordsPerRequest }) }, { additionalProperties: true }),
  }),
});
export type EvalMetricBody = Static<typeof EvalMetricBody>;

/** Experimentation search: the filter both searches take (`filter.query` is parsed by the surface). */
const SearchFilter = Type.Object({
  scope: Type.Array(Type.String(), { minItems: 1, maxItems: 5 }),
  query: Type.Optional(Type.String({ maxLength: 1_000 })),
  version: Type.Optional(Type.Integer({ minimum: 0 })),
  is_deleted: Type.Optional(Type.Boolean()),
  include_deleted: Type.Optional(Type.Boolean()),
});
const SearchLimit = Type.Optional(Type.Integer({ minimum: 1, maximum: LIMITS.pageSizeMax }));
const SearchExtras = {
  content_preview: Type.Optional(Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 0 })) })),
  include: Type.Optional(Type.Object({ user_data: Type.Optional(Type.Boolean()) })),
};
export const SearchBody = Envelope(
  Type.Object({
    filter: SearchFilter,
    page: Type.Optional(Type.Object({ cursor: Type.Optional(Type.String({ maxLength: 512 })), limit: SearchLimit })),
    ...SearchExtras,
  }),
);
export const SimpleSearchBody = Envelope(
  Type.Object({
    filter: SearchFilter,
    page: Type.Optional(Type.Object({ number: Type.Optional(Type.Integer({ minimum: 1 })), limit: SearchLimit })),
    sort: Type.Optional(
      Type.Array(
        Type.Object({
          field: Type.Union([Type.Literal('name'), Type.Literal('created_at'), Type.Literal('updated_at')]),
          direction: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')])),
        }),
        { maxItems: 3 },
      ),
    ),
    ...SearchExtras,
  }),
);

/** Experimentation analytics: what to compute over the `experiment-evals` index (checked by the surface). */
export const AnalyticsBody = Envelope(
  Type.Object({
    aggregate: Type.Object({
      compute: Type.Array(Type.Object({ metric: Type.String({ maxLength: 200 }), name: Type.Optional(Type.String({ maxLength: 200 })) }), {
        minItems: 1,
        maxItems: 10,
      }),
      group_by: Type.Optional(Type.Array(Type.Object({ field: Type.String() }), { maxItems: 4 })),
      indexes: Type.Array(Type.String(), { minItems: 1, maxItems: 4 }),
      search: Type.Object({ query: Type.String({ maxLength: 1_000 }) }),
      limit: Type.Optional(Type.Integer({ minimum: 1, maximum: LIMITS.pageSizeMax })),
      dataset_version: Type.Optional(Type.Integer({ minimum: 0 })),
      time: Type.Optional(Type.Object({ from: Type.Number(), to: Type.Number() })),
    }),
  }),
);
