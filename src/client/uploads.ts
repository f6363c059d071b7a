import { EvalstoreError } from './errors.js';
import { readEventStream } from './event-stream.js';
import type { ApiQuery, UploadSummary } from './types.js';
import type { Transport } from './transport.js';

export type UploadFormat = 'csv' | 'jsonl';

/**
 * What to upload: a file path (Node), or the file's bytes as a Blob, a web ReadableStream, an async
 * iterable of chunks (a Node stream) or a string.
 */
export type UploadSource = { path: string } | Blob | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array | string> | string | Uint8Array;

/** Which CSV column fills which field of a record (by default, the column named after the field). */
export interface ColumnMapping {
  input?: string;
  expected_output?: string;
  metadata?: string;
  tags?: string;
  splits?: string;
  external_id?: string;
}

/** Where an upload stands: the bytes this client has sent, and the server's own counts. */
export interface UploadProgress {
  phase: string;
  bytes_sent: number;
  /** The file's size when it is known beforehand (a path or a Blob), else null. */
  total_bytes: number | null;
  bytes_received: number;
  rows_received: number;
}

export interface UploadOptions {
  /** Told by the path's extension when not given. */
  format?: UploadFormat;
  filename?: string;
  message?: string;
  deduplicate?: boolean;
  overwrite?: boolean;
  tags?: string[];
  columns?: ColumnMapping;
  /** CSV: the columns no field uses become metadata keys (`metadata`, the server's default) or are ignored. */
  otherColumns?: 'metadata' | 'ignore';
  /** CSV: columns not to read. */
  ignoreColumns?: string[];
  /** CSV: cells are JSON where they parse as JSON (`json`, the default) or always text (`text`). */
  cells?: 'json' | 'text';
  onProgress?: (progress: UploadProgress) => void;
  signal?: AbortSignal;
}

const CONTENT_TYPES: Record<UploadFormat, string> = { csv: 'text/csv', jsonl: 'application/x-ndjson' };

/**
 * Streams records to POST /datasets/{id}/uploads and follows the server's progress events to the
 * one `completed` (the summary it returns) or `error` (thrown as an EvalstoreError naming the line).
 * The body is never held whole: a path is read as a stream.
 */
export async function uploadRecords(transport: Transport, datasetId: string, source: UploadSource, options: UploadOptions = {}): Promise<UploadSummary> {
  const path = typeof source === 'object' && source !== null && 'path' in source ? source.path : undefined;
  const format = options.format ?? formatOf(path ?? options.filename);
  const body = await bodyOf(source);
  const progress: UploadProgress = { phase: 'sending', bytes_sent: 0, total_bytes: body.size, bytes_received: 0, rows_received: 0 };
  const report = () => options.onProgress?.({ ...progress });

  const request = uploadRequest(datasetId, format, { ...options, filename: options.filename ?? (path ? path.split(/[\\/]/).pop() : undefined) });
  const response = await transport.request(request.path, {
    method: 'POST',
    query: request.query,
    headers: request.headers,
    body: counted(body.stream, (bytes) => {
      progress.bytes_sent += bytes;
      report();
    }),
    signal: options.signal,
    // Node's fetch sends a streamed body only when told that the answer may start before it ends.
    duplex: 'half',
  } as RequestInit);

  let summary: UploadSummary | undefined;
  for await (const { event, data } of readEventStream(response.body as unknown as AsyncIterable<Uint8Array>)) {
    const payload = JSON.parse(data) as Record<string, unknown>;
    if (event === 'progress') {
      progress.phase = String(payload.phase ?? progress.phase);
      progress.rows_received = Number(payload.rows_received ?? progress.rows_received);
      progress.bytes_received = Number(payload.bytes_received ?? progress.bytes_received);
      report();
    } else if (event === 'completed') {
      summary = payload as UploadSummary;
      progress.phase = 'committed';
      progress.rows_received = summary.rows_received;
      report();
    } else if (event === 'error') {
      throw EvalstoreError.fromBody(payload, { status: Number(payload.status ?? 400), statusText: '' });
    }
  }
  if (!summary) {
    throw new EvalstoreError({
      type: 'urn:evalstore:problem:upload_interrupted',
      title: 'Upload interrupted',
      status: 0,
      detail: 'The server closed the stream before the upload finished; nothing was committed',
      code: 'upload_interrupted',
    });
  }
  return summary;
}

