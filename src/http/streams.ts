import { PayloadTooLargeError } from '../domain/errors.js';

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
