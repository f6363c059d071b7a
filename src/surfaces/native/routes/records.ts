import type { Static } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { ValidationError } from '../../../domain/errors.js';
import type { Actor } from '../../../domain/types.js';
import { LIMITS } from '../../../domain/limits.js';
import type { SurfaceApp } from '../../../http/app.js';
import { filePart, isMultipart } from '../../../http/multipart.js';
import { type EventStream, wantsEventStream } from '../../../http/sse.js';
import { CountedStream, limitBytes, mediaType, streamedRequestBody } from '../../../http/streams.js';
import { answerAsEventStream } from '../../../http/upload-events.js';
import { streamedBody } from '../../../http/validation.js';
import { EXPORT_ONLY_COLUMNS } from '../../../services/exports.js';
import type { Services } from '../../../services/index.js';
import { csvRows, jsonlRows, type CsvColumn, type CsvHeader } from '../../../services/uploads/index.js';
import { presentProblem } from '../errors.js';
import { parseMetadataFilters } from '../requests.js';
import { presentExport } from '../present.js';
import { DatasetParams, Errors } from '../schemas/common.js';
import {
  DatasetExportQuery,
  DatasetRecord,
  RecordDeleteQuery,
  RecordParams,
  RecordQuery,
  RecordScores,
  RecordsAdded,
  RecordsCreate,
  RecordsDelete,
  RecordsPage,
  RecordsRemoved,
  RecordsUpdate,
  RecordsUpdated,
  RecordUpdate,
  RecordUpdated,
  RecordVersionQuery,
  UploadQuery,
  UploadSummary,
} from '../schemas/datasets.js';

const tags = ['Records'];

export const JSONL_TYPES = ['application/x-ndjson', 'application/jsonl', 'application/json-lines'];
export const CSV_TYPES = ['text/csv', 'application/csv'];

