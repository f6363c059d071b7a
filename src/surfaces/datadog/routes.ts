import { Type, type TSchema } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { NotFoundError, ValidationError } from '../../domain/errors.js';
import { parseId } from '../../domain/ids.js';
import type { Json, JsonObject } from '../../domain/json.js';
import { LIMITS } from '../../domain/limits.js';
import type { Actor, Dataset } from '../../domain/types.js';
import { normalizeError } from '../../http/errors.js';
import { filePart } from '../../http/multipart.js';
import { EventStream, wantsEventStream } from '../../http/sse.js';
import type { Services } from '../../services/index.js';
import type { NewRecord, RecordPatch } from '../../services/records.js';
import { csvRows, type CsvMapping, type UploadSummary } from '../../services/uploads/index.js';
import {
  datasetResource,
  JSON_API,
  mutationItem,
  projectResource,
  recordResource,
  versionResource,
} from './present.js';

type App = FastifyInstance<any, any, any, any, TypeBoxTypeProvider>;

/** Datadog's page size for records and experiments: the default and the most one page holds. */
const PAGE_MAX = LIMITS.recordPageSizeMax;

// ---------------------------------------------------------------------------------------------
// Request shapes. Datadog's clients add fields of their own (its generated models take any extra
// property), so envelopes accept unknown fields; the fields evalstore reads are checked strictly.

const Envelope = <T extends TSchema>(attributes: T) =>
  Type.Object({ data: Type.Object({ type: Type.Optional(Type.String()), id: Type.Optional(Type.String()), attributes }) });

const Tag = Type.String({ minLength: 1, maxLength: LIMITS.tagLength, pattern: '^[^:]+:', description: 'key:value' });
const Tags = Type.Array(Tag, { maxItems: LIMITS.tagsPerRecord });
const Anything = Type.Unsafe<Json>({});
const Metadata = Type.Unsafe<JsonObject | null>({ anyOf: [{ type: 'object' }, { type: 'null' }] });
const TagOperations = Type.Object({ add: Type.Optional(Tags), remove: Type.Optional(Tags), set: Type.Optional(Tags) });
const RecordId = Type.String({ minLength: 1, maxLength: LIMITS.externalIdLength });

const InsertRecord = Type.Object({
  id: Type.Optional(Type.Union([RecordId, Type.Null()])),
  input: Anything,
  expected_output: Type.Optional(Anything),
  metadata: Type.Optional(Metadata),
  tags: Type.Optional(Type.Union([Tags, Type.Null()])),
  tag_operations: Type.Optional(Type.Union([TagOperations, Type.Null()])),
});
const UpdateRecord = Type.Object({
  id: RecordId,
  input: Type.Optional(Anything),
  expected_output: Type.Optional(Anything),
  metadata: Type.Optional(Metadata),
  tags: Type.Optional(Type.Union([Tags, Type.Null()])),
  tag_operations: Type.Optional(Type.Union([TagOperations, Type.Null()])),
});
const Records = <T extends TSchema>(item: T) => Type.Array(item, { maxItems: LIMITS.recordsPerRequest });
const Name = Type.String({ minLength: 1, maxLength: LIMITS.nameLength });
const Description = Type.Optional(Type.Union([Type.String({ maxLength: 10_000 }), Type.Null()]));

const PageQuery = {
  'page[cursor]': Type.Optional(Type.String()),
  'page[limit]': Type.Optional(Type.Integer({ minimum: 1 })),
};
const ProjectParams = Type.Object({ project_id: Type.String() });
const DatasetParams = Type.Object({ project_id: Type.String(), dataset_id: Type.String() });

const UploadQuery = Type.Object({
  deduplicate: Type.Optional(Type.String()),
  overwrite: Type.Optional(Type.String()),
  tags: Type.Optional(Type.Array(Type.String())),
  'include[user_data]': Type.Optional(Type.String()),
});

// ---------------------------------------------------------------------------------------------
// Small translations

