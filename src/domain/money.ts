/**
 * Costs are exact decimals of US dollars, kept as integers of nano-dollars (10⁻⁹ USD): nine decimal
 * places, exact sums in SQL on both databases, and safe JavaScript integers up to about nine million
 * dollars. Callers give costs as numbers or decimal strings; they read them back as decimal strings.
 */
export const COST_DECIMALS = 9;

const DECIMAL = /^([+-])?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/** Nano-dollars from a decimal number or string, rounded half away from zero at the ninth place. */
export function parseCost(value: number | string): number | undefined {
  const text = typeof value === 'number' ? (Number.isFinite(value) ? String(value) : '') : value.trim();
  const match = DECIMAL.exec(text);
  if (!match || (match[2] === '' && (match[3] ?? '') === '')) return undefined;
  const [, sign, whole = '', fraction = '', exponent = '0'] = match;
  const shift = Number(exponent) + COST_DECIMALS;
  let digits = whole + fraction;
  let point = whole.length + shift; // where the decimal point falls in `digits` once scaled to nano-dollars
  if (point < 0) {
    digits = '0'.repeat(-point) + digits;
    point = 0;
  }
  if (point > digits.length) digits += '0'.repeat(point - digits.length);
  const integral = BigInt(digits.slice(0, point) || '0');
  const roundUp = (digits[point] ?? '0') >= '5' ? 1n : 0n;
  const nanos = integral + roundUp;
  if (nanos > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
  return sign === '-' ? -Number(nanos) : Number(nanos);
}

/** The decimal string of a nano-dollar amount, without trailing zeros ("0.0000015", "12", "0"). */
export function formatCost(nanos: number): string {
  const negative = nanos < 0;
  const digits = String(Math.abs(Math.round(nanos))).padStart(COST_DECIMALS + 1, '0');
  const whole = digits.slice(0, -COST_DECIMALS);
  const fraction = digits.slice(-COST_DECIMALS).replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}