export function recordRoutes(app: SurfaceApp, services: Services): void {
  app.post('/datasets/:dataset_id/records', {
    bodyLimit: LIMITS.bulkBodyBytes,
    schema: {
      summary: 'Add records',
      description: `Adds 1 to ${LIMITS.recordsPerRequest} records and commits them as one new version. Body limit ${LIMITS.bulkBodyBytes / 1024 / 1024} MiB.`,
      tags,
      params: DatasetParams,
      body: RecordsCreate,
      response: { 201: RecordsAdded, ...Errors },
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
      params: DatasetParams,
      body: RecordsUpdate,
      response: { 200: RecordsUpdated, ...Errors },
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
      params: DatasetParams,
      body: RecordsDelete,
      response: { 200: RecordsRemoved, ...Errors },
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
      params: DatasetParams,
      querystring: RecordQuery,
      response: { 200: RecordsPage, ...Errors },
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
      params: RecordParams,
      querystring: RecordVersionQuery,
      response: { 200: DatasetRecord, ...Errors },
    },
    handler: (request) => services.records.get(request.actor, request.params.dataset_id, request.params.record_id, request.query.version),
  });

  app.get('/datasets/:dataset_id/records/:record_id/scores', {
    schema: {
      summary: "List a record's own scores",
      description: 'Scores of the record itself, apart from any experiment (annotations of an example, one per key), oldest first.',
      tags,
      params: RecordParams,
      response: { 200: RecordScores, ...Errors },
    },
    handler: async (request) => {
      const { dataset_id: datasetId, record_id: recordId } = request.params;
      await services.records.get(request.actor, datasetId, recordId);
      const scores = await services.recordScores.ofRecords(request.actor, datasetId, [recordId]);
      return { data: scores.get(recordId) ?? [] };
    },
  });

  app.patch('/datasets/:dataset_id/records/:record_id', {
    schema: {
      summary: 'Update a record',
      tags,
      params: RecordParams,
      body: RecordUpdate,
      response: { 200: RecordUpdated, ...Errors },
    },
    handler: async (request) => {
      const { message, ...patch } = request.body;
      const result = await services.records.update(request.actor, request.params.dataset_id, [{ ...patch, id: request.params.record_id }], { message });
      return { version: result.version, record: result.records[0]! };
    },
  });

  app.delete('/datasets/:dataset_id/records/:record_id', {
    schema: {
      summary: 'Delete a record',
      tags,
      params: RecordParams,
      querystring: RecordDeleteQuery,
      response: { 200: RecordsRemoved, ...Errors },
    },
    handler: (request) => services.records.remove(request.actor, request.params.dataset_id, { ids: [request.params.record_id] }, request.query),
  });

  app.get('/datasets/:dataset_id/export', {
    schema: {
      summary: 'Export a version as JSONL or CSV',
      description:
        'Streams every record of the version (the latest by default). Memory stays flat whatever the size. JSONL lines have the fields of a record; CSV cells hold JSON for non-string values.',
      tags,
      params: DatasetParams,
      querystring: DatasetExportQuery,
      response: { 200: { description: 'The file', type: 'string' }, ...Errors },
    },
    handler: async (request, reply) => {
      const { format = 'jsonl', version } = request.query;
      const exported = await services.exports.records(request.actor, request.params.dataset_id, { format, version });
      reply.header('x-evalstore-version', String(exported.version));
      return presentExport(reply, exported, `dataset-${exported.dataset_id}-v${exported.version}`);
    },
  });

  app.post('/datasets/:dataset_id/uploads', {
    schema: {
      summary: 'Upload records from a JSONL or CSV stream',
      description: [
        `Body: JSONL (Content-Type ${JSONL_TYPES.join(', ')}), one record object per line; or CSV (Content-Type ${CSV_TYPES.join(', ')});`,
        "or multipart/form-data with the file in a part named `file` (JSONL or CSV, told by `format`, else by the part's type or file name).",
        `The body is read as it arrives: at most ${LIMITS.uploadBytes / 1024 ** 3} GiB in all and ${LIMITS.uploadLineBytes / 1024 ** 2} MiB per line (per CSV record; ${LIMITS.csvCellBytes / 1024 ** 2} MiB per cell).`,
        'All rows commit as one version, or none does: a bad line answers 400 naming the line (and, for CSV, the column), and the dataset is left as it was.',
        'A row whose external_id matches a current record replaces it (`overwrite`, default true) or is skipped;',
        '`deduplicate` skips rows whose input matches a current record or an earlier row; `tag` adds tags to every record.',
        "CSV: the first row names the columns; `*_column` parameters say which column fills which field (defaults: the field's own name;",
        'a column named explicitly must exist, a default one is used when present). Cells are JSON when they parse as JSON, else text;',
        'tags and splits are a JSON array or a comma-separated list; metadata must be a JSON object. Other columns become keys of the metadata',
        '(`other_columns=metadata`, the default; `ignore_column` leaves one out) or are ignored (`other_columns=ignore`); `cells=text` reads every cell as text.',
        'The summary (and the header `progress` event) says where each column went.',
        'With `Accept: text/event-stream` the answer is 200 and a stream of Server-Sent Events: `progress` (the header read, then every 1,000 rows staged, then `committing`;',
        'each with `rows_received` and `bytes_received`, the bytes of the file read so far, for a progress bar),',
        'then exactly one `completed` (the summary) or `error` (problem details naming the line). A fault found before the stream opens (unknown dataset, a CSV header without the input column, an empty file) answers as usual.',
      ].join(' '),
      tags,
      params: DatasetParams,
      consumes: [...JSONL_TYPES, ...CSV_TYPES, 'multipart/form-data'],
      body: streamedBody('JSONL (one record object per line), CSV with a header row, or multipart/form-data with a `file` part'),
      querystring: UploadQuery,
      response: {
        200: { description: 'With `Accept: text/event-stream`: Server-Sent Events `progress`, then `completed` or `error`', type: 'string' },
        201: UploadSummary,
        ...Errors,
        415: Errors[413],
      },
    },
    handler: async (request, reply) => {
      const { dataset_id: datasetId } = request.params;
      const source = await uploadSource(request, request.query.format);
      const upload = (events?: EventStream) => uploadRecords(services, request.actor, datasetId, source, request.query, events);
      if (!wantsEventStream(request.headers.accept)) return reply.status(201).send(await upload());
      // Faults found before the stream opens (an unknown dataset) answer with their own status.
      await services.datasets.get(request.actor, datasetId);
      return answerAsEventStream(request, reply, { run: upload, completed: (summary) => summary, failed: presentProblem });
    },
  });
}

