import fastifyMultipart, { type Multipart, type MultipartFields } from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';
import { PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError } from '../domain/errors.js';

/**
 * multipart/form-data for the surface it is registered on: the body is not read up front; a route
 * takes its file part as a stream (`filePart`), so a file of any size passes through without being
 * held in memory or written to disk.
 */
export async function acceptMultipart(app: FastifyInstance, options: { maxFileBytes: number }): Promise<void> {
  await app.register(fastifyMultipart, {
    limits: {
      // One byte over the limit, so that a file at the limit passes and a larger one is cut and refused.
      fileSize: options.maxFileBytes + 1,
      files: 1,
      fields: 20,
      fieldSize: 64 * 1024,
      parts: 21,
    },
  });
}

export interface FilePart {
  /** The file's bytes as they arrive. Fails with 413 when the file is larger than allowed. */
  stream: AsyncIterable<Buffer>;
  filename: string | undefined;
  mimetype: string;
  /** Text fields sent before the file part. */
  fields: Record<string, string>;
  /**
   * Every text field of the body, those sent after the file part too: reads the rest of the body, so
   * only once the file's stream has been read to its end (a client may send its fields after the file).
   */
  allFields(): Promise<Record<string, string>>;
}

export function isMultipart(request: FastifyRequest): boolean {
  return /^multipart\/form-data\b/i.test(request.headers['content-type'] ?? '');
}

/** 415: a route that takes multipart/form-data got another body. */
function notMultipart(): UnsupportedMediaTypeError {
  return new UnsupportedMediaTypeError('The body must be multipart/form-data', [{ pointer: '', detail: 'must be multipart/form-data', in: 'headers' }]);
}

/** The file part named `name` (the first file part of the request); 400 naming `/name` when there is none. */
export async function filePart(request: FastifyRequest, name: string, options: { maxFileBytes: number }): Promise<FilePart> {
  if (!isMultipart(request)) {
    throw notMultipart();
  }
  const parts = request.parts();
  const unreadable = (error: unknown) =>
    new ValidationError(`The multipart body could not be read: ${(error as Error).message}`, [
      { pointer: `/${name}`, detail: 'could not be read from the multipart body', in: 'body' },
    ]);
  let part: Multipart | undefined;
  try {
    do part = (await parts.next()).value as Multipart | undefined;
    while (part && part.type !== 'file');
  } catch (error) {
    throw unreadable(error);
  }
  if (!part) {
    throw ValidationError.field(`/${name}`, `is required: send the file as a multipart part named "${name}"`, { in: 'body' });
  }
  if (part.fieldname !== name) {
    part.file.resume();
    throw ValidationError.field(`/${name}`, `is required: the file part is named "${part.fieldname}", not "${name}"`, { in: 'body' });
  }
  const file = part;
  const allFields = async () => {
    try {
      while (!(await parts.next()).done);
    } catch (error) {
      throw unreadable(error);
    }
    return textFields(file.fields);
  };
  return {
    stream: checkedFile(file.file, options.maxFileBytes),
    filename: file.filename || undefined,
    mimetype: file.mimetype,
    fields: textFields(file.fields),
    allFields,
  };
}

/** The text fields of a multipart body, the first of each name. */
function textFields(parts: MultipartFields): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [key, value] of Object.entries(parts)) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first && first.type === 'field') fields[key] = String(first.value);
  }
  return fields;
}

async function* checkedFile(file: Readable & { truncated?: boolean }, maxBytes: number): AsyncGenerator<Buffer> {
  let total = 0;
  for await (const chunk of file as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > maxBytes || file.truncated) throw new PayloadTooLargeError(`The file is larger than ${maxBytes} bytes`);
    yield chunk;
  }
  if (file.truncated) throw new PayloadTooLargeError(`The file is larger than ${maxBytes} bytes`);
}

/** One part of a multipart/form-data body read whole (see acceptBufferedMultipart). */
export interface BufferedPart {
  name: string;
  filename: string | undefined;
  /** The part's Content-Type, as sent (parameters included); `text/plain` when it has none. */
  contentType: string;
  data: Buffer;
}

/**
 * multipart/form-data for the surface it is registered on, read whole into memory (up to the route's
 * body limit) and split into parts: for clients that send many small JSON parts (LangSmith's run and
 * example uploads), where streaming one file part (acceptMultipart) does not fit. Chunked bodies are
 * fine. The route's `request.body` is then the parts, in the order sent.
 */
export function acceptBufferedMultipart(app: FastifyInstance): void {
  app.addContentTypeParser('multipart/form-data', { parseAs: 'buffer' }, (request, body, done) => {
    try {
      done(null, parseMultipart(body as Buffer, request.headers['content-type'] ?? ''));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
}

/** The parts of a request whose body acceptBufferedMultipart read; 415 when the body was not multipart. */
export function bufferedParts(request: FastifyRequest): BufferedPart[] {
  if (!isMultipart(request) || !Array.isArray(request.body)) {
    throw notMultipart();
  }
  return request.body as BufferedPart[];
}

const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');

/** Splits a multipart/form-data body (RFC 7578) into its parts; a malformed body is a 400 naming the body. */
function parseMultipart(body: Buffer, contentType: string): BufferedPart[] {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  const fail = (detail: string) => new ValidationError(`The multipart body is malformed: ${detail}`, [{ pointer: '', detail, in: 'body' }]);
  if (!boundary) throw fail('the Content-Type names no boundary');
  const delimiter = Buffer.from(`--${(boundary[1] ?? boundary[2]!).trim()}`);
  const closing = Buffer.concat([CRLF, delimiter]);
  const parts: BufferedPart[] = [];
  let position = body.indexOf(delimiter);
  if (position < 0) throw fail('no part starts with the boundary');
  for (;;) {
    position += delimiter.length;
    // `--` after a delimiter closes the body.
    if (body[position] === 0x2d && body[position + 1] === 0x2d) return parts;
    if (!body.subarray(position, position + 2).equals(CRLF)) throw fail('a boundary is not followed by a line break');
    const headersEnd = body.indexOf(HEADER_END, position + 2);
    if (headersEnd < 0) throw fail('a part has no end to its headers');
    const headers = parsePartHeaders(body.subarray(position + 2, headersEnd).toString('utf8'));
    const next = body.indexOf(closing, headersEnd + 4);
    if (next < 0) throw fail('a part is not closed by the boundary');
    const disposition = headers.get('content-disposition') ?? '';
    const name = /\bname="((?:[^"\\]|\\.)*)"/i.exec(disposition)?.[1];
    if (name === undefined) throw fail('a part has no name in its Content-Disposition');
    parts.push({
      name,
      filename: /\bfilename="((?:[^"\\]|\\.)*)"/i.exec(disposition)?.[1],
      contentType: headers.get('content-type') ?? 'text/plain',
      data: body.subarray(headersEnd + 4, next),
    });
    position = next + CRLF.length;
  }
}

function parsePartHeaders(text: string): Map<string, string> {
  const headers = new Map<string, string>();
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return headers;
}
