import type { FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';
import { PayloadTooLargeError, UnsupportedMediaTypeError } from '../domain/errors.js';

/**
 * The body of a route that streams it, when its Content-Type is one of `types` (whose parsers hand
 * the body over unread); 415 naming the header otherwise: no body, no Content-Type, or a type parsed
 * up front (JSON) is not a stream to read.
 */
export function streamedRequestBody(request: FastifyRequest, types: readonly string[]): Readable {
  const type = mediaType(request);
  if (types.includes(type) && request.body instanceof Readable) return request.body;
  const detail = `must be one of ${types.join(', ')}${type ? ` (got ${type})` : ' (none was sent)'}`;
  throw new UnsupportedMediaTypeError(`The Content-Type ${detail}`, [{ pointer: '/content-type', detail, in: 'headers' }]);
}

/** The request's media type, lower case, without parameters ('' when it has none). */
export function mediaType(request: FastifyRequest): string {
  return (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

/** Passes a request body through, failing with 413 once it grows beyond `maxBytes`. */
export async function* limitBytes(source: AsyncIterable<Buffer>, maxBytes: number): AsyncGenerator<Buffer> {
  let total = 0;
  for await (const chunk of source) {
    total += chunk.length;
    if (total > maxBytes) throw new PayloadTooLargeError(`The body is larger than ${maxBytes} bytes`);
    yield chunk;
  }
}

/** A body passed through unchanged, with the count of bytes read from it so far (for progress reports). */
export class CountedStream {
  bytes = 0;
  readonly stream: AsyncGenerator<Buffer>;

  constructor(source: AsyncIterable<Buffer>) {
    this.stream = this.pass(source);
  }

  private async *pass(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    for await (const chunk of source) {
      this.bytes += chunk.length;
      yield chunk;
    }
  }
}
