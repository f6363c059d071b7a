import type { FastifyRequest } from 'fastify';
import { ValidationError } from '../../../domain/errors.js';
import { LIMITS } from '../../../domain/limits.js';
import type { Actor, Experiment } from '../../../domain/types.js';
import type { SurfaceApp } from '../../../http/app.js';
import type { Services } from '../../../services/index.js';
import { allPages } from '../../../services/pagination.js';
import {
  evaluationName,
  evaluationProjectName,
  evaluationsOfFileFilter,
  evaluationStatus,
  evaluatorsOf,
  loadEvaluation,
  presentEvaluation,
  presentRunStats,
  progressOf,
  reportOf,
  RUN_CONTROL_KEY,
  RUN_EVALUATION_KEY,
  RUN_FILE_KEY,
  RUN_STATUS_KEY,
  runOf,
  type LoadedEvaluation,
} from '../evaluations.js';
import { EVALUATION_EVALUATORS_KEY, EVALUATION_FILE_KEY, EVALUATION_NAME_KEY, FILE_TYPE_KEY, findFile, presentFile } from '../files.js';
import { humanloopId, uuidOf, versionOf } from '../ids.js';
import { presentPage, presentV5Dataset } from '../present.js';
import { EvaluationListQuery, EvaluationParams, EvaluationRunParams, V5EvaluationCreate, V5RunCreate, V5RunUpdate, type EvaluationStatus } from '../schemas.js';
import { findVersion } from '../versions.js';

/**
 * v5 evaluations, as `evaluations.run()` drives them: create (409 for a name the file has), list by
 * file, runs made, listed and updated, and the statistics it polls until the evaluation completes.
 */
export function evaluationRoutes(app: SurfaceApp, services: Services): void {
  app.post('/v5/evaluations', {
    schema: { hide: true, body: V5EvaluationCreate },
    handler: async (request) => {
      const { file: fileRef, name, evaluators: items } = request.body;
      if (!fileRef) throw ValidationError.field('/file', 'is required: the file to evaluate', { in: 'body' });
      const file = await findFile(services, request.actor, fileRef, undefined, '/file');
      const evaluators = await evaluatorsOf(services, request.actor, items);
      const evaluationLabel = name ?? `Evaluation ${new Date().toISOString()}`;
      const project = await services.projects.create(request.actor, {
        name: evaluationProjectName(file, evaluationLabel),
        description: `Humanloop evaluation of ${file.name}`,
        metadata: {
          [FILE_TYPE_KEY]: 'evaluation',
          [EVALUATION_FILE_KEY]: file.id,
          [EVALUATION_NAME_KEY]: evaluationLabel,
          [EVALUATION_EVALUATORS_KEY]: evaluators.map((evaluator) => evaluator.id),
        },
      });
      return presentEvaluation({ project, file, evaluators, runs: [] }, originOf(request));
    },
  });

  app.get('/v5/evaluations', {
    schema: { hide: true, querystring: EvaluationListQuery },
    handler: async (request) => {
      const { page = 1, size = 10, file_id: fileIdText } = request.query;
      const fileUuid = uuidOf('project', fileIdText);
      if (!fileUuid) return presentPage([], page, size, 0);
      const projects = await allPages((cursor) =>
        services.projects.list(request.actor, { metadata: evaluationsOfFileFilter(fileUuid), cursor, limit: LIMITS.pageSizeMax }),
      );
      const shown = projects.slice((page - 1) * size, page * size);
      const records = [];
      for (const project of shown)
        records.push(presentEvaluation(await loadEvaluation(services, request.actor, humanloopId('evaluation', project.id)), originOf(request)));
      return presentPage(records, page, size, projects.length);
    },
  });

  app.get('/v5/evaluations/:id', {
    schema: { hide: true, params: EvaluationParams },
    handler: async (request) => presentEvaluation(await loadEvaluation(services, request.actor, request.params.id), originOf(request)),
  });

  app.post('/v5/evaluations/:id/runs', {
    schema: { hide: true, params: EvaluationParams, body: V5RunCreate },
    handler: async (request) => {
      const evaluation = await loadEvaluation(services, request.actor, request.params.id);
      const { dataset: datasetRef, version: versionRef, orchestrated = false, use_existing_logs: useExisting = false } = request.body;
      if (orchestrated) {
        throw ValidationError.field('/orchestrated', 'must be false: evalstore runs no files itself; run the callable locally and log its results', {
          in: 'body',
        });
      }
      if (useExisting) throw ValidationError.field('/use_existing_logs', 'must be false: a run is made from the logs sent with its run_id', { in: 'body' });
      if (!datasetRef) throw ValidationError.field('/dataset', 'is required: the dataset version to run on', { in: 'body' });
      const { datasetId, version } = await datasetVersionOf(services, request.actor, datasetRef);
      if (versionRef?.version_id !== undefined) {
        const fileUuid = uuidOf('promptVersion', versionRef.version_id);
        if (!fileUuid || fileUuid !== evaluation.file?.id) {
          throw ValidationError.field('/version/version_id', "is not a version of the evaluation's file", { in: 'body' });
        }
      }
      const run = await services.experiments.create(
        request.actor,
        {
          name: `${evaluation.project.name} · run ${evaluation.runs.length + 1}`,
          project_id: evaluation.project.id,
          dataset_id: datasetId,
          dataset_version: version,
          source: 'humanloop',
          description: `Run of the Humanloop evaluation ${JSON.stringify(evaluationName(evaluation.project))}`,
          metadata: {
            [RUN_EVALUATION_KEY]: evaluation.project.id,
            ...(evaluation.file === undefined ? {} : { [RUN_FILE_KEY]: evaluation.file.id }),
            [RUN_CONTROL_KEY]: false,
          },
        },
        { writer: 'evalstore' },
      );
      return presentRun(services, request.actor, { ...evaluation, runs: [run, ...evaluation.runs] }, run, 'pending');
    },
  });

  app.get('/v5/evaluations/:id/runs', {
    schema: { hide: true, params: EvaluationParams },
    handler: async (request) => {
      const evaluation = await loadEvaluation(services, request.actor, request.params.id);
      const progress = await progressOf(services, request.actor, evaluation);
      const runs = [];
      for (const run of progress) runs.push(await presentRun(services, request.actor, evaluation, run.run, run.status));
      return { runs };
    },
  });

  app.patch('/v5/evaluations/:id/runs/:run_id', {
    schema: { hide: true, params: EvaluationRunParams, body: V5RunUpdate },
    handler: async (request) => {
      const evaluation = await loadEvaluation(services, request.actor, request.params.id);
      const run = runOf(evaluation, request.params.run_id);
      const { status, control } = request.body;
      if (status === 'pending' || status === 'running') {
        throw ValidationError.field('/status', 'can only be set to completed or cancelled: evalstore follows a run by its logs until then', { in: 'body' });
      }
      const updated = await services.experiments.update(request.actor, run.id, {
        metadata: {
          ...run.metadata,
          ...(status === undefined ? {} : { [RUN_STATUS_KEY]: status }),
          ...(control === undefined ? {} : { [RUN_CONTROL_KEY]: control }),
        },
        ...(status === 'completed' || status === 'cancelled' ? { end_time: new Date().toISOString() } : {}),
      });
      const progress = await progressOf(services, request.actor, { ...evaluation, runs: [updated] });
      return presentRun(services, request.actor, evaluation, updated, progress[0]!.status);
    },
  });

  app.get('/v5/evaluations/:id/stats', {
    schema: { hide: true, params: EvaluationParams },
    handler: async (request) => {
      const evaluation = await loadEvaluation(services, request.actor, request.params.id);
      const progress = await progressOf(services, request.actor, evaluation);
      // No `progress`: the SDK moves the terminal's cursor to redraw it, which throws where stdout is
      // no terminal (CI); the report says where each run is.
      return {
        run_stats: presentRunStats(evaluation, progress),
        report: reportOf(evaluation, progress),
        status: evaluationStatus(progress),
      };
    },
  });
}

