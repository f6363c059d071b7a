import { NotFoundError, ValidationError } from '../../../domain/errors.js';
import { LIMITS } from '../../../domain/limits.js';
import type { Actor, Dataset, DatasetRecord, DatasetVersion } from '../../../domain/types.js';
import type { Services } from '../../../services/index.js';
import { allPages } from '../../../services/pagination.js';
import type { RecordChanges } from '../../../services/records.js';
import { datasetInPath, refuseEnvironment, versionInQuery, findVersion, type HumanloopApp } from '../app.js';
import { DATAPOINT_ADDITION, recordOfDatapoint } from '../datapoints.js';
import { inHumanloopTerms } from '../errors.js';
import { humanloopId, uuidOf, versionOf } from '../ids.js';
import { runOfPromptLog } from '../logs.js';
import { humanloopPage, v5Dataset, v5Datapoint } from '../present.js';
import {
  DatasetParams,
  V5DatapointQuery,
  V5DatasetList,
  V5DatasetMove,
  V5DatasetQuery,
  V5DatasetUpsert,
  V5PromptLog,
  V5PromptLogQuery,
  V5VersionParams,
  V5VersionsQuery,
  V5VersionUpdate,
} from '../schemas.js';

/**
 * Humanloop's v5 API as its SDK (humanloop@0.8.x) uses it for datasets: the upsert that commits a
 * version per change, versions, datapoints, and prompt logs. Lists are paged by number (from 1) and
 * read past their end as empty pages, which is how the SDK's iterators stop.
 */
