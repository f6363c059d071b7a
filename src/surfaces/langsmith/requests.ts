import { ValidationError } from '../../domain/errors.js';
import { isJsonObject, type Json } from '../../domain/json.js';
import { toIsoTime } from '../../domain/time.js';
import type { Actor } from '../../domain/types.js';
import type { Services } from '../../services/index.js';
import type { VersionRef } from '../../services/versions.js';

/**
 * LangSmith's request conventions, read the same way by every route: JSON in query parameters, the
 * filters of its lists, versions named by `as_of`, and what evalstore refuses rather than drops.
 */

/** A query parameter holding JSON (LangSmith's `metadata` filters): an object, or 422 naming the parameter. */
export function jsonObjectParam(value: string | undefined, name: string): Record<string, Json> | undefined {
  if (value === undefined || value === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw ValidationError.field(`/${name}`, 'must be a JSON object', { in: 'query' });
  }
  if (!isJsonObject(parsed)) throw ValidationError.field(`/${name}`, 'must be a JSON object', { in: 'query' });
  return parsed;
}

/** The query of a LangSmith list of named things (see NamedListFilters in schemas.ts). */
export interface NamedListQuery {
  id?: string[];
  name?: string;
  name_contains?: string;
  metadata?: string;
  offset?: number;
  limit?: number;
}

/** A list's filters and page as the services' list options take them. */
export function namedListOptions(query: NamedListQuery) {
  return {
    ...(query.id ? { ids: query.id } : {}),
    name: query.name,
    name_contains: query.name_contains,
    metadata: jsonObjectParam(query.metadata, 'metadata'),
    offset: query.offset,
    limit: query.limit,
  };
}

/**
 * The dataset version a LangSmith `as_of` names: `latest`, a time (the version the dataset was at
 * then), or a tag (a version's name).
 */
export async function versionAsOf(services: Services, actor: Actor, datasetId: string, asOf: string | undefined): Promise<VersionRef | undefined> {
  if (asOf === undefined || asOf === '' || asOf === 'latest') return undefined;
  if (toIsoTime(asOf) !== undefined && /^\d{4}-\d{2}-\d{2}/.test(asOf)) return services.versions.atTime(actor, datasetId, asOf);
  return asOf;
}

/** LangSmith's filter language is not supported: a filter given is refused rather than ignored. */
export function refuseFilter(value: string | null | undefined, name: string, part: 'query' | 'body'): void {
  if (value !== undefined && value !== null && value.trim() !== '') {
    throw ValidationError.field(`/${name}`, "is not supported by this server (LangSmith's filter language); leave it out", { in: part });
  }
}

/**
 * Refuses, naming the first in `reasons`' order, a field of `body` whose value evalstore cannot keep
 * (a value other than its empty ones), saying why.
 */
export function refuseUnsupported(body: object, reasons: Readonly<Record<string, string>>): void {
  for (const [field, why] of Object.entries(reasons)) {
    const value: unknown = (body as Record<string, unknown>)[field];
    const empty = value === undefined || value === null || (Array.isArray(value) && value.length === 0);
    if (!empty) throw ValidationError.field(`/${field}`, `is not supported by this server: ${why}`);
  }
}
