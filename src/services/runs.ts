import { sql, type SelectQueryBuilder } from 'kysely';
import { ConflictError, NotFoundError, ValidationError } from '../domain/errors.js';
import { newId, parseId } from '../domain/ids.js';
import type { Json, JsonObject } from '../domain/json.js';
import { checkMeasures } from '../domain/input-bounds.js';
import { checkBatchSize } from '../domain/limits.js';
import { parseCost } from '../domain/money.js';
import { nowIso, optionalTime } from '../domain/time.js';
import type { Actor, Run, RunStatus } from '../domain/types.js';
import type { Store, Transaction } from '../store/database.js';
import type { Database, ExperimentTable, RunTable, ScoreTable } from '../store/schema.js';
import { deferRunChanges, lockRunIds, takeDeferredChanges } from './deferred-changes.js';
import { decodeCursor, orderByValue, pageSize, toPage, valueCursor, type Page } from './pagination.js';
import { chunks } from './rows/chunks.js';
import { existingScoreIds, experimentsOfRuns, findExperimentIds, findExperimentRow, findRunRow } from './rows/finders.js';
import { presentRun } from './rows/present.js';
import { applyRunFilters, sortExpression, type RecordScope, type RunListFilters, type RunSort } from './run-filters.js';
import { revisionsAt } from './rows/revisions.js';
import { checkScoreConfigs } from './rows/score-configs.js';
import { byActor, scoredRecord, toScoreRows, type NewScore } from './rows/scores.js';
import { summarizeRuns, type RunStats } from './run-stats.js';
import { touchExperiment } from './rows/writers.js';
import { withTransaction, type TransactionOptions } from './transaction.js';
import { writeUnique } from './unique.js';

export type { RunListFilters, RunSort } from './run-filters.js';
export type { RunStats } from './run-stats.js';

/** A run to record. Everything but what identifies it is optional. */
export interface NewRun {
  /** A caller-chosen id (a UUID): sending the same run again does not record it twice. */
  id?: string;
  /** The dataset record the run is a result for; it must be in the experiment's dataset version. */
  record_id?: string | null;
  /** Which attempt at the record this is (1, 2, ...); numbered in arrival order when omitted. */
  repetition?: number | null;
  name?: string | null;
  run_type?: string | null;
  /** `error` when an error is given, else `success`, when omitted. */
  status?: RunStatus;
  input?: Json;
  output?: Json;
  error?: string | null;
  start_time?: string | number | null;
  end_time?: string | number | null;
  /** Defaults to end_time - start_time. */
  latency_ms?: number | null;
  /** Time from start to the first streamed token. */
  first_token_ms?: number | null;
  prompt_tokens?: number | null;
  completion_tokens?: number | null;
  /** Defaults to prompt + completion tokens. */
  total_tokens?: number | null;
  /** US dollars, as numbers or decimal strings; kept exactly (nine decimal places). */
  prompt_cost?: number | string | null;
  completion_cost?: number | string | null;
  /** Defaults to prompt + completion cost. */
  total_cost?: number | string | null;
  metadata?: JsonObject;
  trace_id?: string | null;
  parent_run_id?: string | null;
  /** Fields beyond the known ones, kept and returned as sent. */
  extra?: JsonObject;
  /** Scores of this run, recorded with it. */
  scores?: Omit<NewScore, 'run_id'>[];
}

export interface AppendOptions {
  /**
   * Refuse, on an experiment with a dataset, runs that name no record (for clients whose runs are
   * always results, like Arize's, where `example_id` is then required). Child runs are exempt.
   */
  requireRecords?: boolean;
  /** Where the i-th run sits in the caller's request, for the pointers of errors (default `/runs/<i>`). */
  at?: (index: number) => string;
  /**
   * A run whose id was recorded before as a failed result (status `error`, no parent) is replaced: the
   * failed run, its scores and the spans of its trace go, and the new run takes its place (for a
   * resumed evaluation that retries its errors without adding repetitions).
   */
  replaceFailed?: boolean;
  /**
   * Spans of a new result run's trace (runs with its trace id) recorded before in a log stream move to
   * this experiment, the trace's root under the result run: for tracers that may send an experiment's
   * task spans before its run (see RunIngestService's `joinResultTraces` for the other order).
   */
  adoptTraces?: boolean;
}

/**
 * A change to a recorded run: the fields given replace the run's, except `extra`, whose keys replace
 * the run's keys one by one. What identifies the run (its experiment, record, repetition, trace and
 * parent) does not change. Latency, totals and status follow the times, counts and error as for a
 * new run, unless given.
 */
