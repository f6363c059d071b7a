/** Unix times up to this are seconds, beyond it milliseconds: pydantic's rule, which LangSmith's API follows. */
const LARGEST_SECONDS = 2e10;

/**
 * A LangSmith time as evalstore's services take it (ISO-8601, or epoch milliseconds). Strings pass as
 * they are (a string without a zone is UTC, as in services); numbers are Unix seconds or milliseconds
 * by pydantic's rule, so `1722643958` and `1722643958000` are the same moment.
 */
export function fromLangSmithTime(value: string | number): string | number {
  if (typeof value === 'string') return value;
  return Math.abs(value) <= LARGEST_SECONDS ? value * 1000 : value;
}
