import { NotFoundError, ValidationError } from '../domain/errors.js';
import { parseId } from '../domain/ids.js';
import { isJsonObject } from '../domain/json.js';
import { LIMITS } from '../domain/limits.js';
import type { Actor } from '../domain/types.js';
import type { Store, Transaction } from '../store/database.js';
import { lockRunIds } from './deferred-changes.js';
import type { ExperimentService } from './experiments.js';
import { experimentsOfRuns, findExperimentRow, resultRunsOfTraces } from './rows/finders.js';
import type { NewRun, RunService, RunUpdate } from './runs.js';
import type { PlacedScore, ScoreService } from './scores.js';
import { retryingCreationRaces } from './unique.js';

/** Where a new run goes: an experiment, or a log stream named `stream` (made when the workspace has none of that name). */
export type RunDestination = { experiment_id: string } | { stream: string };

export interface IngestedRun extends NewRun {
  destination: RunDestination;
}

/**
 * What tracing clients send in one request: new runs of any experiments, changes to runs, and scores,
 * in any order relative to each other: a change or a score may come before its run (it is then kept
 * until the run arrives, see deferred-changes.ts).
 */
export interface RunBatch {
  create?: IngestedRun[];
  update?: RunUpdate[];
  scores?: PlacedScore[];
}

export interface IngestOptions {
  /** The surface recording the runs: the source of the log streams made for them. */
  source?: string;
  /**
   * A run of a log stream (no dataset) that names a record keeps the record's id in its `extra` under
   * this key, instead of being refused: for clients whose traces name the example they worked on
   * whatever project they go to (LangSmith's evaluator runs).
   */
  recordKeyForStreams?: string;
  /**
   * A new run whose trace is the trace of a result run recorded before (a run of a record, without a
   * parent: an experiment's run naming the trace of its task) goes to that run's experiment instead
   * of its destination, the trace's root under the result run: for tracers that send an experiment's
   * task spans apart from its runs (Phoenix's runExperiment). Runs of the other direction, spans sent
   * before their result run, are taken in by RunService.append's `adoptTraces`.
   */
  joinResultTraces?: boolean;
}

export interface IngestResult {
  /** Runs recorded now (runs sent before are skipped). */
  created: number;
  updated: number;
  /** Updates and scores kept for runs not recorded yet. */
  deferred: number;
}

/**
 * Records what tracing clients send in one transaction: the runs go to their experiments (log streams
 * named by the client are made), then the changes apply, then the scores, so that a request carrying
 * a run with its end and its feedback needs nothing kept for later.
 */
export class RunIngestService {
  constructor(
    private readonly store: Store,
    private readonly experiments: ExperimentService,
    private readonly runs: RunService,
    private readonly scores: ScoreService,
  ) {}

  async ingest(actor: Actor, batch: RunBatch, options: IngestOptions = {}): Promise<IngestResult> {
    const creates = batch.create ?? [];
    const updates = batch.update ?? [];
    const scores = batch.scores ?? [];
    const total = creates.length + updates.length + scores.length;
    if (total > LIMITS.recordsPerRequest) {
      throw ValidationError.field('', `must hold at most ${LIMITS.recordsPerRequest} runs, changes and scores (got ${total})`);
    }
    return retryingCreationRaces(() => this.store.transaction((tx) => this.write(actor, creates, updates, scores, options, tx)));
  }

  private async write(
    actor: Actor,
    given: readonly IngestedRun[],
    updates: readonly RunUpdate[],
    scores: readonly PlacedScore[],
    options: IngestOptions,
    tx: Transaction,
  ): Promise<IngestResult> {
    // Run locks come first (see lockRunIds), for every run the request names, in the strongest mode
    // any step below takes them in: those steps then find them already held.
    await lockRunIds(this.store, tx, actor.workspaceId, {
      record: given.flatMap((run) => (run.id ? [run.id] : [])),
      defer: [...updates.map((update) => update.id), ...scores.flatMap((score) => (score.run_id ? [score.run_id] : []))],
    });
    const creates = options.joinResultTraces ? await joinResultTraces(tx, actor, given) : given;
    const destinations = await this.resolveDestinations(actor, creates, options, tx);
    await this.lockInvolved(
      actor,
      [...destinations.values()].map((d) => d.id),
      updates,
      scores,
      tx,
    );

    const groups = new Map<string, number[]>();
    creates.forEach((run, index) => {
      const experimentId = destinations.get(destinationKey(run.destination))!.id;
      const group = groups.get(experimentId);
      if (group) group.push(index);
      else groups.set(experimentId, [index]);
    });
    let created = 0;
    for (const [experimentId, indexes] of [...groups].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const onDataset = destinations.get(destinationKey(creates[indexes[0]!]!.destination))!.dataset_id !== null;
      const runs = indexes.map((index) => toNewRun(creates[index]!, onDataset, options));
      const appended = await this.runs.append(actor, experimentId, runs, { at: (i) => `/create/${indexes[i]}`, transaction: tx });
      created += appended.inserted;
    }
    const updated = updates.length
      ? await this.runs.update(actor, updates, { deferUnknown: true, at: (i) => `/update/${i}`, transaction: tx })
      : { updated: 0, deferred: 0 };
    const placed = scores.length
      ? await this.scores.place(actor, scores, { deferUnknownRuns: true, at: (i) => `/scores/${i}`, transaction: tx })
      : { deferred: 0 };
    return { created, updated: updated.updated, deferred: updated.deferred + placed.deferred };
  }