export type RunPatch = Partial<
  Pick<
    NewRun,
    | 'name'
    | 'run_type'
    | 'status'
    | 'input'
    | 'output'
    | 'error'
    | 'start_time'
    | 'end_time'
    | 'latency_ms'
    | 'first_token_ms'
    | 'prompt_tokens'
    | 'completion_tokens'
    | 'total_tokens'
    | 'prompt_cost'
    | 'completion_cost'
    | 'total_cost'
    | 'metadata'
    | 'extra'
  >
>;

export interface RunUpdate extends RunPatch {
  /** The run to change. */
  id: string;
}

export interface UpdateOptions {
  /**
   * Keep updates of runs not recorded yet and apply them when the run arrives (for clients that send
   * a run's end before its start), instead of refusing them with 404.
   */
  deferUnknown?: boolean;
  /** Where the i-th update sits in the caller's request, for the pointers of errors (default `/runs/<i>`). */
  at?: (index: number) => string;
}

export interface UpdateResult {
  /** Runs changed now. */
  updated: number;
  /** Updates kept for runs not recorded yet. */
  deferred: number;
}

export interface AppendResult {
  /** The id of every run given, in input order, whether recorded now or already before. */
  run_ids: string[];
  /** How many runs were recorded now (the others had been sent before). */
  inserted: number;
}

export interface RunQuery {
  cursor?: string;
  limit?: number;
  record_id?: string;
  status?: RunStatus;
  /** Only runs without a parent (the results, not the spans of their traces). */
  root_only?: boolean;
  trace_id?: string;
  parent_run_id?: string;
  name?: string;
  min_latency_ms?: number;
  max_latency_ms?: number;
}

/** Runs across experiments: a workspace's runs by experiment, trace, id, kind or time. */
export interface RunSearch extends RunQuery, RunListFilters {
  /** Runs of these experiments (each must be the actor's: NotFound otherwise); all of the workspace's when absent. */
  experiment_ids?: readonly string[];
  /** Only these runs (at most 1,000). */
  ids?: readonly string[];
  run_type?: string;
  /** Only runs with a parent (the spans of traces, not their roots). */
  children_only?: boolean;
  /** true: only runs that failed; false: only runs that did not. */
  failed?: boolean;
  /** Runs that started at or after this time (ISO-8601 or epoch milliseconds). */
  started_after?: string | number;
  /** What the runs are ordered by (default `id`: the order runs were made in, for time-ordered ids); ascending unless `desc`. */
  sort?: RunSort;
  order?: 'asc' | 'desc';
}

/** An experiment's runs, filtered and sorted as a user asks: a page of them and how many match in all. */
export interface RunList extends Omit<RunSearch, 'experiment_ids'> {
  /** Also count the runs that match over every page (`total`): a query more, which surfaces paging through every run do without. */
  count?: boolean;
}

export interface RunListPage extends Page<Run> {
  /** With `count`: how many runs match the filters, over every page. */
  total?: number;
}

const DEFAULT_AT = (index: number) => `/runs/${index}`;

/** A select of the runs that match a query's filters, before its order and page. */
type FilteredRuns = SelectQueryBuilder<Database, 'runs', object>;

export class RunService {
  constructor(private readonly store: Store) {}

