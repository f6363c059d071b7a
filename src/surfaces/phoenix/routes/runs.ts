import type { ScoreSource } from '../../../domain/types.js';
import type { SurfaceApp } from '../../../http/app.js';
import type { Services } from '../../../services/index.js';
import { evaluationScoreId, globalId, uuidOf } from '../ids.js';
import { presentRun } from '../present.js';
import { EvaluationCreate, ExperimentParams, PageQuery, RunCreate } from '../schemas.js';

const SOURCES: Record<'LLM' | 'CODE' | 'HUMAN', ScoreSource> = { LLM: 'model', CODE: 'code', HUMAN: 'human' };

/** An experiment's runs (one per example and repetition) and their evaluations (scores, one per run and name). */
export function runRoutes(app: SurfaceApp, services: Services): void {
  const experimentIdOf = (id: string) => uuidOf('Experiment', id, '/experiment_id', 'params');

  app.post('/v1/experiments/:experiment_id/runs', {
    schema: { params: ExperimentParams, body: RunCreate },
    config: {
      restate: {
        lists: [['/runs/0', '']],
        fields: [
          ['record_id', 'dataset_example_id'],
          ['repetition', 'repetition_number'],
        ],
      },
    },
    handler: async (request) => {
      const { dataset_example_id: exampleId, output, repetition_number: repetition, start_time, end_time, trace_id, error } = request.body;
      const experimentId = experimentIdOf(request.params.experiment_id);
      const { run_ids: runIds } = await services.runs.append(
        request.actor,
        experimentId,
        [
          {
            record_id: uuidOf('DatasetExample', exampleId, '/dataset_example_id', 'body'),
            repetition,
            output,
            start_time,
            end_time,
            trace_id: trace_id ?? null,
            error: error ?? null,
            name: 'task',
          },
        ],
        { adoptTraces: true },
      );
      return { data: { id: globalId('ExperimentRun', runIds[0]!) } };
    },
  });

  app.get('/v1/experiments/:experiment_id/runs', {
    schema: { params: ExperimentParams, querystring: PageQuery(1000) },
    handler: async (request) => {
      const page = await services.runs.list(request.actor, experimentIdOf(request.params.experiment_id), { ...request.query, root_only: true });
      return { data: page.data.map(presentRun), next_cursor: page.next_cursor };
    },
  });

  app.post('/v1/experiment_evaluations', {
    schema: { body: EvaluationCreate },
    config: {
      restate: {
        lists: [['/scores/0', '']],
        fields: [
          ['run_id', 'experiment_run_id'],
          ['key', 'name'],
        ],
      },
    },
    handler: async (request) => {
      const { experiment_run_id: runGlobalId, name, annotator_kind: kind, result, error, trace_id, start_time, end_time, metadata } = request.body;
      const runId = uuidOf('ExperimentRun', runGlobalId, '/experiment_run_id', 'body');
      const { score_ids: ids } = await services.scores.place(request.actor, [
        {
          id: evaluationScoreId(runId, name),
          run_id: runId,
          key: name,
          score: result?.score ?? null,
          ...(result?.label ? { value: result.label } : {}),
          comment: result?.explanation ?? error ?? null,
          source: SOURCES[kind],
          metadata: {
            ...(metadata ?? {}),
            ...(result?.metadata ?? {}),
            ...(error ? { error } : {}),
            ...(trace_id ? { trace_id } : {}),
            ...(start_time ? { start_time } : {}),
            ...(end_time ? { end_time } : {}),
          },
        },
      ]);
      return { data: { id: globalId('ExperimentEvaluation', ids[0]!) } };
    },
  });
}
