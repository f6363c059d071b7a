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
