import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/domain/errors.js';
import { newId } from '../../src/domain/ids.js';
import { decodeCursor, encodeCursor } from '../../src/services/pagination.js';

const forged = (key: unknown) => Buffer.from(JSON.stringify(key)).toString('base64url');

/** Cursors (src/services/pagination.ts): what a list hands out decodes; anything else is a 400 naming `cursor`. */
describe('cursors', () => {
  it('decode what the lists encode', () => {
    const id = newId();
    expect(decodeCursor(encodeCursor([id]), 'id')).toEqual([id]);
    expect(decodeCursor(encodeCursor([id.toUpperCase()]), 'id')).toEqual([id]);
    expect(decodeCursor(encodeCursor([7]), 'version')).toEqual([7]);
    expect(decodeCursor(undefined, 'id')).toBeUndefined();
    expect(decodeCursor('', 'version')).toBeUndefined();
  });

  it.each([
    ['id', forged(['zz'])],
    ['id', forged([1])],
    ['id', forged([newId(), newId()])],
    ['version', forged(['NaN'])],
    ['version', forged([0])],
    ['version', forged([1.5])],
    ['version', forged([2 ** 60])],
    ['version', forged([newId()])],
    ['id', 'not base64!'],
    ['id', 'A'.repeat(300)],
  ] as const)('refuses a %s cursor %s', (kind, cursor) => {
    expect(() => decodeCursor(cursor, kind as 'id')).toThrow(ValidationError);
    try {
      decodeCursor(cursor, kind as 'id');
    } catch (error) {
      expect((error as ValidationError).issues[0]).toMatchObject({ pointer: '/cursor', in: 'query' });
    }
  });
});
