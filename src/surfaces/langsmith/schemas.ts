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
export const DateTime = Type.Union([Type.String({ format: 'iso-date-time' }), Type.Number()]);

/** A JSON object of any shape. */
export const AnyObject = Type.Unsafe<JsonObject>({ type: 'object' });

/** One of `values`, refused with a message that lists them. */
const OneOf = <T extends string>(values: readonly T[]) => Type.Unsafe<T>({ type: 'string', enum: values });

export const FEEDBACK_SOURCE_TYPES = ['app', 'api', 'model', 'auto_eval'] as const;

export const FeedbackSource = Type.Object(
  {
    type: OneOf(FEEDBACK_SOURCE_TYPES),
    metadata: Type.Optional(Nullable(AnyObject)),
  },
  { additionalProperties: false },
);

export const FeedbackConfig = Type.Object(
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
