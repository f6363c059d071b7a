import { createHash } from 'node:crypto';
import canonicalizeModule from 'canonicalize';

// The package is CommonJS (module.exports = function) but declares an ES default export; under
// NodeNext the import is the function itself at run time, which the declared type does not say.
const canonicalize = canonicalizeModule as unknown as (input: unknown) => string | undefined;

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** RFC 8785 canonical JSON: the same value always serializes to the same text, whatever its key order. */
export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError('value cannot be represented as JSON');
  return text;
}

/** A short, stable fingerprint of a JSON value (hex SHA-256 of its canonical JSON). */
export function jsonHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Characters a JSON text can start with (after blanks); a text starting otherwise is not JSON. */
function mayBeJson(text: string): boolean {
  for (let at = 0; at < text.length; at += 1) {
    const c = text.charCodeAt(at);
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) continue;
    // { [ " - 0-9 t f n
    return c === 0x7b || c === 0x5b || c === 0x22 || c === 0x2d || (c >= 0x30 && c <= 0x39) || c === 0x74 || c === 0x66 || c === 0x6e;
  }
  return false;
}

/**
 * The JSON value when `text` is JSON, else the text itself: how a CSV cell or a query parameter that
 * may hold either is read. Text that cannot start a JSON value is not handed to the parser at all.
 */
export function jsonOrText(text: string): Json {
  if (!mayBeJson(text)) return text;
  try {
    return JSON.parse(text) as Json;
  } catch {
    return text;
  }
}
