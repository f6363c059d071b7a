import type { Kysely } from 'kysely';
import { ConflictError, NotFoundError, ValidationError } from '../domain/errors.js';
import { newId, parseId } from '../domain/ids.js';
import type { Json, JsonObject } from '../domain/json.js';
import { LIMITS } from '../domain/limits.js';
import { formatCost, parseCost } from '../domain/money.js';
import { nowIso } from '../domain/time.js';
import type { Actor, Run, RunStatus } from '../domain/types.js';
import type { Store } from '../store/database.js';
import type { Database, ExperimentTable, RunTable } from '../store/schema.js';
import { findExperimentRow, optionalTime, touchExperiment } from './experiments.js';
import { decodeCursor, pageSize, toPage, type Page } from './pagination.js';
import { revisionsAt } from './revisions.js';
import { existingScoreIds, toScoreRows, type NewScore } from './scores.js';
import { writeUnique } from './unique.js';

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

export class RunService {
  constructor(private readonly store: Store) {}

  /**
   * Records runs of an experiment in one transaction: all of them or, on any fault, none. Runs whose
   * id was recorded before in this experiment are skipped, so a client may retry after a timeout.
   */
  async append(
    actor: Actor,
    experimentId: string,
    runs: readonly NewRun[],
    db?: Kysely<Database>,
    options: AppendOptions = {},
  ): Promise<AppendResult> {
    if (runs.length < 1 || runs.length > LIMITS.recordsPerRequest) {
      throw ValidationError.field('/runs', `must hold between 1 and ${LIMITS.recordsPerRequest} items (got ${runs.length})`);
    }
    const now = nowIso();
    const rows = runs.map((run, index) => toRunRow(actor.workspaceId, run, index, now));
    checkUniqueIds(rows);
    const work = async (tx: Kysely<Database>) => {
      const experiment = await findExperimentRow(this.store, tx, actor, experimentId, { lock: true });
      for (const row of rows) row.experiment_id = experiment.id;
      if (options.requireRecords) checkRecordsGiven(experiment, rows);
      await checkRecords(tx, experiment, rows);
      const known = await existingRuns(tx, actor.workspaceId, rows.map((r) => r.id));
      const fresh = rows.filter((row, index) => {
        const existing = known.get(row.id);
        if (existing === undefined) return true;
        if (existing !== experiment.id) {
          throw new ConflictError(`Run ${row.id} belongs to another experiment`, [
            { pointer: `/runs/${index}/id`, detail: 'is the id of a run of another experiment' },
          ]);
        }
        return false;
      });
      await numberRepetitions(tx, experiment, fresh);
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
          run.scores.map((score) => ({ ...score, run_id: row.id })),
          now,
          (i) => `/runs/${index}/scores/${i}`,
        );
        // Only results (root runs) carry their record onto scores: comparisons read them by record.
        for (const scoreRow of scoreRows) scoreRow.record_id = row.parent_run_id === null ? row.record_id : null;
        return scoreRows;
      });
      await refuseTakenScoreIds(tx, actor.workspaceId, runs, rows, freshIds);
      await this.store.bulk.insert(tx, 'scores', scores);
      if (fresh.length) await touchExperiment(tx, experiment.id, now);
      return { run_ids: rows.map((row) => row.id), inserted: fresh.length };
    };
    return db ? work(db) : this.store.transaction(work);
  }

  async get(actor: Actor, runId: string): Promise<Run> {
    const id = parseId(runId);
    const row = id
      ? await this.store.db.selectFrom('runs').selectAll().where('workspace_id', '=', actor.workspaceId).where('id', '=', id).executeTakeFirst()
      : undefined;
    if (!row) throw new NotFoundError('Run', runId);
    return presentRun(row);
  }

  /** Runs of an experiment in a stable order (by id). */
  async list(actor: Actor, experimentId: string, query: RunQuery = {}): Promise<Page<Run>> {
    const experiment = await findExperimentRow(this.store, this.store.db, actor, experimentId);
    const limit = pageSize(query.limit);
    const after = decodeCursor(query.cursor, 1);
    let select = this.store.db.selectFrom('runs').selectAll().where('experiment_id', '=', experiment.id);
    if (query.record_id !== undefined) {
      const recordId = parseId(query.record_id);
      if (!recordId) return { data: [], next_cursor: null };
      select = select.where('record_id', '=', recordId);
    }
    if (query.status !== undefined) select = select.where('status', '=', query.status);
    if (query.root_only) select = select.where('parent_run_id', 'is', null);
    if (query.trace_id !== undefined) select = select.where('trace_id', '=', query.trace_id);
    if (query.parent_run_id !== undefined) select = select.where('parent_run_id', '=', query.parent_run_id);
    if (query.name !== undefined) select = select.where('name', '=', query.name);
    if (query.min_latency_ms !== undefined) select = select.where('latency_ms', '>=', query.min_latency_ms);
    if (query.max_latency_ms !== undefined) select = select.where('latency_ms', '<=', query.max_latency_ms);
    if (after) select = select.where('id', '>', String(after[0]));
    const rows = await select.orderBy('id').limit(limit + 1).execute();
    return toPage(rows, limit, presentRun, (row) => [row.id]);
  }
}

