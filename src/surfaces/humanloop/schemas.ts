import { Type, type Static, type TSchema } from '@sinclair/typebox';
import type { Json, JsonObject } from '../../domain/json.js';
import { LIMITS } from '../../domain/limits.js';

/**
 * Humanloop's request shapes (its v4 and v5 OpenAPI models, spec Part B). Datapoint fields are checked
 * as Humanloop types them (input values are strings); fields Humanloop does not define are refused
 * (422) rather than dropped, except inside chat messages and logs, whose extra fields are kept as
 * sent, and the path parameters the v4 SDK repeats in its bodies.
 */

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
/** One of `values`, refused with a message that lists them. */
const OneOf = <T extends string>(values: readonly T[]) => Type.Unsafe<T>({ type: 'string', enum: values });
const AnyValue = Type.Unsafe<Json>({});
const AnyObject = Type.Unsafe<JsonObject>({ type: 'object' });

const CHAT_ROLES = ['user', 'assistant', 'system', 'tool', 'developer'] as const;

const ToolCall = Type.Object(
  {
    id: Type.String(),
    type: OneOf(['function'] as const),
    function: Type.Object({ name: Type.String(), arguments: Type.Optional(Nullable(Type.String())) }, { additionalProperties: true }),
  },
  { additionalProperties: true },
);

/** `ChatMessage`: content is text or a list of content items (text, image_url). Extra fields are kept. */
const ChatMessage = Type.Object(
  {
    role: OneOf(CHAT_ROLES),
    content: Type.Optional(Nullable(Type.Union([Type.String(), Type.Array(Type.Object({ type: Type.String() }, { additionalProperties: true }))]))),
    name: Type.Optional(Nullable(Type.String())),
    tool_call_id: Type.Optional(Nullable(Type.String())),
    tool_calls: Type.Optional(Nullable(Type.Array(ToolCall))),
  },
  { additionalProperties: true },
);

/** `CreateDatapointRequest`. Null reads as absent. */
export const DatapointInput = Type.Object(
  {
    inputs: Type.Optional(Nullable(Type.Record(Type.String(), Type.String()))),
    messages: Type.Optional(Nullable(Type.Array(ChatMessage))),
    target: Type.Optional(Nullable(Type.Record(Type.String(), AnyValue))),
  },
  { additionalProperties: false },
);
export type DatapointInput = Static<typeof DatapointInput>;

/** `CreateDatapointsByLogsRequest`. */
export const DatapointsFromLogs = Type.Object(
  { log_ids: Type.Array(Type.String(), { minItems: 1, maxItems: LIMITS.recordsPerRequest }) },
  { additionalProperties: false },
);

export const DatapointList = Type.Array(DatapointInput, { minItems: 1, maxItems: LIMITS.recordsPerRequest });

// v4

export const ProjectParams = Type.Object({ project_id: Type.String() });
export const DatasetParams = Type.Object({ dataset_id: Type.String() });

export const V4DatasetCreate = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: LIMITS.nameLength }),
    description: Type.String({ maxLength: 10_000 }),
    // The v4 SDK sends the path's project id in the body too.
    projectId: Type.Optional(Type.Unknown()),
  },
  { additionalProperties: false },
);

export const V4ProjectCreate = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: LIMITS.nameLength }),
    // Evalstore has no feedback types or directories: an empty list is accepted, anything else refused.
    feedback_types: Type.Optional(Type.Array(Type.Unknown(), { maxItems: 0 })),
  },
  { additionalProperties: false },
);

export const V4ProjectUpdate = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: LIMITS.nameLength })),
    // The v4 SDK sends the path's project id in the body too.
    id: Type.Optional(Type.Unknown()),
  },
  { additionalProperties: false },
);

export const V4ProjectList = Type.Object(
  {
    page: Type.Optional(Type.Integer({ minimum: 1, maximum: LIMITS.offsetMax / LIMITS.pageSizeMax, default: 1 })),
    size: Type.Optional(Type.Integer({ minimum: 1, maximum: LIMITS.pageSizeMax, default: 10 })),
    filter: Type.Optional(Type.String()),
    user_filter: Type.Optional(Type.String()),
    sort_by: Type.Optional(OneOf(['created_at', 'updated_at', 'name'] as const)),
    order: Type.Optional(OneOf(['asc', 'desc'] as const)),
  },
  { additionalProperties: false },
);