  /**
   * Records runs of an experiment in one transaction: all of them or, on any fault, none. Runs whose
   * id was recorded before in this experiment are skipped, so a client may retry after a timeout.
   */
  async append(actor: Actor, experimentId: string, runs: readonly NewRun[], options: AppendOptions & TransactionOptions = {}): Promise<AppendResult> {
    checkBatchSize(runs.length, '/runs');
    const now = nowIso();
    const at = options.at ?? DEFAULT_AT;
    const rows = runs.map((run, index) => toRunRow(actor.workspaceId, run, at(index), now));
    checkUniqueIds(rows, at);
    return withTransaction(this.store, options, async (tx) => {
      await lockRunIds(this.store, tx, actor.workspaceId, { record: rows.map((row) => row.id) });
      // The experiment's row is the one every append to it locks (to number repetitions and count the
      // revision). On PostgreSQL it is locked last, just before the commit, so concurrent appends write
      // their rows side by side and queue only for the numbering; on SQLite writers take turns anyway.
      const lockLate = this.store.dialect === 'postgres';
      const experiment = await findExperimentRow(this.store, tx, actor, experimentId, { lock: !lockLate });
      for (const row of rows) row.experiment_id = experiment.id;
      if (options.requireRecords) checkRecordsGiven(experiment, rows, at);
      await checkRecords(tx, experiment, rows, at);
      // Ids the server makes are fresh UUIDv7s: only caller-chosen ones can have been recorded, or have
      // changes waiting for them, before (and looking the others up costs a query per batch).
      const chosen = new Set(rows.flatMap((row, index) => (runs[index]!.id === undefined ? [] : [row.id])));
      if (options.replaceFailed) await removeFailedRuns(tx, actor.workspaceId, experiment.id, [...chosen]);
      const known = await experimentsOfRuns(tx, actor, [...chosen]);
      const freshIndexes: number[] = [];
      for (const [index, row] of rows.entries()) {
        const existing = known.get(row.id);
        if (existing === undefined) freshIndexes.push(index);
        else if (existing !== experiment.id) {
          throw new ConflictError(`Run ${row.id} belongs to another experiment`, [
            { pointer: `${at(index)}/id`, detail: 'is the id of a run of another experiment' },
          ]);
        }
      }
      // Changes sent before their run (see deferred-changes.ts) apply now, as if sent after it.
      const deferred = await takeDeferredChanges(
        tx,
        actor.workspaceId,
        freshIndexes.map((index) => rows[index]!.id).filter((id) => chosen.has(id)),
      );
      for (const index of freshIndexes) {
        for (const change of deferred.get(rows[index]!.id) ?? []) {
          if (change.kind === 'update') rows[index] = applyRunPatch(rows[index]!, change.body as RunPatch, at(index), now);
        }
      }
      const fresh = freshIndexes.map((index) => rows[index]!);
      if (!lockLate) await numberRepetitions(tx, experiment, fresh);
      await writeUnique(
        () => this.store.bulk.insert(tx, 'runs', fresh),
        () => new ConflictError('A run with one of these ids was recorded at the same moment; retry the request'),
      );
      const freshIds = new Set(fresh.map((row) => row.id));
      const scores = runs.flatMap((run, index) => {
        const row = rows[index]!;
        if (!freshIds.has(row.id) || !run.scores?.length) return [];
        const scoreRows = toScoreRows(
          actor.workspaceId,
          experiment.id,
          run.scores.map((score) => byActor(actor, { ...score, run_id: row.id })),
          now,
          (i) => `${at(index)}/scores/${i}`,
        );
        for (const scoreRow of scoreRows) scoreRow.record_id = scoredRecord(row);
        return scoreRows.map((scoreRow, i) => ({ scoreRow, at: `${at(index)}/scores/${i}` }));
      });
      await checkScoreConfigs(
        tx,
        actor.workspaceId,
        scores.map((s) => s.scoreRow),
        (i) => scores[i]!.at,
      );
      await refuseTakenScoreIds(tx, actor.workspaceId, runs, rows, freshIds, at);
      const deferredScores = await this.deferredScoreRows(tx, actor.workspaceId, experiment.id, fresh, deferred, now);
      await this.store.bulk.insert(tx, 'scores', [...scores.map((s) => s.scoreRow), ...deferredScores]);
      if (lockLate && fresh.length) {
        await findExperimentRow(this.store, tx, actor, experimentId, { lock: true });
        await numberInserted(tx, experiment, fresh);
      }
      if (options.adoptTraces) await adoptTraceSpans(tx, actor.workspaceId, experiment.id, fresh, now);
      if (fresh.length) await touchExperiment(tx, experiment.id, now);
      return { run_ids: rows.map((row) => row.id), inserted: fresh.length };
    });
  }

