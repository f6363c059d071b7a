import { Readable } from 'node:stream';
import { Type } from '@sinclair/typebox';
import type { Json } from '../../../domain/json.js';
import { LIMITS } from '../../../domain/limits.js';
import type { Services } from '../../../services/index.js';
import { jsonlRows } from '../../../services/uploads/index.js';
import { limitBytes } from '../../../http/streams.js';
import { streamedBody } from '../../../http/validation.js';
import type { NativeApp } from '../app.js';
import {
  CommitResult,
  DatasetRecord,
  Errors,
  Id,
  Page,
  RecordQuery,
  RecordsCreate,
  RecordsDelete,
  RecordsUpdate,
  RecordUpdate,
  UploadSummary,
  VersionParam,
} from '../schemas.js';

const tags = ['Records'];
const datasetParams = Type.Object({ dataset_id: Id });
const recordParams = Type.Object({ dataset_id: Id, record_id: Id });

export const JSONL_TYPES = ['application/x-ndjson', 'application/jsonl', 'application/json-lines'];

export function recordRoutes(app: NativeApp, services: Services): void {
  app.post('/datasets/:dataset_id/records', {
    bodyLimit: LIMITS.bulkBodyBytes,
    schema: {
      summary: 'Add records',
      description: `Adds 1 to ${LIMITS.recordsPerRequest} records and commits them as one new version. Body limit ${LIMITS.bulkBodyBytes / 1024 / 1024} MiB.`,
      tags,
      params: datasetParams,
      body: RecordsCreate,
      response: { 201: CommitResult(Type.Object({ id: Id, external_id: Type.Union([Type.String(), Type.Null()]) })), ...Errors },
    },
    handler: async (request, reply) => {
      const { records, message } = request.body;
      const result = await services.records.add(request.actor, request.params.dataset_id, records, { message });
      return reply.status(201).send(result);
    },
  });

  app.patch('/datasets/:dataset_id/records', {
    bodyLimit: LIMITS.bulkBodyBytes,
    schema: {
      summary: 'Update records',
      description:
        'Changes 1 to 10,000 current records, each named by `id` (or by `external_id` when `id` is absent), and commits one version. Fields left out keep their values; a request that changes nothing commits no version.',
      tags,
      params: datasetParams,
      body: RecordsUpdate,
      response: { 200: CommitResult(DatasetRecord), ...Errors },
    },
    handler: (request) => {
      const { records, message } = request.body;
      return services.records.update(request.actor, request.params.dataset_id, records, { message });
    },
  });

  app.post('/datasets/:dataset_id/records/delete', {
    bodyLimit: LIMITS.bulkBodyBytes,
    schema: {
      summary: 'Delete records',
      description: 'Removes current records by id or external_id and commits one version. Earlier versions keep them.',
      tags,
      params: datasetParams,
      body: RecordsDelete,
      response: { 200: CommitResult(Type.Object({ id: Id })), ...Errors },
    },
    handler: (request) => {
      const { message, ...refs } = request.body;
      return services.records.remove(request.actor, request.params.dataset_id, refs, { message });
    },
  });

  app.get('/datasets/:dataset_id/records', {
    schema: {
      summary: 'List the records of a version',
      description: 'Records of the latest version unless `version` names another, ordered by id.',
      tags,
      params: datasetParams,
      querystring: RecordQuery,
      response: { 200: Type.Intersect([Page(DatasetRecord), Type.Object({ version: Type.Integer() })]), ...Errors },
    },
    handler: (request) => {
      const { tag, split, metadata, q, ...query } = request.query;
      return services.records.list(request.actor, request.params.dataset_id, {
        ...query,
        tags: tag,
        splits: split,
        metadata: metadata && parseMetadataFilters(metadata),
        search: q,
      });
    },
  });

  app.get('/datasets/:dataset_id/records/:record_id', {
    schema: {
      summary: 'Get a record',
      tags,
      params: recordParams,
      querystring: Type.Object({ version: Type.Optional(VersionParam) }, { additionalProperties: false }),
      response: { 200: DatasetRecord, ...Errors },
    },
    handler: (request) =>
      services.records.get(request.actor, request.params.dataset_id, request.params.record_id, request.query.version),
  });

  app.patch('/datasets/:dataset_id/records/:record_id', {
    schema: {
      summary: 'Update a record',
      tags,
      params: recordParams,
      body: RecordUpdate,
      response: { 200: Type.Object({ version: CommitResult(DatasetRecord).properties.version, record: DatasetRecord }), ...Errors },
    },
    handler: async (request) => {
      const { message, ...patch } = request.body;
      const result = await services.records.update(
        request.actor,
        request.params.dataset_id,
        [{ ...patch, id: request.params.record_id }],
        { message },
      );
      return { version: result.version, record: result.records[0]! };
    },
  });

  app.delete('/datasets/:dataset_id/records/:record_id', {
    schema: {
      summary: 'Delete a record',
      tags,
      params: recordParams,
      querystring: Type.Object({ message: Type.Optional(Type.String({ maxLength: 2_000 })) }, { additionalProperties: false }),
      response: { 200: CommitResult(Type.Object({ id: Id })), ...Errors },
    },
    handler: (request) =>
      services.records.remove(request.actor, request.params.dataset_id, { ids: [request.params.record_id] }, request.query),
  });

  app.get('/datasets/:dataset_id/export', {
    schema: {
      summary: 'Export a version as JSONL or CSV',
      description:
        'Streams every record of the version (the latest by default). Memory stays flat whatever the size. JSONL lines have the fields of a record; CSV cells hold JSON for non-string values.',
      tags,
      params: datasetParams,
      querystring: Type.Object(
        {
          format: Type.Optional(Type.Union([Type.Literal('jsonl'), Type.Literal('csv')], { default: 'jsonl' })),
          version: Type.Optional(VersionParam),
        },
        { additionalProperties: false },
      ),
      response: { 200: { description: 'The file', type: 'string' }, ...Errors },
    },
    handler: async (request, reply) => {
      const format = request.query.format ?? 'jsonl';
      const exported = await services.exports.records(request.actor, request.params.dataset_id, {
        format,
        version: request.query.version,
      });
      const extension = format === 'csv' ? 'csv' : 'jsonl';
      return reply
        .type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8')
        .header('content-disposition', `attachment; filename="dataset-${exported.dataset_id}-v${exported.version}.${extension}"`)
        .header('x-evalstore-version', String(exported.version))
        .send(Readable.from(exported.chunks));
    },
  });

  app.post('/datasets/:dataset_id/uploads', {
    schema: {
      summary: 'Upload records from a JSONL stream',
      description: [
        `Body: JSONL (Content-Type ${JSONL_TYPES.join(', ')}), one record object per line, read as it arrives;`,
        `at most ${LIMITS.uploadBytes / 1024 ** 3} GiB in all and ${LIMITS.uploadLineBytes / 1024 ** 2} MiB per line.`,
        'All rows commit as one version, or none does: a bad line answers 400 naming the line, and the dataset is left as it was.',
        'A row whose external_id matches a current record replaces it (`overwrite`, default true) or is skipped;',
        '`deduplicate` skips rows whose input matches a current record or an earlier row.',
      ].join(' '),
      tags,
      params: datasetParams,
      consumes: JSONL_TYPES,
      body: streamedBody('JSONL: one record object per line'),
      querystring: Type.Object(
        {
          message: Type.Optional(Type.String({ maxLength: 2_000 })),
          filename: Type.Optional(Type.String({ maxLength: 500 })),
          overwrite: Type.Optional(Type.Boolean({ default: true })),
          deduplicate: Type.Optional(Type.Boolean({ default: false })),
        },
        { additionalProperties: false },
      ),
      response: { 201: UploadSummary, ...Errors, 415: Errors[413] },
    },
    handler: async (request, reply) => {
      const body = request.body as Readable;
      const summary = await services.uploads.upload(
        request.actor,
        request.params.dataset_id,
        jsonlRows(limitBytes(body, LIMITS.uploadBytes)),
        { format: 'jsonl', ...request.query },
      );
      return reply.status(201).send(summary);
    },
  });
}

/** `key=value` pairs; the value is JSON when it parses as JSON, else the string itself. */
function parseMetadataFilters(pairs: readonly string[]): Record<string, Json> {
  const filters: Record<string, Json> = {};
  for (const pair of pairs) {
    const split = pair.indexOf('=');
    const value = pair.slice(split + 1);
    filters[pair.slice(0, split)] = parseJsonOrText(value);
  }
  return filters;
}

function parseJsonOrText(value: string): Json {
  try {
    return JSON.parse(value) as Json;
  } catch {
    return value;
  }
}