  /** The experiment of each destination named, made for streams of names no experiment has. */
  private async resolveDestinations(
    actor: Actor,
    creates: readonly IngestedRun[],
    options: IngestOptions,
    tx: Transaction,
  ): Promise<Map<string, { id: string; dataset_id: string | null }>> {
    const resolved = new Map<string, { id: string; dataset_id: string | null }>();
    for (const [index, run] of creates.entries()) {
      const key = destinationKey(run.destination);
      if (resolved.has(key)) continue;
      const { destination } = run;
      if ('experiment_id' in destination) {
        const issue = { pointer: `/create/${index}/destination/experiment_id`, detail: 'is not an experiment of this workspace' };
        const experiment = await findExperimentRow(this.store, tx, actor, destination.experiment_id, { issue });
        resolved.set(key, experiment);
      } else {
        if (!destination.stream) throw ValidationError.field(`/create/${index}/destination/stream`, 'must not be empty');
        resolved.set(key, await this.experiments.experimentNamed(actor, destination.stream, { source: options.source, transaction: tx }));
      }
    }
    return resolved;
  }

  /**
   * Locks every experiment the request writes to, in one order, before writing: two requests touching
   * the same experiments then wait for each other instead of deadlocking.
   */
  private async lockInvolved(
    actor: Actor,
    experimentIds: readonly string[],
    updates: readonly RunUpdate[],
    scores: readonly PlacedScore[],
    tx: Transaction,
  ): Promise<void> {
    const involved = new Set(experimentIds);
    const runIds = [...new Set([...updates.map((u) => u.id), ...scores.flatMap((s) => (s.run_id ? [s.run_id] : []))].flatMap((id) => parseId(id) ?? []))];
    for (const experimentId of (await experimentsOfRuns(tx, actor, runIds)).values()) involved.add(experimentId);
    for (const score of scores) {
      const experimentId = score.run_id ? undefined : score.experiment_id && parseId(score.experiment_id);
      if (experimentId) involved.add(experimentId);
    }
    for (const id of [...involved].sort()) {
      // Unknown ids are reported by the step that uses them, naming the field.
      await findExperimentRow(this.store, tx, actor, id, { lock: true }).catch((error: unknown) => {
        if (!(error instanceof NotFoundError)) throw error;
      });
    }
  }
}

/** The runs, those of a result run's trace sent to that run's experiment under it (see IngestOptions.joinResultTraces). */
async function joinResultTraces(tx: Transaction, actor: Actor, creates: readonly IngestedRun[]): Promise<readonly IngestedRun[]> {
  const owners = await resultRunsOfTraces(
    tx,
    actor,
    creates.flatMap((run) => (run.trace_id ? [run.trace_id] : [])),
  );
  if (owners.size === 0) return creates;
  return creates.map((run) => {
    const owner = run.trace_id ? owners.get(run.trace_id) : undefined;
    if (!owner || owner.id === run.id) return run;
    return { ...run, destination: { experiment_id: owner.experiment_id }, parent_run_id: run.parent_run_id ?? owner.id };
  });
}

function destinationKey(destination: RunDestination): string {
  return 'experiment_id' in destination ? `id:${parseId(destination.experiment_id) ?? destination.experiment_id}` : `stream:${destination.stream}`;
}

/** The run as its experiment takes it: a run of a stream that names a record keeps it in `extra` when asked to. */
function toNewRun({ destination: _destination, ...run }: IngestedRun, onDataset: boolean, options: IngestOptions): NewRun {
  if (onDataset || !run.record_id || options.recordKeyForStreams === undefined) return run;
  const extra = isJsonObject(run.extra) ? run.extra : {};
  return { ...run, record_id: null, extra: { ...extra, [options.recordKeyForStreams]: run.record_id } };
}
