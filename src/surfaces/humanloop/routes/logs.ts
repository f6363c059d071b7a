import { NotFoundError, ValidationError } from '../../../domain/errors.js';
import type { Actor, Project, Run, ScoreSource } from '../../../domain/types.js';
import { allPages } from '../../../services/pagination.js';
import type { PlacedScore } from '../../../services/scores.js';
import { LIMITS } from '../../../domain/limits.js';
import type { SurfaceApp } from '../../../http/app.js';
import type { Services } from '../../../services/index.js';
import { bodyChecker, inOneOrList, itemsOf } from '../bodies.js';
import { RUN_FILE_KEY } from '../evaluations.js';
import { FILE_TYPE_KEY, findFile, kindOf, specOf } from '../files.js';
import { fileId, fileVersionId, humanloopId, uuidInPath, uuidOf, type FileType } from '../ids.js';
import { patchOfPromptLog, presentJudgment, presentLog, runOfPromptLog, runOfV4Log } from '../logs.js';
import { presentPage } from '../present.js';
import { LogListQuery, LogParams, PromptLogParams, V4Log, V4LogList, V5EvaluatorLog, V5FileLog, V5PromptLogQuery, V5PromptLogUpdate } from '../schemas.js';

const checkLog = bodyChecker<V4Log>(V4Log);
const checkLogList = bodyChecker<V4Log[]>(V4LogList);

/**
 * Logs of both APIs: runs of their project's (a v5 prompt's) log stream, the project made on first use
 * by name. v4 takes one log or a list; v5 one prompt log.
 */
export function logRoutes(app: SurfaceApp, services: Services): void {
  app.post('/v4/logs', {
    bodyLimit: LIMITS.bulkBodyBytes,
    schema: { hide: true },
    // The service's runs are the body (one log, or a list of them), and its destination the first log's project.
    config: {
      restate: {
        lists: [
          ['/runs', ''],
          ['/project_id', '/0/project_id'],
          ['/project_name', '/0/project'],
        ],
        locate: inOneOrList,
      },
    },
    handler: async (request) => {
      const logs = itemsOf(request.body, checkLog, checkLogList);
      const destination = logDestination(logs, Array.isArray(request.body));
      const logged = await services.logs.record(request.actor, { ...destination, source: 'humanloop' }, logs.map(runOfV4Log));
      const projectId = humanloopId('project', logged.stream.project_id);
      const responses = logged.run_ids.map((runId) => ({ id: humanloopId('log', runId), project_id: projectId }));
      return Array.isArray(request.body) ? responses : responses[0];
    },
  });

  for (const type of ['prompt', 'flow', 'tool'] as const) {
    app.post(`/v5/${type}s/log`, {
      bodyLimit: LIMITS.bulkBodyBytes,
      schema: { hide: true, querystring: V5PromptLogQuery, body: V5FileLog },
      // The service's one run is the body, and its destination the file the body names by `id` or `path`.
      config: {
        restate: {
          lists: [
            ['/runs/0/record_id', '/source_datapoint_id'],
            ['/runs/0', ''],
            ['/project_id', '/id'],
            ['/project_name', '/path'],
          ],
        },
      },
      handler: async (request) => {
        const logged = await recordFileLog(services, request.actor, type, request.body);
        return {
          id: humanloopId('log', logged.runId),
          [`${type}_id`]: fileId(type, logged.fileUuid),
          version_id: fileVersionId(type, logged.fileUuid),
          ...(type === 'flow' ? { log_status: request.body.log_status ?? 'complete' } : {}),
        };
      },
    });
  }

  app.post('/v5/evaluators/log', {
    schema: { hide: true, body: V5EvaluatorLog },
    config: { restate: { lists: [['/scores/0/run_id', '/parent_id']] } },
    handler: async (request) => {
      const body = request.body;
      const evaluator = await findFile(services, request.actor, body, 'evaluator');
      const runId = uuidOf('log', body.parent_id);
      if (!runId) throw ValidationError.field('/parent_id', 'is not a log id (data_…)', { in: 'body' });
      const {
        score_ids: [scoreId],
      } = await services.scores.place(request.actor, [judgmentScore(evaluator, { ...body, run_id: runId })]);
      return { id: humanloopId('log', scoreId!), parent_id: body.parent_id, version_id: fileVersionId('evaluator', evaluator.id) };
    },
  });

  app.patch('/v5/prompts/:id/log/:log_id', {
    schema: { hide: true, params: PromptLogParams, body: V5PromptLogUpdate },
    config: { restate: { lists: [['/runs/0', '']] } },
    handler: async (request) => {
      const prompt = await services.projects.get(request.actor, uuidInPath('project', request.params.id));
      if (kindOf(prompt) !== 'prompt') throw new NotFoundError('Prompt', request.params.id);
      const run = await services.runs.get(request.actor, uuidInPath('log', request.params.log_id));
      const experiment = await services.experiments.get(request.actor, run.experiment_id);
      if ((experiment.metadata[RUN_FILE_KEY] ?? experiment.project_id) !== prompt.id) throw new NotFoundError('Log', request.params.log_id);
      await services.runs.update(request.actor, [{ id: run.id, ...patchOfPromptLog(request.body, run) }]);
      return presentLogOf(services, request.actor, await services.runs.get(request.actor, run.id), prompt);
    },
  });

  app.get('/v5/logs/:id', {
    schema: { hide: true, params: LogParams },
    handler: async (request) => presentLogOf(services, request.actor, await services.runs.get(request.actor, uuidInPath('log', request.params.id))),
  });

  app.get('/v5/logs', {
    schema: { hide: true, querystring: LogListQuery },
    handler: async (request) => {
      const { page = 1, size = 10, file_id: fileIdText } = request.query;
      const fileUuid = uuidOf('project', fileIdText);
      if (!fileUuid) return presentPage([], page, size, 0);
      const file = await services.projects.get(request.actor, fileUuid);
      // A file's logs: its log stream's runs and its evaluation runs' runs, newest first.
      const streams = await allPages((cursor) =>
        services.experiments.list(request.actor, { project_id: file.id, on_dataset: false, cursor, limit: LIMITS.pageSizeMax }),
      );
      const runsOfFile = await allPages((cursor) =>
        services.experiments.list(request.actor, { metadata: { [RUN_FILE_KEY]: file.id }, cursor, limit: LIMITS.pageSizeMax }),
      );
      const experimentIds = [...streams, ...runsOfFile].map((experiment) => experiment.id);
      if (experimentIds.length === 0) return presentPage([], page, size, 0);
      const runs = await allPages((cursor) =>
        services.runs.search(request.actor, { experiment_ids: experimentIds, root_only: true, order: 'desc', cursor, limit: LIMITS.pageSizeMax }),
      );
      const records = [];
      for (const run of runs.slice((page - 1) * size, page * size)) records.push(await presentLogOf(services, request.actor, run, file));
      return presentPage(records, page, size, runs.length);
    },
  });
}

