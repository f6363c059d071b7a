import { sql } from 'kysely';
import { ValidationError } from '../../domain/errors.js';
import type { DatasetRecord, Run, Score } from '../../domain/types.js';
import type { Store } from '../../store/database.js';
import type { RunTable } from '../../store/schema.js';
import { decodeCursor, toPage, type Page } from '../pagination.js';
import { presentRecord, presentRun, presentScore } from '../rows/present.js';
import { scopedRuns, type ComparisonScope } from './scope.js';

export const ROWS_PAGE_DEFAULT = 20;
export const ROWS_PAGE_MAX = 200;

/** Keep only records where an experiment improved or regressed on a score key against the baseline. */
export interface ChangeFilter {
  kind: 'improved' | 'regressed';
  key: string;
  /** The experiment that changed; any compared experiment but the baseline when omitted. */
  experiment_id?: string;
}

export interface RowQuery {
  cursor?: string;
  limit?: number;
  baselineId?: string;
  change?: ChangeFilter;
  lowerIsBetter?: readonly string[];
}

export interface RunWithScores extends Run {
  scores: Score[];
}

/** How a record's mean score of a key in one experiment compares with the baseline's. */
export interface CellChange {
  baseline: number | null;
  value: number | null;
  delta: number | null;
  change: 'improved' | 'regressed' | 'unchanged' | null;
}

export interface ComparisonRow {
  record: DatasetRecord;
  /** Each compared experiment's runs of the record (every repetition), by experiment id. */
  runs: Record<string, RunWithScores[]>;
  /** With a baseline: per experiment and score key, the change against the baseline. */
  changes?: Record<string, Record<string, CellChange>>;
}

/**
 * The records of the comparison, a page at a time in record-id order: those with at least one run in
 * scope, optionally only those that improved or regressed against the baseline.
 */
export async function comparisonRows(store: Store, scope: ComparisonScope, query: RowQuery): Promise<Page<ComparisonRow>> {
  const limit = Math.min(Math.max(query.limit ?? ROWS_PAGE_DEFAULT, 1), ROWS_PAGE_MAX);
  const after = decodeCursor(query.cursor, 1);
  if (query.change && !query.baselineId) throw ValidationError.field('/change', 'needs a baseline_id');
  let records = store.db
    .selectFrom('record_revisions as rec')
    .selectAll('rec')
    .where('rec.dataset_id', '=', scope.datasetId)
    .where('rec.valid_from', '<=', scope.version)
    .where('rec.valid_to', '>', scope.version)
    .where(({ exists }) => exists(scopedRuns(store, scope).where('r.record_id', '=', sql.ref<string>('rec.record_id'))));
  if (query.change && query.baselineId) records = records.where(changed(store, scope, query.baselineId, query.change, query.lowerIsBetter ?? []));
  if (after) records = records.where('rec.record_id', '>', String(after[0]));
  const page = await records.orderBy('rec.record_id').limit(limit + 1).execute();
  const shown = page.slice(0, limit);

  const runs: RunTable[] = shown.length
    ? await scopedRuns(store, scope)
        .selectAll('r')
        .where('r.record_id', 'in', shown.map((rec) => rec.record_id))
        .orderBy('r.repetition')
        .orderBy('r.id')
        .execute()
    : [];
  const scores = runs.length
    ? await store.db
        .selectFrom('scores')
        .selectAll()
        .where('workspace_id', '=', scope.actor.workspaceId)
        .where('run_id', 'in', runs.map((run) => run.id))
        .orderBy('created_at')
        .orderBy('id')
        .execute()
    : [];
  const scoresByRun = new Map<string, Score[]>();
  for (const score of scores) scoresByRun.set(score.run_id!, [...(scoresByRun.get(score.run_id!) ?? []), presentScore(score)]);
  const runsByRecord = new Map<string, RunWithScores[]>();
  for (const run of runs) {
    const list = runsByRecord.get(run.record_id!) ?? [];
    list.push({ ...presentRun(run), scores: scoresByRun.get(run.id) ?? [] });
    runsByRecord.set(run.record_id!, list);
  }

  const lowerIsBetter = new Set(query.lowerIsBetter ?? []);
  const toRow = (revision: (typeof page)[number]): ComparisonRow => {
    const byExperiment: Record<string, RunWithScores[]> = Object.fromEntries(scope.experiments.map((e) => [e.id, []]));
    for (const run of runsByRecord.get(revision.record_id) ?? []) byExperiment[run.experiment_id]!.push(run);
    const row: ComparisonRow = { record: presentRecord(revision), runs: byExperiment };
    if (query.baselineId) row.changes = cellChanges(byExperiment, query.baselineId, lowerIsBetter);
    return row;
  };
  return toPage(page, limit, toRow, (revision) => [revision.record_id]);
}

