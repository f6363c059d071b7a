import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import type { JsonObject } from '../../../domain/json.js';
import { LIMITS } from '../../../domain/limits.js';
import type { SurfaceApp } from '../../../http/app.js';
import type { Services } from '../../../services/index.js';
import type { NewRun, RunSort } from '../../../services/runs.js';
import { presentDeletion, presentExport, presentRun } from '../present.js';
import { parseMetadataFilters } from '../requests.js';
import { DatasetParams, Errors, ExperimentParams, NoContent, Page } from '../schemas/common.js';
import {
  ComparativeExperiment,
  ComparativeExperimentParams,
  ComparativeExperimentWithPreferences,
  Experiment,
  ExperimentCreated,
  ExperimentCreateWithRuns,
  ExperimentExportQuery,
  ExperimentQuery,
  ExperimentUpdate,
  Run,
  RunInput,
  RunParams,
  RunQuery,
  RunsAppend,
  RunsAppended,
  RunsPage,
  Score,
  ScoreQuery,
  ScoresCreate,
  ScoresCreated,
} from '../schemas/experiments.js';

const tags = ['Experiments'];
const KNOWN_RUN_FIELDS = new Set(Object.keys(RunInput.properties));

export function experimentRoutes(app: SurfaceApp, services: Services): void {
  app.post('/experiments', {
    bodyLimit: LIMITS.bulkBodyBytes,
    schema: {
      summary: 'Create an experiment',
      description:
        "On a dataset, the experiment is pinned to a version of it (the latest unless `dataset_version` names another); its runs are results for that version's records. Without a dataset it is a log stream. `runs` are recorded with it in the same transaction, by the rules of appending runs.",
      tags,
      body: ExperimentCreateWithRuns,
      response: { 201: ExperimentCreated, ...Errors },
    },
    handler: async (request, reply) => {
      const { runs, ...experiment } = request.body;
      const created = await services.experiments.create(request.actor, { ...experiment, ...(runs ? { runs: runs.map(toNewRun) } : {}) });
      return reply.status(201).send(created);
    },
  });

  app.get('/experiments', {
    schema: { summary: 'List experiments, newest first', tags, querystring: ExperimentQuery, response: { 200: Page(Experiment), ...Errors } },
    handler: (request) => {
      const { q, kind, ...query } = request.query;
      return services.experiments.list(request.actor, {
        ...query,
        name_contains: q,
        on_dataset: kind === undefined ? undefined : kind === 'experiment',
      });
    },
  });

  app.get('/experiments/:experiment_id', {
    schema: { summary: 'Get an experiment', tags, params: ExperimentParams, response: { 200: Experiment, ...Errors } },
    handler: (request) => services.experiments.get(request.actor, request.params.experiment_id),
  });

  app.get('/comparative-experiments/:comparative_experiment_id', {
    schema: {
      summary: 'Get a comparative experiment with its experiments and its judgements per record',
      description:
        'Comparative (pairwise) experiments are made through LangSmith (`evaluateComparative`); their judgements are scores of the runs judged whose metadata names the comparative experiment.',
      tags,
      params: ComparativeExperimentParams,
      response: { 200: ComparativeExperimentWithPreferences, ...Errors },
    },
    handler: async (request) => {
      const comparative = await services.comparativeExperiments.get(request.actor, request.params.comparative_experiment_id);
      const experiments = await Promise.all(comparative.experiment_ids.map((id) => services.experiments.get(request.actor, id)));
      return { ...comparative, experiments, preferences: await services.comparativeExperiments.preferences(request.actor, comparative.id) };
    },
  });

  app.get('/datasets/:dataset_id/comparative-experiments', {
    schema: {
      summary: "List a dataset's comparative experiments, newest first",
      tags,
      params: DatasetParams,
      response: { 200: Type.Object({ data: Type.Array(ComparativeExperiment) }), ...Errors },
    },
    handler: async (request) => ({ data: await services.comparativeExperiments.list(request.actor, request.params.dataset_id, { limit: 1_000 }) }),
  });

  app.patch('/experiments/:experiment_id', {
    schema: { summary: 'Update an experiment', tags, params: ExperimentParams, body: ExperimentUpdate, response: { 200: Experiment, ...Errors } },
    handler: (request) => services.experiments.update(request.actor, request.params.experiment_id, request.body),
  });

  app.delete('/experiments/:experiment_id', {
    schema: { summary: 'Delete an experiment with its runs and scores', tags, params: ExperimentParams, response: NoContent },
    handler: (request, reply) => presentDeletion(reply, services.experiments.delete(request.actor, request.params.experiment_id)),
  });

  app.post('/experiments/:experiment_id/runs', {
    bodyLimit: LIMITS.bulkBodyBytes,
    schema: {
      summary: 'Append runs',
      description: `Records 1 to ${LIMITS.recordsPerRequest} runs in one transaction. A run whose \`id\` was recorded before is not recorded again, so a timed-out request can be retried (unless \`replace_failed\` asks to replace failed ones). Each run's \`record_id\` must be a record of the experiment's dataset version; a fault names the run's index and records nothing. Fields beyond the documented ones are kept and returned.`,
      tags,
      params: ExperimentParams,
      body: RunsAppend,
      response: { 201: RunsAppended, ...Errors },
    },
    handler: async (request, reply) => {
      const runs = request.body.runs.map(toNewRun);
      const replaceFailed = request.body.replace_failed === true;
      return reply.status(201).send(await services.runs.append(request.actor, request.params.experiment_id, runs, { replaceFailed }));
    },
  });

  app.get('/experiments/:experiment_id/runs', {
    schema: {
      summary: 'List runs',
      description:
        'A page of the experiment’s runs, filtered (status, latency, tokens, a score’s range or value, text, metadata of the run or its record, the record’s tags and splits) and sorted (by id, latency, tokens, cost, start time or a score), with `total`: how many runs match over every page.',
      tags,
      params: ExperimentParams,
      querystring: RunQuery,
      response: { 200: RunsPage, ...Errors },
    },
    handler: async (request) => {
      const { metadata, record_metadata, tag, split, sort, ...query } = request.query;
      const page = await services.runs.list(request.actor, request.params.experiment_id, {
        ...query,
        sort: sort as RunSort | undefined,
        metadata: metadata && parseMetadataFilters(metadata),
        record_metadata: record_metadata && parseMetadataFilters(record_metadata),
        tags: tag,
        splits: split,
        count: true,
      });
      return { ...page, total: page.total!, data: page.data.map(presentRun) };
    },
  });

  app.get('/runs/:run_id', {
    schema: { summary: 'Get a run', tags, params: RunParams, response: { 200: Run, ...Errors } },
    handler: async (request) => presentRun(await services.runs.get(request.actor, request.params.run_id)),
  });

  app.post('/experiments/:experiment_id/scores', {
    bodyLimit: LIMITS.bulkBodyBytes,
    // Reviewers score runs without being able to change anything else.
    config: { access: 'score' },
    schema: {
      summary: 'Record scores',
      description:
        'Scores of runs of the experiment, or of the whole experiment (no `run_id`). A score whose `id` was recorded before is not recorded again. The `review` role may call it (as write and admin).',
      tags,
      params: ExperimentParams,
      body: ScoresCreate,
      response: { 201: ScoresCreated, ...Errors },
    },
    handler: async (request, reply) => reply.status(201).send(await services.scores.create(request.actor, request.params.experiment_id, request.body.scores)),
  });

  app.get('/experiments/:experiment_id/scores', {
    schema: { summary: 'List scores', tags, params: ExperimentParams, querystring: ScoreQuery, response: { 200: Page(Score), ...Errors } },
    handler: (request) => {
      const { level, ...query } = request.query;
      return services.scores.list(request.actor, request.params.experiment_id, {
        ...query,
        experiment_level: level === undefined ? undefined : level === 'experiment',
      });
    },
  });

  app.get('/experiments/:experiment_id/export', {
    schema: {
      summary: "Export an experiment's results as JSONL or CSV",
      description:
        "One line (row) per result run (runs without a parent): the record's input and expected output, the run's output, error, latency, tokens and costs, and its scores (CSV: a `score.<key>` column per key, holding the latest score of that key). Streamed; memory stays flat whatever the size.",
      tags,
      params: ExperimentParams,
      querystring: ExperimentExportQuery,
      response: { 200: { description: 'The file', type: 'string' }, ...Errors },
    },
    handler: async (request, reply) => {
      const exported = await services.exports.results(request.actor, request.params.experiment_id, { format: request.query.format ?? 'jsonl' });
      return presentExport(reply, exported, `experiment-${exported.experiment_id}`);
    },
  });
}

/** The documented fields go to their places; anything else the client sent is kept as `extra`. */
export function toNewRun(body: Static<typeof RunInput>): NewRun {
  const run: Record<string, unknown> = {};
  const extra: JsonObject = {};
  for (const [key, value] of Object.entries(body)) {
    if (KNOWN_RUN_FIELDS.has(key)) run[key] = value;
    else extra[key] = value as JsonObject[string];
  }
  return { ...(run as NewRun), extra };
}