/**
 * A log of a prompt, flow or tool: with a `run_id`, a run of that evaluation run (its experiment),
 * for the datapoint `source_datapoint_id`; without, a run of the file's log stream, the file made
 * on first use by path.
 */
async function recordFileLog(services: Services, actor: Actor, type: FileType, body: V5FileLog): Promise<{ runId: string; fileUuid: string }> {
  const { run_id: runIdText, source_datapoint_id: datapointText, version_id: _version, log_status: _status, ...log } = body;
  if (log.path === undefined && log.id === undefined) throw ValidationError.field('', 'one of `path` or `id` is required', { in: 'body' });
  if (runIdText === undefined) {
    const projectId = log.id === undefined ? undefined : uuidOf('project', log.id);
    if (log.id !== undefined && !projectId) throw ValidationError.field('/id', 'is not a file id (pr_, fl_ or tl_…)', { in: 'body' });
    const destination = projectId ? { project_id: projectId } : { project_name: log.path!, project_metadata: { [FILE_TYPE_KEY]: type } };
    const logged = await services.logs.record(actor, { ...destination, source: 'humanloop' }, [
      { ...runOfPromptLog(log), ...(datapointText === undefined ? {} : { extra: { ...runOfPromptLog(log).extra, source_datapoint_id: datapointText } }) },
    ]);
    return { runId: logged.run_ids[0]!, fileUuid: logged.stream.project_id };
  }
  const file = await findFile(services, actor, log, type);
  const experimentId = uuidOf('evaluationRun', runIdText);
  const unknownRun = new NotFoundError('Run', runIdText, [{ pointer: '/run_id', detail: 'is not a run of an evaluation', in: 'body' }]);
  if (!experimentId) throw unknownRun;
  const run = await services.experiments.get(actor, experimentId).catch((error: unknown) => {
    throw error instanceof NotFoundError ? unknownRun : error;
  });
  if (run.metadata[RUN_FILE_KEY] !== file.id) throw ValidationError.field('/run_id', "is a run of another file's evaluation", { in: 'body' });
  const recordId = datapointText === undefined ? null : uuidOf('datapoint', datapointText);
  if (datapointText !== undefined && !recordId) throw ValidationError.field('/source_datapoint_id', 'is not a datapoint id (dp_…)', { in: 'body' });
  const appended = await services.runs.append(actor, run.id, [{ ...runOfPromptLog(log), name: file.name, record_id: recordId }], { at: () => '/runs/0' });
  return { runId: appended.run_ids[0]!, fileUuid: file.id };
}

