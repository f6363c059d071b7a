import { NotFoundError, ValidationError } from '../../../domain/errors.js';
import { LIMITS } from '../../../domain/limits.js';
import type { Actor, Dataset, DatasetVersion } from '../../../domain/types.js';
import type { SurfaceApp } from '../../../http/app.js';
import type { Services } from '../../../services/index.js';
import { allPages } from '../../../services/pagination.js';
import type { RecordChanges } from '../../../services/records.js';
import { DATAPOINT_ADDITION, recordOfDatapoint } from '../datapoints.js';
import { uuidInPath, uuidOf } from '../ids.js';
import { presentPage, presentV4Dataset, presentV5Dataset } from '../present.js';
import { DatasetParams, V4DatasetUpdate, V5DatasetList, V5DatasetMove, V5DatasetQuery, V5DatasetUpsert } from '../schemas.js';
import { baseVersionOf, findVersion, recordsAt, refuseEnvironment, selectVersion } from '../versions.js';

/**
 * Datasets of both APIs. v4 shows a dataset (`evts_…`) with its datapoint count; v5 shows a dataset
 * (`ds_…`) at one version, and its upsert commits a version per change. Lists are paged by number
 * (from 1) and read past their end as empty pages, which is how the v5 SDK's iterators stop.
 */
export function datasetRoutes(app: SurfaceApp, services: Services): void {
  /** The dataset at `version` (its number, or the version itself when the caller holds it), with that version's datapoints when asked. */
  const datasetAt = async (actor: Actor, dataset: Dataset, version: number | DatasetVersion, withDatapoints: boolean) => {
    const row = typeof version === 'number' ? await findVersion(services, actor, dataset, version) : version;
    const datapoints = withDatapoints ? await recordsAt(services, actor, dataset.id, row.version) : undefined;
    return presentV5Dataset(dataset, row, datapoints);
  };

  app.get('/v4/datasets/:dataset_id', {
    schema: { hide: true, params: DatasetParams },
    handler: async (request) => presentV4Dataset(await services.datasets.get(request.actor, uuidInPath('dataset', request.params.dataset_id))),
  });

  app.patch('/v4/datasets/:dataset_id', {
    schema: { hide: true, params: DatasetParams, body: V4DatasetUpdate },
    handler: async (request) => {
      const { name, description } = request.body;
      return presentV4Dataset(await services.datasets.update(request.actor, uuidInPath('dataset', request.params.dataset_id), { name, description }));
    },
  });

  app.delete('/v4/datasets/:dataset_id', {
    schema: { hide: true, params: DatasetParams },
    // The service's faults point into its list of ids; here the one id is the path's dataset, so they stay 404s.
    config: { restate: { lists: [['/dataset_ids/0', '']] } },
    handler: async (request) => {
      // Answered as it was just before it went, read in the deleting transaction.
      const [deleted] = await services.datasets.deleteMany(request.actor, [uuidInPath('dataset', request.params.dataset_id)]);
      return presentV4Dataset(deleted!);
    },
  });

  app.get('/v5/datasets', {
    schema: { hide: true, querystring: V5DatasetList },
    handler: async (request) => {
      const { page = 1, size = 10, name, sort_by: sortBy, order } = request.query;
      // Humanloop pages by number and sorts by any of three fields; a workspace's datasets are few
      // enough to read whole and sort here (`user_filter` is accepted and filters nothing).
      const datasets = await allPages((cursor) =>
        services.datasets.list(request.actor, { name_contains: name || undefined, cursor, limit: LIMITS.pageSizeMax }),
      );
      if (sortBy !== undefined) sortDatasets(datasets, sortBy, order ?? 'asc');
      else if (order === 'asc') datasets.reverse();
      const shown = datasets.slice((page - 1) * size, page * size);
      const records = await Promise.all(shown.map((dataset) => datasetAt(request.actor, dataset, dataset.latest_version, false)));
      return presentPage(records, page, size, datasets.length);
    },
  });

  app.post('/v5/datasets', {
    bodyLimit: LIMITS.bulkBodyBytes,
    schema: { hide: true, querystring: V5DatasetQuery, body: V5DatasetUpsert },
    config: {
      restate: {
        lists: [
          ['/add', '/datapoints'],
          ['/set', '/datapoints'],
          ['/base_version', '/version_id'],
        ],
      },
    },
    handler: async (request) => {
      const { path, id, datapoints, action = 'set', attributes, version_name: versionName, version_description: message } = request.body;
      const { version_id: baseVersionId, environment, include_datapoints: withDatapoints = false } = request.query;
      if (path === undefined && id === undefined) throw ValidationError.field('', 'one of `path` or `id` is required', { in: 'body' });
      refuseEnvironment(environment);
      const datasetId = id === undefined ? undefined : uuidOf('dataset', id);
      if (id !== undefined && !datasetId) throw new NotFoundError('Dataset', id, [{ pointer: '/id', detail: 'is not a dataset id (ds_…)', in: 'body' }]);
      // A version to build on names its dataset too; set replaces everything, so it builds on nothing.
      const baseVersion =
        action === 'set' || baseVersionId === undefined ? undefined : await baseVersionOf(services, request.actor, datasetId, path, baseVersionId);
      const records = datapoints.map(recordOfDatapoint);
      const changes: RecordChanges = action === 'set' ? { set: records } : action === 'add' ? { add: records } : { remove: { matching: records } };
      const target = datasetId ? { id: datasetId, metadata: attributes } : { name: path!, metadata: attributes };
      const { dataset, change } = await services.datasets.upsert(request.actor, target, changes, { ...DATAPOINT_ADDITION, versionName, message, baseVersion });
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
      const id = uuidInPath('dataset', request.params.dataset_id);
      const { path, name } = request.body;
      const current = await services.datasets.get(request.actor, id);
      // A new name keeps the dataset in its folder; a new path moves it.
      const folder = current.name.includes('/') ? current.name.slice(0, current.name.lastIndexOf('/') + 1) : '';
      const newName = path ?? (name === undefined ? current.name : `${folder}${name}`);
      const dataset = await services.datasets.update(request.actor, id, { name: newName });
      return datasetAt(request.actor, dataset, dataset.latest_version, false);
    },
  });

  app.delete('/v5/datasets/:dataset_id', {
    schema: { hide: true, params: DatasetParams },
    handler: async (request, reply) => {
      await services.datasets.delete(request.actor, uuidInPath('dataset', request.params.dataset_id));
      return reply.status(200).send(null);
    },
  });
}

function sortDatasets(datasets: Dataset[], by: 'created_at' | 'updated_at' | 'name', order: 'asc' | 'desc'): void {
  const sign = order === 'asc' ? 1 : -1;
  datasets.sort((a, b) => sign * (a[by] < b[by] ? -1 : a[by] > b[by] ? 1 : 0));
}
