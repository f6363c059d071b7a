import { Type } from '@sinclair/typebox';
import { LIMITS } from '../../../domain/limits.js';
import type { Services } from '../../../services/index.js';
import type { NativeApp } from '../app.js';
import { Dataset, DatasetCreate, DatasetUpdate, Errors, Id, Page, PageQuery } from '../schemas.js';

const tags = ['Datasets'];
const params = Type.Object({ dataset_id: Id });

export function datasetRoutes(app: NativeApp, services: Services): void {
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
      tags,
      querystring: Type.Object(
        {
          ...PageQuery,
          project_id: Type.Optional(Id),
          name: Type.Optional(Type.String({ description: 'Exact name' })),
          q: Type.Optional(Type.String({ minLength: 1, description: 'Substring of the name' })),
        },
        { additionalProperties: false },
      ),
      response: { 200: Page(Dataset), ...Errors },
    },
    handler: (request) => {
      const { q, ...query } = request.query;
      return services.datasets.list(request.actor, { ...query, name_contains: q });
    },
  });

  app.get('/datasets/:dataset_id', {
    schema: { summary: 'Get a dataset', tags, params, response: { 200: Dataset, ...Errors } },
    handler: (request) => services.datasets.get(request.actor, request.params.dataset_id),
  });

  app.patch('/datasets/:dataset_id', {
    schema: { summary: 'Update a dataset', tags, params, body: DatasetUpdate, response: { 200: Dataset, ...Errors } },
    handler: (request) => services.datasets.update(request.actor, request.params.dataset_id, request.body),
  });

  app.delete('/datasets/:dataset_id', {
    schema: {
      summary: 'Delete a dataset with all its versions and records',
      tags,
      params,
      response: { 204: Type.Null(), ...Errors },
    },
    handler: async (request, reply) => {
      await services.datasets.delete(request.actor, request.params.dataset_id);
      return reply.status(204).send(null);
    },
  });
}
