import { sql, type Kysely, type QueryCreator, type RawBuilder } from 'kysely';
import { NotFoundError, ValidationError } from '../../domain/errors.js';
import type { Json } from '../../domain/json.js';
import type { Actor, ScoreSource } from '../../domain/types.js';
import type { Store } from '../../store/database.js';
import type { Database, ExperimentTable } from '../../store/schema.js';
import { findExperimentRow } from '../rows/finders.js';

export const MAX_COMPARED_EXPERIMENTS = 20;

/** Which runs take part: filters apply to runs before anything is counted or grouped. */
export interface RunFilters {
  /** Runs whose metadata has each of these key/value pairs. */
  run_metadata?: Record<string, Json>;
  /** Runs whose record's metadata has each of these key/value pairs. */
  record_metadata?: Record<string, Json>;
  /** Only runs that failed. */
  errors_only?: boolean;
  latency_ms?: { min?: number; max?: number };
  /** Runs with a score of `key` within [min, max]. */
  scores?: { key: string; min?: number; max?: number }[];
  /** Only scores of this source count, everywhere in the comparison (e.g. `human`: the reviewers' scores). */
  score_source?: ScoreSource;
}

export interface GroupBy {
  /** Group by a key of the runs' metadata, or of their records' metadata. */
  source: 'run' | 'record';
  key: string;
}

/** The experiments being compared, checked, with what every query over them shares. */
export interface ComparisonScope {
  actor: Actor;
  experiments: ExperimentTable[];
  datasetId: string;
  /** Records are read as of this version: the newest any compared experiment ran on. */
  version: number;
  filters: RunFilters;
  groupBy?: GroupBy;
  /** Count the runs of all compared experiments together, as if they were one (reported as POOLED). */
  pooled?: boolean;
}

/** The experiment id statistics report when they pool the runs of every compared experiment. */
export const POOLED = '*';

/** The experiment a run or score counts towards: its own, or POOLED. */
export function experimentOf(scope: ComparisonScope, alias: 'r' | 's') {
  return scope.pooled ? sql<string>`${sql.lit(POOLED)}` : sql.ref<string>(`${alias}.experiment_id`);
}

/**
 * Resolves and checks the experiments: every one of the actor's workspace (NotFound naming the one
 * that is not), all on one dataset, at most MAX_COMPARED_EXPERIMENTS.
 */
export async function resolveScope(
  store: Store,
  actor: Actor,
  experimentIds: readonly string[],
  options: { filters?: RunFilters; groupBy?: GroupBy; pointer?: string; datasetId?: string } = {},
): Promise<ComparisonScope> {
  const pointer = options.pointer ?? '/experiment_ids';
  if (experimentIds.length < 1 || experimentIds.length > MAX_COMPARED_EXPERIMENTS) {
    throw ValidationError.field(pointer, `must name between 1 and ${MAX_COMPARED_EXPERIMENTS} experiments`);
  }
  if (new Set(experimentIds).size !== experimentIds.length) throw ValidationError.field(pointer, 'must not name an experiment twice');
  const experiments: ExperimentTable[] = [];
  for (const [index, id] of experimentIds.entries()) {
    const experiment = await findExperimentRow(store, store.db, actor, id).catch((error: unknown) => {
      if (!(error instanceof NotFoundError)) throw error;
      throw new NotFoundError('Experiment', id, [{ pointer: `${pointer}/${index}`, detail: 'is not an experiment of this workspace' }]);
    });
    experiments.push(experiment);
  }
  if (options.datasetId !== undefined) {
    const index = experiments.findIndex((e) => e.dataset_id !== options.datasetId);
    if (index >= 0) {
      throw new NotFoundError('Experiment', experimentIds[index], [{ pointer: `${pointer}/${index}`, detail: 'is not an experiment of this dataset' }]);
    }
  }
  const datasets = new Set(experiments.map((e) => e.dataset_id));
  const datasetId = experiments[0]!.dataset_id;
  if (datasetId === null || datasets.size !== 1) {
    throw ValidationError.field(pointer, 'must name experiments on one and the same dataset');
  }
  const version = Math.max(...experiments.map((e) => e.dataset_version ?? 0));
  return { actor, experiments, datasetId, version, filters: options.filters ?? {}, groupBy: options.groupBy };
}

/** True when filters restrict runs (so scores must be read through their runs). */
export function filtersRuns(filters: RunFilters): boolean {
  return Boolean(
    filters.errors_only ||
      filters.latency_ms?.min !== undefined ||
      filters.latency_ms?.max !== undefined ||
      Object.keys(filters.run_metadata ?? {}).length ||
      Object.keys(filters.record_metadata ?? {}).length ||
      filters.scores?.length,
  );
}

/**
 * The runs compared: result runs (root runs of a record) of the compared experiments that pass the
 * filters, with the group value (JSON text, null when the key is absent) as `g`. The experiments were
 * checked to be the actor's, so their runs are too.
 */
