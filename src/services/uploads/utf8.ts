import { isUtf8 } from 'node:buffer';
import { ValidationError } from '../../domain/errors.js';

/**
 * Checks that the bytes are UTF-8 as they stream by, carrying a sequence split between chunks over to
 * the next one. On the first invalid byte it throws, naming the line it is on.
 */
export class Utf8Checker {
  private carry: Buffer = Buffer.alloc(0);
  private newlines = 0;

  check(chunk: Buffer): void {
    const bytes = this.carry.length ? Buffer.concat([this.carry, chunk]) : chunk;
    const tail = incompleteTail(bytes);
    const whole = tail ? bytes.subarray(0, bytes.length - tail) : bytes;
    if (!isUtf8(whole)) this.fail(whole, firstInvalidUtf8(whole));
    this.newlines += countNewlines(whole, whole.length);
    this.carry = tail ? Buffer.from(bytes.subarray(bytes.length - tail)) : Buffer.alloc(0);
  }

  finish(): void {
    if (this.carry.length) this.fail(this.carry, 0);
  }

  private fail(bytes: Buffer, offset: number): never {
    const line = this.newlines + countNewlines(bytes, offset) + 1;
    throw new ValidationError(`line ${line} is not valid UTF-8 (byte 0x${(bytes[offset] ?? 0).toString(16)})`, [
      { pointer: '', detail: 'is not valid UTF-8: save the file as UTF-8', in: 'line', line },
    ]);
  }
}

function countNewlines(bytes: Buffer, end: number): number {
  let count = 0;
  for (let at = bytes.indexOf(0x0a); at >= 0 && at < end; at = bytes.indexOf(0x0a, at + 1)) count += 1;
  return count;
}

/** How many bytes at the end start a multi-byte sequence the chunk does not finish. */
function incompleteTail(bytes: Buffer): number {
  for (let back = 1; back <= Math.min(3, bytes.length); back += 1) {
    const byte = bytes[bytes.length - back]!;
    if ((byte & 0xc0) === 0x80) continue;
    const length = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return length > back ? back : 0;
  }
  return 0;
}

/** Offset of the first byte that is not part of a valid UTF-8 sequence (bytes.length when all are valid). */
function firstInvalidUtf8(bytes: Buffer): number {
  let at = 0;
  while (at < bytes.length) {
    const b = bytes[at]!;
    if (b < 0x80) {
      at += 1;
      continue;
    }
    let length: number;
    let low = 0x80;
    let high = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) length = 2;
    else if (b >= 0xe0 && b <= 0xef) {
      length = 3;
      if (b === 0xe0) low = 0xa0;
      if (b === 0xed) high = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      length = 4;
      if (b === 0xf0) low = 0x90;
      if (b === 0xf4) high = 0x8f;
    } else return at;
    if (at + length > bytes.length) return at;
    const second = bytes[at + 1]!;
    if (second < low || second > high) return at;
    for (let k = 2; k < length; k += 1) if ((bytes[at + k]! & 0xc0) !== 0x80) return at;
    at += length;
  }
  return at;
}
