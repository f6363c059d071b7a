import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { API_KEY_ROLES } from '../../domain/api-keys.js';
import { LIMITS } from '../../domain/limits.js';
import { ExternalId, JsonObjectSchema, JsonValue, NewRecordSchema, Tags } from '../../domain/record-schema.js';

/**
 * The native API's schemas. They validate requests, shape responses, and are the OpenAPI document:
 * one definition for all three.
 */

export const Id = Type.String({ format: 'uuid' });
const Timestamp = Type.String({ format: 'date-time' });
const Name = Type.String({ minLength: 1, maxLength: LIMITS.nameLength });
const Description = Type.Union([Type.String({ maxLength: 10_000 }), Type.Null()]);
const Message = Type.String({ maxLength: 2_000, description: "The version's message; one describing the change is written when omitted" });

/** Registered once as a shared schema (see `sharedSchemas`), so routes and the OpenAPI document refer to it. */
export const Problem = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    instance: Type.String(),
    code: Type.String({ description: 'Stable error code: validation_failed, not_found, conflict, unauthorized, forbidden, payload_too_large, ...' }),
    errors: Type.Optional(
      Type.Array(
        Type.Object({
          pointer: Type.String({ description: 'JSON pointer to the value at fault, within the part named by `in`' }),
          detail: Type.String(),
          in: Type.Optional(
            Type.Union(['body', 'query', 'params', 'headers', 'line'].map((part) => Type.Literal(part)), { description: 'The part of the request' }),
          ),
          line: Type.Optional(Type.Integer({ description: 'Line of a streamed upload' })),
          column: Type.Optional(Type.String({ description: 'Column of a CSV upload' })),
        }),
      ),
    ),
  },
  { $id: 'Problem', description: 'RFC 9457 problem details' },
);

/** Schemas the native routes refer to by `$ref`; the server registers them before the routes. */
export const sharedSchemas = [Problem];

const ProblemRef = Type.Ref(Problem);

export const Errors = {
  400: ProblemRef,
  401: ProblemRef,
  403: ProblemRef,
  404: ProblemRef,
  409: ProblemRef,
  413: ProblemRef,
};

export function Page<T extends TSchema>(item: T) {
  return Type.Object({
    data: Type.Array(item),
    next_cursor: Type.Union([Type.String(), Type.Null()], { description: 'Pass as `cursor` for the next page; null on the last page' }),
  });
}

export const PageQuery = {
  cursor: Type.Optional(Type.String({ description: 'From `next_cursor` of the previous page' })),
  limit: Type.Optional(
    Type.Integer({ minimum: 1, maximum: LIMITS.pageSizeMax, default: LIMITS.pageSizeDefault, description: `Page size, at most ${LIMITS.pageSizeMax}` }),
  ),
};

export const VersionParam = Type.String({
  minLength: 1,
  description: 'A version number, a version name, or `latest` (the default)',
});

// Workspace and keys

export const Workspace = Type.Object({ id: Id, name: Type.String(), created_at: Timestamp });

export const ApiKey = Type.Object({
  id: Id,
  workspace_id: Id,
  name: Type.String(),
  role: Type.Union(API_KEY_ROLES.map((role) => Type.Literal(role))),
  preview: Type.String({ description: 'The first characters of the key' }),
  created_at: Timestamp,
  revoked_at: Type.Union([Timestamp, Type.Null()]),
});

export const ApiKeyCreate = Type.Object(
  { name: Name, role: Type.Union(API_KEY_ROLES.map((role) => Type.Literal(role))) },
  { additionalProperties: false },
);

export const ApiKeyCreated = Type.Object({
  api_key: ApiKey,
  key: Type.String({ description: 'The key itself. It is shown this once and never stored.' }),
});

// Projects

export const Project = Type.Object({
  id: Id,
  name: Type.String(),
  description: Description,
  metadata: JsonObjectSchema,
  is_default: Type.Boolean(),
  created_at: Timestamp,
  updated_at: Timestamp,
});

export const ProjectCreate = Type.Object(
  { name: Name, description: Type.Optional(Description), metadata: Type.Optional(JsonObjectSchema) },
  { additionalProperties: false },
);

export const ProjectUpdate = Type.Partial(ProjectCreate, { additionalProperties: false, minProperties: 1 });

// Datasets

export const Dataset = Type.Object({
  id: Id,
  project_id: Id,
  name: Type.String(),
  description: Description,
  metadata: JsonObjectSchema,
  managed_by: Type.Union([Type.Literal('evalstore'), Type.Literal('external')]),
  latest_version: Type.Integer({ description: '0 until the first change commits version 1' }),
  record_count: Type.Integer(),
  created_at: Timestamp,
  updated_at: Timestamp,
});

const DatasetFields = {
  name: Name,
  description: Type.Optional(Description),
  metadata: Type.Optional(JsonObjectSchema),
  project_id: Type.Optional(Id),
};

export const DatasetCreate = Type.Object(
  {
    ...DatasetFields,
    records: Type.Optional(
      Type.Array(NewRecordSchema, {
        minItems: 1,
        maxItems: LIMITS.recordsPerRequest,
        description: 'Records the dataset starts with, committed as its version 1 in the same transaction',
      }),
    ),
  },
  { additionalProperties: false },
);

export const DatasetUpdate = Type.Partial(Type.Object(DatasetFields), { additionalProperties: false, minProperties: 1 });

// Versions

export const DatasetVersion = Type.Object({
  dataset_id: Id,
  version: Type.Integer(),
  name: Type.Union([Type.String(), Type.Null()]),
  message: Type.String(),
  created_by: Type.Union([Type.String(), Type.Null()], { description: 'Name of the API key that made the version' }),
  created_at: Timestamp,
  records_added: Type.Integer(),
  records_updated: Type.Integer(),
  records_removed: Type.Integer(),
  record_count: Type.Integer(),
});