/** Datadog clients spell booleans `true`, `True`, `1`...: read them case-insensitively. */
function booleanParam(value: string | undefined, name: string, fallback: boolean): boolean {
  if (value === undefined || value === '') return fallback;
  if (/^(true|1|yes)$/i.test(value)) return true;
  if (/^(false|0|no)$/i.test(value)) return false;
  throw ValidationError.field(`/${name}`, 'must be true or false', { in: 'query' });
}

function tagsParam(values: string[] | undefined): string[] {
  const tags = values ?? [];
  tags.forEach((tag, index) => {
    if (!/^[^:]+:/.test(tag)) throw ValidationError.field('/tags', `item ${index} (${JSON.stringify(tag)}) must be key:value`, { in: 'query' });
  });
  return tags;
}

function tagProblem(tag: string): string | undefined {
  return /^[^:]+:/.test(tag) ? undefined : 'is not key:value';
}

/** The services clamp the size: records to PAGE_MAX, other lists to LIMITS.pageSizeMax. */
function pageOf(query: { 'page[cursor]'?: string; 'page[limit]'?: number }) {
  return { cursor: query['page[cursor]'] || undefined, limit: query['page[limit]'] ?? PAGE_MAX };
}

function meta(nextCursor: string | null) {
  return { after: nextCursor ?? '' };
}

function send(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  return reply.status(status).type(JSON_API).send(JSON.stringify(body));
}

/** The dataset `datasetId` of project `projectId` (404 when it is in another project, or nowhere). */
async function datasetIn(services: Services, actor: Actor, projectId: string, datasetId: string): Promise<Dataset> {
  const dataset = await services.datasets.get(actor, datasetId);
  if (dataset.project_id !== (parseId(projectId) ?? projectId)) throw new NotFoundError('Dataset', datasetId);
  return dataset;
}

/** A Datadog record to add: its `id` is the caller's own id (evalstore's external_id). */
function toNewRecord(item: typeof InsertRecord.static, extraTags: string[]): NewRecord {
  const tags = [...(item.tags ?? []), ...(item.tag_operations?.add ?? []), ...extraTags];
  return {
    input: item.input,
    ...(item.expected_output === undefined ? {} : { expected_output: item.expected_output }),
    ...(item.metadata ? { metadata: item.metadata } : {}),
    ...(tags.length ? { tags: item.tag_operations?.set ?? tags } : {}),
    ...(item.id ? { external_id: item.id } : {}),
  };
}

/**
 * A Datadog record change. Datadog's field semantics: `null` leaves a field as it is; an
 * expected_output of `""` erases it (dd-trace-py's way of saying "set to None").
 */
function toPatch(item: typeof UpdateRecord.static): RecordPatch {
  const patch: RecordPatch = { ref: item.id };
  if (item.input !== undefined && item.input !== null) patch.input = item.input;
  if (item.expected_output !== undefined && item.expected_output !== null) {
    patch.expected_output = item.expected_output === '' ? null : item.expected_output;
  }
  if (item.metadata !== undefined && item.metadata !== null) patch.metadata = item.metadata;
  if (item.tags) patch.tags = item.tags;
  if (item.tag_operations) patch.tag_operations = item.tag_operations;
  return patch;
}

// ---------------------------------------------------------------------------------------------
// Routes of the `/api/v2/llm-obs/v1` and `/api/unstable/llm-obs/v1` families (the same on both)