/** A run's row, with defaults derived from what was given; faults name the run's index. */
function toRunRow(workspaceId: string, run: NewRun, index: number, now: string): RunTable {
  const at = (field: string) => `/runs/${index}/${field}`;
  const id = run.id === undefined ? newId() : parseId(run.id);
  if (!id) throw ValidationError.field(at('id'), 'must be a UUID');
  const recordId = run.record_id === undefined || run.record_id === null ? null : (parseId(run.record_id) ?? null);
  if (run.record_id && !recordId) throw ValidationError.field(at('record_id'), 'must be a UUID');
  const start = optionalTime(run.start_time, at('start_time'));
  const end = optionalTime(run.end_time, at('end_time'));
  if (start && end && end < start) throw ValidationError.field(at('end_time'), 'must not be before start_time');
  const cost = (field: 'prompt_cost' | 'completion_cost' | 'total_cost') => {
    const value = run[field];
    if (value === undefined || value === null) return null;
    const nanos = parseCost(value);
    if (nanos === undefined) throw ValidationError.field(at(field), 'must be a decimal number of US dollars');
    return nanos;
  };
  const promptCost = cost('prompt_cost');
  const completionCost = cost('completion_cost');
  const error = run.error ?? null;
  return {
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
  };
}

function sumOrNull(a: number | null | undefined, b: number | null | undefined): number | null {
  return a === undefined || a === null ? (b ?? null) : b === undefined || b === null ? a : a + b;
}

function checkUniqueIds(rows: readonly RunTable[]): void {
  const seen = new Set<string>();
  rows.forEach((row, index) => {
    if (seen.has(row.id)) throw ValidationError.field(`/runs/${index}/id`, 'appears twice in the request');
    seen.add(row.id);
  });
}

/** On an experiment with a dataset, every result (root run) must name its record. */
function checkRecordsGiven(experiment: ExperimentTable, rows: readonly RunTable[]): void {
  if (experiment.dataset_id === null) return;
  const index = rows.findIndex((row) => row.record_id === null && row.parent_run_id === null);
  if (index >= 0) throw ValidationError.field(`/runs/${index}/record_id`, 'is required: the experiment is on a dataset, and each run is the result for one of its records');
}

/** Every record a run names must be in the experiment's dataset version. */
async function checkRecords(tx: Kysely<Database>, experiment: ExperimentTable, rows: readonly RunTable[]): Promise<void> {
  const wanted = [...new Set(rows.flatMap((row) => (row.record_id ? [row.record_id] : [])))];
  if (wanted.length === 0) return;
  const firstWith = (recordIds: ReadonlySet<string>) => rows.findIndex((row) => row.record_id !== null && !recordIds.has(row.record_id));
  if (experiment.dataset_id === null || experiment.dataset_version === null) {
    const index = firstWith(new Set());
    throw ValidationError.field(`/runs/${index}/record_id`, 'must be absent: the experiment has no dataset');
  }
  const found = new Set<string>();
  for (let start = 0; start < wanted.length; start += 1_000) {
    const present = await revisionsAt(tx, experiment.dataset_id, experiment.dataset_version)
      .select('record_id')
      .where('record_id', 'in', wanted.slice(start, start + 1_000))
      .execute();
    for (const { record_id } of present) found.add(record_id);
  }
  const index = firstWith(found);
  if (index >= 0) {
    throw ValidationError.field(
      `/runs/${index}/record_id`,
      `is not a record of the experiment's dataset at version ${experiment.dataset_version}`,
    );
  }
}

