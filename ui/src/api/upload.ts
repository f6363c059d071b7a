import { EvalstoreError } from '../../../src/client/errors.js';
import { EventStreamParser } from '../../../src/client/event-stream.js';
import { uploadRequest, type UploadFormat, type UploadOptions as ClientUploadOptions } from '../../../src/client/uploads.js';
import { isFinished, startProgress, withEvent, withProblem, withSentBytes, type UploadProgress } from '../lib/upload-progress.js';
import { evalstore } from './client.js';

export type UploadOptions = Pick<
  ClientUploadOptions,
  'message' | 'deduplicate' | 'overwrite' | 'tags' | 'columns' | 'otherColumns' | 'ignoreColumns' | 'cells'
> & {
  format: UploadFormat;
};

/** Failures the browser sees rather than the server says: the upload stopped before its answer. */
const STOPPED = {
  interrupted: {
    code: 'upload_interrupted',
    title: 'Upload interrupted',
    detail: 'The server closed the stream before the upload finished. Nothing was committed; try again.',
  },
  connectionLost: {
    code: 'connection_failed',
    title: 'Connection lost',
    detail: 'The connection to the server broke during the upload. Nothing was committed; try again.',
  },
  cancelled: { code: 'upload_cancelled', title: 'Upload cancelled', detail: 'You cancelled the upload. Nothing was committed.' },
};

const stopped = (why: keyof typeof STOPPED) => new EvalstoreError({ ...STOPPED[why], type: `urn:evalstore:problem:${STOPPED[why].code}`, status: 0 });

/**
 * Streams a file to POST /datasets/{id}/uploads and follows the server's progress events. The request
 * is the client's (its route, query, headers, key and error parsing), but sent by XMLHttpRequest, not
 * by the client's fetch: a browser's fetch does not report the bytes of a body as they go out, XHR does
 * (`upload.onprogress`), and shows the answer as it arrives.
 */
export function startUpload(
  datasetId: string,
  file: File,
  options: UploadOptions,
  onChange: (progress: UploadProgress) => void,
): { finished: Promise<UploadProgress>; cancel: () => void } {
  const { transport } = evalstore;
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

  const { format, ...settings } = options;
  const request = uploadRequest(datasetId, format, { ...settings, filename: file.name });
  xhr.open('POST', transport.url(request.path, request.query));
  for (const [name, value] of Object.entries({ ...transport.authorization(), ...request.headers })) xhr.setRequestHeader(name, value);
  xhr.upload.onprogress = (event) => update(withSentBytes(state, event.loaded));
  xhr.onprogress = readEvents;
  xhr.onload = () => {
    readEvents();
    update(withProblem(state, isEventStream() ? stopped('interrupted') : transport.failure(xhr.responseText, xhr)));
  };
  xhr.onerror = () => update(withProblem(state, stopped('connectionLost')));
  xhr.onabort = () => update(withProblem(state, stopped('cancelled')));
  xhr.send(file);
  onChange(state);
  return { finished, cancel: () => xhr.abort() };
}