  /**
   * Changes recorded runs, in one transaction: all of them or, on any fault, none. A run may be named
   * more than once; its updates apply in order. Runs not recorded yet are NotFound, or with
   * `deferUnknown` their updates are kept for when they arrive.
   */
  async update(actor: Actor, updates: readonly RunUpdate[], options: UpdateOptions & TransactionOptions = {}): Promise<UpdateResult> {
    const at = options.at ?? DEFAULT_AT;
    const ids = updates.map((update, index) => {
      const id = parseId(update.id);
      if (!id) throw ValidationError.field(`${at(index)}/id`, 'must be a UUID');
      return id;
    });
    const now = nowIso();
    return withTransaction(this.store, options, async (tx): Promise<UpdateResult> => {
      await lockRunIds(this.store, tx, actor.workspaceId, options.deferUnknown ? { defer: ids } : {});
      const experimentOf = await experimentsOfRuns(tx, actor, [...new Set(ids)]);
      const unknown = ids.flatMap((id, index) => (experimentOf.has(id) ? [] : [index]));
      if (unknown.length && !options.deferUnknown) {
        throw new NotFoundError('Run', updates[unknown[0]!]!.id, [{ pointer: `${at(unknown[0]!)}/id`, detail: 'is not a run of this workspace' }]);
      }
      // Experiments are locked in one order, so that two requests changing the same runs cannot
      // deadlock; the runs are read once their experiments are locked.
      const experimentIds = [...new Set(experimentOf.values())].sort();
      for (const experimentId of experimentIds) await findExperimentRow(this.store, tx, actor, experimentId, { lock: true });
      const current = new Map<string, RunTable>();
      for (const chunk of chunks([...experimentOf.keys()])) {
        const rows = await tx.selectFrom('runs').selectAll().where('workspace_id', '=', actor.workspaceId).where('id', 'in', chunk).execute();
        for (const row of rows) current.set(row.id, row);
      }
      const changed = new Map<string, RunTable>();
      updates.forEach((update, index) => {
        const row = changed.get(ids[index]!) ?? current.get(ids[index]!);
        if (!row) return;
        const { id: _id, ...patch } = update;
        changed.set(row.id, applyRunPatch(row, patch, at(index), now));
      });
      // Updates are rare next to new runs (clients merge a run's end into its start when they can),
      // so one statement per changed run is fine here.
      for (const row of changed.values()) {
        await tx.updateTable('runs').set(row).where('workspace_id', '=', row.workspace_id).where('id', '=', row.id).execute();
      }
      for (const experimentId of experimentIds) await touchExperiment(tx, experimentId, now);
      const deferred = unknown.map((index) => {
        const { id: _id, ...patch } = updates[index]!;
        // Checked now, so that a fault is reported to the request that made it, not to the run's.
        toRunRow(actor.workspaceId, patch, at(index), now);
        return { run_id: ids[index]!, kind: 'update' as const, body: patch as JsonObject };
      });
      await deferRunChanges(tx, actor.workspaceId, deferred, now);
      return { updated: changed.size, deferred: deferred.length };
    });
  }

  /** Scores sent before their runs (see ScoreService.place), as rows of the runs now recorded. */
  private async deferredScoreRows(
    tx: Transaction,
    workspaceId: string,
    experimentId: string,
    fresh: readonly RunTable[],
    deferred: Map<string, { kind: string; body: JsonObject }[]>,
    now: string,
  ): Promise<ScoreTable[]> {
    const rows = fresh.flatMap((run) =>
      (deferred.get(run.id) ?? [])
        .filter((change) => change.kind === 'score')
        .flatMap((change) => {
          const [row] = toScoreRows(workspaceId, experimentId, [{ ...(change.body as unknown as NewScore), run_id: run.id }], now, () => '/score');
          return row ? [{ ...row, record_id: scoredRecord(run) }] : [];
        }),
    );
    // A score recorded meanwhile under the same id (sent again, to its experiment) is kept once.
    const taken = await existingScoreIds(
      tx,
      { workspaceId },
      rows.map((row) => row.id),
    );
    return rows.filter((row) => !taken.has(row.id));
  }

  async get(actor: Actor, runId: string): Promise<Run> {
    return presentRun(await findRunRow(this.store, this.store.db, actor, runId));
  }

  /** Runs of an experiment in a stable order (by id). */
  async list(actor: Actor, experimentId: string, query: RunList = {}): Promise<RunListPage> {
    const experiment = await findExperimentRow(this.store, this.store.db, actor, experimentId);
    const scope =
      experiment.dataset_id === null || experiment.dataset_version === null
        ? undefined
        : { datasetId: experiment.dataset_id, version: experiment.dataset_version };
    const matching = this.filtered(actor, query, scope).where('runs.experiment_id', '=', experiment.id);
    const [page, counted] = await Promise.all([this.pageOf(matching, query), matching.select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow()]);
    return { ...page, total: Number(counted.n) };
  }

  /** Runs of the workspace, of any experiment, in a stable order (by id, or by the sort asked for, then by id). */
  async search(actor: Actor, query: RunSearch = {}): Promise<Page<Run>> {
    let select = this.filtered(actor, query, undefined);
    if (query.experiment_ids !== undefined) {
      const experiments = await findExperimentIds(this.store, this.store.db, actor, query.experiment_ids);
      if (experiments.length === 0) return { data: [], next_cursor: null };
      select = select.where('runs.experiment_id', 'in', experiments);
    }
    return this.pageOf(select, query);
  }

  /** What the runs a search finds add up to (all of them, not a page): counts, latency percentiles, totals, scores. */
  async stats(actor: Actor, query: Omit<RunSearch, 'cursor' | 'limit' | 'sort' | 'order'> = {}): Promise<RunStats> {
    let select = this.filtered(actor, query, undefined);
    if (query.experiment_ids !== undefined) {
      const experiments = await findExperimentIds(this.store, this.store.db, actor, query.experiment_ids);
      select = experiments.length === 0 ? select.where(sql<boolean>`1 = 0`) : select.where('runs.experiment_id', 'in', experiments);
    }
    return summarizeRuns(this.store, actor.workspaceId, select);
  }

