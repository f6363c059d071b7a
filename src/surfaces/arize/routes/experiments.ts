import { ValidationError } from '../../../domain/errors.js';
import { LIMITS } from '../../../domain/limits.js';
import type { SurfaceApp } from '../../../http/app.js';
import type { Services } from '../../../services/index.js';
import { uuidOf } from '../ids.js';
import { presentExperiment, presentPagination } from '../present.js';
import { EXPERIMENT_RUNS, toNewRuns } from '../runs.js';
import { ExperimentCreate, ExperimentParams, ExperimentQuery } from '../schemas.js';
import { isOwnSpace, requireOwnSpace } from '../spaces.js';

/** Experiments: on a dataset (pinned to the version they ran on) or in the space, made with their first runs. */
export function experimentRoutes(app: SurfaceApp, services: Services): void {
  const experimentIdOf = (id: string) => uuidOf('Experiment', id, '/experiment_id', 'params');

  app.get('/v2/experiments', {
    schema: { querystring: ExperimentQuery },
    handler: async (request) => {
      const { dataset_id: datasetId, space_id: spaceId, name, limit, cursor } = request.query;
      if (datasetId !== undefined && spaceId !== undefined) {
        throw ValidationError.field('/space_id', 'may not be given with dataset_id: filter by one of them', { in: 'query' });
      }
      if (spaceId !== undefined && !isOwnSpace(request.actor, spaceId, '/space_id')) {
        return { experiments: [], pagination: presentPagination(null) };
      }
      const dataset = datasetId === undefined ? undefined : uuidOf('Dataset', datasetId, '/dataset_id', 'query');
      const page = await services.experiments.list(request.actor, { dataset_id: dataset, name_contains: name || undefined, limit, cursor });
      return {
        experiments: page.data.map((experiment) => presentExperiment(experiment, request.actor.workspaceId)),
        pagination: presentPagination(page.next_cursor),
      };
    },
  });

  app.post('/v2/experiments', {
    bodyLimit: LIMITS.bulkBodyBytes,
    schema: { body: ExperimentCreate },
    config: { restate: EXPERIMENT_RUNS },
    handler: async (request, reply) => {
      const { name, dataset_id: datasetId, space_id: spaceId, experiment_runs: rows } = request.body;
      if ((datasetId ?? null) === null && (spaceId ?? null) === null) {
        throw ValidationError.field('/dataset_id', 'or space_id is required: give exactly one of them', { in: 'body' });
      }
      if ((datasetId ?? null) !== null && (spaceId ?? null) !== null) {
        throw ValidationError.field('/space_id', 'may not be given with dataset_id: give exactly one of them', { in: 'body' });
      }
      if (spaceId) requireOwnSpace(request.actor, spaceId, '/space_id');
      const dataset = datasetId ? uuidOf('Dataset', datasetId, '/dataset_id', 'body') : null;
      const runs = toNewRuns(rows);
      const created = await services.experiments.create(request.actor, { name, dataset_id: dataset, source: 'arize', runs }, { requireRecords: true });
      return reply.status(201).send(presentExperiment(created, request.actor.workspaceId));
    },
  });

  app.get('/v2/experiments/:experiment_id', {
    schema: { params: ExperimentParams },
    handler: async (request) =>
      presentExperiment(await services.experiments.get(request.actor, experimentIdOf(request.params.experiment_id)), request.actor.workspaceId),
  });

  app.delete('/v2/experiments/:experiment_id', {
    schema: { params: ExperimentParams },
    handler: async (request, reply) => {
      await services.experiments.delete(request.actor, experimentIdOf(request.params.experiment_id));
      return reply.status(204).send();
    },
  });
}
