import { Type, type Static } from '@sinclair/typebox';
import type { Json, JsonObject } from './json.js';
import { LIMITS } from './limits.js';

/**
 * The shape of a record as callers write it. The native API's request bodies and the JSONL import
 * both use these schemas, so one definition decides what a valid record is.
 */
export const JsonValue = Type.Unsafe<Json>({ description: 'Any JSON value' });

export const JsonObjectSchema = Type.Unsafe<JsonObject>(Type.Record(Type.String(), Type.Unknown(), { description: 'A JSON object' }));

export const Tags = Type.Array(Type.String({ minLength: 1, maxLength: LIMITS.tagLength }), {
  maxItems: LIMITS.tagsPerRecord,
});

export const ExternalId = Type.String({
  minLength: 1,
  maxLength: LIMITS.externalIdLength,
  description: "The caller's own id for the record, unique among the dataset's current records",
});

export const RecordFields = {
  input: JsonValue,
  expected_output: Type.Optional(JsonValue),
  metadata: Type.Optional(JsonObjectSchema),
  tags: Type.Optional(Tags),
  splits: Type.Optional(Tags),
  external_id: Type.Optional(Type.Union([ExternalId, Type.Null()])),
  source: Type.Optional(Type.Union([JsonObjectSchema, Type.Null()])),
};

export const NewRecordSchema = Type.Object(
  {
    id: Type.Optional(Type.String({ format: 'uuid', description: 'A caller-chosen id; made by the server when omitted' })),
    ...RecordFields,
  },
  { additionalProperties: false },
);
export type NewRecordBody = Static<typeof NewRecordSchema>;

/**
 * A line of a JSONL import. It takes the fields of an export line too, so that an export imports as
 * is; the export's `id`, `created_at` and `updated_at` are ignored (records are matched by external_id).
 */
export const ImportLineSchema = Type.Object(
  {
    ...RecordFields,
    id: Type.Optional(Type.Unknown()),
    created_at: Type.Optional(Type.Unknown()),
    updated_at: Type.Optional(Type.Unknown()),
  },
  { additionalProperties: false },
);
