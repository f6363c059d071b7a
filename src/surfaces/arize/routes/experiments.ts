import { ValidationError } from '../../../domain/errors.js';
import { LIMITS } from '../../../domain/limits.js';
import type { Score } from '../../../domain/types.js';
import type { Services } from '../../../services/index.js';
import { allPages } from '../../../services/pagination.js';
import { isOwnSpace, requireOwnSpace, type ArizeApp } from '../app.js';
import { uuidOf } from '../ids.js';
import { arizeExperiment, arizePagination } from '../present.js';
import { inArizeTerms, type RequestTerms } from '../problems.js';
import { toArizeRun, toNewRun } from '../runs.js';
import { ExperimentCreate, ExperimentParams, ExperimentQuery, RunQuery, RunsAppend, type RunRowInput } from '../schemas.js';

/** Faults in runs point at the request's `experiment_runs` and name `example_id`, as the client sent them. */
const RUN_TERMS: RequestTerms = { lists: [['/runs', '/experiment_runs']], fields: [['record_id', 'example_id']] };

/** Runs as evalstore records them. Arize's runs are results: on a dataset, each must name its example. */
const toNewRuns = (rows: readonly RunRowInput[]) => rows.map((row, index) => toNewRun(row, `/experiment_runs/${index}`));

export function experimentRoutes(app: ArizeApp, services: Services): void {
  const experimentIdOf = (id: string) => uuidOf('Experiment', id, '/experiment_id', 'params');

  app.get('/v2/experiments', {
    schema: { querystring: ExperimentQuery },
    handler: async (request) => {
      const { dataset_id: datasetId, space_id: spaceId, name, limit, cursor } = request.query;
      if (datasetId !== undefined && spaceId !== undefined) {
        throw ValidationError.field('/space_id', 'may not be given with dataset_id: filter by one of them', { in: 'query' });
      }
      if (spaceId !== undefined && !isOwnSpace(request.actor, spaceId, '/space_id')) {
        return { experiments: [], pagination: arizePagination(null) };
      }
      const dataset = datasetId === undefined ? undefined : uuidOf('Dataset', datasetId, '/dataset_id', 'query');
      const page = await services.experiments.list(request.actor, { dataset_id: dataset, name_contains: name || undefined, limit, cursor });
      return {
        experiments: page.data.map((experiment) => arizeExperiment(experiment, request.actor.workspaceId)),
        pagination: arizePagination(page.next_cursor),
      };
    },
  });

  app.post('/v2/experiments', {
    bodyLimit: LIMITS.bulkBodyBytes,
    schema: { body: ExperimentCreate },
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
      const created = await inArizeTerms(
        () => services.experiments.create(request.actor, { name, dataset_id: dataset, source: 'arize', runs }, { requireRecords: true }),
        { ...RUN_TERMS, ids: dataset && datasetId ? { [dataset]: datasetId } : {} },
      );
      return reply.status(201).send(arizeExperiment(created, request.actor.workspaceId));
    },
  });

  app.get('/v2/experiments/:experiment_id', {
    schema: { params: ExperimentParams },
    handler: async (request) => {
      const id = experimentIdOf(request.params.experiment_id);
      const experiment = await inArizeTerms(() => services.experiments.get(request.actor, id), { ids: { [id]: request.params.experiment_id } });
      return arizeExperiment(experiment, request.actor.workspaceId);
    },
  });

  app.delete('/v2/experiments/:experiment_id', {
    schema: { params: ExperimentParams },
    handler: async (request, reply) => {
      const id = experimentIdOf(request.params.experiment_id);
      await inArizeTerms(() => services.experiments.delete(request.actor, id), { ids: { [id]: request.params.experiment_id } });
      return reply.status(204).send();
    },
  });

  app.get('/v2/experiments/:experiment_id/runs', {
    schema: { params: ExperimentParams, querystring: RunQuery },
    handler: async (request) => {
      const id = experimentIdOf(request.params.experiment_id);
      const { limit, cursor } = request.query;
      // AX runs are results: the spans of a traced run (child runs) are not among them.
      const page = await inArizeTerms(() => services.runs.list(request.actor, id, { limit, cursor, root_only: true }), {
        ids: { [id]: request.params.experiment_id },
      });
      const runIds = page.data.map((run) => run.id);
      const scores = runIds.length
        ? await allPages((scoreCursor) => services.scores.list(request.actor, id, { run_ids: runIds, cursor: scoreCursor, limit: LIMITS.pageSizeMax }))
        : [];
      const scoresOfRun = new Map<string, Score[]>();
      for (const score of scores) {
        const ofRun = scoresOfRun.get(score.run_id!);
        if (ofRun) ofRun.push(score);
        else scoresOfRun.set(score.run_id!, [score]);
      }
      return {
        experiment_runs: page.data.map((run) => toArizeRun(run, scoresOfRun.get(run.id) ?? [])),
        pagination: arizePagination(page.next_cursor),
      };
    },
  });

  app.post('/v2/experiments/:experiment_id/runs', {
    bodyLimit: LIMITS.bulkBodyBytes,
    schema: { params: ExperimentParams, body: RunsAppend },
    handler: async (request, reply) => {
      const id = experimentIdOf(request.params.experiment_id);
      const runs = toNewRuns(request.body.experiment_runs);
      const terms = { ...RUN_TERMS, ids: { [id]: request.params.experiment_id } };
      const { run_ids: runIds } = await inArizeTerms(() => services.runs.append(request.actor, id, runs, { requireRecords: true }), terms);
      const experiment = await inArizeTerms(() => services.experiments.get(request.actor, id), terms);
      return reply.status(201).send({ ...arizeExperiment(experiment, request.actor.workspaceId), run_ids: runIds });
    },
  });
}
