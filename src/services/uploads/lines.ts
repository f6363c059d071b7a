import { PayloadTooLargeError } from '../../domain/errors.js';
import { Utf8Checker } from './utf8.js';

export interface Line {
  /** 1-based. */
  number: number;
  text: string;
}

/**
 * Splits a byte stream into lines as the bytes arrive, holding at most one line in memory. Accepts LF
 * and CRLF endings and a leading byte-order mark; a line longer than `maxLineBytes` is refused, and so
 * are bytes that are not UTF-8 (a 400 naming their line, as CSV uploads answer), rather than read as U+FFFD.
 */
export async function* readLines(source: AsyncIterable<Buffer | string>, maxLineBytes: number): AsyncGenerator<Line> {
  const decoder = new TextDecoder('utf-8');
  const utf8 = new Utf8Checker();
  let pending = '';
  let number = 0;
  let first = true;
  for await (const chunk of source) {
    if (typeof chunk !== 'string') utf8.check(chunk);
    pending += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    if (first && pending.length > 0) {
      if (pending.charCodeAt(0) === 0xfeff) pending = pending.slice(1);
      first = false;
    }
    let start = 0;
    for (let newline = pending.indexOf('\n', start); newline >= 0; newline = pending.indexOf('\n', start)) {
      number += 1;
      yield { number, text: stripCarriageReturn(pending.slice(start, newline)) };
      start = newline + 1;
    }
    pending = pending.slice(start);
    if (Buffer.byteLength(pending) > maxLineBytes) {
      throw new PayloadTooLargeError(`line ${number + 1} is longer than ${maxLineBytes} bytes`, [
        { pointer: '', detail: `is longer than ${maxLineBytes} bytes`, in: 'line', line: number + 1 },
      ]);
    }
  }
  utf8.finish();
  pending += decoder.decode();
  if (pending.length > 0) yield { number: number + 1, text: stripCarriageReturn(pending) };
}

function stripCarriageReturn(text: string): string {
  return text.endsWith('\r') ? text.slice(0, -1) : text;
}