  /** A page of the runs `select` finds, in the query's order, after its cursor. */
  private async pageOf(select: FilteredRuns, query: Pick<RunSearch, 'cursor' | 'limit' | 'sort' | 'order'>): Promise<Page<Run>> {
    const limit = pageSize(query.limit);
    const sort = query.sort ?? 'id';
    const desc = query.order === 'desc';
    if (sort !== 'id') {
      const expression = sortExpression(sort);
      const rows = await orderByValue(select.selectAll('runs').select(expression.as('sort_value')), expression, 'runs.id', {
        desc,
        after: decodeCursor(query.cursor, 'value'),
      })
        .limit(limit + 1)
        .execute();
      return toPage(rows, limit, presentRun, (row) => valueCursor(row.sort_value, row.id, sort === 'start_time' ? 'text' : 'number'));
    }
    const after = decodeCursor(query.cursor, 'id');
    const rows = await select
      .$if(after !== undefined, (q) => q.where('runs.id', desc ? '<' : '>', after![0]))
      .selectAll('runs')
      .orderBy('runs.id', desc ? 'desc' : 'asc')
      .limit(limit + 1)
      .execute();
    return toPage(rows, limit, presentRun, (row) => [row.id]);
  }

  /** The runs of the workspace that match the query's filters (all but the experiments, the cursor and the order). */
  private filtered(actor: Actor, query: RunSearch, scope: RecordScope | undefined): FilteredRuns {
    let select = applyRunFilters(this.store.db.selectFrom('runs').where('runs.workspace_id', '=', actor.workspaceId), query, this.store.sql, scope);
    if (query.ids !== undefined) {
      if (query.ids.length > 1_000) throw ValidationError.field('/ids', 'must hold at most 1000 ids');
      const ids = query.ids.flatMap((id) => parseId(id) ?? []);
      select = ids.length === 0 ? select.where(sql<boolean>`1 = 0`) : select.where('id', 'in', ids);
    }
    if (query.run_type !== undefined) select = select.where('run_type', '=', query.run_type);
    if (query.children_only) select = select.where('parent_run_id', 'is not', null);
    if (query.failed !== undefined) select = select.where('status', query.failed ? '=' : '<>', 'error');
    if (query.started_after !== undefined) select = select.where('start_time', '>=', optionalTime(query.started_after, '/started_after')!);
    if (query.record_id !== undefined) {
      const recordId = parseId(query.record_id);
      select = recordId ? select.where('record_id', '=', recordId) : select.where(sql<boolean>`1 = 0`);
    }
    if (query.status !== undefined) select = select.where('status', '=', query.status);
    if (query.root_only) select = select.where('parent_run_id', 'is', null);
    if (query.trace_id !== undefined) select = select.where('trace_id', '=', query.trace_id);
    if (query.parent_run_id !== undefined) select = select.where('parent_run_id', '=', query.parent_run_id);
    if (query.name !== undefined) select = select.where('name', '=', query.name);
    if (query.min_latency_ms !== undefined) select = select.where('latency_ms', '>=', query.min_latency_ms);
    if (query.max_latency_ms !== undefined) select = select.where('latency_ms', '<=', query.max_latency_ms);
    return select;
  }
}

/** A run's row, with defaults derived from what was given; faults point under `pointer` (the run's place). */
function toRunRow(workspaceId: string, run: NewRun, pointer: string, now: string): RunTable {
  const at = (field: string) => `${pointer}/${field}`;
  const id = run.id === undefined ? newId() : parseId(run.id);
  if (!id) throw ValidationError.field(at('id'), 'must be a UUID');
  const recordId = run.record_id === undefined || run.record_id === null ? null : (parseId(run.record_id) ?? null);
  if (run.record_id && !recordId) throw ValidationError.field(at('record_id'), 'must be a UUID');
  const start = optionalTime(run.start_time, at('start_time'));
  const end = optionalTime(run.end_time, at('end_time'));
  if (start && end && end < start) throw ValidationError.field(at('end_time'), 'must not be before start_time');
  const cost = (field: 'prompt_cost' | 'completion_cost' | 'total_cost') => costOf(run[field], at(field));
  const promptCost = cost('prompt_cost');
  const completionCost = cost('completion_cost');
  const error = run.error ?? null;
  return measured(pointer, {
    workspace_id: workspaceId,
    id,
    experiment_id: '',
    record_id: recordId,
    repetition: run.repetition ?? null,
    name: run.name ?? null,
    run_type: run.run_type ?? null,
    status: run.status ?? (error !== null ? 'error' : 'success'),
    input: run.input === undefined ? null : JSON.stringify(run.input),
    output: run.output === undefined ? null : JSON.stringify(run.output),
    error,
    start_time: start,
    end_time: end,
    latency_ms: run.latency_ms ?? (start && end ? Date.parse(end) - Date.parse(start) : null),
    first_token_ms: run.first_token_ms ?? null,
    prompt_tokens: run.prompt_tokens ?? null,
    completion_tokens: run.completion_tokens ?? null,
    total_tokens: run.total_tokens ?? sumOrNull(run.prompt_tokens, run.completion_tokens),
    prompt_cost: promptCost,
    completion_cost: completionCost,
    total_cost: cost('total_cost') ?? sumOrNull(promptCost, completionCost),
    metadata: JSON.stringify(run.metadata ?? {}),
    extra: JSON.stringify(run.extra ?? {}),
    trace_id: run.trace_id ?? null,
    parent_run_id: run.parent_run_id ?? null,
    created_at: now,
    updated_at: now,
  });
}

