import { afterEach, describe, expect, it } from 'vitest';
import { toIsoTime } from '../../src/domain/time.js';

describe('toIsoTime', () => {
  const zone = process.env.TZ;
  afterEach(() => {
    if (zone === undefined) delete process.env.TZ;
    else process.env.TZ = zone;
  });

  it('reads a date-time without a zone as UTC, wherever the server runs', () => {
    process.env.TZ = 'America/New_York';
    expect(toIsoTime('2024-08-03T00:12:39')).toBe('2024-08-03T00:12:39.000Z');
    expect(toIsoTime('2024-08-03 00:12:39.5')).toBe('2024-08-03T00:12:39.500Z');
    expect(toIsoTime('2024-08-03T00:12')).toBe('2024-08-03T00:12:00.000Z');
  });

  it('keeps the zone a time gives, and reads numbers as epoch milliseconds', () => {
    process.env.TZ = 'Asia/Tokyo';
    expect(toIsoTime('2024-08-03T02:12:39+02:00')).toBe('2024-08-03T00:12:39.000Z');
    expect(toIsoTime('2026-11-23T10:02:44.041001Z')).toBe('2026-11-23T10:02:44.041Z');
    expect(toIsoTime(1_795_428_164_045)).toBe('2026-11-23T10:02:44.045Z');
    expect(toIsoTime('yesterday')).toBeUndefined();
  });
});