export function v5Routes(app: HumanloopApp, services: Services): void {
  /** The dataset at `version` (its number, or the version itself when the caller holds it), with that version's datapoints when asked. */
  const datasetAt = async (actor: Actor, dataset: Dataset, version: number | DatasetVersion, withDatapoints: boolean) => {
    const row = typeof version === 'number' ? await findVersion(services, actor, dataset, version) : version;
    const datapoints = withDatapoints ? await allRecords(services, actor, dataset.id, row.version) : undefined;
    return v5Dataset(dataset, row, datapoints);
  };

  app.get('/v5/datasets', {
    schema: { hide: true, querystring: V5DatasetList },
    handler: async (request) => {
      const { page = 1, size = 10, name, sort_by: sortBy, order } = request.query;
      // Humanloop pages by number and sorts by any of three fields; a workspace's datasets are few
      // enough to read whole and sort here (`user_filter` is accepted and filters nothing).
      const datasets = await allPages((cursor) => services.datasets.list(request.actor, { name_contains: name || undefined, cursor, limit: LIMITS.pageSizeMax }));
      if (sortBy !== undefined) sortDatasets(datasets, sortBy, order ?? 'asc');
      else if (order === 'asc') datasets.reverse();
      const shown = datasets.slice((page - 1) * size, page * size);
      const records = await Promise.all(shown.map((dataset) => datasetAt(request.actor, dataset, dataset.latest_version, false)));
      return humanloopPage(records, page, size, datasets.length);
    },
  });

  app.post('/v5/datasets', {
    bodyLimit: LIMITS.bulkBodyBytes,
    schema: { hide: true, querystring: V5DatasetQuery, body: V5DatasetUpsert },
    handler: async (request) => {
      const { path, id, datapoints, action = 'set', attributes, version_name: versionName, version_description: message } = request.body;
      const { version_id: baseVersionId, environment, include_datapoints: withDatapoints = false } = request.query;
      if (path === undefined && id === undefined) throw ValidationError.field('', 'one of `path` or `id` is required', { in: 'body' });
      refuseEnvironment(environment);
      const datasetId = id === undefined ? undefined : uuidOf('dataset', id);
      if (id !== undefined && !datasetId) throw new NotFoundError('Dataset', id, [{ pointer: '/id', detail: 'is not a dataset id (ds_…)', in: 'body' }]);
      // A version to build on names its dataset too; set replaces everything, so it builds on nothing.
      const baseVersion = action === 'set' || baseVersionId === undefined ? undefined : await baseVersionOf(services, request.actor, datasetId, path, baseVersionId);
      const records = datapoints.map(recordOfDatapoint);
      const changes: RecordChanges = action === 'set' ? { set: records } : action === 'add' ? { add: records } : { remove: { matching: records } };
      const ids: Record<string, string> = datasetId ? { [datasetId]: id! } : {};
      const { dataset, change } = await inHumanloopTerms(
        () =>
          services.datasets.upsert(
            request.actor,
            datasetId ? { id: datasetId, metadata: attributes } : { name: path!, metadata: attributes },
            changes,
            { ...DATAPOINT_ADDITION, versionName, message, baseVersion, pointers: { add: '/datapoints', set: '/datapoints' } },
          ),
        { ids, pointer: (pointer) => pointer.replace(/^\/base_version$/, '/version_id') },
      );
      return datasetAt(request.actor, dataset, change.version ?? dataset.latest_version, withDatapoints);
    },
  });

  app.get('/v5/datasets/:dataset_id', {
    schema: { hide: true, params: DatasetParams, querystring: V5DatasetQuery },
    handler: async (request) => {
      const { dataset, version } = await selectVersion(services, request.actor, request.params.dataset_id, request.query);
      return datasetAt(request.actor, dataset, version, request.query.include_datapoints ?? false);
    },
  });

  app.patch('/v5/datasets/:dataset_id', {
    schema: { hide: true, params: DatasetParams, body: V5DatasetMove },
    handler: async (request) => {
      const id = datasetInPath(request.params.dataset_id);
      const terms = { ids: { [id]: request.params.dataset_id } };
      const { path, name } = request.body;
      const current = await inHumanloopTerms(() => services.datasets.get(request.actor, id), terms);
      // A new name keeps the dataset in its folder; a new path moves it.
      const folder = current.name.includes('/') ? current.name.slice(0, current.name.lastIndexOf('/') + 1) : '';
      const newName = path ?? (name === undefined ? current.name : `${folder}${name}`);
      const dataset = await inHumanloopTerms(() => services.datasets.update(request.actor, id, { name: newName }), terms);
      return datasetAt(request.actor, dataset, dataset.latest_version, false);
    },
  });

  app.delete('/v5/datasets/:dataset_id', {
    schema: { hide: true, params: DatasetParams },
    handler: async (request, reply) => {
      const id = datasetInPath(request.params.dataset_id);
      await inHumanloopTerms(() => services.datasets.delete(request.actor, id), { ids: { [id]: request.params.dataset_id } });
      return reply.status(200).send(null);
    },
  });

  app.get('/v5/datasets/:dataset_id/datapoints', {
    schema: { hide: true, params: DatasetParams, querystring: V5DatapointQuery },
    handler: async (request) => {
      const { page = 1, size = 10 } = request.query;
      const { dataset, version } = await selectVersion(services, request.actor, request.params.dataset_id, request.query);
      const records = await services.records.list(request.actor, dataset.id, { version, offset: (page - 1) * size, limit: size });
      // The latest version holds the dataset's records: only an earlier one needs reading for its count.
      const total = version === dataset.latest_version ? dataset.record_count : (await findVersion(services, request.actor, dataset, version)).record_count;
      return humanloopPage(records.data.map(v5Datapoint), page, size, total);
    },
  });

  app.get('/v5/datasets/:dataset_id/versions', {
    schema: { hide: true, params: DatasetParams, querystring: V5VersionsQuery },
    handler: async (request) => {
      const id = datasetInPath(request.params.dataset_id);
      const dataset = await inHumanloopTerms(() => services.datasets.get(request.actor, id), { ids: { [id]: request.params.dataset_id } });
      const versions = await allPages((cursor) => services.versions.list(request.actor, id, { cursor, limit: LIMITS.pageSizeMax }));
      // `latest_saved` (and the older `latest_committed`) include the datapoints of the latest version only.
      const latestDatapoints = request.query.include_datapoints ? await allRecords(services, request.actor, id, dataset.latest_version) : undefined;
      return { records: versions.map((version) => v5Dataset(dataset, version, version.version === dataset.latest_version ? latestDatapoints : undefined)) };
    },
  });

  app.patch('/v5/datasets/:dataset_id/versions/:version_id', {
    schema: { hide: true, params: V5VersionParams, body: V5VersionUpdate },
    handler: async (request) => {
      const id = datasetInPath(request.params.dataset_id);
      const version = versionInPath(id, request.params.version_id);
      const terms = { ids: { [id]: request.params.dataset_id } };
      const current = await inHumanloopTerms(() => services.versions.get(request.actor, id, version), terms);
      const { name, description } = request.body;
      if (description !== undefined && description !== current.message) {
        throw ValidationError.field('/description', "cannot change: a version's description is its commit message, and committed versions never change", { in: 'body' });
      }
      const named = name === undefined ? current : await inHumanloopTerms(() => services.versions.name(request.actor, id, version, name), terms);
      return v5Dataset(await services.datasets.get(request.actor, id), named);
    },
  });

  app.post('/v5/prompts/log', {
    bodyLimit: LIMITS.bulkBodyBytes,
    schema: { hide: true, querystring: V5PromptLogQuery, body: V5PromptLog },
    handler: async (request) => {
      const log = request.body;
      if (log.path === undefined && log.id === undefined) throw ValidationError.field('', 'one of `path` or `id` is required', { in: 'body' });
      const projectId = log.id === undefined ? undefined : uuidOf('project', log.id);
      if (log.id !== undefined && !projectId) throw ValidationError.field('/id', 'is not a prompt id (pr_…)', { in: 'body' });
      // A prompt is an evalstore project (made on first use by path), its logs the runs of the project's log stream.
      const destination = projectId ? { project_id: projectId } : { project_name: log.path! };
      const logged = await inHumanloopTerms(() => services.logs.record(request.actor, { ...destination, source: 'humanloop' }, [runOfPromptLog(log)]), {
        ...(projectId ? { ids: { [projectId]: log.id! } } : {}),
        pointer: (pointer) => pointer.replace(/^\/runs\/0/, '').replace(/^\/project_id$/, '/id').replace(/^\/project_name$/, '/path'),
      });
      return {
        id: humanloopId('log', logged.run_ids[0]!),
        prompt_id: humanloopId('project', logged.stream.project_id),
        version_id: humanloopId('promptVersion', logged.stream.project_id),
      };
    },
  });
}