export const V4DatasetUpdate = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: LIMITS.nameLength })),
    description: Type.Optional(Type.String({ maxLength: 10_000 })),
    // The v4 SDK sends the path's dataset id in the body too.
    id: Type.Optional(Type.Unknown()),
  },
  { additionalProperties: false },
);

export const PageQuery = Type.Object(
  {
    page: Type.Optional(Type.Integer({ minimum: 1, maximum: LIMITS.offsetMax / LIMITS.pageSizeMax, default: 1 })),
    size: Type.Optional(Type.Integer({ minimum: 1, maximum: LIMITS.pageSizeMax, default: 10 })),
  },
  { additionalProperties: false },
);

// v5

/** Which version a request reads or builds on. Environments (deployments) are not kept. */
const VersionSelection = {
  version_id: Type.Optional(Type.String()),
  environment: Type.Optional(Type.String()),
};

export const V5DatasetQuery = Type.Object(
  { ...VersionSelection, include_datapoints: Type.Optional(Type.Boolean({ default: false })) },
  { additionalProperties: false },
);

/** `uploadCsv`'s query: the version the new one builds on. */
export const V5CsvUploadQuery = Type.Object(VersionSelection, { additionalProperties: false });

export const V5DatapointQuery = Type.Object({ ...VersionSelection, ...PageQuery.properties }, { additionalProperties: false });

export const V5DatasetList = Type.Object(
  {
    ...PageQuery.properties,
    name: Type.Optional(Type.String()),
    user_filter: Type.Optional(Type.String()),
    sort_by: Type.Optional(OneOf(['created_at', 'updated_at', 'name'] as const)),
    order: Type.Optional(OneOf(['asc', 'desc'] as const)),
  },
  { additionalProperties: false },
);

const UPSERT_ACTIONS = ['set', 'add', 'remove'] as const;

export const V5DatasetUpsert = Type.Object(
  {
    path: Type.Optional(Type.String({ minLength: 1, maxLength: LIMITS.nameLength })),
    id: Type.Optional(Type.String()),
    datapoints: Type.Array(DatapointInput, { maxItems: LIMITS.recordsPerRequest }),
    action: Type.Optional(OneOf(UPSERT_ACTIONS)),
    attributes: Type.Optional(AnyObject),
    version_name: Type.Optional(Type.String({ minLength: 1, maxLength: LIMITS.nameLength })),
    version_description: Type.Optional(Type.String({ maxLength: 2_000 })),
  },
  { additionalProperties: false },
);

export const V5DatasetMove = Type.Object(
  {
    path: Type.Optional(Type.String({ minLength: 1, maxLength: LIMITS.nameLength })),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: LIMITS.nameLength })),
  },
  { additionalProperties: false },
);

export const V5VersionParams = Type.Object({ dataset_id: Type.String(), version_id: Type.String() });
export const EnvironmentParams = Type.Object({ dataset_id: Type.String(), environment_id: Type.String() });

export const V5VersionUpdate = Type.Object(
  { name: Type.Optional(Type.String({ minLength: 1, maxLength: LIMITS.nameLength })), description: Type.Optional(Type.String()) },
  { additionalProperties: false },
);

export const V5VersionsQuery = Type.Object(
  { include_datapoints: Type.Optional(OneOf(['latest_saved', 'latest_committed'] as const)) },
  { additionalProperties: false },
);

// Logs

/** What a log of either API holds that evalstore has a place for; its other fields are kept as sent. */
const LogFields = {
  inputs: Type.Optional(Nullable(AnyObject)),
  messages: Type.Optional(Nullable(Type.Array(ChatMessage))),
  output: Type.Optional(Nullable(Type.String())),
  output_message: Type.Optional(Nullable(ChatMessage)),
  error: Type.Optional(Nullable(Type.String())),
  metadata: Type.Optional(Nullable(AnyObject)),
  created_at: Type.Optional(Nullable(Type.String({ format: 'iso-date-time' }))),
};

