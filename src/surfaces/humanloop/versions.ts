import { NotFoundError, ValidationError } from '../../domain/errors.js';
import { LIMITS } from '../../domain/limits.js';
import type { Actor, Dataset, DatasetRecord, DatasetVersion } from '../../domain/types.js';
import type { Services } from '../../services/index.js';
import { allPages } from '../../services/pagination.js';
import { uuidInPath, versionOf } from './ids.js';

/**
 * Which version of a dataset a Humanloop request names: a `version_id` (in the query or the path),
 * else the latest. Environments (deployments) are not kept, so none names a version.
 */

/** The version number a `version_id` query parameter names; it must be a version of the dataset `datasetId`. */
export function versionInQuery(datasetId: string, id: string): number {
  const version = versionOf(id);
  if (!version) throw ValidationError.field('/version_id', 'is not a dataset version id (dsv_…)', { in: 'query' });
  if (version.datasetId !== datasetId) {
    throw new NotFoundError('Dataset version', id, [{ pointer: '/version_id', detail: 'is not a version of the dataset', in: 'query' }]);
  }
  return version.version;
}

/** A version in the path names a version of the path's dataset, or nothing (404). */
export function versionInPath(datasetId: string, versionId: string): number {
  const version = versionOf(versionId);
  if (!version || version.datasetId !== datasetId) throw new NotFoundError('Dataset version', versionId);
  return version.version;
}

/** Evalstore keeps no deployments, so no environment names a version. */
export function refuseEnvironment(environment: string | undefined): void {
  if (environment !== undefined) {
    throw ValidationError.field(
      '/environment',
      'cannot name a version: evalstore keeps no deployments to environments; name the version with version_id, or omit both for the latest',
      { in: 'query' },
    );
  }
}

/** The dataset and version number a read names: `version_id`, else the latest. */
export async function selectVersion(
  services: Services,
  actor: Actor,
  datasetIdText: string,
  query: { version_id?: string; environment?: string },
): Promise<{ dataset: Dataset; version: number }> {
  const id = uuidInPath('dataset', datasetIdText);
  refuseEnvironment(query.environment);
  const dataset = await services.datasets.get(actor, id);
  if (query.version_id === undefined) return { dataset, version: dataset.latest_version };
  const version = versionInQuery(id, query.version_id);
  if (version > dataset.latest_version) {
    throw new NotFoundError('Dataset version', query.version_id, [{ pointer: '/version_id', detail: 'is not a version of the dataset', in: 'query' }]);
  }
  return { dataset, version };
}

/**
 * The version an add or remove builds on. It must be the latest (the service refuses another with
 * 409: evalstore never rebuilds history), and a version of the dataset the upsert names.
 */
export async function baseVersionOf(
  services: Services,
  actor: Actor,
  datasetId: string | undefined,
  path: string | undefined,
  versionId: string,
): Promise<number> {
  const owner = datasetId ?? (await services.datasets.list(actor, { name: path!, limit: 1 })).data[0]?.id;
  // No dataset by that path: '' is no dataset's id, so the version is none of its versions (404).
  return versionInQuery(owner ?? '', versionId);
}

/** The dataset's version `version` (0: the empty version before the first commit). */
export async function findVersion(services: Services, actor: Actor, dataset: Dataset, version: number): Promise<DatasetVersion> {
  return version === 0 ? versionZero(dataset) : services.versions.get(actor, dataset.id, version);
}

/** Every datapoint (record) of a version. */
export async function recordsAt(services: Services, actor: Actor, datasetId: string, version: number): Promise<DatasetRecord[]> {
  return allPages((cursor) => services.records.list(actor, datasetId, { version, cursor, limit: LIMITS.recordPageSizeMax }));
}

/** A dataset before its first commit is at version 0, which holds nothing and has no row of its own. */
function versionZero(dataset: Dataset): DatasetVersion {
  return {
    dataset_id: dataset.id,
    version: 0,
    name: null,
    message: '',
    created_by: null,
    created_at: dataset.created_at,
    records_added: 0,
    records_updated: 0,
    records_removed: 0,
    record_count: 0,
  };
}
