import { describe, expect, it } from 'vitest';
import { distinctId, distinctIds, randomPart } from '../../ui/src/lib/distinct-ids.js';

/** UUIDv7s of one millisecond: the same timestamp digits, random digits after them. */
const v7 = (random: string) => `01a23b0b-1c2d-7${random.slice(0, 3)}-8${random.slice(3, 6)}-${random.slice(6, 18)}`;

describe('ids that tell the rows of a page apart', () => {
  it('reads the random part of a UUIDv7 after its timestamp, version and variant', () => {
    expect(randomPart(v7('abcdef0123456789ab'))).toBe('abcdef0123456789ab');
    expect(randomPart('f47ac10b-58cc-4372-a567-0e02b2c3d479')).toBe('f47ac10b58cc4372a5670e02b2c3d479');
    expect(randomPart('run-42')).toBe('run-42');
  });

  it('names records made in the same millisecond differently, where their first 8 digits are all the same', () => {
    const rows = Array.from({ length: 50 }, (_, n) => ({ id: v7(`5e1f0a2b3c4d${(n * 7919 + 1).toString(16).padStart(6, '0')}`) }));
    expect(new Set(rows.map((row) => row.id.slice(0, 8))).size).toBe(1);
    const labels = distinctIds(rows);
    expect(new Set(labels.values()).size).toBe(50);
    for (const row of rows) expect(labels.get(row.id)).toBe(`…${randomPart(row.id).slice(-6)}`);
  });

  it('shows more digits only when six are shared, and the external id when there is one', () => {
    const a = v7('000001aaaaaa111111');
    const b = v7('000002bbbbbb111111');
    const c = v7('000003cccccc222222');
    const labels = distinctIds([{ id: a }, { id: b }, { id: c, external_id: 'q-7' }]);
    expect(labels.get(a)).toBe('…a111111');
    expect(labels.get(b)).toBe('…b111111');
    expect(labels.get(c)).toBe('q-7');
    // Alone, a row needs only the six.
    expect(distinctId({ id: a })).toBe('…111111');
    expect(distinctId({ id: a, external_id: null })).toBe('…111111');
  });

  it('shows a whole random part rather than a prefix of nothing, and a short id as it is', () => {
    const same = v7('000001aaaaaa111111');
    expect(distinctIds([{ id: same }, { id: same }]).get(same)).toBe('…111111');
    expect(distinctIds([{ id: 'r1' }, { id: 'r2' }])).toEqual(
      new Map([
        ['r1', 'r1'],
        ['r2', 'r2'],
      ]),
    );
  });
});