/** Nano-dollars of a cost given in US dollars; null stays null. */
function costOf(value: number | string | null | undefined, pointer: string): number | null {
  if (value === undefined || value === null) return null;
  const nanos = parseCost(value);
  if (nanos === undefined) throw ValidationError.field(pointer, 'must be a decimal number of US dollars');
  return nanos;
}

/** A run's row with a patch applied (see RunPatch); faults point under `pointer`. */
function applyRunPatch(row: RunTable, patch: RunPatch, pointer: string, now: string): RunTable {
  const at = (field: string) => `${pointer}/${field}`;
  const given = <K extends keyof RunPatch>(field: K) => patch[field] !== undefined;
  const start = given('start_time') ? optionalTime(patch.start_time, at('start_time')) : row.start_time;
  const end = given('end_time') ? optionalTime(patch.end_time, at('end_time')) : row.end_time;
  if (start && end && end < start) throw ValidationError.field(at('end_time'), 'must not be before start_time');
  const error = given('error') ? (patch.error ?? null) : row.error;
  const promptTokens = given('prompt_tokens') ? (patch.prompt_tokens ?? null) : row.prompt_tokens;
  const completionTokens = given('completion_tokens') ? (patch.completion_tokens ?? null) : row.completion_tokens;
  const promptCost = given('prompt_cost') ? costOf(patch.prompt_cost, at('prompt_cost')) : row.prompt_cost;
  const completionCost = given('completion_cost') ? costOf(patch.completion_cost, at('completion_cost')) : row.completion_cost;
  const timesMoved = given('start_time') || given('end_time');
  const tokensMoved = given('prompt_tokens') || given('completion_tokens');
  const costsMoved = given('prompt_cost') || given('completion_cost');
  // An error makes the run failed; an end without one makes a pending run done.
  const derivedStatus = error !== null ? 'error' : end !== null && row.status === 'pending' ? 'success' : row.status;
  return measured(pointer, {
    ...row,
    name: given('name') ? (patch.name ?? null) : row.name,
    run_type: given('run_type') ? (patch.run_type ?? null) : row.run_type,
    status: patch.status ?? (given('error') || given('end_time') ? derivedStatus : row.status),
    input: given('input') ? JSON.stringify(patch.input) : row.input,
    output: given('output') ? JSON.stringify(patch.output) : row.output,
    error,
    start_time: start,
    end_time: end,
    latency_ms: given('latency_ms') ? (patch.latency_ms ?? null) : timesMoved ? (start && end ? Date.parse(end) - Date.parse(start) : null) : row.latency_ms,
    first_token_ms: given('first_token_ms') ? (patch.first_token_ms ?? null) : row.first_token_ms,
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: given('total_tokens') ? (patch.total_tokens ?? null) : tokensMoved ? sumOrNull(promptTokens, completionTokens) : row.total_tokens,
    prompt_cost: promptCost,
    completion_cost: completionCost,
    total_cost: given('total_cost') ? costOf(patch.total_cost, at('total_cost')) : costsMoved ? sumOrNull(promptCost, completionCost) : row.total_cost,
    metadata: given('metadata') ? JSON.stringify(patch.metadata ?? {}) : row.metadata,
    extra: given('extra') ? JSON.stringify({ ...(JSON.parse(row.extra) as JsonObject), ...patch.extra }) : row.extra,
    updated_at: now,
  });
}

/** The row, once its measures (latency, tokens, costs, as derived or given) are within their bounds (MEASURE_BOUNDS). */
function measured(pointer: string, row: RunTable): RunTable {
  checkMeasures(row, pointer);
  return row;
}

function sumOrNull(a: number | null | undefined, b: number | null | undefined): number | null {
  return a === undefined || a === null ? (b ?? null) : b === undefined || b === null ? a : a + b;
}

