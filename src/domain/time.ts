/** Times are exchanged as ISO-8601 UTC strings with millisecond precision. */
export function nowIso(): string {
  return new Date().toISOString();
}

/** Accepts an ISO-8601 string or epoch milliseconds; answers an ISO UTC string, or undefined if unreadable. */
export function toIsoTime(value: string | number | Date): string | undefined {
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}
