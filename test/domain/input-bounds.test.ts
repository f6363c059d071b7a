import { describe, expect, it } from 'vitest';
import { checkStorable, findUnstorable, textFault } from '../../src/domain/input-bounds.js';
import { ValidationError } from '../../src/domain/errors.js';
import { LIMITS } from '../../src/domain/limits.js';

/** The one guard every way in uses (src/domain/input-bounds.ts). */
describe('input bounds', () => {
  it('text: NUL and unpaired surrogates are faults, paired surrogates are not', () => {
    expect(textFault('plain text, émoji 😀')).toBeUndefined();
    expect(textFault('a\u0000b')).toMatch(/NUL/);
    expect(textFault('x\ud800y')).toMatch(/surrogate/);
    expect(textFault('x\udfffy')).toMatch(/surrogate/);
    expect(textFault('ends high \ud83d')).toMatch(/surrogate/);
  });

  it('points at the first fault: in values, in keys (at the object holding the key), in numbers', () => {
    expect(findUnstorable({ a: [1, { b: 'x\u0000' }] })).toEqual({ pointer: '/a/1/b', detail: expect.stringMatching(/NUL/) });
    expect(findUnstorable({ m: { 'k\u0000': 1 } })).toEqual({ pointer: '/m', detail: expect.stringMatching(/key/) });
    expect(findUnstorable({ 'a/b': { '~': Number.POSITIVE_INFINITY } })).toEqual({ pointer: '/a~1b/~0', detail: 'must be a finite number' });
    expect(findUnstorable(JSON.parse('{"n":1e400}'))).toEqual({ pointer: '/n', detail: 'must be a finite number' });
    expect(findUnstorable({ fine: [null, true, 1.5, 'ok', {}] })).toBeUndefined();
  });

  it('bounds depth without recursing: 1,000,000 levels are walked on a flat stack', () => {
    let deep: unknown = 1;
    for (let level = 0; level < 1_000_000; level += 1) deep = [deep];
    expect(findUnstorable(deep)?.detail).toBe(`is nested deeper than ${LIMITS.jsonDepth} levels`);
    let limit: unknown = 1;
    for (let level = 0; level < LIMITS.jsonDepth; level += 1) limit = { a: limit };
    expect(findUnstorable(limit)).toBeUndefined();
    expect(findUnstorable({ a: limit })).toBeDefined();
  });

  it('does not enter buffers or other non-plain objects', () => {
    expect(findUnstorable({ data: Buffer.from([0, 0, 0]) })).toBeUndefined();
  });

  it('checkStorable throws a 400 under the caller pointer', () => {
    let thrown: unknown;
    try {
      checkStorable({ k: 'a\u0000' }, '/metadata', { in: 'query' });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ValidationError);
    expect((thrown as ValidationError).issues).toEqual([{ pointer: '/metadata/k', detail: expect.stringMatching(/NUL/), in: 'query' }]);
  });
});
