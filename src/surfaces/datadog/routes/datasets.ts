import { Readable } from 'node:stream';
import { ValidationError } from '../../../domain/errors.js';
import type { Actor, Dataset } from '../../../domain/types.js';
import type { SurfaceApp } from '../../../http/app.js';
import type { Services } from '../../../services/index.js';
import { presentDataset, presentDraftState, presentPage, presentRestore, presentVersion, sendJsonApi } from '../present.js';
import { booleanParam, datasetIn, pageOf } from '../requests.js';
import {
  CloneDatasetBody,
  DatasetChangeBody,
  DatasetListQuery,
  DatasetParams,
  DatasetReadQuery,
  DeleteDatasetsBody,
  ExportQuery,
  NewDatasetBody,
  PageQuery,
  ProjectParams,
  RestoreDatasetBody,
  UnstableDeleteDatasetsBody,
} from '../schemas.js';

/** Datasets of a project, and their versions. */
export function datasetRoutes(app: SurfaceApp, services: Services): void {
  app.get('/:project_id/datasets', {
    schema: { params: ProjectParams, querystring: DatasetListQuery },
    handler: async (request, reply) => {
      const project = await services.projects.get(request.actor, request.params.project_id);
      const filters = { id: request.query['filter[id]'], name: request.query['filter[name]'] };
      const page = await services.datasets.list(request.actor, { project_id: project.id, ...pageOf(request.query), ...filters });
      const present = await presenterOf(services, request.actor, request.query, page.data);
      return sendJsonApi(reply, 200, presentPage(page, present));
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
    schema: { params: DatasetParams, querystring: DatasetReadQuery },
    handler: async (request, reply) => {
      const dataset = await datasetIn(services, request.actor, request.params);
      const present = await presenterOf(services, request.actor, request.query, [dataset]);
      return sendJsonApi(reply, 200, { data: present(dataset) });
    },
  });

  // A new dataset in the same project holding the source's current records as its version 1.
  app.post('/:project_id/datasets/:dataset_id/clone', {
    schema: { params: DatasetParams, body: CloneDatasetBody },
    config: { restate: { lists: [['', '/data/attributes']] } },
    handler: async (request, reply) => {
      const source = await datasetIn(services, request.actor, request.params);
      checkBodyId(request.body.data.id, source);
      const { name, description } = request.body.data.attributes;
      const clone = await services.datasets.clone(request.actor, source.id, { name, ...(description === undefined ? {} : { description }) });
      return sendJsonApi(reply, 200, { data: presentDataset(clone) });
    },
  });

  // A new version holding the records of an earlier one (versions never change: nothing is rewound).
  app.post('/:project_id/datasets/:dataset_id/restore', {
    schema: { params: DatasetParams, body: RestoreDatasetBody },
    handler: async (request, reply) => {
      const dataset = await datasetIn(services, request.actor, request.params);
      checkBodyId(request.body.data.id, dataset);
      const version = request.body.data.attributes.dataset_version;
      if (version > dataset.latest_version) {
        throw ValidationError.field('/data/attributes/dataset_version', `is not a version of the dataset (current is ${dataset.latest_version})`, {
          in: 'body',
        });
      }
      const result = await services.versions.restore(request.actor, dataset.id, version);
      return sendJsonApi(reply, 200, presentRestore(result, dataset));
    },
  });

  // The records of a version as CSV, streamed as read (memory stays flat), in the columns the upload reads.
  app.get('/:project_id/datasets/:dataset_id/export', {
    schema: { params: DatasetParams, querystring: ExportQuery },
    handler: async (request, reply) => {
      const dataset = await datasetIn(services, request.actor, request.params);
      const { version } = request.query;
      if (version !== undefined && version > dataset.latest_version) {
        throw ValidationError.field('/version', `is not a version of the dataset (current is ${dataset.latest_version})`, { in: 'query' });
      }
      const exported = await services.exports.records(request.actor, dataset.id, { format: 'csv', columns: 'compact', version });
      return reply
        .status(200)
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="dataset-${dataset.id}-v${exported.version}.csv"`)
        .send(Readable.from(exported.chunks));
    },
  });

  app.get('/:project_id/datasets/:dataset_id/draft_state', {
    schema: { params: DatasetParams },
    handler: async (request, reply) => {
      const dataset = await datasetIn(services, request.actor, request.params);
      return sendJsonApi(reply, 200, presentDraftState(dataset.id, await services.drafts.get(request.actor, dataset.id)));
    },
  });

  app.patch('/:project_id/datasets/:dataset_id/draft_state/lock', {
    schema: { params: DatasetParams },
    handler: async (request, reply) => {
      const dataset = await datasetIn(services, request.actor, request.params);
      return sendJsonApi(reply, 200, presentDraftState(dataset.id, await services.drafts.lock(request.actor, dataset.id)));
    },
  });

  app.patch('/:project_id/datasets/:dataset_id/draft_state/unlock', {
    schema: { params: DatasetParams },
    handler: async (request, reply) => {
      const dataset = await datasetIn(services, request.actor, request.params);
      await services.drafts.unlock(request.actor, dataset.id);
      return sendJsonApi(reply, 200, presentDraftState(dataset.id, null));
    },
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

/** The body's `data.id`, when given, must be the dataset of the path. */
function checkBodyId(id: string | undefined, dataset: Dataset): void {
  if (id !== undefined && id !== dataset.id) throw ValidationError.field('/data/id', 'must be the id of the dataset in the path', { in: 'body' });
}

/** How datasets are answered: with their author (who committed the first version) when `include[user_data]` asks. */
async function presenterOf(services: Services, actor: Actor, query: { 'include[user_data]'?: string }, datasets: readonly Dataset[]) {
  if (!booleanParam(query['include[user_data]'], 'include[user_data]', false)) return (dataset: Dataset) => presentDataset(dataset);
  const authors = await services.versions.firstAuthors(
    actor,
    datasets.map((dataset) => dataset.id),
  );
  return (dataset: Dataset) => presentDataset(dataset, { author: { id: authors.get(dataset.id) ?? '', name: authors.get(dataset.id) ?? '' } });
}