/** A judgment as a score of the judged log, checked against the evaluator's return type. */
function judgmentScore(evaluator: Project, log: V5EvaluatorLog & { run_id: string }): PlacedScore {
  const spec = specOf(evaluator);
  const base: PlacedScore = {
    run_id: log.run_id,
    key: evaluator.name,
    source: SCORE_SOURCE_OF[spec.evaluator_type ?? ''] ?? 'api',
    metadata: { humanloop_evaluator_id: evaluator.id, ...(log.metadata ?? {}) },
  };
  const judgment = log.judgment ?? null;
  if (log.error !== undefined && log.error !== null) return { ...base, comment: log.error };
  if (judgment === null) return base;
  const wrong = (expected: string) =>
    ValidationError.field('/judgment', `must be ${expected}: the evaluator ${evaluator.name} returns ${spec.return_type}`, { in: 'body' });
  const options = spec.options?.map((option) => option.name);
  switch (spec.return_type) {
    case 'number':
      if (typeof judgment !== 'number') throw wrong('a number');
      return { ...base, score: judgment };
    case 'boolean':
      if (typeof judgment !== 'boolean') throw wrong('a boolean');
      return { ...base, score: judgment, value: judgment };
    case 'select':
      if (typeof judgment !== 'string') throw wrong('a string');
      if (options?.length && !options.includes(judgment)) throw wrong(`one of ${options.join(', ')}`);
      return { ...base, value: judgment };
    case 'multi_select':
      if (!Array.isArray(judgment)) throw wrong('a list of strings');
      if (options?.length && judgment.some((item) => !options.includes(item))) throw wrong(`a list of ${options.join(', ')}`);
      return { ...base, value: judgment };
    default:
      if (typeof judgment !== 'string') throw wrong('a string');
      return { ...base, value: judgment };
  }
}

const SCORE_SOURCE_OF: Record<string, ScoreSource> = { external: 'code', python: 'code', llm: 'model', human: 'human' };

/** v5 `LogResponse` of a run: the log of its file (its evaluation run's file, or its log stream's project) with its judgments. */
async function presentLogOf(services: Services, actor: Actor, run: Run, knownFile?: Project) {
  const experiment = await services.experiments.get(actor, run.experiment_id);
  const fileUuid = typeof experiment.metadata[RUN_FILE_KEY] === 'string' ? (experiment.metadata[RUN_FILE_KEY] as string) : experiment.project_id;
  const file = knownFile?.id === fileUuid ? knownFile : await services.projects.get(actor, fileUuid);
  const scores = await allPages((cursor) => services.scores.list(actor, experiment.id, { run_id: run.id, cursor, limit: LIMITS.pageSizeMax }));
  const evaluators = new Map<string, Project | undefined>();
  const judgments = [];
  for (const score of scores) {
    const evaluatorId = score.metadata.humanloop_evaluator_id;
    if (typeof evaluatorId !== 'string') continue;
    if (!evaluators.has(evaluatorId)) evaluators.set(evaluatorId, await services.projects.get(actor, evaluatorId).catch(() => undefined));
    const evaluator = evaluators.get(evaluatorId);
    if (evaluator) judgments.push(presentJudgment(score, evaluator, humanloopId('log', run.id)));
  }
  return presentLog(run, file, judgments, experiment.metadata[RUN_FILE_KEY] === undefined ? undefined : experiment.id);
}

/**
 * The project the logs of one request go to, by name (made on first use, as Humanloop documents) or by
 * id; one request writes to one project, so that it is one transaction.
 */
function logDestination(logs: readonly V4Log[], inList: boolean): { project_name?: string; project_id?: string } {
  const at = (index: number) => (inList ? `/${index}` : '');
  const first = logs[0]!;
  if (first.project === undefined && first.project_id === undefined) {
    throw new ValidationError('One of `project` or `project_id` is required', [
      { pointer: `${at(0)}/project`, detail: 'or project_id is required', in: 'body' },
    ]);
  }
  const other = logs.findIndex((log) => log.project !== first.project || log.project_id !== first.project_id);
  if (other >= 0)
    throw ValidationError.field(`${at(other)}/project`, "must be the project of the request's first log: one request logs to one project", { in: 'body' });
  if (first.project_id === undefined) return { project_name: first.project! };
  const projectId = uuidOf('project', first.project_id);
  if (!projectId) throw ValidationError.field(`${at(0)}/project_id`, 'is not a project id (pr_…)', { in: 'body' });
  return { project_id: projectId };
}