function checkUniqueIds(rows: readonly RunTable[], at: (index: number) => string): void {
  const seen = new Set<string>();
  rows.forEach((row, index) => {
    if (seen.has(row.id)) throw ValidationError.field(`${at(index)}/id`, 'appears twice in the request');
    seen.add(row.id);
  });
}

/** On an experiment with a dataset, every result (root run) must name its record. */
function checkRecordsGiven(experiment: ExperimentTable, rows: readonly RunTable[], at: (index: number) => string): void {
  if (experiment.dataset_id === null) return;
  const index = rows.findIndex((row) => row.record_id === null && row.parent_run_id === null);
  if (index >= 0)
    throw ValidationError.field(`${at(index)}/record_id`, 'is required: the experiment is on a dataset, and each run is the result for one of its records');
}

/** Every record a run names must be in the experiment's dataset version. */
async function checkRecords(tx: Transaction, experiment: ExperimentTable, rows: readonly RunTable[], at: (index: number) => string): Promise<void> {
  const wanted = [...new Set(rows.flatMap((row) => (row.record_id ? [row.record_id] : [])))];
  if (wanted.length === 0) return;
  const firstWith = (recordIds: ReadonlySet<string>) => rows.findIndex((row) => row.record_id !== null && !recordIds.has(row.record_id));
  if (experiment.dataset_id === null || experiment.dataset_version === null) {
    const index = firstWith(new Set());
    throw ValidationError.field(`${at(index)}/record_id`, 'must be absent: the experiment has no dataset');
  }
  const found = new Set<string>();
  for (const chunk of chunks(wanted)) {
    const present = await revisionsAt(tx, experiment.dataset_id, experiment.dataset_version).select('record_id').where('record_id', 'in', chunk).execute();
    for (const { record_id } of present) found.add(record_id);
  }
  const index = firstWith(found);
  if (index >= 0) {
    throw ValidationError.field(`${at(index)}/record_id`, `is not a record of the experiment's dataset at version ${experiment.dataset_version}`);
  }
}

/**
 * Caller-chosen ids of the new runs' scores must be new: given twice in the request, or already the id
 * of a recorded score, they would break the scores' primary key.
 */
async function refuseTakenScoreIds(
  tx: Transaction,
  workspaceId: string,
  runs: readonly NewRun[],
  rows: readonly RunTable[],
  freshIds: ReadonlySet<string>,
  at: (index: number) => string,
): Promise<void> {
  const pointerOf = new Map<string, string>();
  runs.forEach((run, index) => {
    if (!freshIds.has(rows[index]!.id)) return;
    run.scores?.forEach((score, i) => {
      const id = score.id === undefined ? undefined : parseId(score.id);
      if (id === undefined) return;
      const pointer = `${at(index)}/scores/${i}/id`;
      if (pointerOf.has(id)) throw ValidationError.field(pointer, 'appears twice in the request');
      pointerOf.set(id, pointer);
    });
  });
  const taken = await existingScoreIds(tx, { workspaceId }, [...pointerOf.keys()]);
  const clash = [...pointerOf].find(([id]) => taken.has(id));
  if (clash) throw new ConflictError(`Score ${clash[0]} already exists`, [{ pointer: clash[1], detail: 'is the id of a score recorded before' }]);
}

/**
 * Numbers the attempts at each record: a result run (a root run with a record) without a repetition
 * gets the next number after the highest one the record has. The caller holds the experiment's lock,
 * and has checked that every record is in the experiment's dataset version.
 */
async function numberRepetitions(tx: Transaction, experiment: ExperimentTable, rows: RunTable[]): Promise<void> {
  const results = rows.filter((row) => row.record_id !== null && row.parent_run_id === null);
  const unnumbered = [...new Set(results.filter((row) => row.repetition === null).map((row) => row.record_id!))];
  if (unnumbered.length === 0 || experiment.dataset_id === null || experiment.dataset_version === null) return;
  const highest = new Map<string, number>();
  for (const chunk of chunks(unnumbered)) {
    // One index seek per record (the last entry of runs_experiment_record), rather than a max() over
    // every earlier run of the record: the cost of a batch stays flat however many runs the records have.
    // The subquery names no other column on purpose: a condition on parent_run_id would let PostgreSQL,
    // without statistics, pick a partial index of results and read every run of the experiment per
    // record. Child runs only carry a repetition their client gave (their parent's), so the highest
    // repetition of a record's runs is its results' highest.
    const found = await revisionsAt(tx, experiment.dataset_id, experiment.dataset_version)
      .where('record_revisions.record_id', 'in', chunk)
      .select((eb) => [
        'record_revisions.record_id',
        eb
          .selectFrom('runs')
          .select('runs.repetition')
          .where('runs.experiment_id', '=', experiment.id)
          .whereRef('runs.record_id', '=', 'record_revisions.record_id')
          .where('runs.repetition', 'is not', null)
          .orderBy('runs.repetition', 'desc')
          .limit(1)
          .as('highest'),
      ])
      .execute();
    for (const row of found) highest.set(row.record_id, Number(row.highest ?? 0));
  }
  for (const row of results) if (row.repetition !== null) highest.set(row.record_id!, Math.max(highest.get(row.record_id!) ?? 0, row.repetition));
  for (const row of results) {
    if (row.repetition !== null) continue;
    const next = (highest.get(row.record_id!) ?? 0) + 1;
    row.repetition = next;
    highest.set(row.record_id!, next);
  }
}

