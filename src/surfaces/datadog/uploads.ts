import type { FastifyReply, FastifyRequest } from 'fastify';
import { ValidationError } from '../../domain/errors.js';
import { LIMITS } from '../../domain/limits.js';
import type { Dataset } from '../../domain/types.js';
import { filePart } from '../../http/multipart.js';
import type { EventStream } from '../../http/sse.js';
import { answerAsEventStream } from '../../http/upload-events.js';
import type { Services } from '../../services/index.js';
import { csvRows, type CsvMapping, type UploadSummary } from '../../services/uploads/index.js';
import { presentUploadError } from './errors.js';
import { presentUploadSummary } from './present.js';
import { booleanParam } from './requests.js';
import type { UploadQuery } from './schemas.js';

/** Datadog's CSV upload: the `file` part of a multipart body, streamed through evalstore's upload pipeline. */

/** Datadog's columns: `input` is required; `id` is the record's own id (evalstore's external_id). */
const DATADOG_COLUMNS: CsvMapping = {
  input: { column: 'input', required: true },
  expected_output: { column: 'expected_output' },
  metadata: { column: 'metadata' },
  tags: { column: 'tags' },
  external_id: { column: 'id' },
};

export interface DatadogUpload {
  request: FastifyRequest;
  query: UploadQuery;
  dataset: Dataset;
  /** What `deduplicate` compares with: the dataset (the public route) or the file only (dd-trace-py's unstable route). */
  deduplicateScope: 'dataset' | 'file';
}

/**
 * Streams the `file` part through the upload pipeline, telling `events` (when given) of its progress.
 * The stream opens once the CSV header has been read and checked; faults found before (no file part,
 * no `input` column, an empty file) throw, to be answered as ordinary JSON:API errors.
 */
export async function uploadFile(services: Services, upload: DatadogUpload, events?: EventStream): Promise<UploadSummary> {
  const { request, query } = upload;
  const deduplicate = booleanParam(query.deduplicate, 'deduplicate', false);
  const overwrite = booleanParam(query.overwrite, 'overwrite', true);
  const tags = tagsParam(query.tags);
  const part = await filePart(request, 'file', { maxFileBytes: LIMITS.uploadBytes });
  const rows = csvRows(part.stream, {
    mapping: DATADOG_COLUMNS,
    checkTag: tagProblem,
    onHeader: (header) =>
      events?.send('progress', { rows_read: 0, records_failed: 0, phase: 'header', columns: header.columns, ignored_columns: header.ignored }),
  });
  return services.uploads.upload(request.actor, upload.dataset.id, rows, {
    format: 'csv',
    filename: part.filename,
    overwrite,
    deduplicate,
    deduplicateScope: upload.deduplicateScope,
    tags,
    onProgress: (progress) => events?.send('progress', { rows_read: progress.rows_received, records_failed: 0, phase: progress.phase }),
  });
}

/** The upload answered as Server-Sent Events: progress, then one `completed` or `error`. */
export function streamUpload(services: Services, upload: DatadogUpload, reply: FastifyReply): Promise<FastifyReply> {
  const includeUser = booleanParam(upload.query['include[user_data]'], 'include[user_data]', false);
  return answerAsEventStream(upload.request, reply, {
    run: (events) => uploadFile(services, upload, events),
    completed: (summary) => presentUploadSummary(summary, upload.request.actor, includeUser),
    failed: presentUploadError,
  });
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
