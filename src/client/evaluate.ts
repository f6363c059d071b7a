import { parse as parseUuid, v5 as uuidv5 } from 'uuid';
import { Evalstore } from './client.js';
import { EvalstoreError } from './errors.js';
import { allPages } from './pages.js';
import type { ClientOptions } from './transport.js';
import type { Comparison, Dataset, DatasetRecord, Experiment, ExperimentStats, Json, JsonObject, NewRun, NewScore, Run, ScoreChange } from './types.js';

/** What a target may report of a call besides its output. */
export interface Usage {
  prompt_tokens?: number;
  completion_tokens?: number;
  total_tokens?: number;
  /** US dollars, as a number or a decimal string. */
  prompt_cost?: number | string;
  completion_cost?: number | string;
  total_cost?: number | string;
  /** Time to the first streamed token, in milliseconds. */
  first_token_ms?: number;
  /** Kept with the run (a model name, a prompt version...). */
  metadata?: JsonObject;
}

export interface TargetContext {
  record: DatasetRecord;
  /** 1, 2, ... when each record runs several times. */
  repetition: number;
  /** Aborted when the evaluation is cancelled. */
  signal: AbortSignal;
  /** Reports tokens, cost or metadata of this call; later reports add to earlier ones. */
  report(usage: Usage): void;
}

/** The code under evaluation: called with a record's input, answers the output to record. */
export type Target = (input: Json, context: TargetContext) => unknown;

/** What an evaluator sees of one call. */
export interface EvaluatorInput {
  input: Json;
  output: Json;
  expected: Json;
  record: DatasetRecord;
  repetition: number;
  latency_ms: number;
}

/** A score: a number or boolean (`score`, kept as 1 or 0), a label or any JSON (`value`), and a comment. */
export interface EvaluationResult {
  key: string;
  score?: number | boolean | null;
  value?: Json;
  comment?: string | null;
}

/**
 * Scores one call. It answers a result, a list of them, or a bare number or boolean (scored under the
 * evaluator's function name). Evaluators run only on calls that did not fail.
 */
export type Evaluator = (
  run: EvaluatorInput,
) => EvaluationResult | EvaluationResult[] | number | boolean | Promise<EvaluationResult | EvaluationResult[] | number | boolean>;

/** One finished call, as summary evaluators see them. */
export interface ExperimentResult {
  record: DatasetRecord;
  repetition: number;
  output: Json;
  error: string | null;
  latency_ms: number | null;
  scores: EvaluationResult[];
}

/** Scores the whole experiment from all its results (precision over all records, say). */
export type SummaryEvaluator = (
  results: ExperimentResult[],
) => EvaluationResult | EvaluationResult[] | number | boolean | Promise<EvaluationResult | EvaluationResult[] | number | boolean>;

export interface EvaluateProgress {
  /** Calls to make in this evaluation (records x repetitions, less those done before a resume). */
  total: number;
  /** Calls finished (successfully or not). */
  done: number;
  errors: number;
  /** Runs the server has confirmed. */
  uploaded: number;
  /** Calls found already recorded when resuming. */
  skipped: number;
  /** With `retryErrors`: failed calls found when resuming, made again (they are part of `total`). */
  retried: number;
}

export interface EvaluateOptions {
  /** The dataset: its name, its id, or the dataset itself. */
  dataset: string | Pick<Dataset, 'id'>;
  /** A version number or name; the latest by default. */
  version?: string | number;
  evaluators?: Evaluator[];
  summaryEvaluators?: SummaryEvaluator[];
  /** How many times each record runs (default 1). */
  repetitions?: number;
  /** How many target calls run at once (default 4). */
  concurrency?: number;
  /**
   * The experiment to record. An experiment of this name on the dataset is resumed: the calls it has
   * already recorded are not made again.
   */
  experiment: { name: string; description?: string; metadata?: JsonObject };
  /** On a resume, make the calls that failed again, each new run replacing the failed one (no repetition is added). */
  retryErrors?: boolean;
  /** An experiment (name or id) on the same dataset to compare the result against. */
  baseline?: string;
  /** Score keys for which lower is better, for the comparison with the baseline. */
  lowerIsBetter?: string[];
  /** Runs per upload (default 100). A crash loses at most the results not yet uploaded: one batch. */
  batchSize?: number;
  /** Results wait at most this long before they are uploaded (default 2,000 ms). */
  flushIntervalMs?: number;
  onProgress?: (progress: EvaluateProgress) => void;
  signal?: AbortSignal;
  /** The client to use; by default one made from EVALSTORE_URL and EVALSTORE_API_KEY. */
  client?: Evalstore | ClientOptions;
}

