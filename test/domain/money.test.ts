import { describe, expect, it } from 'vitest';
import { formatCost, parseCost } from '../../src/domain/money.js';

describe('costs as exact decimals', () => {
  it('reads numbers and decimal strings into nano-dollars', () => {
    expect(parseCost('0.000123')).toBe(123_000);
    expect(parseCost(0.000123)).toBe(123_000);
    expect(parseCost('1.5e-7')).toBe(150);
    expect(parseCost(1.5e-7)).toBe(150);
    expect(parseCost('12')).toBe(12_000_000_000);
    expect(parseCost('.5')).toBe(500_000_000);
    expect(parseCost('-0.25')).toBe(-250_000_000);
    expect(parseCost('0.0000000015')).toBe(2); // rounded half away from zero at the ninth place
    expect(parseCost('0.0000000014')).toBe(1);
    expect(parseCost('1e3')).toBe(1_000_000_000_000);
  });

  it('refuses what is not a decimal, or too large to be exact', () => {
    for (const bad of ['', 'abc', '1.2.3', '0x10', '.', Number.NaN, Number.POSITIVE_INFINITY, '1e30']) {
      expect({ bad, parsed: parseCost(bad) }).toEqual({ bad, parsed: undefined });
    }
  });

  it('writes nano-dollars back as the shortest decimal string', () => {
    expect(formatCost(123_000)).toBe('0.000123');
    expect(formatCost(150)).toBe('0.00000015');
    expect(formatCost(12_000_000_000)).toBe('12');
    expect(formatCost(0)).toBe('0');
    expect(formatCost(-250_000_000)).toBe('-0.25');
  });

  it('sums exactly where floats would not', () => {
    const tenths = Array.from({ length: 10 }, () => parseCost('0.1')!);
    expect(formatCost(tenths.reduce((a, b) => a + b, 0))).toBe('1');
  });
});