/** v5 `PromptLogRequest` (POST /prompts/log). */
export const V5PromptLog = Type.Object(
  {
    ...LogFields,
    path: Type.Optional(Type.String({ minLength: 1, maxLength: LIMITS.nameLength })),
    id: Type.Optional(Type.String()),
    log_id: Type.Optional(Type.String()),
    start_time: Type.Optional(Nullable(Type.String({ format: 'iso-date-time' }))),
    end_time: Type.Optional(Nullable(Type.String({ format: 'iso-date-time' }))),
    provider_latency: Type.Optional(Nullable(Type.Number({ minimum: 0 }))),
    prompt_tokens: Type.Optional(Nullable(Type.Integer({ minimum: 0 }))),
    output_tokens: Type.Optional(Nullable(Type.Integer({ minimum: 0 }))),
    prompt_cost: Type.Optional(Nullable(Type.Number({ minimum: 0 }))),
    output_cost: Type.Optional(Nullable(Type.Number({ minimum: 0 }))),
    trace_parent_id: Type.Optional(Nullable(Type.String())),
  },
  { additionalProperties: true },
);
export type V5PromptLog = Static<typeof V5PromptLog>;

export const V5PromptLogQuery = Type.Object(VersionSelection, { additionalProperties: false });

/** v4 `LogRequest` (POST /logs, one or a list). */
export const V4Log = Type.Object(
  {
    ...LogFields,
    project: Type.Optional(Type.String({ minLength: 1, maxLength: LIMITS.nameLength })),
    project_id: Type.Optional(Type.String()),
    parent_id: Type.Optional(Nullable(Type.String())),
    duration: Type.Optional(Nullable(Type.Number({ minimum: 0 }))),
  },
  { additionalProperties: true },
);
export type V4Log = Static<typeof V4Log>;

export const V4LogList = Type.Array(V4Log, { minItems: 1, maxItems: LIMITS.recordsPerRequest });

// Files (v5): prompts, flows, tools and evaluators, upserted by path or id

/** A file named by path or id; null reads as absent (the SDK's eval runner sends `id: null` with a path). */
const FileRef = {
  path: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: LIMITS.nameLength }))),
  id: Type.Optional(Nullable(Type.String())),
  version_name: Type.Optional(Type.String({ maxLength: LIMITS.nameLength })),
  version_description: Type.Optional(Type.String({ maxLength: 2_000 })),
};

/** `FlowRequest`: a flow's version is its attributes. */
export const V5FlowUpsert = Type.Object({ ...FileRef, attributes: AnyObject }, { additionalProperties: false });

/** `PromptRequest` and `ToolRequest`: their kernels (model, template, function, ...) are kept as sent. */
export const V5KernelUpsert = Type.Object(FileRef, { additionalProperties: true });
export type V5KernelUpsert = Static<typeof V5KernelUpsert>;

const EVALUATOR_RETURN_TYPES = ['boolean', 'number', 'select', 'multi_select', 'text'] as const;

/** `EvaluatorRequest`: the spec says how it judges. */
export const V5EvaluatorUpsert = Type.Object(
  {
    ...FileRef,
    spec: Type.Object(
      {
        arguments_type: OneOf(['target_free', 'target_required'] as const),
        return_type: OneOf(EVALUATOR_RETURN_TYPES),
        evaluator_type: OneOf(['llm', 'python', 'human', 'external'] as const),
        options: Type.Optional(Type.Array(Type.Object({ name: Type.String() }, { additionalProperties: true }))),
      },
      { additionalProperties: true },
    ),
  },
  { additionalProperties: false },
);

export const FileParams = Type.Object({ id: Type.String() });
export const FileListQuery = Type.Object(
  {
    ...PageQuery.properties,
    name: Type.Optional(Type.String()),
    user_filter: Type.Optional(Type.String()),
    sort_by: Type.Optional(Type.String()),
    order: Type.Optional(OneOf(['asc', 'desc'] as const)),
  },
  { additionalProperties: false },
);

/** A log of a prompt, flow or tool: a prompt log's fields, and the evaluation run it belongs to. */
export const V5FileLog = Type.Object(
  {
    ...V5PromptLog.properties,
    run_id: Type.Optional(Type.String()),
    source_datapoint_id: Type.Optional(Type.String()),
    version_id: Type.Optional(Type.String()),
    log_status: Type.Optional(OneOf(['complete', 'incomplete'] as const)),
  },
  { additionalProperties: true },
);
export type V5FileLog = Static<typeof V5FileLog>;

