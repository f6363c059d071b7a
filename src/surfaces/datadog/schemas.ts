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
export const UnstableDeleteDatasetsBody = Envelope(Type.Object({ dataset_ids: Ids, type: Type.Optional(Type.String()) }));

export const RecordsQuery = Type.Object({
  'filter[version]': Type.Optional(Type.Integer()),
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