/** The dataset and version number a read names: `version_id`, else the latest. */
async function selectVersion(
  services: Services,
  actor: Actor,
  datasetIdText: string,
  query: { version_id?: string; environment?: string },
): Promise<{ dataset: Dataset; version: number }> {
  const id = datasetInPath(datasetIdText);
  refuseEnvironment(query.environment);
  const dataset = await inHumanloopTerms(() => services.datasets.get(actor, id), { ids: { [id]: datasetIdText } });
  return { dataset, version: query.version_id === undefined ? dataset.latest_version : checkedVersion(dataset, versionInQuery(id, query.version_id), query.version_id) };
}

function checkedVersion(dataset: Dataset, version: number, versionId: string): number {
  if (version > dataset.latest_version) throw new NotFoundError('Dataset version', versionId, [{ pointer: '/version_id', detail: 'is not a version of the dataset', in: 'query' }]);
  return version;
}

/** A version in the path names a version of the path's dataset, or nothing (404). */
function versionInPath(datasetId: string, versionId: string): number {
  const version = versionOf(versionId);
  if (!version || version.datasetId !== datasetId) throw new NotFoundError('Dataset version', versionId);
  return version.version;
}

/**
 * The version an add or remove builds on. It must be the latest (the service refuses another with
 * 409: evalstore never rebuilds history), and a version of the dataset the upsert names.
 */
async function baseVersionOf(services: Services, actor: Actor, datasetId: string | undefined, path: string | undefined, versionId: string): Promise<number> {
  const owner = datasetId ?? (await services.datasets.list(actor, { name: path!, limit: 1 })).data[0]?.id;
  // No dataset by that path: '' is no dataset's id, so the version is none of its versions (404).
  return versionInQuery(owner ?? '', versionId);
}

async function allRecords(services: Services, actor: Actor, datasetId: string, version: number): Promise<DatasetRecord[]> {
  return allPages((cursor) => services.records.list(actor, datasetId, { version, cursor, limit: LIMITS.recordPageSizeMax }));
}

function sortDatasets(datasets: Dataset[], by: 'created_at' | 'updated_at' | 'name', order: 'asc' | 'desc'): void {
  const sign = order === 'asc' ? 1 : -1;
  datasets.sort((a, b) => sign * (a[by] < b[by] ? -1 : a[by] > b[by] ? 1 : 0));
}