export function v1Routes(app: App, services: Services): void {
  // Projects

  app.get('/projects', {
    schema: {
      querystring: Type.Object({ 'filter[id]': Type.Optional(Type.String()), 'filter[name]': Type.Optional(Type.String()), ...PageQuery }),
    },
    handler: async (request, reply) => {
      const { cursor, limit } = pageOf(request.query);
      const page = await services.projects.list(request.actor, {
        cursor,
        limit,
        id: request.query['filter[id]'],
        name: request.query['filter[name]'],
      });
      return send(reply, 200, { data: page.data.map(projectResource), meta: meta(page.next_cursor) });
    },
  });

  app.post('/projects', {
    schema: { body: Envelope(Type.Object({ name: Name, description: Description })) },
    handler: async (request, reply) => {
      const { name, description } = request.body.data.attributes;
      const { project } = await services.projects.getOrCreate(request.actor, { name, description: description ?? null });
      return send(reply, 200, { data: projectResource(project) });
    },
  });

  app.patch('/projects/:project_id', {
    schema: { params: ProjectParams, body: Envelope(Type.Object({ name: Type.Optional(Name), description: Description })) },
    handler: async (request, reply) => {
      const { name, description } = request.body.data.attributes;
      const project = await services.projects.update(request.actor, request.params.project_id, {
        ...(name === undefined ? {} : { name }),
        ...(description === undefined ? {} : { description }),
      });
      return send(reply, 200, { data: projectResource(project) });
    },
  });

  app.post('/projects/delete', {
    schema: { body: Envelope(Type.Object({ project_ids: Type.Array(Type.String(), { minItems: 1, maxItems: 1_000 }) })) },
    handler: async (request, reply) => {
      await services.projects.deleteMany(request.actor, request.body.data.attributes.project_ids);
      return reply.status(204).send();
    },
  });

  // Datasets

  app.get('/:project_id/datasets', {
    schema: {
      params: ProjectParams,
      querystring: Type.Object({ 'filter[id]': Type.Optional(Type.String()), 'filter[name]': Type.Optional(Type.String()), ...PageQuery }),
    },
    handler: async (request, reply) => {
      const project = await services.projects.get(request.actor, request.params.project_id);
      const { cursor, limit } = pageOf(request.query);
      const page = await services.datasets.list(request.actor, {
        project_id: project.id,
        cursor,
        limit,
        id: request.query['filter[id]'],
        name: request.query['filter[name]'],
      });
      return send(reply, 200, { data: page.data.map((dataset) => datasetResource(dataset)), meta: meta(page.next_cursor) });
    },
  });

  app.post('/:project_id/datasets', {
    schema: { params: ProjectParams, body: Envelope(Type.Object({ name: Name, description: Description, metadata: Type.Optional(Metadata) })) },
    handler: async (request, reply) => {
      const { name, description, metadata } = request.body.data.attributes;
      const project = await services.projects.get(request.actor, request.params.project_id);
      const { dataset } = await services.datasets.getOrCreate(request.actor, {
        name,
        description: description ?? null,
        ...(metadata ? { metadata } : {}),
        project_id: project.id,
      });
      return send(reply, 200, { data: datasetResource(dataset) });
    },
  });

  app.get('/:project_id/datasets/:dataset_id', {
    schema: { params: DatasetParams },
    handler: async (request, reply) => {
      const dataset = await datasetIn(services, request.actor, request.params.project_id, request.params.dataset_id);
      return send(reply, 200, { data: datasetResource(dataset) });
    },
  });

  app.patch('/:project_id/datasets/:dataset_id', {
    schema: {
      params: DatasetParams,
      body: Envelope(Type.Object({ name: Type.Optional(Name), description: Description, metadata: Type.Optional(Metadata) })),
    },
    handler: async (request, reply) => {
      const dataset = await datasetIn(services, request.actor, request.params.project_id, request.params.dataset_id);
      const { name, description, metadata } = request.body.data.attributes;
      const updated = await services.datasets.update(request.actor, dataset.id, {
        ...(name === undefined ? {} : { name }),
        ...(description === undefined ? {} : { description }),
        ...(metadata ? { metadata } : {}),
      });
      return send(reply, 200, { data: datasetResource(updated) });
    },
  });

  app.post('/:project_id/datasets/delete', {
    schema: { params: ProjectParams, body: Envelope(Type.Object({ dataset_ids: Type.Array(Type.String(), { minItems: 1, maxItems: 1_000 }) })) },
    handler: async (request, reply) => {
      await services.datasets.deleteMany(request.actor, request.body.data.attributes.dataset_ids, { project_id: request.params.project_id });
      return reply.status(204).send();
    },
  });

  app.get('/:project_id/datasets/:dataset_id/versions', {
    schema: { params: DatasetParams, querystring: Type.Object({ ...PageQuery }) },
    handler: async (request, reply) => {
      const dataset = await datasetIn(services, request.actor, request.params.project_id, request.params.dataset_id);
      const { cursor, limit } = pageOf(request.query);
      const page = await services.versions.list(request.actor, dataset.id, { cursor, limit });
      return send(reply, 200, { data: page.data.map(versionResource), meta: meta(page.next_cursor) });
    },
  });

  // Records

  app.get('/:project_id/datasets/:dataset_id/records', {
    schema: {
      params: DatasetParams,
      querystring: Type.Object({
        'filter[version]': Type.Optional(Type.Integer()),
        'filter[tags]': Type.Optional(Type.Array(Type.String())),
        ...PageQuery,
      }),
    },
    handler: async (request, reply) => {
      const dataset = await datasetIn(services, request.actor, request.params.project_id, request.params.dataset_id);
      const version = request.query['filter[version]'];
      if (version !== undefined && (version < 0 || version > dataset.latest_version)) {
        // Datadog's own wording and status for a version out of range.
        throw ValidationError.field('/filter[version]', 'invalid version: version is greater than the current version or negative', { in: 'query' });
      }
      const { cursor, limit } = pageOf(request.query);
      const page = await services.records.list(request.actor, dataset.id, {
        version,
        cursor,
        limit,
        ...(request.query['filter[tags]']?.length ? { tags_any: request.query['filter[tags]'] } : {}),
      });
      return send(reply, 200, { data: page.data.map((record) => recordResource(record)), meta: meta(page.next_cursor) });
    },
  });

  app.post('/:project_id/datasets/:dataset_id/records', {
    bodyLimit: LIMITS.bulkBodyBytes,
    schema: {
      params: DatasetParams,
      body: Envelope(Type.Object({ records: Records(InsertRecord), deduplicate: Type.Optional(Type.Boolean()) })),
    },
    handler: async (request, reply) => {
      const dataset = await datasetIn(services, request.actor, request.params.project_id, request.params.dataset_id);
      const { records, deduplicate } = request.body.data.attributes;
      const result = await services.records.change(
        request.actor,
        dataset.id,
        { add: records.map((item) => toNewRecord(item, [])) },
        { deduplicate: deduplicate ?? true, pointers: { add: '/data/attributes/records' } },
      );
      return send(reply, 200, mutationBody(result, dataset));
    },
  });

  app.patch('/:project_id/datasets/:dataset_id/records', {
    bodyLimit: LIMITS.bulkBodyBytes,
    schema: { params: DatasetParams, body: Envelope(Type.Object({ records: Records(UpdateRecord) })) },
    handler: async (request, reply) => {
      const dataset = await datasetIn(services, request.actor, request.params.project_id, request.params.dataset_id);
      const result = await services.records.change(
        request.actor,
        dataset.id,
        { update: request.body.data.attributes.records.map(toPatch) },
        { pointers: { update: '/data/attributes/records' } },
      );
      return send(reply, 200, mutationBody(result, dataset));
    },
  });

  app.post('/:project_id/datasets/:dataset_id/records/delete', {
    bodyLimit: LIMITS.bulkBodyBytes,
    schema: { params: DatasetParams, body: Envelope(Type.Object({ record_ids: Records(RecordId) })) },
    handler: async (request, reply) => {
      const dataset = await datasetIn(services, request.actor, request.params.project_id, request.params.dataset_id);
      await services.records.change(
        request.actor,
        dataset.id,
        { remove: { refs: request.body.data.attributes.record_ids } },
        { pointers: { remove: '/data/attributes/record_ids' } },
      );
      return reply.status(204).send();
    },
  });

  app.post('/:project_id/datasets/:dataset_id/batch_update', {
    bodyLimit: LIMITS.bulkBodyBytes,
    schema: {
      params: DatasetParams,
      body: Envelope(
        Type.Object({
          insert_records: Type.Optional(Records(InsertRecord)),
          update_records: Type.Optional(Records(UpdateRecord)),
          delete_records: Type.Optional(Records(RecordId)),
          create_new_version: Type.Optional(Type.Boolean()),
          deduplicate: Type.Optional(Type.Boolean()),
          tags: Type.Optional(Tags),
        }),
      ),
    },
    handler: async (request, reply) => {
      const dataset = await datasetIn(services, request.actor, request.params.project_id, request.params.dataset_id);
      const attributes = request.body.data.attributes;
      // evalstore's versions are immutable: every batch that changes something commits a version of its
      // own, whatever `create_new_version` says (see docs/surfaces/datadog.md).
      const result = await services.records.change(
        request.actor,
        dataset.id,
        {
          add: (attributes.insert_records ?? []).map((item) => toNewRecord(item, attributes.tags ?? [])),
          update: (attributes.update_records ?? []).map(toPatch),
          remove: { refs: attributes.delete_records ?? [] },
        },
        {
          deduplicate: attributes.deduplicate ?? true,
          pointers: { add: '/data/attributes/insert_records', update: '/data/attributes/update_records', remove: '/data/attributes/delete_records' },
        },
      );
      return send(reply, 200, mutationBody(result, dataset));
    },
  });
}