export function scopedRuns(store: Store, scope: ComparisonScope) {
  const { filters } = scope;
  let runs = withRecordGroups(store, scope)
    .selectFrom('runs as r')
    .$if(scope.groupBy?.source === 'record', (q) => q.leftJoin('rg', 'rg.record_id', 'r.record_id'))
    .where(
      'r.experiment_id',
      'in',
      scope.experiments.map((e) => e.id),
    )
    .where('r.parent_run_id', 'is', null)
    .where('r.record_id', 'is not', null);
  if (filters.errors_only) runs = runs.where('r.status', '=', 'error');
  if (filters.latency_ms?.min !== undefined) runs = runs.where('r.latency_ms', '>=', filters.latency_ms.min);
  if (filters.latency_ms?.max !== undefined) runs = runs.where('r.latency_ms', '<=', filters.latency_ms.max);
  for (const [key, value] of Object.entries(filters.run_metadata ?? {})) runs = runs.where(store.sql.jsonFieldEquals('r.metadata', key, value));
  for (const [key, value] of Object.entries(filters.record_metadata ?? {})) {
    runs = runs.where(({ exists }) =>
      exists(
        recordsAt(store.db, scope, 'fr')
          .select(sql.lit(1).as('one'))
          .where('fr.record_id', '=', sql.ref<string>('r.record_id'))
          .where(store.sql.jsonFieldEquals('fr.metadata', key, value)),
      ),
    );
  }
  for (const score of filters.scores ?? []) {
    runs = runs.where(({ exists, selectFrom }) => {
      let scored = selectFrom('scores as fs')
        .select(sql.lit(1).as('one'))
        .whereRef('fs.workspace_id', '=', 'r.workspace_id')
        .whereRef('fs.run_id', '=', 'r.id')
        .where('fs.key', '=', score.key);
      if (filters.score_source !== undefined) scored = scored.where('fs.source', '=', filters.score_source);
      if (score.min !== undefined) scored = scored.where('fs.score', '>=', score.min);
      if (score.max !== undefined) scored = scored.where('fs.score', '<=', score.max);
      return exists(scored);
    });
  }
  return runs.select(groupOfRun(store, scope).as('g'));
}

/** The part of the scores in scope a query reads: narrowed here, the database reads only those. */
export interface ScoresAsked {
  key?: string;
  /** The records: their ids, or the record of an enclosing query. */
  records?: readonly string[] | RawBuilder<string>;
}

/**
 * The scores of the runs compared, with their run's group as `g`. Scores carry their run's record, so
 * unless filters or a run metadata key decide which runs count, they are read without the runs, by the
 * index of scores by experiment, key and record; a few records' scores of every key are read through
 * their runs instead, which that index cannot find by record alone.
 */
export function scopedScores(store: Store, scope: ComparisonScope, asked: ScoresAsked = {}) {
  const { key, records } = asked;
  const source = scope.filters.score_source;
  if (filtersRuns(scope.filters) || scope.groupBy?.source === 'run' || (records !== undefined && key === undefined)) {
    return scopedRuns(store, scope)
      .$if(records !== undefined, (q) => q.where('r.record_id', Array.isArray(records) ? 'in' : '=', records!))
      .innerJoin('scores as s', (join) => join.onRef('s.workspace_id', '=', 'r.workspace_id').onRef('s.run_id', '=', 'r.id'))
      .$if(key !== undefined, (q) => q.where('s.key', '=', key!))
      .$if(source !== undefined, (q) => q.where('s.source', '=', source!))
      .select([experimentOf(scope, 's').as('experiment_id'), 's.record_id', 's.key', 's.score', 's.label']);
  }
  return withRecordGroups(store, scope)
    .selectFrom('scores as s')
    .$if(scope.groupBy?.source === 'record', (q) => q.leftJoin('rg', 'rg.record_id', 's.record_id'))
    .where(
      's.experiment_id',
      'in',
      scope.experiments.map((e) => e.id),
    )
    .$if(key !== undefined, (q) => q.where('s.key', '=', key!))
    .$if(source !== undefined, (q) => q.where('s.source', '=', source!))
    .$if(records !== undefined, (q) => q.where('s.record_id', Array.isArray(records) ? 'in' : '=', records!))
    .where('s.record_id', 'is not', null)
    .select([
      experimentOf(scope, 's').as('experiment_id'),
      's.record_id',
      's.key',
      's.score',
      's.label',
      scope.groupBy ? sql<string | null>`rg.g`.as('g') : sql<null>`null`.as('g'),
    ]);
}

/** The revisions of the dataset's records visible at the scope's version, aliased `alias`. */
export function recordsAt(db: Kysely<Database>, scope: ComparisonScope, alias: 'rec' | 'fr' | 'gr') {
  return db
    .selectFrom(`record_revisions as ${alias}`)
    .where(`${alias}.dataset_id`, '=', scope.datasetId)
    .where(`${alias}.valid_from`, '<=', scope.version)
    .where(`${alias}.valid_to`, '>', scope.version);
}

type WithRecordGroups = Database & { rg: { record_id: string; g: string | null } };

/**
 * Queries that may join `rg`: each record's group (the value of the grouping key in its metadata),
 * worked out once per record into a materialized table expression. Joined inline instead, the metadata
 * of a record would be read and parsed again for every one of its runs and scores.
 */
function withRecordGroups(store: Store, scope: ComparisonScope): QueryCreator<WithRecordGroups> {
  if (scope.groupBy?.source !== 'record') return store.db as unknown as QueryCreator<WithRecordGroups>;
  const key = scope.groupBy.key;
  return store.db.with(
    (cte) => cte('rg').materialized(),
    () => recordsAt(store.db, scope, 'gr').select(['gr.record_id', store.sql.jsonFieldText('gr.metadata', key).as('g')]),
  );
}

function groupOfRun(store: Store, scope: ComparisonScope): RawBuilder<string | null> {
  const groupBy = scope.groupBy;
  if (!groupBy) return sql<string | null>`null`;
  if (groupBy.source === 'run') return store.sql.jsonFieldText('r.metadata', groupBy.key);
  return sql<string | null>`rg.g`;
}

/** A group value as clients see it: the JSON value, or null for runs without the key. */
export function parseGroup(text: string | null): Json {
  return text === null ? null : (JSON.parse(text) as Json);
}
