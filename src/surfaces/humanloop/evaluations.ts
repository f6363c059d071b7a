import { NotFoundError, ValidationError } from '../../domain/errors.js';
import type { Json } from '../../domain/json.js';
import { LIMITS } from '../../domain/limits.js';
import type { Actor, Experiment, Project } from '../../domain/types.js';
import type { ExperimentStats } from '../../services/comparisons/index.js';
import type { Services } from '../../services/index.js';
import { allPages } from '../../services/pagination.js';
import type { ScoreTally } from '../../services/scores.js';
import { EVALUATION_EVALUATORS_KEY, EVALUATION_FILE_KEY, EVALUATION_NAME_KEY, FILE_TYPE_KEY, findFile, kindOf, presentFile, specOf } from './files.js';
import { fileVersionId, humanloopId, uuidInPath, uuidOf } from './ids.js';
import type { EvaluationStatus, V5EvaluationCreate } from './schemas.js';

/**
 * Humanloop's evaluations on evalstore (docs/surfaces/humanloop.md): an evaluation is a project holding
 * its runs, which are experiments on the dataset version they ran on; a run's logs are the
 * experiment's runs (one a datapoint, repetitions numbered), its evaluators' judgments their scores,
 * keyed by the evaluator's path. The statistics are the comparison engine's, per run.
 */

/** Experiment metadata of an evaluation run: its evaluation, the file it evaluates, its status and whether it is the control. */
export const RUN_EVALUATION_KEY = 'humanloop_evaluation';
export const RUN_FILE_KEY = 'humanloop_file_id';
export const RUN_STATUS_KEY = 'humanloop_status';
export const RUN_CONTROL_KEY = 'humanloop_control';

export interface LoadedEvaluation {
  project: Project;
  file: Project | undefined;
  evaluators: Project[];
  /** Its runs, newest first. */
  runs: Experiment[];
}

export function evaluationName(project: Project): string {
  const name = project.metadata[EVALUATION_NAME_KEY];
  return typeof name === 'string' ? name : project.name;
}

/** The project an evaluation keeps: named for its file and its name, so that a name is one evaluation of a file (409 again). */
export function evaluationProjectName(file: Project, name: string): string {
  return `${file.name} › ${name}`;
}

/** The evaluators a create request names, each an evaluator file (by version id, file id or path). */
export async function evaluatorsOf(services: Services, actor: Actor, items: V5EvaluationCreate['evaluators']): Promise<Project[]> {
  const found: Project[] = [];
  for (const [index, item] of items.entries()) {
    const id = item.version_id ?? item.file_id;
    const pointer = `/evaluators/${index}`;
    if (id === undefined && item.path === undefined)
      throw ValidationError.field(pointer, 'one of `version_id`, `file_id` or `path` is required', { in: 'body' });
    if (item.environment !== undefined)
      throw ValidationError.field(`${pointer}/environment`, 'cannot name a version: evalstore keeps no deployments', { in: 'body' });
    const byVersion = item.version_id === undefined ? undefined : uuidOf('promptVersion', item.version_id);
    if (item.version_id !== undefined && !byVersion)
      throw ValidationError.field(`${pointer}/version_id`, 'is not an evaluator version id (evv_…)', { in: 'body' });
    const ref = byVersion ? { id: humanloopId('project', byVersion) } : item.file_id !== undefined ? { id: item.file_id } : { path: item.path };
    const evaluator = await findFile(services, actor, ref, 'evaluator', pointer);
    if (!found.some((other) => other.id === evaluator.id)) found.push(evaluator);
  }
  return found;
}

export async function loadEvaluation(services: Services, actor: Actor, idText: string): Promise<LoadedEvaluation> {
  const project = await optional(services.projects.get(actor, uuidInPath('evaluation', idText)));
  if (!project || kindOf(project) !== 'evaluation') throw new NotFoundError('Evaluation', idText);
  const fileId = project.metadata[EVALUATION_FILE_KEY];
  const file = typeof fileId === 'string' ? await optional(services.projects.get(actor, fileId)) : undefined;
  const ids = project.metadata[EVALUATION_EVALUATORS_KEY];
  const evaluators = (await Promise.all((Array.isArray(ids) ? ids : []).map((id) => optional(services.projects.get(actor, String(id)))))).filter(
    (evaluator): evaluator is Project => evaluator !== undefined,
  );
  const runs = await allPages((cursor) => services.experiments.list(actor, { project_id: project.id, cursor, limit: LIMITS.pageSizeMax }));
  return { project, file, evaluators, runs };
}

