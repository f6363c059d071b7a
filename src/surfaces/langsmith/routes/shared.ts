import { ValidationError, type FieldIssue } from '../../../domain/errors.js';
import { isJsonObject, type Json, type JsonObject } from '../../../domain/json.js';
import { toIsoTime } from '../../../domain/time.js';
import type { BufferedPart } from '../../../http/multipart.js';
import type { Actor, Dataset } from '../../../domain/types.js';
import type { Services } from '../../../services/index.js';
import type { VersionRef } from '../../../services/versions.js';
import { presentDataset } from '../present.js';

/** What routes of the LangSmith surface share: reading its query conventions, and answering datasets. */

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

/** LangSmith's filter language is not supported: a filter given is refused rather than ignored. */
export function refuseFilter(value: string | null | undefined, name: string, part: 'query' | 'body'): void {
  if (value !== undefined && value !== null && value.trim() !== '') {
    throw ValidationError.field(`/${name}`, "is not supported by this server (LangSmith's filter language); leave it out", { in: part });
  }
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

/** Datasets as LangSmith's `Dataset`s, with what their experiments add up to. */
export async function presentDatasets(services: Services, actor: Actor, datasets: readonly Dataset[]) {
  const summaries = await services.experiments.summarizeByDataset(actor, datasets.map((d) => d.id));
  return datasets.map((dataset) =>
    presentDataset(dataset, actor.workspaceId, summaries.get(dataset.id) ?? { experiment_count: 0, last_start_time: null }),
  );
}

/** The metadata an object given as LangSmith's `extra` holds (the SDK keeps metadata in `extra.metadata`). */
export function metadataIn(extra: JsonObject | null | undefined): JsonObject | undefined {
  const metadata = extra?.metadata;
  return isJsonObject(metadata) ? metadata : undefined;
}

/** Refuses, naming it, a field whose value evalstore cannot keep: a value other than its empty ones. */
export function refuseUnsupported(value: unknown, pointer: string, what: string): void {
  const empty = value === undefined || value === null || (Array.isArray(value) && value.length === 0);
  if (!empty) throw ValidationError.field(pointer, `is not supported by this server: ${what}`);
}

/** The JSON pointer to a multipart part (part names hold dots, and may hold slashes). */
export function partPointer(name: string): string {
  return `/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

/** A multipart part's JSON; 422 naming the part when it is not JSON. */
export function jsonOfPart(part: BufferedPart): Json {
  try {
    return JSON.parse(part.data.toString('utf8')) as Json;
  } catch {
    throw ValidationError.field(partPointer(part.name), 'must be JSON', { in: 'body' });
  }
}

/** Checks a part's JSON against a schema's checker; 422 with the faults located inside the part. */
export function checkPart(check: (value: unknown) => FieldIssue[], value: Json, part: string): void {
  const issues = check(value);
  if (!issues.length) return;
  throw new ValidationError(`${part}: ${issues[0]!.pointer} ${issues[0]!.detail}`, issues.map((issue) => ({ ...issue, pointer: `${partPointer(part)}${issue.pointer}`, in: 'body' as const })));
}
