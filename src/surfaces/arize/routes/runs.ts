import { LIMITS } from '../../../domain/limits.js';
import type { Score } from '../../../domain/types.js';
import type { SurfaceApp } from '../../../http/app.js';
import type { Services } from '../../../services/index.js';
import { allPages } from '../../../services/pagination.js';
import { ANNOTATION_FIELDS, annotationValues, annotatorOf, presentAnnotationResults } from '../annotations.js';
import { uuidOf } from '../ids.js';
import { presentExperiment, presentPagination, presentRun } from '../present.js';
import { EXPERIMENT_RUNS, toNewRuns } from '../runs.js';
import { AnnotateBody, ExperimentParams, RunQuery, RunsAppend } from '../schemas.js';

/** An experiment's runs: its results, each with its evaluations as `eval.<name>.*` columns. */
export function runRoutes(app: SurfaceApp, services: Services): void {
  const experimentIdOf = (id: string) => uuidOf('Experiment', id, '/experiment_id', 'params');

  app.get('/v2/experiments/:experiment_id/runs', {
    schema: { params: ExperimentParams, querystring: RunQuery },
    handler: async (request) => {
      const id = experimentIdOf(request.params.experiment_id);
      const { limit, cursor } = request.query;
      // AX runs are results: the spans of a traced run (child runs) are not among them.
      const page = await services.runs.list(request.actor, id, { limit, cursor, root_only: true });
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
        experiment_runs: page.data.map((run) => presentRun(run, scoresOfRun.get(run.id) ?? [])),
        pagination: presentPagination(page.next_cursor),
      };
    },
  });

  app.post('/v2/experiments/:experiment_id/runs/annotate', {
    schema: { params: ExperimentParams, body: AnnotateBody },
    config: { restate: { fields: ANNOTATION_FIELDS } },
    handler: async (request, reply) => {
      const id = experimentIdOf(request.params.experiment_id);
      const values = annotationValues(request.body).map(({ record_id: runId, values }) => ({ run_id: runId, values }));
      const annotated = await services.scores.annotate(request.actor, id, values, annotatorOf(request.actor));
      return reply.status(202).send(presentAnnotationResults(request.body, annotated));
    },
  });

  app.post('/v2/experiments/:experiment_id/runs', {
    bodyLimit: LIMITS.bulkBodyBytes,
    schema: { params: ExperimentParams, body: RunsAppend },
    config: { restate: EXPERIMENT_RUNS },
    handler: async (request, reply) => {
      const id = experimentIdOf(request.params.experiment_id);
      const { run_ids: runIds } = await services.runs.append(request.actor, id, toNewRuns(request.body.experiment_runs), { requireRecords: true });
      const experiment = await services.experiments.get(request.actor, id);
      return reply.status(201).send({ ...presentExperiment(experiment, request.actor.workspaceId), run_ids: runIds });
    },
  });
}