/** Moves the spans of the result runs' traces that log streams hold into the experiment, under their result run (see AppendOptions.adoptTraces). */
async function adoptTraceSpans(tx: Transaction, workspaceId: string, experimentId: string, rows: readonly RunTable[], now: string): Promise<void> {
  const ownerOf = new Map(
    rows.flatMap((row) => (row.trace_id && row.parent_run_id === null && row.record_id !== null ? [[row.trace_id, row.id] as const] : [])),
  );
  for (const chunk of chunks([...ownerOf.keys()])) {
    const spans = await tx
      .selectFrom('runs')
      .innerJoin('experiments', 'experiments.id', 'runs.experiment_id')
      .select(['runs.id', 'runs.trace_id', 'runs.parent_run_id', 'runs.experiment_id'])
      .where('runs.workspace_id', '=', workspaceId)
      .where('runs.trace_id', 'in', chunk)
      .where('experiments.dataset_id', 'is', null)
      .execute();
    if (spans.length === 0) continue;
    const ids = spans.map((span) => span.id);
    await tx.updateTable('runs').set({ experiment_id: experimentId, updated_at: now }).where('workspace_id', '=', workspaceId).where('id', 'in', ids).execute();
    await tx
      .updateTable('scores')
      .set({ experiment_id: experimentId, updated_at: now })
      .where('workspace_id', '=', workspaceId)
      .where('run_id', 'in', ids)
      .execute();
    for (const span of spans) {
      if (span.parent_run_id !== null) continue;
      await tx
        .updateTable('runs')
        .set({ parent_run_id: ownerOf.get(span.trace_id!)! })
        .where('workspace_id', '=', workspaceId)
        .where('id', '=', span.id)
        .execute();
    }
    for (const streamId of new Set(spans.map((span) => span.experiment_id))) await touchExperiment(tx, streamId, now);
  }
}

/** Removes, of `ids`, the experiment's failed result runs, with the spans of their traces and every score of them. */
async function removeFailedRuns(tx: Transaction, workspaceId: string, experimentId: string, ids: readonly string[]): Promise<void> {
  for (const chunk of chunks(ids)) {
    const failed = await tx
      .selectFrom('runs')
      .select('id')
      .where('workspace_id', '=', workspaceId)
      .where('experiment_id', '=', experimentId)
      .where('id', 'in', chunk)
      .where('status', '=', 'error')
      .where('parent_run_id', 'is', null)
      .execute();
    if (failed.length === 0) continue;
    const roots = failed.map((row) => row.id);
    const spans = await tx
      .selectFrom('runs')
      .select('id')
      .where('workspace_id', '=', workspaceId)
      .where('trace_id', 'in', roots)
      .where('parent_run_id', 'is not', null)
      .execute();
    for (const members of chunks([...roots, ...spans.map((row) => row.id)])) {
      await tx.deleteFrom('scores').where('workspace_id', '=', workspaceId).where('run_id', 'in', members).execute();
      await tx.deleteFrom('runs').where('workspace_id', '=', workspaceId).where('id', 'in', members).execute();
    }
  }
}

/**
 * numberRepetitions for runs already inserted without their numbers (PostgreSQL, under the
 * experiment's lock): the highest numbers are read now, so appends that committed while this one
 * waited for the lock count, and the numbers are written in one statement.
 */
async function numberInserted(tx: Transaction, experiment: ExperimentTable, rows: RunTable[]): Promise<void> {
  const unnumbered = rows.filter((row) => row.repetition === null);
  if (unnumbered.length === 0) return;
  await numberRepetitions(tx, experiment, rows);
  const numbered = unnumbered.filter((row) => row.repetition !== null);
  if (numbered.length === 0) return;
  await sql`update runs set repetition = numbered.repetition
    from unnest(${numbered.map((row) => row.id)}::uuid[], ${numbered.map((row) => row.repetition)}::integer[]) as numbered(id, repetition)
    where runs.workspace_id = ${experiment.workspace_id} and runs.id = numbered.id`.execute(tx);
}
