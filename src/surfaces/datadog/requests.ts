import { NotFoundError, ValidationError } from '../../domain/errors.js';
import { parseId } from '../../domain/ids.js';
import { LIMITS } from '../../domain/limits.js';
import type { Actor, Dataset } from '../../domain/types.js';
import type { Services } from '../../services/index.js';
import type { NewRecord, RecordPatch } from '../../services/records.js';
import type { InsertRecord, PageQuery, UpdateRecord } from './schemas.js';

/** Datadog's requests as service input: pages, the dataset a path names, records to add and to change. */

/** Datadog's page size for records and experiments: the default and the most one page holds. */
const PAGE_MAX = LIMITS.recordPageSizeMax;

/** The services clamp the size: records to PAGE_MAX, other lists to LIMITS.pageSizeMax. */
export function pageOf(query: PageQuery) {
  return { cursor: query['page[cursor]'] || undefined, limit: query['page[limit]'] ?? PAGE_MAX };
}

/** The dataset the path names, in the project it names (404 when it is in another project, or nowhere). */
export async function datasetIn(services: Services, actor: Actor, params: { project_id: string; dataset_id: string }): Promise<Dataset> {
  const dataset = await services.datasets.get(actor, params.dataset_id);
  if (dataset.project_id !== (parseId(params.project_id) ?? params.project_id)) throw new NotFoundError('Dataset', params.dataset_id);
  return dataset;
}

/** A Datadog record to add: its `id` is the caller's own id (evalstore's external_id). */
export function toNewRecord(item: InsertRecord, extraTags: readonly string[] = []): NewRecord {
  const tags = [...(item.tags ?? []), ...(item.tag_operations?.add ?? []), ...extraTags];
  return {
    input: item.input,
    ...(item.expected_output === undefined ? {} : { expected_output: item.expected_output }),
    ...(item.metadata ? { metadata: item.metadata } : {}),
    ...(tags.length ? { tags: item.tag_operations?.set ?? tags } : {}),
    ...(item.id ? { external_id: item.id } : {}),
  };
}

/**
 * A Datadog record change. Datadog's field semantics: `null` leaves a field as it is; an
 * expected_output of `""` erases it (dd-trace-py's way of saying "set to None").
 */
export function toPatch(item: UpdateRecord): RecordPatch {
  const patch: RecordPatch = { ref: item.id };
  if (item.input !== undefined && item.input !== null) patch.input = item.input;
  if (item.expected_output !== undefined && item.expected_output !== null) {
    patch.expected_output = item.expected_output === '' ? null : item.expected_output;
  }
  if (item.metadata !== undefined && item.metadata !== null) patch.metadata = item.metadata;
  if (item.tags) patch.tags = item.tags;
  if (item.tag_operations) patch.tag_operations = item.tag_operations;
  return patch;
}

/** Datadog clients spell booleans `true`, `True`, `1`...: read them case-insensitively. */
export function booleanParam(value: string | undefined, name: string, fallback: boolean): boolean {
  if (value === undefined || value === '') return fallback;
  if (/^(true|1|yes)$/i.test(value)) return true;
  if (/^(false|0|no)$/i.test(value)) return false;
  throw ValidationError.field(`/${name}`, 'must be true or false', { in: 'query' });
}
