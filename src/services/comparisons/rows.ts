import { sql } from 'kysely';
import { ValidationError } from '../../domain/errors.js';
import type { DatasetRecord, Run, Score } from '../../domain/types.js';
import type { Store } from '../../store/database.js';
import type { RunTable } from '../../store/schema.js';
import { decodeCursor, orderByValue, toPage, valueCursor, type Page } from '../pagination.js';
import { presentRecord, presentRun, presentScore } from '../rows/present.js';
import { recordChanges, type BaselineOptions, type CellChange, type RecordChangeRow } from './changes.js';
import { groupBy } from './group-by.js';
import { recordsAt, scopedRuns, scopedScores, type ComparisonScope } from './scope.js';

export const ROWS_PAGE_DEFAULT = 20;
export const ROWS_PAGE_MAX = 200;

/** Keep only records where an experiment improved or regressed on a score key against the baseline. */
export interface ChangeFilter {
  kind: 'improved' | 'regressed';
  key: string;
  /** The experiment that changed; any compared experiment but the baseline when omitted. */
  experiment_id?: string;
}

/**
 * The order of the rows: by how a score of an experiment changed against the baseline (`change`: the
 * improvement, so that ascending reads the largest regression first, whichever way the key is better),
 * or by the experiment's mean score of a key (`score`). Records without a value come last.
 */
export interface RowSort {
  by: 'change' | 'score';
  key: string;
  /** The experiment whose score or change orders the rows: by default the first compared that is not the baseline. */
  experiment_id?: string;
  order?: 'asc' | 'desc';
}

export interface RowQuery {
  cursor?: string;
  limit?: number;
  baselineId?: string;
  change?: ChangeFilter;
  lowerIsBetter?: readonly string[];
  /** Records whose input or expected output has this text, or that have a run whose output or error has it (ASCII case ignored). */
  q?: string;
  sort?: RowSort;
  /** Also count the records that match, over every page (`total`). */
  count?: boolean;
}

export interface RowsPage extends Page<ComparisonRow> {
  total?: number;
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
export async function comparisonRows(store: Store, scope: ComparisonScope, query: RowQuery): Promise<RowsPage> {
  const limit = Math.min(Math.max(query.limit ?? ROWS_PAGE_DEFAULT, 1), ROWS_PAGE_MAX);
  const baseline = query.baselineId === undefined ? undefined : { baselineId: query.baselineId, lowerIsBetter: query.lowerIsBetter };
  if (query.change && !baseline) throw ValidationError.field('/change', 'needs a baseline_id');
  let records = recordsAt(store.db, scope, 'rec').where(({ exists }) =>
    exists(scopedRuns(store, scope).where('r.record_id', '=', sql.ref<string>('rec.record_id'))),
  );
  if (query.change && baseline) records = records.where(changed(store, scope, baseline, query.change));
  if (query.q !== undefined) records = records.where(hasText(store, scope, query.q));
  const sortValue = query.sort ? sortOf(store, scope, baseline, query.sort) : undefined;
  const after = sortValue ? undefined : decodeCursor(query.cursor, 'id');
  const ordered = sortValue
    ? orderByValue(records.selectAll('rec').select(sortValue.as('sort_value')), sortValue, 'rec.record_id', {
        desc: query.sort!.order === 'desc',
        after: decodeCursor(query.cursor, 'value'),
      })
    : records
        .$if(after !== undefined, (q) => q.where('rec.record_id', '>', after![0]))
        .selectAll('rec')
        .select(sql<unknown>`null`.as('sort_value'))
        .orderBy('rec.record_id');
  // A literal limit: bound as a parameter, it leaves SQLite's planner not knowing that a few rows will
  // do, and with a change filter it then reads and sorts every record instead of walking them in order.
  const [page, counted] = await Promise.all([
    ordered.limit(sql.lit(limit + 1)).execute(),
    query.count ? records.select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow() : undefined,
  ]);
  const shown = page.slice(0, limit).map((revision) => revision.record_id);

  const [runsOf, changesOf] = await Promise.all([runsWithScores(store, scope, shown), baseline ? cellChanges(store, scope, baseline, shown) : undefined]);
  const toRow = (revision: (typeof page)[number]): ComparisonRow => {
    const byExperiment: Record<string, RunWithScores[]> = Object.fromEntries(scope.experiments.map((e) => [e.id, []]));
    for (const run of runsOf.get(revision.record_id) ?? []) byExperiment[run.experiment_id]!.push(run);
    const { sort_value: _sortValue, ...record } = revision;
    const row: ComparisonRow = { record: presentRecord(record), runs: byExperiment };
    if (changesOf) row.changes = changesOf(revision.record_id);
    return row;
  };
  const rows = toPage(page, limit, toRow, (revision) => (sortValue ? valueCursor(revision.sort_value, revision.record_id) : [revision.record_id]));
  return counted === undefined ? rows : { ...rows, total: Number(counted.n) };
}

/** SQL condition: the record (`rec`) has the text in its input or expected output, or one of its runs in scope in its output or error. */
function hasText(store: Store, scope: ComparisonScope, text: string) {
  const inRuns = scopedRuns(store, scope)
    .where('r.record_id', '=', sql.ref<string>('rec.record_id'))
    .where((eb) => eb.or([store.sql.containsText('r.output', text), store.sql.containsText('r.error', text)]));
  return sql<boolean>`(${store.sql.containsText('rec.input', text)} or ${store.sql.containsText('rec.expected_output', text)} or exists ${inRuns})`;
}

/**
 * The value a record (`rec`) is sorted by: the improvement of a score against the baseline, or a mean
 * score. As a double on both databases, so that the value a cursor carries is the one compared again.
 */
function sortOf(store: Store, scope: ComparisonScope, baseline: BaselineOptions | undefined, sort: RowSort) {
  const experimentId = sort.experiment_id ?? scope.experiments.find((e) => e.id !== baseline?.baselineId)?.id ?? scope.experiments[0]!.id;
  if (!scope.experiments.some((e) => e.id === experimentId)) throw ValidationError.field('/sort/experiment_id', 'must be one of experiment_ids');
  if (sort.by === 'score') {
    const scores = scopedScores(store, scope, { key: sort.key, records: sql.ref<string>('rec.record_id') });
    return sql<number | null>`cast((select avg(ss.score) from ${scores} as ss where ss.experiment_id = ${experimentId}) as double precision)`;
  }
  if (!baseline) throw ValidationError.field('/sort/by', 'change needs a baseline_id');
  if (experimentId === baseline.baselineId)
    throw ValidationError.field('/sort/experiment_id', 'must not be the baseline: its change against itself is nothing');
  const moved = recordChanges(store, scope, baseline, { experimentIds: [experimentId], key: sort.key, records: sql.ref<string>('rec.record_id') });
  const sign = baseline.lowerIsBetter?.includes(sort.key) ? -1 : 1;
  return sql<number | null>`cast((select ${sql.lit(sign)} * c.delta from (${moved}) as c) as double precision)`;
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
        .$if(scope.filters.score_source !== undefined, (q) => q.where('source', '=', scope.filters.score_source!))
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
