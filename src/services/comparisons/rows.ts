import { sql } from 'kysely';
import { ValidationError } from '../../domain/errors.js';
import type { DatasetRecord, Run, Score } from '../../domain/types.js';
import type { Store } from '../../store/database.js';
import type { RunTable } from '../../store/schema.js';
import { decodeCursor, toPage, type Page } from '../pagination.js';
import { presentRecord, presentRun, presentScore } from '../rows/present.js';
import { recordChanges, type BaselineOptions, type CellChange, type RecordChangeRow } from './changes.js';
import { groupBy } from './group-by.js';
import { recordsAt, scopedRuns, type ComparisonScope } from './scope.js';

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
  const after = decodeCursor(query.cursor, 'id');
  const baseline = query.baselineId === undefined ? undefined : { baselineId: query.baselineId, lowerIsBetter: query.lowerIsBetter };
  if (query.change && !baseline) throw ValidationError.field('/change', 'needs a baseline_id');
  let records = recordsAt(store.db, scope, 'rec')
    .selectAll('rec')
    .where(({ exists }) => exists(scopedRuns(store, scope).where('r.record_id', '=', sql.ref<string>('rec.record_id'))));
  if (query.change && baseline) records = records.where(changed(store, scope, baseline, query.change));
  if (after) records = records.where('rec.record_id', '>', String(after[0]));
  // A literal limit: bound as a parameter, it leaves SQLite's planner not knowing that a few rows will
  // do, and with a change filter it then reads and sorts every record instead of walking them in order.
  const page = await records
    .orderBy('rec.record_id')
    .limit(sql.lit(limit + 1))
    .execute();
  const shown = page.slice(0, limit).map((revision) => revision.record_id);

  const [runsOf, changesOf] = await Promise.all([runsWithScores(store, scope, shown), baseline ? cellChanges(store, scope, baseline, shown) : undefined]);
  const toRow = (revision: (typeof page)[number]): ComparisonRow => {
    const byExperiment: Record<string, RunWithScores[]> = Object.fromEntries(scope.experiments.map((e) => [e.id, []]));
    for (const run of runsOf.get(revision.record_id) ?? []) byExperiment[run.experiment_id]!.push(run);
    const row: ComparisonRow = { record: presentRecord(revision), runs: byExperiment };
    if (changesOf) row.changes = changesOf(revision.record_id);
    return row;
  };
  return toPage(page, limit, toRow, (revision) => [revision.record_id]);
}

/** The runs in scope of these records, each with its scores, by record. */
async function runsWithScores(store: Store, scope: ComparisonScope, recordIds: readonly string[]): Promise<Map<string, RunWithScores[]>> {
  const runs: RunTable[] = recordIds.length
    ? await scopedRuns(store, scope).selectAll('r').where('r.record_id', 'in', recordIds).orderBy('r.repetition').orderBy('r.id').execute()
    : [];
  const scores = runs.length
    ? await store.db
        .selectFrom('scores')
        .selectAll()
        .where('workspace_id', '=', scope.actor.workspaceId)
        .where(
          'run_id',
          'in',
          runs.map((run) => run.id),
        )
        .orderBy('created_at')
        .orderBy('id')
        .execute()
    : [];
  const scoresOf = groupBy(scores.map(presentScore), (score) => score.run_id!);
  return groupBy(
    runs.map((run) => ({ ...presentRun(run), scores: scoresOf.get(run.id) ?? [] })),
    (run) => run.record_id!,
  );
}

/** SQL condition: the record's score of the key moved the asked way in the experiment asked, or in any compared with the baseline. */
function changed(store: Store, scope: ComparisonScope, options: BaselineOptions, change: ChangeFilter) {
  const moved = recordChanges(store, scope, options, {
    experimentIds: change.experiment_id === undefined ? undefined : [change.experiment_id],
    key: change.key,
    records: sql.ref<string>('rec.record_id'),
  });
  return sql<boolean>`exists (select 1 from (${moved}) as c where c.change = ${change.kind})`;
}

/** The cells' changes of these records: per record, per experiment but the baseline, per score key. */
async function cellChanges(
  store: Store,
  scope: ComparisonScope,
  options: BaselineOptions,
  recordIds: readonly string[],
): Promise<(recordId: string) => Record<string, Record<string, CellChange>>> {
  const changes = recordChanges(store, scope, options, { records: recordIds, unpaired: true });
  const { rows } = recordIds.length ? await sql<RecordChangeRow>`select * from (${changes}) as c order by c.key`.execute(store.db) : { rows: [] };
  const rowsOf = groupBy(rows, (row) => row.record_id);
  const others = scope.experiments.map((e) => e.id).filter((id) => id !== options.baselineId);
  return (recordId) => {
    const cells: Record<string, Record<string, CellChange>> = Object.fromEntries(others.map((id) => [id, {}]));
    for (const { experiment_id, key, baseline, value, delta, change } of rowsOf.get(recordId) ?? []) {
      cells[experiment_id]![key] = { baseline, value, delta, change };
    }
    return cells;
  };
}
