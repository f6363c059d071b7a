/** Enough ids per statement to be quick, few enough to stay under every database's parameter limit. */
const IDS_PER_STATEMENT = 1_000;

/** `values` in consecutive slices of at most `size`, for statements that take them as an `in` list. */
export function chunks<T>(values: readonly T[], size: number = IDS_PER_STATEMENT): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < values.length; start += size) out.push(values.slice(start, start + size));
  return out;
}
