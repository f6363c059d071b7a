import { LIMITS } from '../../../domain/limits.js';
import type { SurfaceApp } from '../../../http/app.js';
import type { Services } from '../../../services/index.js';
import { presentDeletion, presentListedDataset } from '../present.js';
import { DatasetParams, Errors, NoContent, Page } from '../schemas/common.js';
import { Dataset, DatasetCreate, DatasetListItem, DatasetQuery, DatasetUpdate } from '../schemas/datasets.js';

const tags = ['Datasets'];

export function datasetRoutes(app: SurfaceApp, services: Services): void {
  app.post('/datasets', {
    bodyLimit: LIMITS.bulkBodyBytes,
    schema: {
      summary: 'Create a dataset',
      description:
        'The dataset starts empty at version 0, and the first change to its records commits version 1; or it starts with `records`, committed as version 1 in the same transaction.',
      tags,
      body: DatasetCreate,
      response: { 201: Dataset, ...Errors },
    },
    handler: async (request, reply) => reply.status(201).send(await services.datasets.create(request.actor, request.body)),
  });

  app.get('/datasets', {
    schema: {
      summary: 'List datasets, newest first',
      description: 'Each with how many experiments ran on it and when the latest of them was created or started.',
      tags,
      querystring: DatasetQuery,
      response: { 200: Page(DatasetListItem), ...Errors },
    },
    handler: async (request) => {
      const { q, ...query } = request.query;
      const page = await services.datasets.list(request.actor, { ...query, name_contains: q });
      const summaries = await services.experiments.summarizeByDataset(
        request.actor,
        page.data.map((dataset) => dataset.id),
      );
      return { ...page, data: page.data.map((dataset) => presentListedDataset(dataset, summaries.get(dataset.id))) };
    },
  });

  app.get('/datasets/:dataset_id', {
    schema: { summary: 'Get a dataset', tags, params: DatasetParams, response: { 200: Dataset, ...Errors } },
    handler: (request) => services.datasets.get(request.actor, request.params.dataset_id),
  });

  app.patch('/datasets/:dataset_id', {
    schema: { summary: 'Update a dataset', tags, params: DatasetParams, body: DatasetUpdate, response: { 200: Dataset, ...Errors } },
    handler: (request) => services.datasets.update(request.actor, request.params.dataset_id, request.body),
  });

  app.delete('/datasets/:dataset_id', {
    schema: { summary: 'Delete a dataset with all its versions and records', tags, params: DatasetParams, response: NoContent },
    handler: (request, reply) => presentDeletion(reply, services.datasets.delete(request.actor, request.params.dataset_id)),
  });
}
