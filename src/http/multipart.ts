import fastifyMultipart from '@fastify/multipart';
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
}

export function isMultipart(request: FastifyRequest): boolean {
  return /^multipart\/form-data\b/i.test(request.headers['content-type'] ?? '');
}

/** The file part named `name` (the first file part of the request); 400 naming `/name` when there is none. */
export async function filePart(request: FastifyRequest, name: string, options: { maxFileBytes: number }): Promise<FilePart> {
  if (!isMultipart(request)) {
    throw new UnsupportedMediaTypeError('The body must be multipart/form-data', [{ pointer: '', detail: 'must be multipart/form-data', in: 'headers' }]);
  }
  let part: Awaited<ReturnType<FastifyRequest['file']>>;
  try {
    part = await request.file();
  } catch (error) {
    throw new ValidationError(`The multipart body could not be read: ${(error as Error).message}`, [
      { pointer: `/${name}`, detail: 'could not be read from the multipart body', in: 'body' },
    ]);
  }
  if (!part) {
    throw ValidationError.field(`/${name}`, `is required: send the file as a multipart part named "${name}"`, { in: 'body' });
  }
  if (part.fieldname !== name) {
    part.file.resume();
    throw ValidationError.field(`/${name}`, `is required: the file part is named "${part.fieldname}", not "${name}"`, { in: 'body' });
  }
  const fields: Record<string, string> = {};
  for (const [key, value] of Object.entries(part.fields)) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first && first.type === 'field') fields[key] = String(first.value);
  }
  return { stream: checkedFile(part.file, options.maxFileBytes), filename: part.filename || undefined, mimetype: part.mimetype, fields };
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
