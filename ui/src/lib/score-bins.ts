/** A bar of a score distribution: the scores in [min, max] (max just below the next bar's min). */
export interface ScoreBin {
  label: string;
  min: number;
  max: number;
}

/** Integer scores over at most this many values are counted value by value (0/1, 1 to 5, …). */
export const MAX_DISCRETE_VALUES = 11;
export const HISTOGRAM_BINS = 10;

/** The largest double below `value`, so that adjacent bins with inclusive bounds share no score. */
export function below(value: number): number {
  if (!Number.isFinite(value)) return value;
  if (value === 0) return -Number.MIN_VALUE;
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value);
  const bits = view.getBigInt64(0);
  view.setBigInt64(0, value > 0 ? bits - 1n : bits + 1n);
  return view.getFloat64(0);
}

/** Whether scores between `low` and `high` may be counted one value at a time: both integers, few values between. */
export function isDiscreteRange(low: number, high: number): boolean {
  return Number.isInteger(low) && Number.isInteger(high) && high - low + 1 <= MAX_DISCRETE_VALUES;
}

/** One bin per integer from `low` to `high`. */
export function valueBins(low: number, high: number): ScoreBin[] {
  return Array.from({ length: high - low + 1 }, (_, index) => ({ label: String(low + index), min: low + index, max: low + index }));
}

/** `count` bins of equal width from `low` to `high`, each up to just below the next; the last one includes `high`. */
export function histogramBins(low: number, high: number, count = HISTOGRAM_BINS): ScoreBin[] {
  if (low === high) return [{ label: String(low), min: low, max: high }];
  const width = (high - low) / count;
  const edge = (index: number) => (index === count ? high : low + width * index);
  const round = (value: number) => String(Number(value.toPrecision(3)));
  return Array.from({ length: count }, (_, index) => ({
    label: `${round(edge(index))}–${round(edge(index + 1))}`,
    min: edge(index),
    max: index === count - 1 ? high : below(edge(index + 1)),
  }));
}