export const VersionNameBody = Type.Object(
  { name: Type.Union([Name, Type.Null()], { description: 'The new name; null removes it' }) },
  { additionalProperties: false },
);

// Records

export const DatasetRecord = Type.Object({
  id: Id,
  dataset_id: Id,
  external_id: Type.Union([Type.String(), Type.Null()]),
  input: JsonValue,
  expected_output: JsonValue,
  metadata: JsonObjectSchema,
  tags: Type.Array(Type.String()),
  splits: Type.Array(Type.String()),
  source: Type.Union([JsonObjectSchema, Type.Null()]),
  created_at: Timestamp,
  updated_at: Timestamp,
});

export const RecordsCreate = Type.Object(
  {
    records: Type.Array(NewRecordSchema, { minItems: 1, maxItems: LIMITS.recordsPerRequest }),
    message: Type.Optional(Message),
  },
  { additionalProperties: false },
);

const RecordPatchFields = {
  input: Type.Optional(JsonValue),
  expected_output: Type.Optional(JsonValue),
  metadata: Type.Optional(JsonObjectSchema),
  tags: Type.Optional(Tags),
  splits: Type.Optional(Tags),
  source: Type.Optional(Type.Union([JsonObjectSchema, Type.Null()])),
};

export const RecordPatch = Type.Object(
  {
    id: Type.Optional(Type.String({ description: 'The record to change' })),
    external_id: Type.Optional(
      Type.Union([ExternalId, Type.Null()], {
        description: 'Without `id`: names the record to change. With `id`: the new external id.',
      }),
    ),
    ...RecordPatchFields,
  },
  { additionalProperties: false },
);

export const RecordsUpdate = Type.Object(
  {
    records: Type.Array(RecordPatch, { minItems: 1, maxItems: LIMITS.recordsPerRequest }),
    message: Type.Optional(Message),
  },
  { additionalProperties: false },
);

export const RecordUpdate = Type.Object(
  {
    external_id: Type.Optional(Type.Union([ExternalId, Type.Null()])),
    ...RecordPatchFields,
    message: Type.Optional(Message),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const RecordsDelete = Type.Object(
  {
    ids: Type.Optional(Type.Array(Type.String(), { maxItems: LIMITS.recordsPerRequest })),
    external_ids: Type.Optional(Type.Array(Type.String(), { maxItems: LIMITS.recordsPerRequest })),
    message: Type.Optional(Message),
  },
  { additionalProperties: false },
);

export const CommitResult = <T extends TSchema>(record: T) =>
  Type.Object({
    version: Type.Union([DatasetVersion, Type.Null()], { description: 'The version committed; null when nothing changed' }),
    records: Type.Array(record),
  });

export const RecordQuery = Type.Object(
  {
    ...PageQuery,
    version: Type.Optional(VersionParam),
    tag: Type.Optional(Type.Array(Type.String(), { description: 'Records with every one of these tags (repeatable)' })),
    split: Type.Optional(Type.Array(Type.String(), { description: 'Records in any of these splits (repeatable)' })),
    metadata: Type.Optional(
      Type.Array(Type.String({ pattern: '^[^=]+=' }), {
        description:
          'key=value: records whose metadata[key] equals value (repeatable). The value is read as JSON when it parses (3, true, "3"), else as a string.',
      }),
    ),
    q: Type.Optional(Type.String({ minLength: 1, description: 'Substring of the input or expected output, ignoring ASCII case' })),
  },
  { additionalProperties: false },
);

export const RecordChange = Type.Object({
  record_id: Id,
  change: Type.Union([Type.Literal('added'), Type.Literal('removed'), Type.Literal('changed')]),
  before: Type.Union([DatasetRecord, Type.Null()]),
  after: Type.Union([DatasetRecord, Type.Null()]),
});

export const UploadSummary = Type.Object({
  upload_id: Id,
  dataset_id: Id,
  version: Type.Union([DatasetVersion, Type.Null()]),
  rows_received: Type.Integer(),
  records_created: Type.Integer(),
  records_updated: Type.Integer(),
  records_unchanged: Type.Integer(),
  duplicates_skipped: Type.Integer(),
  existing_skipped: Type.Integer(),
  superseded: Type.Integer(),
});

export type RecordQueryString = Static<typeof RecordQuery>;

const ColumnName = (field: string) =>
  Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 500,
      description: `CSV: the column that holds ${field} (default: the column named ${field}, used when present)`,
    }),
  );

export const UploadQuery = Type.Object(
  {
    format: Type.Optional(
      Type.Union([Type.Literal('jsonl'), Type.Literal('csv')], {
        description: 'The file format; by default told by the Content-Type (or, for multipart, by the part\'s type or file name)',
      }),
    ),
    message: Type.Optional(Type.String({ maxLength: 2_000 })),
    filename: Type.Optional(Type.String({ maxLength: 500 })),
    overwrite: Type.Optional(Type.Boolean({ default: true, description: 'A row whose external_id matches a current record replaces it (else it is skipped)' })),
    deduplicate: Type.Optional(Type.Boolean({ default: false, description: 'Skip rows whose input matches a current record or an earlier row' })),
    tag: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: LIMITS.tagLength }), { maxItems: LIMITS.tagsPerRecord, description: 'Tags added to every record (repeatable)' })),
    input_column: ColumnName('input'),
    expected_output_column: ColumnName('expected_output'),
    metadata_column: ColumnName('metadata'),
    tags_column: ColumnName('tags'),
    splits_column: ColumnName('splits'),
    external_id_column: ColumnName('external_id'),
  },
  { additionalProperties: false },
);