/**
 * Caller-chosen ids of the new runs' scores must be new: given twice in the request, or already the id
 * of a recorded score, they would break the scores' primary key.
 */
async function refuseTakenScoreIds(
  tx: Kysely<Database>,
  workspaceId: string,
  runs: readonly NewRun[],
  rows: readonly RunTable[],
  freshIds: ReadonlySet<string>,
): Promise<void> {
  const pointerOf = new Map<string, string>();
  runs.forEach((run, index) => {
    if (!freshIds.has(rows[index]!.id)) return;
    run.scores?.forEach((score, i) => {
      const id = score.id === undefined ? undefined : parseId(score.id);
      if (id === undefined) return;
      const pointer = `/runs/${index}/scores/${i}/id`;
      if (pointerOf.has(id)) throw ValidationError.field(pointer, 'appears twice in the request');
      pointerOf.set(id, pointer);
    });
  });
  const taken = await existingScoreIds(tx, workspaceId, [...pointerOf.keys()]);
  const clash = [...pointerOf].find(([id]) => taken.has(id));
  if (clash) throw new ConflictError(`Score ${clash[0]} already exists`, [{ pointer: clash[1], detail: 'is the id of a score recorded before' }]);
}

/** Which of `ids` are runs already, and of which experiment. */
async function existingRuns(tx: Kysely<Database>, workspaceId: string, ids: readonly string[]): Promise<Map<string, string>> {
  const known = new Map<string, string>();
  for (let start = 0; start < ids.length; start += 1_000) {
    const rows = await tx
      .selectFrom('runs')
      .select(['id', 'experiment_id'])
      .where('workspace_id', '=', workspaceId)
      .where('id', 'in', ids.slice(start, start + 1_000))
      .execute();
    for (const row of rows) known.set(row.id, row.experiment_id);
  }
  return known;
}

/**
 * Numbers the attempts at each record: a result run (a root run with a record) without a repetition
 * gets the next number after the highest one the record has. The caller holds the experiment's lock,
 * and has checked that every record is in the experiment's dataset version.
 */
async function numberRepetitions(tx: Kysely<Database>, experiment: ExperimentTable, rows: RunTable[]): Promise<void> {
  const results = rows.filter((row) => row.record_id !== null && row.parent_run_id === null);
  const unnumbered = [...new Set(results.filter((row) => row.repetition === null).map((row) => row.record_id!))];
  if (unnumbered.length === 0 || experiment.dataset_id === null || experiment.dataset_version === null) return;
  const highest = new Map<string, number>();
  for (let start = 0; start < unnumbered.length; start += 1_000) {
    // One index seek per record (the last entry of runs_experiment_record), rather than a max() over
    // every earlier run of the record: the cost of a batch stays flat however many runs the records have.
    const found = await revisionsAt(tx, experiment.dataset_id, experiment.dataset_version)
      .where('record_revisions.record_id', 'in', unnumbered.slice(start, start + 1_000))
      .select((eb) => [
        'record_revisions.record_id',
        eb
          .selectFrom('runs')
          .select('runs.repetition')
          .where('runs.experiment_id', '=', experiment.id)
          .whereRef('runs.record_id', '=', 'record_revisions.record_id')
          .where('runs.parent_run_id', 'is', null)
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

export function presentRun(row: RunTable): Run {
  return {
    id: row.id,
    experiment_id: row.experiment_id,
    record_id: row.record_id,
    repetition: row.repetition,
    name: row.name,
    run_type: row.run_type,
    status: row.status as RunStatus,
    input: row.input === null ? null : (JSON.parse(row.input) as Json),
    output: row.output === null ? null : (JSON.parse(row.output) as Json),
    error: row.error,
    start_time: row.start_time,
    end_time: row.end_time,
    latency_ms: row.latency_ms,
    first_token_ms: row.first_token_ms,
    prompt_tokens: row.prompt_tokens,
    completion_tokens: row.completion_tokens,
    total_tokens: row.total_tokens,
    prompt_cost: row.prompt_cost === null ? null : formatCost(row.prompt_cost),
    completion_cost: row.completion_cost === null ? null : formatCost(row.completion_cost),
    total_cost: row.total_cost === null ? null : formatCost(row.total_cost),
    metadata: JSON.parse(row.metadata) as JsonObject,
    trace_id: row.trace_id,
    parent_run_id: row.parent_run_id,
    extra: JSON.parse(row.extra) as JsonObject,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}