type ChangeResult = Awaited<ReturnType<Services['records']['change']>>;

/** Inserted, updated and deleted records, each with the version the change made (`data: []` when none). */
function mutationBody(result: ChangeResult, dataset: Dataset) {
  const version = result.version?.version ?? dataset.latest_version;
  const at = result.version?.created_at;
  return {
    data: [
      ...result.added.map((record) => mutationItem(record, { version })),
      ...result.updated.map((record) => mutationItem(record, { version })),
      ...result.removed.map((record) => mutationItem(record, { version, deleted_at: at })),
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// The CSV upload, on both families

/** Datadog's columns: `input` is required; `id` is the record's own id (evalstore's external_id). */
const DATADOG_COLUMNS: CsvMapping = {
  input: { column: 'input', required: true },
  expected_output: { column: 'expected_output' },
  metadata: { column: 'metadata' },
  tags: { column: 'tags' },
  external_id: { column: 'id' },
};

interface UploadRequest {
  actor: Actor;
  dataset: Dataset;
  query: typeof UploadQuery.static;
  request: FastifyRequest;
  /** The unstable route of dd-trace-py de-duplicates within the file only. */
  deduplicateScope: 'dataset' | 'file';
}

/** Counts of a finished upload, as the `completed` event and the docs name them. */
function completedPayload(summary: UploadSummary, actor: Actor, includeUser: boolean) {
  return {
    records_created: summary.records_created,
    records_updated: summary.records_updated,
    records_unchanged: summary.records_unchanged,
    records_skipped: summary.duplicates_skipped + summary.existing_skipped,
    records_skipped_as_duplicates: summary.duplicates_skipped,
    records_skipped_as_existing: summary.existing_skipped,
    records_superseded: summary.superseded,
    records_failed: 0,
    rows_read: summary.rows_received,
    dataset_id: summary.dataset_id,
    dataset_version: summary.version?.version ?? null,
    version_created: summary.version !== null,
    upload_id: summary.upload_id,
    ...(includeUser ? { user: { id: actor.keyId, name: actor.name } } : {}),
  };
}

/**
 * Streams the `file` part through the upload pipeline, telling `events` (when given) of its progress.
 * The stream opens once the CSV header has been read and checked; faults found before (no file part,
 * no `input` column, an empty file) throw, to be answered as ordinary JSON:API errors.
 */
async function runUpload(services: Services, upload: UploadRequest, events: EventStream | undefined): Promise<UploadSummary> {
  const { query } = upload;
  const deduplicate = booleanParam(query.deduplicate, 'deduplicate', false);
  const overwrite = booleanParam(query.overwrite, 'overwrite', true);
  const tags = tagsParam(query.tags);
  const part = await filePart(upload.request, 'file', { maxFileBytes: LIMITS.uploadBytes });
  const rows = csvRows(part.stream, {
    mapping: DATADOG_COLUMNS,
    checkTag: tagProblem,
    onHeader: (header) =>
      events?.send('progress', { rows_read: 0, records_failed: 0, phase: 'header', columns: header.columns, ignored_columns: header.ignored }),
  });
  return services.uploads.upload(upload.actor, upload.dataset.id, rows, {
    format: 'csv',
    filename: part.filename,
    overwrite,
    deduplicate,
    deduplicateScope: upload.deduplicateScope,
    tags,
    onProgress: (progress) => events?.send('progress', { rows_read: progress.rows_received, records_failed: 0, phase: progress.phase }),
  });
}

/** Sends the outcome of an upload as the terminal event of an open stream; rethrows when none is open. */
async function streamUpload(services: Services, upload: UploadRequest, reply: FastifyReply): Promise<FastifyReply> {
  const events = new EventStream(reply);
  const includeUser = booleanParam(upload.query['include[user_data]'], 'include[user_data]', false);
  try {
    const summary = await runUpload(services, upload, events);
    events.send('completed', completedPayload(summary, upload.actor, includeUser));
  } catch (error) {
    if (!events.isOpen) throw error;
    const normalized = normalizeError(error);
    if (normalized.internal) upload.request.log.error({ err: error }, 'upload failed');
    else upload.request.log.info({ status: normalized.status, code: normalized.code }, normalized.detail);
    const issue = normalized.issues[0];
    events.send('error', {
      message: normalized.detail,
      status: normalized.status,
      code: normalized.code,
      ...(issue?.line === undefined ? {} : { line: issue.line }),
      ...(issue?.column === undefined ? {} : { column: issue.column }),
    });
  }
  events.end();
  return reply;
}

/** The version the dataset is at; version 0, which holds nothing, only while it has none. */
async function latestVersion(services: Services, actor: Actor, dataset: Dataset) {
  const [latest] = (await services.versions.list(actor, dataset.id, { limit: 1 })).data;
  return latest ?? { dataset_id: dataset.id, version: 0, created_at: dataset.created_at };
}

export function uploadRoutes(app: App, services: Services, family: 'v2' | 'unstable'): void {
  if (family === 'v2') {
    app.post('/:project_id/datasets/:dataset_id/records/upload', {
      schema: { params: DatasetParams, querystring: UploadQuery },
      handler: async (request, reply) => {
        const dataset = await datasetIn(services, request.actor, request.params.project_id, request.params.dataset_id);
        return streamUpload(services, { actor: request.actor, dataset, query: request.query, request, deduplicateScope: 'dataset' }, reply);
      },
    });
    return;
  }

  // dd-trace-py's bulk upload: no project in the path; answers JSON (the dataset version) after the
  // commit, or the same event stream as the v2 route when the client asks for text/event-stream.
  app.post('/datasets/:dataset_id/records/upload', {
    schema: { params: Type.Object({ dataset_id: Type.String() }), querystring: UploadQuery },
    handler: async (request, reply) => {
      const dataset = await services.datasets.get(request.actor, request.params.dataset_id);
      const upload: UploadRequest = { actor: request.actor, dataset, query: request.query, request, deduplicateScope: 'file' };
      if (wantsEventStream(request.headers.accept)) return streamUpload(services, upload, reply);
      const summary = await runUpload(services, upload, undefined);
      const version = summary.version ?? (await latestVersion(services, request.actor, dataset));
      return send(reply, 200, { data: versionResource(version) });
    },
  });

  // dd-trace-py's dataset delete: no project in the path; answers the deleted datasets.
  app.post('/datasets/delete', {
    schema: { body: Envelope(Type.Object({ dataset_ids: Type.Array(Type.String(), { minItems: 1, maxItems: 1_000 }), type: Type.Optional(Type.String()) })) },
    handler: async (request, reply) => {
      const deleted = await services.datasets.deleteMany(request.actor, request.body.data.attributes.dataset_ids);
      const now = new Date().toISOString();
      return send(reply, 200, { data: deleted.map((dataset) => datasetResource(dataset, { deleted_at: now })) });
    },
  });
}
