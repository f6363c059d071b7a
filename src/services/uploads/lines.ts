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
  // The unfinished line, and its size in bytes: each chunk is scanned once, whatever the line's length.
  let pending = '';
  let pendingBytes = 0;
  let number = 0;
  let first = true;
  for await (const chunk of source) {
    if (typeof chunk !== 'string') utf8.check(chunk);
    let text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    if (first && text.length > 0) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      first = false;
    }
    let start = 0;
    for (let newline = text.indexOf('\n'); newline >= 0; newline = text.indexOf('\n', start)) {
      number += 1;
      yield { number, text: stripCarriageReturn(start === 0 ? pending + text.slice(0, newline) : text.slice(start, newline)) };
      start = newline + 1;
    }
    if (start > 0) {
      pending = text.slice(start);
      pendingBytes = Buffer.byteLength(pending);
    } else {
      pending += text;
      pendingBytes += typeof chunk === 'string' ? Buffer.byteLength(text) : chunk.length;
    }
    if (pendingBytes > maxLineBytes) {
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
