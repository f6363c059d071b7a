import { randomBytes } from 'node:crypto';
import { LIMITS } from '../../../domain/limits.js';
import type { Actor, Experiment } from '../../../domain/types.js';
import type { SurfaceApp } from '../../../http/app.js';
import type { Services } from '../../../services/index.js';
import { allPages } from '../../../services/pagination.js';
import { uuidOf, versionOf } from '../ids.js';
import { PHOENIX_KEY, presentExperiment, type RunCounts } from '../present.js';
import { DatasetExperimentParams, DeleteExperimentQuery, ExperimentCreate, ExperimentParams, PageQuery } from '../schemas.js';

/** Experiments on a dataset version: created, read with their run counts, listed by dataset, deleted. */
export function experimentRoutes(app: SurfaceApp, services: Services): void {
  const experimentIdOf = (id: string) => uuidOf('Experiment', id, '/experiment_id', 'params');

  /** How many examples the experiment's version holds, and how many of its runs succeeded and failed. */
  const countsOf = async (actor: Actor, experiment: Experiment): Promise<RunCounts> => {
    const version =
      experiment.dataset_id && experiment.dataset_version !== null
        ? await services.versions.get(actor, experiment.dataset_id, experiment.dataset_version)
        : null;
    const runs = await allPages((cursor) => services.runs.list(actor, experiment.id, { cursor, limit: LIMITS.pageSizeMax, root_only: true }));
    const failed = runs.filter((run) => run.error !== null).length;
    return { examples: version?.record_count ?? 0, successful: runs.length - failed, failed };
  };
  const present = async (actor: Actor, experiment: Experiment) => presentExperiment(experiment, await countsOf(actor, experiment));

  app.post('/v1/datasets/:dataset_id/experiments', {
    schema: { params: DatasetExperimentParams, body: ExperimentCreate },
    handler: async (request) => {
      const datasetId = uuidOf('Dataset', request.params.dataset_id, '/dataset_id', 'params');
      const { name, description, metadata, version_id: versionId, repetitions } = request.body;
      const dataset = await services.datasets.get(request.actor, datasetId);
      // Phoenix's default name: the dataset's first 8 characters and 8 hex digits.
      const defaultName = `${dataset.name.slice(0, 8).replace(/ /g, '-')}-${randomBytes(4).toString('hex')}`;
      const experiment = await services.experiments.create(
        request.actor,
        {
          name: name || defaultName,
          dataset_id: datasetId,
          ...(versionId ? { dataset_version: versionOf(versionId, '/version_id', 'body') } : {}),
          description: description ?? null,
          metadata: { ...(metadata ?? {}), ...(repetitions && repetitions !== 1 ? { [PHOENIX_KEY]: { repetitions } } : {}) },
          source: 'phoenix',
        },
        {},
      );
      return { data: await present(request.actor, experiment) };
    },
  });

  app.get('/v1/datasets/:dataset_id/experiments', {
    schema: { params: DatasetExperimentParams, querystring: PageQuery(50) },
    handler: async (request) => {
      const datasetId = uuidOf('Dataset', request.params.dataset_id, '/dataset_id', 'params');
      await services.datasets.get(request.actor, datasetId);
      const page = await services.experiments.list(request.actor, { dataset_id: datasetId, ...request.query });
      return { data: await Promise.all(page.data.map((experiment) => present(request.actor, experiment))), next_cursor: page.next_cursor };
    },
  });

  app.get('/v1/experiments/:experiment_id', {
    schema: { params: ExperimentParams },
    handler: async (request) => ({
      data: await present(request.actor, await services.experiments.get(request.actor, experimentIdOf(request.params.experiment_id))),
    }),
  });

  app.delete('/v1/experiments/:experiment_id', {
    schema: { params: ExperimentParams, querystring: DeleteExperimentQuery },
    handler: async (request, reply) => {
      await services.experiments.delete(request.actor, experimentIdOf(request.params.experiment_id));
      return reply.status(204).send();
    },
  });
}
