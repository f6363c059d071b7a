import jStat from 'jstat';

/** The outcome of a paired test of one score key: experiment vs baseline on the records both ran. */
export interface PairedTest {
  method: 'paired t-test';
  /** Records both experiments have a numeric score of this key for. */
  n: number;
  /** Mean of (experiment - baseline) per record. */
  mean_difference: number | null;
  /** Two-sided 95% confidence interval of the mean difference. */
  ci95: [number, number] | null;
  t: number | null;
  degrees_of_freedom: number | null;
  /** Two-sided p-value; null when it cannot be computed (fewer than two records). */
  p_value: number | null;
  /** p_value < alpha. */
  significant: boolean;
  alpha: number;
}

export const ALPHA = 0.05;

/**
 * A paired t-test from the sums SQL computed over per-record differences d = experiment - baseline:
 * n, Σd and Σd². Per-record scores are the mean over a record's repetitions, so records weigh equally.
 */
export function pairedTTest(n: number, sum: number, sumOfSquares: number, alpha = ALPHA): PairedTest {
  const base = { method: 'paired t-test' as const, n, alpha };
  if (n === 0) return { ...base, mean_difference: null, ci95: null, t: null, degrees_of_freedom: null, p_value: null, significant: false };
  const mean = sum / n;
  if (n < 2) return { ...base, mean_difference: mean, ci95: null, t: null, degrees_of_freedom: null, p_value: null, significant: false };
  const df = n - 1;
  const variance = Math.max(0, (sumOfSquares - n * mean * mean) / df);
  const standardError = Math.sqrt(variance / n);
  if (standardError === 0 || standardError < Math.abs(mean) * 1e-12) {
    // Every record moved by exactly the same amount: certain if it moved, and no evidence if it did not.
    const moved = mean !== 0;
    return { ...base, mean_difference: mean, ci95: [mean, mean], t: null, degrees_of_freedom: df, p_value: moved ? 0 : 1, significant: moved };
  }
  const t = mean / standardError;
  const pValue = Math.min(1, 2 * (1 - jStat.studentt.cdf(Math.abs(t), df)));
  const margin = jStat.studentt.inv(1 - alpha / 2, df) * standardError;
  return { ...base, mean_difference: mean, ci95: [mean - margin, mean + margin], t, degrees_of_freedom: df, p_value: pValue, significant: pValue < alpha };
}