/** SQL condition: the record's mean score of `key` moved the asked way in some compared experiment. */
function changed(store: Store, scope: ComparisonScope, baselineId: string, change: ChangeFilter, lowerIsBetter: readonly string[]) {
  const better = lowerIsBetter.includes(change.key) ? '<' : '>';
  const worse = better === '<' ? '>' : '<';
  const comparison = sql.raw(change.kind === 'improved' ? better : worse);
  const others = change.experiment_id ? [change.experiment_id] : scope.experiments.map((e) => e.id).filter((id) => id !== baselineId);
  const baselineMean = store.db
    .selectFrom('scores as bs')
    .select((eb) => eb.fn.avg<number>('bs.score').as('mean'))
    .where('bs.experiment_id', '=', baselineId)
    .where('bs.key', '=', change.key)
    .where('bs.record_id', '=', sql.ref<string>('rec.record_id'))
    .where('bs.score', 'is not', null);
  const changedExperiments = store.db
    .selectFrom('scores as es')
    .select('es.experiment_id')
    .where('es.experiment_id', 'in', others)
    .where('es.key', '=', change.key)
    .where('es.record_id', '=', sql.ref<string>('rec.record_id'))
    .where('es.score', 'is not', null)
    .groupBy('es.experiment_id')
    .having(sql<boolean>`avg(es.score) ${comparison} ${baselineMean}`);
  return sql<boolean>`exists ${changedExperiments}`;
}

function meanScores(runs: readonly RunWithScores[]): Map<string, number> {
  const sums = new Map<string, { sum: number; n: number }>();
  for (const run of runs) {
    for (const score of run.scores) {
      if (score.score === null) continue;
      const entry = sums.get(score.key) ?? { sum: 0, n: 0 };
      entry.sum += score.score;
      entry.n += 1;
      sums.set(score.key, entry);
    }
  }
  return new Map([...sums].map(([key, { sum, n }]) => [key, sum / n]));
}

function cellChanges(
  runs: Record<string, RunWithScores[]>,
  baselineId: string,
  lowerIsBetter: ReadonlySet<string>,
): Record<string, Record<string, CellChange>> {
  const baseline = meanScores(runs[baselineId] ?? []);
  const changes: Record<string, Record<string, CellChange>> = {};
  for (const [experimentId, experimentRuns] of Object.entries(runs)) {
    if (experimentId === baselineId) continue;
    const means = meanScores(experimentRuns);
    changes[experimentId] = {};
    for (const key of new Set([...baseline.keys(), ...means.keys()])) {
      const before = baseline.get(key) ?? null;
      const value = means.get(key) ?? null;
      const delta = before === null || value === null ? null : value - before;
      const better = delta === null ? null : lowerIsBetter.has(key) ? -delta : delta;
      changes[experimentId][key] = {
        baseline: before,
        value,
        delta,
        change: better === null ? null : better > 0 ? 'improved' : better < 0 ? 'regressed' : 'unchanged',
      };
    }
  }
  return changes;
}
