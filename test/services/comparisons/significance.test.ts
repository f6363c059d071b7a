import { describe, expect, it } from 'vitest';
import { pairedTTest } from '../../../src/services/comparisons/significance.js';

/** The test as the comparison engine calls it: from n, Σd and Σd² of the per-record differences. */
const testOf = (differences: number[], alpha?: number) =>
  pairedTTest(
    differences.length,
    differences.reduce((sum, d) => sum + d, 0),
    differences.reduce((sum, d) => sum + d * d, 0),
    alpha,
  );

/**
 * Student's sleep data (Cushny and Peebles, 1905; R's `sleep`): extra hours of sleep of ten patients
 * under drug 2 minus under drug 1. R's `t.test(extra ~ group, data = sleep, paired = TRUE)` reports,
 * for drug 1 minus drug 2, t = -4.0621, df = 9, p-value = 0.002833, 95% interval -2.4598858 -0.7001142,
 * mean difference -1.58.
 */
const SLEEP = [1.2, 2.4, 1.3, 1.3, 0.0, 1.0, 1.8, 0.8, 4.6, 1.4];

describe('paired t-test', () => {
  it("gives R's figures for Student's sleep data", () => {
    const result = testOf(SLEEP);
    expect(result).toMatchObject({ method: 'paired t-test', n: 10, degrees_of_freedom: 9, significant: true, alpha: 0.05 });
    expect(result.mean_difference).toBeCloseTo(1.58, 12);
    expect(result.t).toBeCloseTo(4.0621, 4);
    expect(result.p_value).toBeCloseTo(0.002833, 6);
    expect(result.ci95![0]).toBeCloseTo(0.7001142, 7);
    expect(result.ci95![1]).toBeCloseTo(2.4598858, 7);
  });

  it('is symmetric: the differences the other way round give -t, the same p and the interval mirrored', () => {
    const result = testOf(SLEEP.map((d) => -d));
    expect(result.t).toBeCloseTo(-4.0621, 4);
    expect(result.p_value).toBeCloseTo(0.002833, 6);
    expect(result.ci95![0]).toBeCloseTo(-2.4598858, 7);
    expect(result.ci95![1]).toBeCloseTo(-0.7001142, 7);
  });

  it('widens the interval and moves the threshold with alpha', () => {
    // sd 1.2299955, se .3889587; t(.995, 9) = 3.249836: 1.58 -/+ 1.264052
    const result = testOf(SLEEP, 0.01);
    expect(result).toMatchObject({ alpha: 0.01, significant: true });
    expect(result.ci95![0]).toBeCloseTo(0.315948, 5);
    expect(result.ci95![1]).toBeCloseTo(2.844052, 5);
    expect(testOf(SLEEP, 0.001)).toMatchObject({ alpha: 0.001, significant: false });
  });

  it('agrees with the closed forms of the t distribution for one and two degrees of freedom', () => {
    // d = 1, 3: mean 2, variance (10 - 2 * 4) / 1 = 2, se sqrt(2 / 2) = 1, t = 2; with df 1 (Cauchy),
    // two-sided p = 1 - 2 atan(|t|) / pi, and t(.975, 1) = tan(.475 pi) = 12.706205
    const one = testOf([1, 3]);
    expect(one).toMatchObject({ n: 2, mean_difference: 2, t: 2, degrees_of_freedom: 1, significant: false });
    expect(one.p_value).toBeCloseTo(1 - (2 * Math.atan(2)) / Math.PI, 9);
    expect(one.ci95![0]).toBeCloseTo(2 - Math.tan(0.475 * Math.PI), 6);
    expect(one.ci95![1]).toBeCloseTo(2 + Math.tan(0.475 * Math.PI), 6);
    // d = 1, 2, 6: mean 3, variance (41 - 27) / 2 = 7, se sqrt(7 / 3), t = 3 / se; with df 2, two-sided
    // p = 1 - |t| / sqrt(2 + t^2), and t(q, 2) = (2q - 1) sqrt(2 / (4q(1 - q))): t(.975, 2) = 4.302653
    const two = testOf([1, 2, 6]);
    const se = Math.sqrt(7 / 3);
    const t = 3 / se;
    const critical = 0.95 * Math.sqrt(2 / (4 * 0.975 * 0.025));
    expect(two).toMatchObject({ n: 3, mean_difference: 3, degrees_of_freedom: 2, significant: false });
    expect(two.t).toBeCloseTo(t, 12);
    expect(two.p_value).toBeCloseTo(1 - t / Math.sqrt(2 + t * t), 8);
    expect(critical).toBeCloseTo(4.302653, 6);
    expect(two.ci95![0]).toBeCloseTo(3 - critical * se, 6);
    expect(two.ci95![1]).toBeCloseTo(3 + critical * se, 6);
  });

  it('finds no evidence in differences that average to nothing', () => {
    const result = testOf([-1, 1]);
    expect(result).toMatchObject({ mean_difference: 0, t: 0, degrees_of_freedom: 1, significant: false });
    expect(result.p_value).toBeCloseTo(1, 6);
  });

  it('cannot test fewer than two records', () => {
    expect(testOf([])).toEqual({
      method: 'paired t-test',
      n: 0,
      alpha: 0.05,
      mean_difference: null,
      ci95: null,
      t: null,
      degrees_of_freedom: null,
      p_value: null,
      significant: false,
    });
    // One record has a difference, but no spread to measure it against.
    expect(testOf([0.7])).toEqual({
      method: 'paired t-test',
      n: 1,
      alpha: 0.05,
      mean_difference: 0.7,
      ci95: null,
      t: null,
      degrees_of_freedom: null,
      p_value: null,
      significant: false,
    });
  });

  it('is certain when every record moved by the same amount, and finds nothing when none moved', () => {
    expect(testOf([0.5, 0.5, 0.5])).toMatchObject({ mean_difference: 0.5, ci95: [0.5, 0.5], t: null, degrees_of_freedom: 2, p_value: 0, significant: true });
    expect(testOf([0, 0, 0, 0])).toMatchObject({ mean_difference: 0, ci95: [0, 0], t: null, degrees_of_freedom: 3, p_value: 1, significant: false });
    // .1 three times: Σd² - n·mean² is rounding noise (of either sign), not a spread; still no variance.
    const rounded = testOf([0.1, 0.1, 0.1]);
    expect(rounded).toMatchObject({ t: null, degrees_of_freedom: 2, p_value: 0, significant: true });
    expect(rounded.mean_difference).toBeCloseTo(0.1, 15);
    expect(rounded.ci95).toEqual([rounded.mean_difference, rounded.mean_difference]);
  });
});
