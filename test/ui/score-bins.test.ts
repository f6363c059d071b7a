import { describe, expect, it } from 'vitest';
import { below, histogramBins, isDiscreteRange, valueBins } from '../../ui/src/lib/score-bins.js';

describe('the bars of a score distribution', () => {
  it('counts binary and small integer scales value by value', () => {
    expect(isDiscreteRange(0, 1)).toBe(true);
    expect(isDiscreteRange(1, 5)).toBe(true);
    expect(isDiscreteRange(0, 0.5)).toBe(false);
    expect(isDiscreteRange(0, 100)).toBe(false);
    expect(valueBins(0, 1)).toEqual([
      { label: '0', min: 0, max: 0 },
      { label: '1', min: 1, max: 1 },
    ]);
  });

  it('splits a numeric range into bins that share no score and cover both ends', () => {
    const bins = histogramBins(0, 1);
    expect(bins).toHaveLength(10);
    expect(bins[0]).toMatchObject({ label: '0–0.1', min: 0 });
    expect(bins[9]).toMatchObject({ label: '0.9–1', max: 1 });
    for (let index = 1; index < bins.length; index += 1) {
      expect(bins[index - 1]!.max).toBeLessThan(bins[index]!.min);
      expect(below(bins[index]!.min)).toBe(bins[index - 1]!.max);
    }
    // A score on an edge falls in exactly one bin.
    const inBins = (score: number) => bins.filter((bin) => score >= bin.min && score <= bin.max).length;
    for (const score of [0, 0.1, 0.3, 0.5, 0.7000000000000001, 0.9, 1]) expect(inBins(score)).toBe(1);
    expect(histogramBins(2, 2)).toEqual([{ label: '2', min: 2, max: 2 }]);
  });

  it('steps to the double just below a value', () => {
    expect(below(1)).toBe(1 - Number.EPSILON / 2);
    expect(below(-1)).toBeLessThan(-1);
    expect(below(0)).toBe(-Number.MIN_VALUE);
  });
});
