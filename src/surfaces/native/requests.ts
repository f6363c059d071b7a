import { jsonOrText, type Json } from '../../domain/json.js';

/** `key=value` pairs of a query (`?metadata=topic=geo`); the value is JSON when it parses as JSON, else the string itself. */
export function parseMetadataFilters(pairs: readonly string[]): Record<string, Json> {
  const filters: Record<string, Json> = {};
  for (const pair of pairs) {
    const split = pair.indexOf('=');
    filters[pair.slice(0, split)] = jsonOrText(pair.slice(split + 1));
  }
  return filters;
}
