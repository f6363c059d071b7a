import { ConflictError, NotFoundError } from '../../../domain/errors.js';
import { LIMITS } from '../../../domain/limits.js';
import type { SurfaceApp } from '../../../http/app.js';
import type { Services } from '../../../services/index.js';
import { allPages } from '../../../services/pagination.js';
import { actionOf, changesFor, toRecords } from '../examples.js';
import { uuidOf, versionGlobalId, versionOf } from '../ids.js';
import { presentDataset, presentExample, presentVersion } from '../present.js';
import { DatasetParams, DatasetQuery, ExamplesQuery, PageQuery, UploadBody, UploadQuery } from '../schemas.js';

/** Datasets: uploads (create, append, update by name), lists by exact name, examples of a version, versions. */
export function datasetRoutes(app: SurfaceApp, services: Services): void {
  const datasetIdOf = (id: string) => uuidOf('Dataset', id, '/id', 'params');

  app.post('/v1/datasets/upload', {
    bodyLimit: LIMITS.bulkBodyBytes,
    schema: { querystring: UploadQuery, body: UploadBody },
    config: {
      restate: {
        lists: [
          ['/set', '/inputs'],
          ['/add', '/inputs'],
        ],
        fields: [['input', '']],
      },
    },
    handler: async (request) => {
      const action = actionOf(request.body);
      const records = toRecords(request.body);
      const { name, description } = request.body;
      if (action === 'create') {
        const existing = await services.datasets.getByName(request.actor, name).catch((error: unknown) => {
          if (error instanceof NotFoundError) return undefined;
          throw error;
        });
        if (existing) throw new ConflictError(`A dataset named "${name}" already exists.`, [{ pointer: '/name', detail: 'names a dataset that exists' }]);
      }
      const result = await services.datasets.upsert(request.actor, { name, ...(description ? { description } : {}) }, changesFor(action, records), {
        identity: 'example',
      });
      const { change, dataset } = result;
      const data = {
        dataset_id: presentDataset(dataset).id,
        version_id: versionGlobalId(change.version?.version ?? dataset.latest_version),
        num_created_examples: change.added.length,
        num_updated_examples: change.updated.length,
        num_deleted_examples: change.removed.length,
      };
      // Asynchronous uploads answer null; this server has written it already either way.
      return request.query.sync ? { data } : null;
    },
  });

  app.get('/v1/datasets', {
    schema: { querystring: DatasetQuery },
    handler: async (request) => {
      const { name, cursor, limit } = request.query;
      if (name !== undefined) {
        const found = await services.datasets.getByName(request.actor, name).catch((error: unknown) => {
          if (error instanceof NotFoundError) return undefined;
          throw error;
        });
        return { data: found ? [presentDataset(found)] : [], next_cursor: null };
      }
      const page = await services.datasets.list(request.actor, { cursor, limit });
      return { data: page.data.map(presentDataset), next_cursor: page.next_cursor };
    },
  });

  app.get('/v1/datasets/:id', {
    schema: { params: DatasetParams },
    handler: async (request) => ({ data: presentDataset(await services.datasets.get(request.actor, datasetIdOf(request.params.id))) }),
  });

  app.delete('/v1/datasets/:id', {
    schema: { params: DatasetParams },
    handler: async (request, reply) => {
      await services.datasets.delete(request.actor, datasetIdOf(request.params.id));
      return reply.status(204).send();
    },
  });

  app.get('/v1/datasets/:id/versions', {
    schema: { params: DatasetParams, querystring: PageQuery(10) },
    handler: async (request) => {
      const page = await services.versions.list(request.actor, datasetIdOf(request.params.id), request.query);
      return { data: page.data.map(presentVersion), next_cursor: page.next_cursor };
    },
  });

  app.get('/v1/datasets/:id/examples', {
    schema: { params: DatasetParams, querystring: ExamplesQuery },
    handler: async (request) => {
      const datasetId = datasetIdOf(request.params.id);
      const { version_id: versionId, split } = request.query;
      const version = versionId === undefined ? undefined : versionOf(versionId, '/version_id', 'query');
      const splits = split === undefined ? undefined : Array.isArray(split) ? split : [split];
      let versionNumber = version;
      // Every example of the version, unpaginated, as Phoenix answers.
      const records = await allPages(async (cursor) => {
        const page = await services.records.list(request.actor, datasetId, { version, cursor, limit: LIMITS.pageSizeMax, ...(splits ? { splits } : {}) });
        versionNumber = page.version;
        return page;
      });
      return {
        data: {
          dataset_id: request.params.id,
          version_id: versionGlobalId(versionNumber ?? 0),
          filtered_splits: splits ?? [],
          examples: records.map(presentExample),
        },
      };
    },
  });
}