export interface EvaluateSummary {
  experiment: Experiment;
  dataset_id: string;
  dataset_version: number;
  progress: EvaluateProgress;
  /** The experiment's aggregates from the compare API (runs, errors, latency, tokens, cost, scores). */
  stats: ExperimentStats;
  /** The experiment-level scores of the summary evaluators. */
  summary_scores: EvaluationResult[];
  /** The baseline compared against, when one was asked for. */
  baseline?: Experiment;
  /** With a baseline: the comparison of the two (per score key, improved/regressed and significance). */
  comparison?: Comparison;
  changes?: ScoreChange[];
}

const UPLOAD_ATTEMPTS = 5;

/**
 * Runs `target` over every record of a dataset version with bounded concurrency, times each call,
 * records failures as errored runs, scores each result with the evaluators, uploads runs and their
 * scores in batches as it goes (each batch one transaction, with ids derived from the experiment,
 * record and repetition, so a retried or resumed batch is never doubled), and answers the
 * experiment's aggregates.
 */
export async function evaluate(target: Target, options: EvaluateOptions): Promise<EvaluateSummary> {
  const client = options.client instanceof Evalstore ? options.client : new Evalstore(options.client);
  const repetitions = positiveInteger(options.repetitions ?? 1, 'repetitions');
  const concurrency = positiveInteger(options.concurrency ?? 4, 'concurrency');
  const batchSize = positiveInteger(options.batchSize ?? 100, 'batchSize');
  if (batchSize > 10_000) throw new RangeError('batchSize is at most 10,000');

  const dataset = await resolveDataset(client, options.dataset);
  // Before the experiment is made: a baseline that is not there must not leave an empty experiment behind.
  const baseline = options.baseline === undefined ? undefined : await resolveExperiment(client, dataset.id, options.baseline);
  const experiment = await openExperiment(client, dataset.id, options);
  const version = experiment.dataset_version!;
  const versionInfo = await client.versions.get(dataset.id, version);
  const keepResults = (options.summaryEvaluators?.length ?? 0) > 0;
  const retryErrors = options.retryErrors === true;
  const previous = await recordedCalls(client, experiment, keepResults, retryErrors);

  const progress: EvaluateProgress = {
    total: versionInfo.record_count * repetitions - previous.done.size,
    done: 0,
    errors: 0,
    uploaded: 0,
    skipped: previous.done.size,
    retried: previous.failed,
  };
  const report = () => options.onProgress?.({ ...progress });
  report();

  const results: ExperimentResult[] = previous.results;
  const uploader = new RunUploader(
    client,
    experiment.id,
    { batchSize, flushIntervalMs: options.flushIntervalMs ?? 2_000, replaceFailed: retryErrors },
    (count) => {
      progress.uploaded += count;
      report();
    },
  );
  const controller = new AbortController();
  const stop = () => controller.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', stop, { once: true });

  const ids = idsOf(experiment.id);
  const calls = callsToMake(client, dataset.id, version, repetitions, previous.done);
  const worker = async () => {
    for await (const call of calls) {
      if (controller.signal.aborted) break;
      const outcome = await runOne(target, call.record, call.repetition, controller.signal, options.evaluators ?? []);
      const run = runOf(ids, call.record, call.repetition, outcome);
      progress.done += 1;
      if (outcome.error !== null) progress.errors += 1;
      if (keepResults) results.push(resultOf(call.record, call.repetition, outcome));
      report();
      await uploader.add(run);
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
    await uploader.close();
  } catch (error) {
    controller.abort(error);
    await uploader.close().catch(() => undefined);
    throw error;
  } finally {
    options.signal?.removeEventListener('abort', stop);
  }
  if (options.signal?.aborted) throw options.signal.reason ?? new Error('The evaluation was cancelled');

  const summaryScores = keepResults ? await scoreSummary(client, experiment.id, options.summaryEvaluators!, results) : [];
  const finished = await client.experiments.update(experiment.id, { end_time: new Date().toISOString() });
  const comparison = await client.comparisons.compare({
    experiment_ids: baseline ? [baseline.id, experiment.id] : [experiment.id],
    ...(baseline ? { baseline_id: baseline.id } : {}),
    ...(options.lowerIsBetter ? { lower_is_better: options.lowerIsBetter } : {}),
  });
  const stats = comparison.stats.find((entry) => entry.experiment_id === experiment.id)!;
  return {
    experiment: finished,
    dataset_id: dataset.id,
    dataset_version: version,
    progress,
    stats,
    summary_scores: summaryScores,
    ...(baseline ? { baseline, comparison, changes: comparison.baseline?.changes.filter((change) => change.experiment_id === experiment.id) ?? [] } : {}),
  };
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer`);
  return value;
}

async function resolveDataset(client: Evalstore, dataset: EvaluateOptions['dataset']): Promise<Pick<Dataset, 'id'>> {
  if (typeof dataset !== 'string') return dataset;
  const found = await client.datasets.find(dataset);
  if (!found) throw notFound(`No dataset is named ${JSON.stringify(dataset)}`);
  return found;
}

async function resolveExperiment(client: Evalstore, datasetId: string, nameOrId: string): Promise<Experiment> {
  const found = await client.experiments.find(nameOrId, { datasetId });
  if (!found) throw notFound(`No experiment on this dataset is named ${JSON.stringify(nameOrId)}`);
  return found;
}

function notFound(detail: string): EvalstoreError {
  return new EvalstoreError({ type: 'urn:evalstore:problem:not_found', title: 'Not found', status: 404, detail, code: 'not_found' });
}

/** The experiment of that name on the dataset (to resume), or a new one on the version asked for. */
async function openExperiment(client: Evalstore, datasetId: string, options: EvaluateOptions): Promise<Experiment> {
  const existing = (await client.experiments.list({ dataset_id: datasetId, name: options.experiment.name, limit: 1 })).data[0];
  if (existing) {
    if (options.version !== undefined) {
      const asked = await client.versions.get(datasetId, options.version);
      if (asked.version !== existing.dataset_version) {
        throw new EvalstoreError({
          type: 'urn:evalstore:problem:conflict',
          title: 'Conflict',
          status: 409,
          detail: `Experiment ${JSON.stringify(existing.name)} ran on version ${existing.dataset_version}, not ${asked.version}: name the new experiment differently to run on another version`,
          code: 'conflict',
        });
      }
    }
    return existing;
  }
  return client.experiments.create({
    name: options.experiment.name,
    dataset_id: datasetId,
    ...(options.version === undefined ? {} : { dataset_version: String(options.version) }),
    ...(options.experiment.description ? { description: options.experiment.description } : {}),
    metadata: options.experiment.metadata ?? {},
    start_time: new Date().toISOString(),
  });
}

const callKey = (recordId: string, repetition: number) => `${recordId}#${repetition}`;

/**
 * The calls an earlier evaluation of this experiment recorded, and (for summary evaluators) their
 * results; with `retryFailed`, calls that failed count as not made, and `failed` says how many.
 */
async function recordedCalls(
  client: Evalstore,
  experiment: Experiment,
  keepResults: boolean,
  retryFailed: boolean,
): Promise<{ done: Set<string>; results: ExperimentResult[]; failed: number }> {
  const done = new Set<string>();
  const runs: Run[] = [];
  let failed = 0;
  for await (const run of client.runs.iterate(experiment.id, { root_only: true, limit: 1000 })) {
    if (run.record_id === null) continue;
    if (retryFailed && run.status === 'error') {
      failed += 1;
      continue;
    }
    done.add(callKey(run.record_id, run.repetition ?? 1));
    if (keepResults) runs.push(run);
  }
  if (!keepResults || runs.length === 0) return { done, results: [], failed };
  const scores = new Map<string, EvaluationResult[]>();
  for await (const score of client.scores.iterate(experiment.id, { level: 'run', limit: 1000 })) {
    const list = scores.get(score.run_id!) ?? [];
    list.push({ key: score.key, score: score.score, value: score.value, comment: score.comment });
    scores.set(score.run_id!, list);
  }
  const records = new Map<string, DatasetRecord>();
  for await (const record of client.records.iterate(experiment.dataset_id!, { version: String(experiment.dataset_version), limit: 1000 })) {
    records.set(record.id, record);
  }
  const results = runs.flatMap((run) => {
    const record = records.get(run.record_id!);
    if (!record) return [];
    return [{ record, repetition: run.repetition ?? 1, output: run.output, error: run.error, latency_ms: run.latency_ms, scores: scores.get(run.id) ?? [] }];
  });
  return { done, results, failed };
}

/** Every (record, repetition) of the version not yet recorded, read page by page. */
async function* callsToMake(
  client: Evalstore,
  datasetId: string,
  version: number,
  repetitions: number,
  done: Set<string>,
): AsyncGenerator<{ record: DatasetRecord; repetition: number }> {
  const records = allPages((cursor) => client.records.list(datasetId, { version: String(version), limit: 1000, cursor }), { readAhead: true });
  for await (const record of records) {
    for (let repetition = 1; repetition <= repetitions; repetition++) {
      if (!done.has(callKey(record.id, repetition))) yield { record, repetition };
    }
  }
}

interface Outcome {
  input: Json;
  output: Json;
  error: string | null;
  startTime: Date;
  endTime: Date;
  latencyMs: number;
  usage: Usage;
  scores: EvaluationResult[];
}

async function runOne(target: Target, record: DatasetRecord, repetition: number, signal: AbortSignal, evaluators: Evaluator[]): Promise<Outcome> {
  const usage: Usage = {};
  const startTime = new Date();
  const started = performance.now();
  let output: Json = null;
  let error: string | null = null;
  try {
    output = toJson(await target(record.input, { record, repetition, signal, report: (more) => addUsage(usage, more) }));
  } catch (thrown) {
    error = messageOf(thrown);
  }
  const latencyMs = performance.now() - started;
  const outcome: Outcome = { input: record.input, output, error, startTime, endTime: new Date(), latencyMs, usage, scores: [] };
  if (error === null) {
    const seen = { input: record.input, output, expected: record.expected_output, record, repetition, latency_ms: latencyMs };
    for (const evaluator of evaluators) outcome.scores.push(...(await evaluatorResults(evaluator, () => evaluator(seen))));
  }
  return outcome;
}

function addUsage(usage: Usage, more: Usage): void {
  for (const key of ['prompt_tokens', 'completion_tokens', 'total_tokens'] as const) {
    if (more[key] !== undefined) usage[key] = (usage[key] ?? 0) + more[key];
  }
  for (const key of ['prompt_cost', 'completion_cost', 'total_cost'] as const) {
    // Decimal strings are kept as given; adding them would lose the exactness they were sent for.
    if (more[key] !== undefined) usage[key] = usage[key] === undefined || typeof more[key] === 'string' ? more[key] : Number(usage[key]) + Number(more[key]);
  }
  if (more.first_token_ms !== undefined) usage.first_token_ms ??= more.first_token_ms;
  if (more.metadata) usage.metadata = { ...usage.metadata, ...more.metadata };
}

/** An evaluator's answer as results; an evaluator that throws gives a null score with the error as comment. */
async function evaluatorResults(evaluator: { name: string }, call: () => unknown): Promise<EvaluationResult[]> {
  const key = evaluator.name || 'score';
  try {
    const answer = await call();
    if (typeof answer === 'number' || typeof answer === 'boolean') return [numeric({ key, score: answer })];
    if (Array.isArray(answer)) return (answer as EvaluationResult[]).map(numeric);
    if (answer && typeof answer === 'object' && typeof (answer as EvaluationResult).key === 'string') return [numeric(answer as EvaluationResult)];
    if (answer === undefined || answer === null) return [];
    return [{ key, score: null, comment: `The evaluator answered ${JSON.stringify(answer)}, which is not a score` }];
  } catch (thrown) {
    return [{ key, score: null, comment: `The evaluator failed: ${messageOf(thrown)}` }];
  }
}

/** Booleans are scores 1 and 0, as the server keeps them, so results read the same before and after a resume. */
function numeric(result: EvaluationResult): EvaluationResult {
  return typeof result.score === 'boolean' ? { ...result, score: Number(result.score) } : result;
}

/**
 * Ids derived from the experiment (as UUIDv5 namespace, parsed once), the record and the repetition:
 * the same call gets the same ids in every session, which is what makes retries and resumes safe.
 */
function idsOf(experimentId: string): { run(recordId: string, repetition: number): string; score(runKey: string, index: number, key: string): string } {
  const namespace = parseUuid(experimentId);
  return {
    run: (recordId, repetition) => uuidv5(callKey(recordId, repetition), namespace),
    score: (runKey, index, key) => uuidv5(`${runKey}/${index}:${key}`, namespace),
  };
}

function runOf(ids: ReturnType<typeof idsOf>, record: DatasetRecord, repetition: number, outcome: Outcome): NewRun {
  const key = callKey(record.id, repetition);
  const { metadata, ...usage } = outcome.usage;
  return {
    id: ids.run(record.id, repetition),
    record_id: record.id,
    repetition,
    status: outcome.error === null ? 'success' : 'error',
    output: outcome.output,
    error: outcome.error,
    start_time: outcome.startTime.toISOString(),
    end_time: outcome.endTime.toISOString(),
    latency_ms: Math.round(outcome.latencyMs * 1000) / 1000,
    ...usage,
    ...(metadata ? { metadata } : {}),
    scores: outcome.scores.map((score, index) => scoreOf(ids.score(key, index, score.key), score)),
  };
}

function scoreOf(id: string, result: EvaluationResult): Omit<NewScore, 'run_id'> {
  return {
    id,
    key: result.key,
    ...(result.score === undefined ? {} : { score: result.score }),
    ...(result.value === undefined ? {} : { value: result.value }),
    ...(result.comment === undefined ? {} : { comment: result.comment }),
    source: 'code',
  };
}

function resultOf(record: DatasetRecord, repetition: number, outcome: Outcome): ExperimentResult {
  return { record, repetition, output: outcome.output, error: outcome.error, latency_ms: outcome.latencyMs, scores: outcome.scores };
}

async function scoreSummary(client: Evalstore, experimentId: string, evaluators: SummaryEvaluator[], results: ExperimentResult[]): Promise<EvaluationResult[]> {
  const scores: EvaluationResult[] = [];
  for (const evaluator of evaluators) scores.push(...(await evaluatorResults(evaluator, () => evaluator(results))));
  if (scores.length) {
    // Fresh ids: a resumed evaluation scores the whole experiment again, over all its results.
    await client.scores.create(
      experimentId,
      scores.map((score) => ({ ...scoreOf(crypto.randomUUID(), score), run_id: null })),
    );
  }
  return scores;
}

function toJson(value: unknown): Json {
  if (value === undefined) return null;
  return JSON.parse(JSON.stringify(value)) as Json;
}

function messageOf(thrown: unknown): string {
  if (thrown instanceof Error) return `${thrown.name}: ${thrown.message}`;
  return String(thrown);
}

/**
 * Uploads runs in batches, one request at a time. A batch goes when it is full, or when it has waited
 * `flushIntervalMs`; results wait for room while the one on the wire makes the unsent runs a whole
 * batch, so a crash loses at most one batch. A batch that fails on the way (no answer, 5xx, 429) is
 * sent again: the runs' ids make that safe.
 */
class RunUploader {
  private pending: NewRun[] = [];
  private inFlight: Promise<void> | undefined;
  private inFlightCount = 0;
  private failure: unknown;
  private readonly timer: ReturnType<typeof setInterval>;

  constructor(
    private readonly client: Evalstore,
    private readonly experimentId: string,
    private readonly options: { batchSize: number; flushIntervalMs: number; replaceFailed: boolean },
    private readonly onUploaded: (count: number) => void,
  ) {
    this.timer = setInterval(() => {
      if (!this.inFlight && this.pending.length) this.startSending();
    }, options.flushIntervalMs);
    this.timer.unref?.();
  }

  async add(run: NewRun): Promise<void> {
    while (this.pending.length + this.inFlightCount >= this.options.batchSize) await this.makeProgress();
    if (this.failure) throw this.failure;
    this.pending.push(run);
    if (this.pending.length >= this.options.batchSize && !this.inFlight) this.startSending();
  }

  /** Sends what is left and waits for every batch; throws the first upload failure. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    while (this.inFlight || this.pending.length) await this.makeProgress();
    if (this.failure) throw this.failure;
  }

  private async makeProgress(): Promise<void> {
    if (this.failure) throw this.failure;
    if (!this.inFlight) this.startSending();
    await this.inFlight;
  }

  private startSending(): void {
    const batch = this.pending;
    this.pending = [];
    this.inFlightCount = batch.length;
    this.inFlight = this.send(batch)
      .catch((error: unknown) => {
        this.failure ??= error;
      })
      .finally(() => {
        this.inFlight = undefined;
        this.inFlightCount = 0;
      });
  }

  private async send(batch: NewRun[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.client.runs.append(this.experimentId, batch, { replaceFailed: this.options.replaceFailed });
        this.onUploaded(batch.length);
        return;
      } catch (error) {
        const retriable = error instanceof EvalstoreError && (error.status === 0 || error.status === 429 || error.status >= 500);
        if (!retriable || attempt >= UPLOAD_ATTEMPTS) throw error;
        await new Promise((resolve) => setTimeout(resolve, 200 * 2 ** attempt));
      }
    }
  }
}
