import { Readable } from 'node:stream';

export interface LazyBody {
  stream: Readable;
  /** How many of the body's pieces the server has read (the stream reads a few ahead of it). */
  pulled(): number;
}

/**
 * A request body made only as the server reads it: `head`, then `pieces` pieces, then `tail`. A test
 * tells by `pulled()` whether a request was answered before its body was read.
 */
export function lazyBody(options: { head: string; pieces: number; piece: (index: number) => string; tail?: string }): LazyBody {
  let pulled = 0;
  async function* parts(): AsyncGenerator<Buffer> {
    yield Buffer.from(options.head);
    for (let index = 0; index < options.pieces; index += 1) {
      pulled += 1;
      yield Buffer.from(options.piece(index));
    }
    if (options.tail) yield Buffer.from(options.tail);
  }
  return { stream: Readable.from(parts(), { objectMode: false }), pulled: () => pulled };
}
