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

/**
 * A CSV body of `pieces` pieces of `row <n>,k<n>` rows after `head`, made as it is read. Each piece
 * (10,000 rows, ~170 KB) is larger than the buffers between a request body and the route, so that
 * how many pieces were pulled tells whether the route read the body, whatever the machine's load.
 */
export function lazyCsv(options: { head: string; pieces: number; tail?: string }): LazyBody {
  const rows = 10_000;
  return lazyBody({
    ...options,
    piece: (index) => Array.from({ length: rows }, (_, row) => `row ${index * rows + row},k${index * rows + row}\n`).join(''),
  });
}
