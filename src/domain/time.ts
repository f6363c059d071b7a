import { ValidationError } from './errors.js';

/** Times are exchanged as ISO-8601 UTC strings with millisecond precision. */
export function nowIso(): string {
  return new Date().toISOString();
}

/**
 * An ISO-8601 date-time without a zone ("2024-08-03T00:12:39", as Python's naive datetimes print).
 * JavaScript would read it in the server's local zone; evalstore reads it as UTC, so that what a time
 * means never depends on where the server runs.
 */
const ZONELESS_DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;

/** Accepts an ISO-8601 string or epoch milliseconds; answers an ISO UTC string, or undefined if unreadable. */
export function toIsoTime(value: string | number | Date): string | undefined {
  const readable = typeof value === 'string' && ZONELESS_DATE_TIME.test(value) ? `${value}Z` : value;
  const date = readable instanceof Date ? readable : new Date(readable);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** An ISO-8601 string or epoch milliseconds, as an ISO UTC string; null stays null. Faults point at `pointer`. */
export function optionalTime(value: string | number | null | undefined, pointer: string): string | null {
  if (value === undefined || value === null) return null;
  const iso = toIsoTime(value);
  if (!iso) throw ValidationError.field(pointer, 'must be an ISO-8601 time or epoch milliseconds');
  return iso;
}
