/**
 * Agreement between reviewers: how far independent reviews of the same items agree. The formulas are
 * in docs/review.md; the unit tests check them against published worked examples (Krippendorff 2011,
 * "Computing Krippendorff's Alpha-Reliability"; the kappa example of Cohen's textbook treatment).
 */

/** A value a reviewer gave: a number (numeric and boolean scores) or a label (categorical). */
export type Rating = number | string;

/** How two values differ: nominal (equal or not) or interval (the squared difference of numbers). */
export type Level = 'nominal' | 'interval';

/** One item's reviews: each reviewer's value. */
export interface Unit {
  ratings: { reviewer: string; value: Rating }[];
}

/** δ², the squared difference of two values at a level. */
export function difference(a: Rating, b: Rating, level: Level): number {
  if (level === 'nominal') return a === b ? 0 : 1;
  return (Number(a) - Number(b)) ** 2;
}

/** The sum of δ² over the ordered pairs (i ≠ j) of the values. */
function pairSum(values: readonly Rating[], level: Level): number {
  if (level === 'interval') {
    const numbers = values.map(Number);
    const m = numbers.length;
    const sum = numbers.reduce((a, b) => a + b, 0);
    const squares = numbers.reduce((a, b) => a + b * b, 0);
    return 2 * m * squares - 2 * sum * sum;
  }
  const counts = new Map<Rating, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  let same = 0;
  for (const count of counts.values()) same += count * count;
  return values.length * values.length - same;
}

/**
 * Krippendorff's alpha: 1 − D_o / D_e, where D_o is the observed disagreement within items (each
 * item's pairs weighed 1/(m_u − 1)) and D_e the disagreement expected from all the values pooled.
 * Items with fewer than two values are left out. Null when there is nothing to compare, or when the
 * pooled values do not vary (D_e = 0: alpha is undefined).
 */
export function krippendorffAlpha(units: readonly Unit[], level: Level): number | null {
  const pairable = units.map((unit) => unit.ratings.map((r) => r.value)).filter((values) => values.length >= 2);
  const pooled = pairable.flat();
  const n = pooled.length;
  if (n < 2) return null;
  let observed = 0;
  for (const values of pairable) observed += pairSum(values, level) / (values.length - 1);
  const expected = pairSum(pooled, level);
  if (expected === 0) return null;
  return 1 - ((n - 1) * observed) / expected;
}

/**
 * Cohen's kappa of two reviewers over the items both reviewed: (p_o − p_e) / (1 − p_e), with p_o the
 * share of items they agree on and p_e the agreement expected from each one's own distribution of
 * values (values as categories: unweighted). Null unless exactly two reviewers reviewed, or when p_e = 1.
 */
export function cohensKappa(units: readonly Unit[]): number | null {
  const reviewers = new Set(units.flatMap((unit) => unit.ratings.map((r) => r.reviewer)));
  if (reviewers.size !== 2) return null;
  const [first, second] = [...reviewers].sort();
  const pairs: [Rating, Rating][] = [];
  for (const unit of units) {
    const a = unit.ratings.find((r) => r.reviewer === first);
    const b = unit.ratings.find((r) => r.reviewer === second);
    if (a && b) pairs.push([a.value, b.value]);
  }
  return kappaOfPairs(pairs);
}

/** Cohen's kappa of paired values (the first reviewer's, the second's). */
export function kappaOfPairs(pairs: readonly (readonly [Rating, Rating])[]): number | null {
  const n = pairs.length;
  if (n === 0) return null;
  const agreed = pairs.filter(([a, b]) => a === b).length;
  const countsA = new Map<Rating, number>();
  const countsB = new Map<Rating, number>();
  for (const [a, b] of pairs) {
    countsA.set(a, (countsA.get(a) ?? 0) + 1);
    countsB.set(b, (countsB.get(b) ?? 0) + 1);
  }
  let chance = 0;
  for (const [value, count] of countsA) chance += (count / n) * ((countsB.get(value) ?? 0) / n);
  if (chance === 1) return null;
  return (agreed / n - chance) / (1 - chance);
}

/** The share of pairs of reviews of one item, over all items, whose values are equal. Null with no pairs. */
export function percentAgreement(units: readonly Unit[]): number | null {
  let pairs = 0;
  let agreeing = 0;
  for (const unit of units) {
    const values = unit.ratings.map((r) => r.value);
    const m = values.length;
    if (m < 2) continue;
    pairs += m * (m - 1);
    agreeing += m * (m - 1) - pairSum(values, 'nominal');
  }
  return pairs === 0 ? null : agreeing / pairs;
}

/** How far one item's reviews disagree: the mean δ² over its pairs (nominal: the share of pairs that differ). */
export function unitDisagreement(unit: Unit, level: Level): number {
  const values = unit.ratings.map((r) => r.value);
  const m = values.length;
  return m < 2 ? 0 : pairSum(values, level) / (m * (m - 1));
}
