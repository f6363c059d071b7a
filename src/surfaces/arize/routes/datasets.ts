import { LIMITS } from '../../../domain/limits.js';
import type { Actor, Dataset } from '../../../domain/types.js';
import type { SurfaceApp } from '../../../http/app.js';
import type { Services } from '../../../services/index.js';
import { allPages } from '../../../services/pagination.js';
import { toNewRecord } from '../examples.js';
import { uuidOf } from '../ids.js';
import { presentDataset, presentPagination } from '../present.js';
import { DatasetCreate, DatasetParams, DatasetQuery, DatasetUpdate } from '../schemas.js';
import { isOwnSpace, requireOwnSpace, spaceOf } from '../spaces.js';

/** Datasets, created with their examples as their first version and read with every version. */
export function datasetRoutes(app: SurfaceApp, services: Services): void {
  const datasetIdOf = (id: string) => uuidOf('Dataset', id, '/dataset_id', 'params');
  /** The dataset with every version, newest first, as AX's get embeds them. */
  const withVersions = async (actor: Actor, dataset: Dataset) => {
    const versions = await allPages((cursor) => services.versions.list(actor, dataset.id, { cursor, limit: LIMITS.pageSizeMax }));
    return presentDataset(dataset, actor.workspaceId, versions);
  };

  app.get('/v2/datasets', {
    schema: { querystring: DatasetQuery },
    handler: async (request) => {
      const { space_id: spaceId, space_name: spaceName, name, limit, cursor } = request.query;
      const empty = { datasets: [], pagination: presentPagination(null) };
      if (spaceId !== undefined && !isOwnSpace(request.actor, spaceId, '/space_id')) return empty;
      if (spaceName !== undefined && !(await spaceOf(services, request.actor)).name.toLowerCase().includes(spaceName.toLowerCase())) return empty;
      const page = await services.datasets.list(request.actor, { name_contains: name || undefined, limit, cursor });
      return { datasets: page.data.map((dataset) => presentDataset(dataset, request.actor.workspaceId)), pagination: presentPagination(page.next_cursor) };
    },
  });

  app.post('/v2/datasets', {
    bodyLimit: LIMITS.bulkBodyBytes,
    schema: { body: DatasetCreate },
    // An example row is the record's whole input.
    config: { restate: { lists: [['/records', '/examples']], fields: [['input', '']] } },
    handler: async (request, reply) => {
      const { name, space_id: spaceId, examples } = request.body;
      requireOwnSpace(request.actor, spaceId, '/space_id');
      const records = examples.map((row, index) => toNewRecord(row, `/examples/${index}`));
      const dataset = await services.datasets.create(request.actor, { name, records });
      return reply.status(201).send(await withVersions(request.actor, dataset));
    },
  });

  app.get('/v2/datasets/:dataset_id', {
    schema: { params: DatasetParams },
    handler: async (request) => withVersions(request.actor, await services.datasets.get(request.actor, datasetIdOf(request.params.dataset_id))),
  });

  app.patch('/v2/datasets/:dataset_id', {
    schema: { params: DatasetParams, body: DatasetUpdate },
    handler: async (request) => {
      const dataset = await services.datasets.update(request.actor, datasetIdOf(request.params.dataset_id), { name: request.body.name });
      return withVersions(request.actor, dataset);
    },
  });

  app.delete('/v2/datasets/:dataset_id', {
    schema: { params: DatasetParams },
    handler: async (request, reply) => {
      await services.datasets.delete(request.actor, datasetIdOf(request.params.dataset_id));
      return reply.status(204).send();
    },
  });
}