async function optional<T>(promise: Promise<T>): Promise<T | undefined> {
  try {
    return await promise;
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
}

/** The evaluation run `runIdText` names, which must be one of `evaluation`'s. */
export function runOf(evaluation: LoadedEvaluation, runIdText: string): Experiment {
  const uuid = uuidInPath('evaluationRun', runIdText);
  const run = evaluation.runs.find((candidate) => candidate.id === uuid);
  if (!run) throw new NotFoundError('Run', runIdText);
  return run;
}

/** Where the UI shows an evaluation: its runs compared on their dataset, else the datasets. */
export function evaluationUrl(origin: string, evaluation: LoadedEvaluation): string {
  const [latest] = evaluation.runs;
  if (!latest?.dataset_id) return `${origin}/datasets`;
  const compared = evaluation.runs.filter((run) => run.dataset_id === latest.dataset_id).slice(0, 5);
  return `${origin}/datasets/${latest.dataset_id}/compare?experiments=${compared.map((run) => run.id).join(',')}`;
}

/** v5 `EvaluationResponse`. */
export function presentEvaluation(evaluation: LoadedEvaluation, origin: string) {
  const { project, file, evaluators, runs } = evaluation;
  return {
    id: humanloopId('evaluation', project.id),
    runs_count: runs.length,
    evaluators: evaluators.map((evaluator) => ({ version: presentFile(evaluator), orchestrated: false, added_at: project.created_at })),
    name: evaluationName(project),
    ...(file === undefined ? {} : { file_id: presentFile(file).id }),
    created_at: project.created_at,
    updated_at: project.updated_at,
    url: evaluationUrl(origin, evaluation),
  };
}

/** How far a run is: explicitly completed or cancelled, else done when every datapoint has a log judged by every evaluator. */
export interface RunProgress {
  run: Experiment;
  status: EvaluationStatus;
  datapoints: number;
  stats: ExperimentStats;
  tallies: Map<string, ScoreTally>;
}

export async function progressOf(services: Services, actor: Actor, evaluation: LoadedEvaluation): Promise<RunProgress[]> {
  const tallies = await services.scores.tally(
    actor,
    evaluation.runs.map((run) => run.id),
  );
  const datapointsOf = new Map<string, number>();
  const progress: RunProgress[] = [];
  for (const run of evaluation.runs) {
    const [stats] = (await services.comparisons.compare(actor, { experiment_ids: [run.id] })).stats;
    const versionKey = `${run.dataset_id}:${run.dataset_version}`;
    let datapoints = datapointsOf.get(versionKey);
    if (datapoints === undefined) {
      datapoints = run.dataset_id && run.dataset_version ? (await services.versions.get(actor, run.dataset_id, run.dataset_version)).record_count : 0;
      datapointsOf.set(versionKey, datapoints);
    }
    const mine = new Map(tallies.filter((tally) => tally.experiment_id === run.id).map((tally) => [tally.key, tally]));
    progress.push({ run, status: statusOf(run, stats!, datapoints, mine, evaluation.evaluators), datapoints, stats: stats!, tallies: mine });
  }
  return progress;
}

function statusOf(run: Experiment, stats: ExperimentStats, datapoints: number, tallies: Map<string, ScoreTally>, evaluators: Project[]): EvaluationStatus {
  const given = run.metadata[RUN_STATUS_KEY];
  if (given === 'completed' || given === 'cancelled') return given;
  if (stats.run_count === 0) return 'pending';
  const logged = stats.record_count >= datapoints;
  const judged = evaluators.every((evaluator) => (tallies.get(evaluator.name)?.runs ?? 0) >= stats.run_count);
  return logged && judged ? 'completed' : 'running';
}

/** An evaluation is completed when all its runs are (completed or cancelled), running while one runs. */
export function evaluationStatus(runs: RunProgress[]): EvaluationStatus {
  if (runs.length === 0) return 'pending';
  if (runs.every((run) => run.status === 'completed' || run.status === 'cancelled')) return 'completed';
  return runs.some((run) => run.status === 'running') ? 'running' : 'pending';
}

/** One evaluator's statistics of one run, in the shape its return type has (numeric, boolean, select or text). */
export function evaluatorStats(evaluator: Project, progress: RunProgress) {
  const tally = progress.tallies.get(evaluator.name);
  const stats = progress.stats.scores[evaluator.name];
  const counts = {
    evaluator_version_id: fileVersionId('evaluator', evaluator.id),
    total_logs: progress.stats.run_count,
    num_judgments: tally ? tally.scores - tally.failed - tally.nulls : 0,
    num_nulls: tally?.nulls ?? 0,
    num_errors: tally?.failed ?? 0,
  };
  switch (specOf(evaluator).return_type) {
    case 'number': {
      const n = stats?.n ?? 0;
      return {
        ...counts,
        ...(stats?.mean === null || stats?.mean === undefined ? {} : { mean: stats.mean, sum: stats.mean * n }),
        ...(stats?.stdev === null || stats?.stdev === undefined ? {} : { std: stats.stdev }),
        percentiles: stats && stats.min !== null && stats.max !== null ? { '0': stats.min, '100': stats.max } : {},
      };
    }
    case 'boolean': {
      const n = stats?.n ?? 0;
      const numTrue = Math.round((stats?.mean ?? 0) * n);
      return { ...counts, num_true: numTrue, num_false: n - numTrue };
    }
    case 'select':
    case 'multi_select':
      return { ...counts, num_judgments_per_option: stats?.values ?? {} };
    default:
      return counts;
  }
}

/** v5 `RunStatsResponse` of each run, newest first (the SDK compares the first with the second). */
export function presentRunStats(evaluation: LoadedEvaluation, progress: RunProgress[]) {
  return progress.map((run) => ({
    run_id: humanloopId('evaluationRun', run.run.id),
    ...(evaluation.file === undefined ? {} : { version_id: fileVersionId(kindOf(evaluation.file) as 'flow', evaluation.file.id) }),
    num_logs: run.stats.run_count,
    evaluator_stats: evaluation.evaluators.map((evaluator) => evaluatorStats(evaluator, run)),
    status: run.status,
  }));
}

/** The report the SDK prints: a line a run, a column an evaluator (its mean, or its share of true). */
export function reportOf(evaluation: LoadedEvaluation, progress: RunProgress[]): string {
  const header = ['Run', 'Status', 'Logs', ...evaluation.evaluators.map((evaluator) => evaluator.name)];
  const rows = progress.map((run, index) => [
    `${humanloopId('evaluationRun', run.run.id)}${index === 0 ? ' (latest)' : ''}`,
    run.status,
    String(run.stats.run_count),
    ...evaluation.evaluators.map((evaluator) => summary(evaluator, run)),
  ]);
  const widths = header.map((cell, column) => Math.max(cell.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]) => cells.map((cell, column) => cell.padEnd(widths[column]!)).join('  ');
  return [`Evaluation ${JSON.stringify(evaluationName(evaluation.project))}: ${progress.length} run(s)`, line(header), ...rows.map(line)].join('\n');
}

function summary(evaluator: Project, run: RunProgress): string {
  const stats = run.stats.scores[evaluator.name];
  if (!stats) return '-';
  const type = specOf(evaluator).return_type;
  if (type === 'boolean' && stats.mean !== null) return `${Math.round(stats.mean * 100)}% true`;
  if (type === 'number' && stats.mean !== null) return stats.mean.toFixed(2);
  const values = Object.entries(stats.values);
  return values.length ? values.map(([value, count]) => `${value}: ${count}`).join(', ') : `${stats.n} judged`;
}

/** The file metadata key, so that routes can find an evaluation's projects by file. */
export function evaluationsOfFileFilter(fileUuid: string): Record<string, Json> {
  return { [FILE_TYPE_KEY]: 'evaluation', [EVALUATION_FILE_KEY]: fileUuid };
}
