import { Type } from '@sinclair/typebox';
import type { Json, JsonObject } from '../../domain/json.js';
import { LIMITS } from '../../domain/limits.js';

/**
 * Request shapes of Phoenix's REST v1 (its OpenAPI document, `schemas/openapi.json`). Phoenix's
 * pydantic models ignore fields they do not know (the JS client sends `project_name` when creating an
 * experiment), so bodies take additional properties; query strings are strict.
 */

const AnyJson = Type.Unsafe<Json>({});
const JsonObjectSchema = Type.Unsafe<JsonObject>({ type: 'object' });
const Cursor = Type.Optional(Type.String());
const Limit = (fallback: number) => Type.Optional(Type.Integer({ minimum: 1, maximum: LIMITS.pageSizeMax, default: fallback }));
const Nullable = <T extends ReturnType<typeof Type.String>>(schema: T) => Type.Union([schema, Type.Null()]);
const Split = Type.Union([Type.String(), Type.Array(Type.String()), Type.Null()]);

export const DatasetParams = Type.Object({ id: Type.String() });
export const DatasetQuery = Type.Object({ cursor: Cursor, name: Type.Optional(Type.String()), limit: Limit(10) }, { additionalProperties: false });
export const ExamplesQuery = Type.Object(
  { version_id: Type.Optional(Type.String()), split: Type.Optional(Type.Union([Type.String(), Type.Array(Type.String())])) },
  { additionalProperties: false },
);
export const PageQuery = (fallback: number) => Type.Object({ cursor: Cursor, limit: Limit(fallback) }, { additionalProperties: false });

export const UploadQuery = Type.Object({ sync: Type.Optional(Type.Boolean({ default: false })) }, { additionalProperties: false });

export const UploadBody = Type.Object({
  name: Type.String({ minLength: 1, maxLength: LIMITS.nameLength }),
  action: Type.Optional(Type.String()),
  description: Type.Optional(Nullable(Type.String())),
  inputs: Type.Array(JsonObjectSchema, { maxItems: LIMITS.recordsPerRequest }),
  outputs: Type.Optional(Type.Union([Type.Array(Type.Union([JsonObjectSchema, Type.Null()])), Type.Null()])),
  metadata: Type.Optional(Type.Union([Type.Array(Type.Union([JsonObjectSchema, Type.Null()])), Type.Null()])),
  splits: Type.Optional(Type.Union([Type.Array(Split), Type.Null()])),
  span_ids: Type.Optional(Type.Union([Type.Array(Type.Union([Type.String(), Type.Null()])), Type.Null()])),
  example_ids: Type.Optional(Type.Union([Type.Array(Type.Union([Type.String(), Type.Null()])), Type.Null()])),
});

export const ExperimentParams = Type.Object({ experiment_id: Type.String() });
export const DatasetExperimentParams = Type.Object({ dataset_id: Type.String() });

export const ExperimentCreate = Type.Object({
  name: Type.Optional(Nullable(Type.String({ maxLength: LIMITS.nameLength }))),
  description: Type.Optional(Nullable(Type.String())),
  metadata: Type.Optional(Type.Union([JsonObjectSchema, Type.Null()])),
  version_id: Type.Optional(Nullable(Type.String())),
  splits: Type.Optional(Type.Union([Type.Array(Type.String()), Type.Null()])),
  repetitions: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 1 })),
});

export const DeleteExperimentQuery = Type.Object({ delete_project: Type.Optional(Type.Boolean()) }, { additionalProperties: false });

export const RunCreate = Type.Object({
  dataset_example_id: Type.String(),
  output: AnyJson,
  repetition_number: Type.Integer({ minimum: 1 }),
  start_time: Type.String(),
  end_time: Type.String(),
  trace_id: Type.Optional(Nullable(Type.String())),
  error: Type.Optional(Nullable(Type.String())),
});

export const EvaluationCreate = Type.Object({
  experiment_run_id: Type.String(),
  name: Type.String({ minLength: 1, maxLength: LIMITS.nameLength }),
  annotator_kind: Type.Union([Type.Literal('LLM'), Type.Literal('CODE'), Type.Literal('HUMAN')]),
  start_time: Type.Optional(Type.String()),
  end_time: Type.Optional(Type.String()),
  result: Type.Optional(
    Type.Union([
      Type.Object({
        label: Type.Optional(Nullable(Type.String())),
        score: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
        explanation: Type.Optional(Nullable(Type.String())),
        metadata: Type.Optional(Type.Union([JsonObjectSchema, Type.Null()])),
      }),
      Type.Null(),
    ]),
  ),
  error: Type.Optional(Nullable(Type.String())),
  trace_id: Type.Optional(Nullable(Type.String())),
  metadata: Type.Optional(Type.Union([JsonObjectSchema, Type.Null()])),
});
