import { Type, type TSchema } from '@sinclair/typebox';
import { LIMITS } from '../../../domain/limits.js';
import { ExternalId, JsonObjectSchema, JsonValue, NewRecordSchema, Tags } from '../../../domain/record-schema.js';
import { Description, StoredDescription, ExportFormat, Id, MetadataFilter, Name, Page, PageQuery, Timestamp, VersionParam } from './common.js';

/** Datasets, their versions and their records: as the routes of datasets.ts, versions.ts and records.ts take and answer them. */

const Message = Type.String({ maxLength: 2_000, description: "The version's message; one describing the change is written when omitted" });

export const Dataset = Type.Object({
  id: Id,
  project_id: Id,
  name: Type.String(),
  description: StoredDescription,
  metadata: JsonObjectSchema,
  managed_by: Type.Union([Type.Literal('evalstore'), Type.Literal('external')]),
  latest_version: Type.Integer({ description: '0 until the first change commits version 1' }),
  record_count: Type.Integer(),
  created_at: Timestamp,
  updated_at: Timestamp,
});

/** A dataset as the list answers it: with how many experiments ran on it and when the latest activity was. */
export const DatasetListItem = Type.Composite([
  Dataset,
  Type.Object({
    experiment_count: Type.Integer({ description: 'Experiments on the dataset (log streams are not on one)' }),
    latest_activity_at: Type.Union([Timestamp, Type.Null()], {
      description: 'The latest creation or start time of its experiments; null when it has none',
    }),
  }),
]);

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

export const DatasetQuery = Type.Object(
  {
    ...PageQuery,
    project_id: Type.Optional(Id),
    name: Type.Optional(Type.String({ description: 'Exact name' })),
    q: Type.Optional(Type.String({ minLength: 1, description: 'Substring of the name' })),
  },
  { additionalProperties: false },
);

// Versions

export const DatasetVersion = Type.Object({
  dataset_id: Id,
  version: Type.Integer(),
  name: Type.Union([Type.String(), Type.Null()]),
  message: Type.String(),
  created_by: Type.Union([Type.String(), Type.Null()], {
    description: 'Who made the version: the display name of the signed-in user, or the name of the API key',
  }),
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

export const VersionParams = Type.Object({ dataset_id: Id, version: VersionParam });

export const VersionPageQuery = Type.Object(PageQuery, { additionalProperties: false });

export const DiffQuery = Type.Object({ ...PageQuery, from: VersionParam, to: Type.Optional(VersionParam) }, { additionalProperties: false });

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
    metadata: MetadataFilter('records'),
    q: Type.Optional(Type.String({ minLength: 1, description: 'Substring of the input or expected output, ignoring ASCII case' })),
  },
  { additionalProperties: false },
);

/** What a request that adds records answers: the version, and each record's id and external id. */
export const RecordsAdded = CommitResult(Type.Object({ id: Id, external_id: Type.Union([Type.String(), Type.Null()]) }));

/** What a request that removes records answers: the version, and the ids removed. */
export const RecordsRemoved = CommitResult(Type.Object({ id: Id }));

/** What a request that changes records answers: the version, and the records as they are now. */
export const RecordsUpdated = CommitResult(DatasetRecord);

/** A change of one record: the version, and the record as it is now. */
export const RecordUpdated = Type.Object({ version: RecordsUpdated.properties.version, record: DatasetRecord });

/** A page of a version's records, with the version they are of. */
export const RecordsPage = Type.Intersect([Page(DatasetRecord), Type.Object({ version: Type.Integer() })]);

export const RecordParams = Type.Object({ dataset_id: Id, record_id: Id });

/** A score of a record itself (a person's annotation of it), apart from any experiment: one per key. */
export const RecordScore = Type.Object({
  id: Id,
  dataset_id: Id,
  record_id: Id,
  key: Type.String(),
  score: Type.Union([Type.Number(), Type.Null()]),
  label: Type.Union([Type.String(), Type.Null()]),
  comment: Type.Union([Type.String(), Type.Null()]),
  source: Type.String(),
  metadata: JsonObjectSchema,
  created_at: Timestamp,
  updated_at: Timestamp,
});

export const RecordScores = Type.Object({ data: Type.Array(RecordScore) });

/** A record as it is in a version. */
export const RecordVersionQuery = Type.Object({ version: Type.Optional(VersionParam) }, { additionalProperties: false });

/** The message of the version a deletion commits. */
export const RecordDeleteQuery = Type.Object({ message: Type.Optional(Type.String({ maxLength: 2_000 })) }, { additionalProperties: false });

export const DatasetExportQuery = Type.Object({ format: ExportFormat, version: Type.Optional(VersionParam) }, { additionalProperties: false });

export const RecordChange = Type.Object({
  record_id: Id,
  change: Type.Union([Type.Literal('added'), Type.Literal('removed'), Type.Literal('changed')]),
  before: Type.Union([DatasetRecord, Type.Null()]),
  after: Type.Union([DatasetRecord, Type.Null()]),
});

/** The records that differ between two versions, a page of them. */
export const VersionDiff = Type.Intersect([Type.Object({ from: Type.Integer(), to: Type.Integer() }), Page(RecordChange)]);

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
  columns: Type.Optional(
    Type.Object(
      {
        used: Type.Record(Type.String(), Type.String(), { description: 'Field -> the column that filled it' }),
        metadata: Type.Array(Type.String(), { description: 'Columns kept as metadata keys' }),
        ignored: Type.Array(Type.String(), { description: 'Columns not read' }),
      },
      { description: 'CSV: where each column of the header went' },
    ),
  ),
});

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
        description: "The file format; by default told by the Content-Type (or, for multipart, by the part's type or file name)",
      }),
    ),
    message: Type.Optional(Type.String({ maxLength: 2_000 })),
    filename: Type.Optional(Type.String({ maxLength: 500 })),
    overwrite: Type.Optional(Type.Boolean({ default: true, description: 'A row whose external_id matches a current record replaces it (else it is skipped)' })),
    deduplicate: Type.Optional(Type.Boolean({ default: false, description: 'Skip rows whose input matches a current record or an earlier row' })),
    tag: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: LIMITS.tagLength }), {
        maxItems: LIMITS.tagsPerRecord,
        description: 'Tags added to every record (repeatable)',
      }),
    ),
    input_column: ColumnName('input'),
    expected_output_column: ColumnName('expected_output'),
    metadata_column: ColumnName('metadata'),
    tags_column: ColumnName('tags'),
    splits_column: ColumnName('splits'),
    external_id_column: ColumnName('external_id'),
    other_columns: Type.Optional(
      Type.Union([Type.Literal('metadata'), Type.Literal('ignore')], {
        default: 'metadata',
        description: 'CSV: the columns no field uses become keys of each record’s metadata (empty cells left out), or are ignored',
      }),
    ),
    ignore_column: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 500 }), { maxItems: 1_000, description: 'CSV: a column not to read (repeatable)' }),
    ),
    cells: Type.Optional(
      Type.Union([Type.Literal('json'), Type.Literal('text')], {
        default: 'json',
        description: 'CSV: cells are JSON where they parse as JSON (`42` a number, `false` a boolean), else text (`json`); or always text as it is (`text`)',
      }),
    ),
  },
  { additionalProperties: false },
);