/** The dataset version a run names: by version id, else the latest of the dataset its id or path names. */
async function datasetVersionOf(
  services: Services,
  actor: Actor,
  ref: { version_id?: string; file_id?: string; id?: string; path?: string; environment?: string },
): Promise<{ datasetId: string; version: number }> {
  if (ref.environment !== undefined)
    throw ValidationError.field('/dataset/environment', 'cannot name a version: evalstore keeps no deployments', { in: 'body' });
  if (ref.version_id !== undefined) {
    const named = versionOf(ref.version_id);
    if (!named) throw ValidationError.field('/dataset/version_id', 'is not a dataset version id (dsv_…)', { in: 'body' });
    await services.versions.get(actor, named.datasetId, named.version);
    return named;
  }
  const idText = ref.file_id ?? ref.id;
  if (idText !== undefined) {
    const uuid = uuidOf('dataset', idText);
    if (!uuid) throw ValidationError.field('/dataset/file_id', 'is not a dataset id (ds_…)', { in: 'body' });
    const dataset = await services.datasets.get(actor, uuid);
    return { datasetId: dataset.id, version: dataset.latest_version };
  }
  if (ref.path === undefined) throw ValidationError.field('/dataset', 'one of `version_id`, `file_id` or `path` is required', { in: 'body' });
  const dataset = (await services.datasets.list(actor, { name: ref.path, limit: 1 })).data[0];
  if (!dataset) throw ValidationError.field('/dataset/path', 'is not the path of a dataset', { in: 'body' });
  return { datasetId: dataset.id, version: dataset.latest_version };
}

/** v5 `EvaluationRunResponse`. */
async function presentRun(services: Services, actor: Actor, evaluation: LoadedEvaluation, run: Experiment, status: EvaluationStatus) {
  const dataset = run.dataset_id ? await services.datasets.get(actor, run.dataset_id) : undefined;
  return {
    id: humanloopId('evaluationRun', run.id),
    ...(dataset ? { dataset: presentV5Dataset(dataset, await findVersion(services, actor, dataset, run.dataset_version ?? 0)) } : {}),
    ...(evaluation.file === undefined ? {} : { version: presentFile(evaluation.file) }),
    orchestrated: false,
    added_at: run.created_at,
    created_at: run.created_at,
    status,
    control: run.metadata[RUN_CONTROL_KEY] === true,
  };
}

function originOf(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}