/**
 * An upload's request but for its body: the route, the query and the headers asking for progress
 * events. Also the web UI's, which sends the body by XMLHttpRequest to see its bytes go out.
 */
export function uploadRequest(
  datasetId: string,
  format: UploadFormat,
  options: Omit<UploadOptions, 'format' | 'onProgress' | 'signal'>,
): { path: string; query: URLSearchParams; headers: Record<string, string> } {
  const query: ApiQuery<'/api/v1/datasets/{dataset_id}/uploads', 'post'> = {
    format,
    filename: options.filename,
    message: options.message,
    deduplicate: options.deduplicate,
    overwrite: options.overwrite,
    tag: options.tags,
    input_column: options.columns?.input,
    expected_output_column: options.columns?.expected_output,
    metadata_column: options.columns?.metadata,
    tags_column: options.columns?.tags,
    splits_column: options.columns?.splits,
    external_id_column: options.columns?.external_id,
    other_columns: options.otherColumns,
    ignore_column: options.ignoreColumns,
    cells: options.cells,
  };
  return {
    path: `/api/v1/datasets/${encodeURIComponent(datasetId)}/uploads`,
    query: searchParams(query),
    headers: { 'content-type': CONTENT_TYPES[format], accept: 'text/event-stream' },
  };
}

function formatOf(name: string | undefined): UploadFormat {
  if (name && /\.csv$/i.test(name)) return 'csv';
  if (name && /\.(jsonl|ndjson)$/i.test(name)) return 'jsonl';
  throw new TypeError('Say which format the upload is in: format "csv" or "jsonl"');
}

async function bodyOf(source: UploadSource): Promise<{ stream: ReadableStream<Uint8Array>; size: number | null }> {
  if (typeof source === 'string' || source instanceof Uint8Array) {
    const bytes = typeof source === 'string' ? new TextEncoder().encode(source) : source;
    // Typed for browsers too, whose Blob takes no view of shared memory (a Uint8Array's type allows one); Node's takes any.
    return { stream: new Blob([bytes as Uint8Array<ArrayBuffer>]).stream(), size: bytes.byteLength };
  }
  if (source instanceof Blob) return { stream: source.stream(), size: source.size };
  if (source instanceof ReadableStream) return { stream: source, size: null };
  if ('path' in source) {
    // Imported here, and left to run time by Vite (the web UI's bundler), so that the client also bundles for browsers, where there are no paths.
    const { createReadStream, statSync } = await import(/* @vite-ignore */ 'node:fs');
    const { Readable } = await import(/* @vite-ignore */ 'node:stream');
    return { stream: Readable.toWeb(createReadStream(source.path)) as ReadableStream<Uint8Array>, size: statSync(source.path).size };
  }
  const iterator = source[Symbol.asyncIterator]();
  const encoder = new TextEncoder();
  return {
    stream: new ReadableStream<Uint8Array>({
      async pull(controller) {
        const next = await iterator.next();
        if (next.done) controller.close();
        else controller.enqueue(typeof next.value === 'string' ? encoder.encode(next.value) : next.value);
      },
      async cancel() {
        await iterator.return?.();
      },
    }),
    size: null,
  };
}

function counted(stream: ReadableStream<Uint8Array>, onBytes: (bytes: number) => void): ReadableStream<Uint8Array> {
  return stream.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        onBytes(chunk.byteLength);
        controller.enqueue(chunk);
      },
    }),
  );
}

/** Query parameters as the server reads them: arrays repeated, nothing for undefined values. */
export function searchParams(query: object): URLSearchParams {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) for (const item of value) params.append(name, String(item));
    else params.append(name, String(value));
  }
  return params;
}
