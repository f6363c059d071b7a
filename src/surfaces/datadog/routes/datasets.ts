import type { SurfaceApp } from '../../../http/app.js';
import type { Services } from '../../../services/index.js';
import { presentDataset, presentPage, presentVersion, sendJsonApi } from '../present.js';
import { datasetIn, pageOf } from '../requests.js';
import {
  DatasetChangeBody,
  DatasetParams,
  DeleteDatasetsBody,
  ListQuery,
  NewDatasetBody,
  PageQuery,
  ProjectParams,
  UnstableDeleteDatasetsBody,
} from '../schemas.js';

/** Datasets of a project, and their versions. */
export function datasetRoutes(app: SurfaceApp, services: Services): void {
  app.get('/:project_id/datasets', {
    schema: { params: ProjectParams, querystring: ListQuery },
    handler: async (request, reply) => {
      const project = await services.projects.get(request.actor, request.params.project_id);
      const filters = { id: request.query['filter[id]'], name: request.query['filter[name]'] };
      const page = await services.datasets.list(request.actor, { project_id: project.id, ...pageOf(request.query), ...filters });
      return sendJsonApi(reply, 200, presentPage(page, presentDataset));
    },
  });

  // Get-or-create by name, like projects.
  app.post('/:project_id/datasets', {
    schema: { params: ProjectParams, body: NewDatasetBody },
    handler: async (request, reply) => {
      const { name, description, metadata } = request.body.data.attributes;
      const project = await services.projects.get(request.actor, request.params.project_id);
      const { dataset } = await services.datasets.getOrCreate(request.actor, {
        name,
        description: description ?? null,
        ...(metadata ? { metadata } : {}),
        project_id: project.id,
      });
      return sendJsonApi(reply, 200, { data: presentDataset(dataset) });
    },
  });

  app.get('/:project_id/datasets/:dataset_id', {
    schema: { params: DatasetParams },
    handler: async (request, reply) => sendJsonApi(reply, 200, { data: presentDataset(await datasetIn(services, request.actor, request.params)) }),
  });

  app.patch('/:project_id/datasets/:dataset_id', {
    schema: { params: DatasetParams, body: DatasetChangeBody },
    handler: async (request, reply) => {
      const dataset = await datasetIn(services, request.actor, request.params);
      const { name, description, metadata } = request.body.data.attributes;
      const updated = await services.datasets.update(request.actor, dataset.id, {
        ...(name === undefined ? {} : { name }),
        ...(description === undefined ? {} : { description }),
        ...(metadata ? { metadata } : {}),
      });
      return sendJsonApi(reply, 200, { data: presentDataset(updated) });
    },
  });

  app.post('/:project_id/datasets/delete', {
    schema: { params: ProjectParams, body: DeleteDatasetsBody },
    handler: async (request, reply) => {
      await services.datasets.deleteMany(request.actor, request.body.data.attributes.dataset_ids, { project_id: request.params.project_id });
      return reply.status(204).send();
    },
  });

  app.get('/:project_id/datasets/:dataset_id/versions', {
    schema: { params: DatasetParams, querystring: PageQuery },
    handler: async (request, reply) => {
      const dataset = await datasetIn(services, request.actor, request.params);
      const page = await services.versions.list(request.actor, dataset.id, pageOf(request.query));
      return sendJsonApi(reply, 200, presentPage(page, presentVersion));
    },
  });
}

/** dd-trace-py's own dataset routes, which name no project. */
export function unstableDatasetRoutes(app: SurfaceApp, services: Services): void {
  // Deletes are hard: `deleted_at` says when, for a client that expects a soft delete.
  app.post('/datasets/delete', {
    schema: { body: UnstableDeleteDatasetsBody },
    handler: async (request, reply) => {
      const deleted = await services.datasets.deleteMany(request.actor, request.body.data.attributes.dataset_ids);
      const now = new Date().toISOString();
      return sendJsonApi(reply, 200, { data: deleted.map((dataset) => presentDataset(dataset, { deleted_at: now })) });
    },
  });
}