/** `CreateEvaluatorLogRequest`: a judgment of the log `parent_id`. */
export const V5EvaluatorLog = Type.Object(
  {
    path: Type.Optional(Type.String({ minLength: 1, maxLength: LIMITS.nameLength })),
    id: Type.Optional(Type.String()),
    version_id: Type.Optional(Type.String()),
    parent_id: Type.String(),
    judgment: Type.Optional(Nullable(Type.Union([Type.Boolean(), Type.String(), Type.Array(Type.String()), Type.Number()]))),
    error: Type.Optional(Nullable(Type.String())),
    start_time: Type.Optional(Nullable(Type.String({ format: 'iso-date-time' }))),
    end_time: Type.Optional(Nullable(Type.String({ format: 'iso-date-time' }))),
    metadata: Type.Optional(Nullable(AnyObject)),
  },
  { additionalProperties: true },
);
export type V5EvaluatorLog = Static<typeof V5EvaluatorLog>;

export const LogParams = Type.Object({ id: Type.String() });
/** A file's logs, paged. Humanloop's search and trace filters are not served (refused as unknown parameters). */
export const LogListQuery = Type.Object(
  { ...PageQuery.properties, file_id: Type.String(), version_id: Type.Optional(Type.String()) },
  { additionalProperties: false },
);

export const PromptLogParams = Type.Object({ id: Type.String(), log_id: Type.String() });

/** `PromptLogUpdateRequest`: the fields of a prompt log that may change. */
export const V5PromptLogUpdate = Type.Object(
  {
    output: Type.Optional(Nullable(Type.String())),
    output_message: Type.Optional(Nullable(ChatMessage)),
    error: Type.Optional(Nullable(Type.String())),
    inputs: Type.Optional(Nullable(AnyObject)),
    messages: Type.Optional(Nullable(Type.Array(ChatMessage))),
    metadata: Type.Optional(Nullable(AnyObject)),
    start_time: Type.Optional(Nullable(Type.String({ format: 'iso-date-time' }))),
    end_time: Type.Optional(Nullable(Type.String({ format: 'iso-date-time' }))),
    prompt_tokens: Type.Optional(Nullable(Type.Integer({ minimum: 0 }))),
    output_tokens: Type.Optional(Nullable(Type.Integer({ minimum: 0 }))),
    prompt_cost: Type.Optional(Nullable(Type.Number({ minimum: 0 }))),
    output_cost: Type.Optional(Nullable(Type.Number({ minimum: 0 }))),
    provider_latency: Type.Optional(Nullable(Type.Number({ minimum: 0 }))),
    log_status: Type.Optional(OneOf(['complete', 'incomplete'] as const)),
  },
  { additionalProperties: true },
);
export type V5PromptLogUpdate = Static<typeof V5PromptLogUpdate>;

// Evaluations (v5)

const FileSelector = Type.Object(
  {
    id: Type.Optional(Type.String()),
    path: Type.Optional(Type.String()),
    version_id: Type.Optional(Type.String()),
    file_id: Type.Optional(Type.String()),
    environment: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

export const V5EvaluationCreate = Type.Object(
  {
    file: Type.Optional(Type.Object({ id: Type.Optional(Type.String()), path: Type.Optional(Type.String()) }, { additionalProperties: false })),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    evaluators: Type.Array(
      Type.Object(
        {
          version_id: Type.Optional(Type.String()),
          file_id: Type.Optional(Type.String()),
          path: Type.Optional(Type.String()),
          environment: Type.Optional(Type.String()),
          orchestrated: Type.Optional(Type.Boolean()),
        },
        { additionalProperties: false },
      ),
      { maxItems: 50 },
    ),
  },
  { additionalProperties: false },
);
export type V5EvaluationCreate = Static<typeof V5EvaluationCreate>;

export const EvaluationParams = Type.Object({ id: Type.String() });
export const EvaluationRunParams = Type.Object({ id: Type.String(), run_id: Type.String() });
export const EvaluationListQuery = Type.Object({ ...PageQuery.properties, file_id: Type.String() }, { additionalProperties: false });

export const V5RunCreate = Type.Object(
  {
    dataset: Type.Optional(FileSelector),
    version: Type.Optional(FileSelector),
    orchestrated: Type.Optional(Type.Boolean()),
    use_existing_logs: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type V5RunCreate = Static<typeof V5RunCreate>;

export const EVALUATION_STATUSES = ['pending', 'running', 'completed', 'cancelled'] as const;
export type EvaluationStatus = (typeof EVALUATION_STATUSES)[number];

export const V5RunUpdate = Type.Object(
  { control: Type.Optional(Type.Boolean()), status: Type.Optional(OneOf(EVALUATION_STATUSES)) },
  { additionalProperties: false },
);
