import { EventStreamParser } from '../../../src/client/event-stream.js';
import {
  isFinished,
  startProgress,
  withEvent,
  withProblem,
  withSentBytes,
  type UploadFormat,
  type UploadProgress,
} from '../lib/upload-progress.js';
import { apiUrl, authHeaders, parseProblem } from './client.js';
import { reportUnauthorized } from './session.js';
import type { ApiQuery } from './types.js';

export interface UploadOptions {
  format: UploadFormat;
  message?: string;
  deduplicate?: boolean;
  overwrite?: boolean;
  tags?: string[];
}

const CONTENT_TYPES: Record<UploadFormat, string> = { csv: 'text/csv', jsonl: 'application/x-ndjson' };

/**
 * Streams a file to POST /datasets/{id}/uploads and follows the server's progress events. XHR rather
 * than fetch: it reports the bytes sent as well as the answer as it arrives.
 */
export function startUpload(
  datasetId: string,
  file: File,
  options: UploadOptions,
  onChange: (progress: UploadProgress) => void,
): { finished: Promise<UploadProgress>; cancel: () => void } {
  let state = startProgress(file.size);
  const parser = new EventStreamParser();
  const xhr = new XMLHttpRequest();
  let read = 0;
  let settle: (progress: UploadProgress) => void = () => undefined;
  const finished = new Promise<UploadProgress>((resolve) => (settle = resolve));
  const update = (next: UploadProgress) => {
    state = next;
    onChange(state);
    if (isFinished(state)) settle(state);
  };
  const isEventStream = () => xhr.status === 200 && /^text\/event-stream/i.test(xhr.getResponseHeader('content-type') ?? '');
  const readEvents = () => {
    if (!isEventStream()) return;
    const text = xhr.responseText;
    const events = parser.push(text.slice(read));
    read = text.length;
    for (const event of events) update(withEvent(state, event));
  };

  const query: ApiQuery<'/api/v1/datasets/{dataset_id}/uploads', 'post'> = {
    filename: file.name,
    message: options.message,
    deduplicate: options.deduplicate,
    overwrite: options.overwrite,
    tag: options.tags?.length ? options.tags : undefined,
  };
  xhr.open('POST', apiUrl(`/datasets/${datasetId}/uploads`, query));
  for (const [name, value] of Object.entries(authHeaders())) xhr.setRequestHeader(name, value);
  xhr.setRequestHeader('content-type', CONTENT_TYPES[options.format]);
  xhr.setRequestHeader('accept', 'text/event-stream');
  xhr.upload.onprogress = (event) => update(withSentBytes(state, event.loaded));
  xhr.onprogress = readEvents;
  xhr.onload = () => {
    readEvents();
    if (xhr.status === 401) reportUnauthorized();
    if (!isEventStream()) update(withProblem(state, parseProblem(xhr.responseText, xhr.status, xhr.statusText)));
    else
      update(
        withProblem(state, {
          status: 0,
          title: 'Upload interrupted',
          detail: 'The server closed the stream before the upload finished. Nothing was committed; try again.',
        }),
      );
  };
  xhr.onerror = () =>
    update(withProblem(state, { status: 0, title: 'Connection lost', detail: 'The connection to the server broke during the upload. Nothing was committed; try again.' }));
  xhr.onabort = () => update(withProblem(state, { status: 0, title: 'Upload cancelled', detail: 'You cancelled the upload. Nothing was committed.' }));
  xhr.send(file);
  onChange(state);
  return { finished, cancel: () => xhr.abort() };
}