/** The file of an upload: its format, its bytes as they arrive, and the name it was sent with. */
interface UploadSource {
  format: 'jsonl' | 'csv';
  stream: AsyncIterable<Buffer>;
  filename?: string;
}

/**
 * Uploads the file's rows into the dataset as one version; `events`, when the upload is answered as
 * a stream, hears of its progress (the CSV header read, rows staged) with the bytes read so far.
 */
async function uploadRecords(
  services: Services,
  actor: Actor,
  datasetId: string,
  source: UploadSource,
  query: Static<typeof UploadQuery>,
  events?: EventStream,
) {
  const {
    format: _format,
    tag,
    input_column,
    expected_output_column,
    metadata_column,
    tags_column,
    splits_column,
    external_id_column,
    other_columns = 'metadata',
    ignore_column,
    cells,
    ...options
  } = query;
  let header: CsvHeader | undefined;
  const body = new CountedStream(source.stream);
  const column = (name: string | undefined, fallback: string): CsvColumn => ({ column: name ?? fallback, required: name !== undefined });
  const rows =
    source.format === 'csv'
      ? csvRows(body.stream, {
          mapping: {
            input: column(input_column, 'input'),
            expected_output: column(expected_output_column, 'expected_output'),
            metadata: column(metadata_column, 'metadata'),
            tags: column(tags_column, 'tags'),
            splits: column(splits_column, 'splits'),
            external_id: column(external_id_column, 'external_id'),
          },
          otherColumns: other_columns,
          // The columns the CSV export adds, so that an exported version uploads again as it was.
          ignoreColumns: [...EXPORT_ONLY_COLUMNS, ...(ignore_column ?? [])],
          cells,
          onHeader: (read) => {
            header = read;
            events?.send('progress', {
              phase: 'header',
              rows_received: 0,
              bytes_received: body.bytes,
              columns: read.columns,
              mapping: read.used,
              metadata_columns: read.metadata,
              ignored_columns: read.ignored,
            });
          },
        })
      : jsonlRows(body.stream);
  if (events && source.format === 'jsonl') events.send('progress', { phase: 'staging', rows_received: 0, bytes_received: 0 });
  const summary = await services.uploads.upload(actor, datasetId, rows, {
    ...options,
    format: source.format,
    filename: options.filename ?? source.filename,
    tags: tag,
    onProgress: (progress) => events?.send('progress', { ...progress, bytes_received: body.bytes }),
  });
  return header ? { ...summary, columns: { used: header.used, metadata: header.metadata, ignored: header.ignored } } : summary;
}

/** The uploaded file: the body itself (JSONL or CSV), or the `file` part of a multipart body. */
async function uploadSource(request: FastifyRequest, requested: 'jsonl' | 'csv' | undefined): Promise<UploadSource> {
  if (isMultipart(request)) {
    const part = await filePart(request, 'file', { maxFileBytes: LIMITS.uploadBytes });
    const format = requested ?? formatOf(part.mimetype, part.filename);
    if (!format) {
      throw ValidationError.field('/format', `is required: the file part's type (${part.mimetype}) and name do not tell JSONL from CSV`, { in: 'query' });
    }
    return { format, stream: part.stream, filename: part.filename };
  }
  const body = streamedRequestBody(request, [...JSONL_TYPES, ...CSV_TYPES, 'multipart/form-data']);
  const type = mediaType(request);
  const format = CSV_TYPES.includes(type) ? 'csv' : 'jsonl';
  if (requested && requested !== format) {
    throw ValidationError.field('/format', `is ${requested}, but the body is ${type}`, { in: 'query' });
  }
  return { format, stream: limitBytes(body, LIMITS.uploadBytes) };
}

function formatOf(mimetype: string, filename: string | undefined): 'jsonl' | 'csv' | undefined {
  const type = mimetype.toLowerCase();
  if (CSV_TYPES.includes(type)) return 'csv';
  if (JSONL_TYPES.includes(type)) return 'jsonl';
  if (filename && /\.csv$/i.test(filename)) return 'csv';
  if (filename && /\.(jsonl|ndjson)$/i.test(filename)) return 'jsonl';
  return undefined;
}
