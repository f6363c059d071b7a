import { describe, expect, it } from 'vitest';
import { formatMeanStdev, formatPValue, formatScore, formatSigned } from '../../ui/src/lib/format.js';

describe('number formats of the UI', () => {
  it('separates thousands in scores and changes, keeping up to 3 decimals', () => {
    expect(formatScore(42283)).toBe('42,283');
    expect(formatScore(0.83333)).toBe('0.833');
    expect(formatSigned(42283)).toBe('+42,283');
    expect(formatSigned(-1234.5)).toBe('−1,234.5');
  });

  it('says "p < 0.001" for tiny p-values, never "p = 0.00"', () => {
    expect(formatPValue(0.0000123)).toBe('p < 0.001');
    expect(formatPValue(0.042)).toBe('p = 0.042');
  });

  it('shows a mean and its deviation to the same decimals', () => {
    expect(formatMeanStdev(0.8, 0.45)).toBe('0.80 ±0.45');
    expect(formatMeanStdev(0.8123, 0.4)).toBe('0.812 ±0.400');
    expect(formatMeanStdev(1500, 20)).toBe('1,500 ±20');
    expect(formatMeanStdev(0.5, null)).toBe('0.5');
  });
});
