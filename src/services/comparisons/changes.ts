import { sql, type RawBuilder } from 'kysely';
import type { Store } from '../../store/database.js';
import { scopedScores, type ComparisonScope, type ScoresAsked } from './scope.js';

/** How a record's score of a key in one experiment compares with the baseline's. */
export type Change = 'improved' | 'regressed' | 'unchanged';

export interface BaselineOptions {
  baselineId: string;
  /** Score keys for which a lower score is better. */
  lowerIsBetter?: readonly string[];
}

/** The part of the changes a query reads: narrowed here, the database reads only those scores. */
export interface ChangesAsked extends ScoresAsked {
  /** Experiments measured against the baseline; every other compared experiment when omitted. */
  experimentIds?: readonly string[];
  /** Also the keys of a record only one of the two has a score of (delta and change null), as its cells show. */
  unpaired?: boolean;
}

/** How a record's mean score of a key in one experiment compares with the baseline's. */
export interface CellChange {
  baseline: number | null;
  value: number | null;
  delta: number | null;
  change: Change | null;
}

export interface RecordChangeRow extends CellChange {
  experiment_id: string;
  record_id: string;
  key: string;
}

/**
 * How each record's score changed against the baseline: the one definition that the baseline's counts,
 * the rows filter and the cells' changes all read, so that they cannot disagree. For every experiment
 * but the baseline, record and numeric score key both have scores of in scope (the scope's run filters
 * apply to both): the two means over the record's repetitions (so records weigh equally), the difference
 * (experiment minus baseline) and the change: improved when the experiment's mean is better (higher, or
 * lower for lower-is-better keys), regressed when worse, unchanged when equal.
 */
export function recordChanges(store: Store, scope: ComparisonScope, options: BaselineOptions, asked: ChangesAsked = {}): RawBuilder<RecordChangeRow> {
  const { baselineId } = options;
  const baseline = scope.experiments.filter((e) => e.id === baselineId);
  const others = scope.experiments.filter((e) => e.id !== baselineId && (asked.experimentIds ?? [e.id]).includes(e.id));
  // With no other experiment asked for, the baseline stands in for them and the SQL leaves it out, so
  // that no list is empty (an empty `in ()` is an error in PostgreSQL).
  const measured = others.length ? others : baseline;
  const means = (experiments: ComparisonScope['experiments']) => perRecordScores(store, { ...scope, experiments }, asked);
  const lowerIsBetter = options.lowerIsBetter?.filter((key) => asked.key === undefined || key === asked.key) ?? [];
  const verdict = (ifHigherIsBetter: Change, ifLowerIsBetter: Change) =>
    lowerIsBetter.length
      ? sql`case when c.key in (${sql.join(lowerIsBetter)}) then ${sql.lit(ifLowerIsBetter)} else ${sql.lit(ifHigherIsBetter)} end`
      : sql.lit(ifHigherIsBetter);
  const pairs = asked.unpaired
    ? // The baseline's means are joined once for each other experiment, so that each (experiment, record,
      // key) finds both of its means, or either, in one group.
      sql`select o.id as experiment_id, p.record_id, p.key,
          max(case when p.experiment_id = ${baselineId} then p.score end) as baseline,
          max(case when p.experiment_id = o.id then p.score end) as value
        from (${means([...baseline, ...others])}) as p
        join experiments as o on o.id in (${sql.join(measured.map((e) => e.id))}) and o.id <> ${baselineId}
          and (p.experiment_id = o.id or p.experiment_id = ${baselineId})
        group by o.id, p.record_id, p.key`
    : sql`select e.experiment_id, e.record_id, e.key, b.score as baseline, e.score as value
        from (${means(measured)}) as e
        join (${means(baseline)}) as b on b.record_id = e.record_id and b.key = e.key
        where e.experiment_id <> ${baselineId}`;
  return sql<RecordChangeRow>`select c.experiment_id, c.record_id, c.key, c.baseline, c.value, c.value - c.baseline as delta,
      case when c.value > c.baseline then ${verdict('improved', 'regressed')}
        when c.value < c.baseline then ${verdict('regressed', 'improved')}
        when c.value = c.baseline then 'unchanged' end as change
    from (${pairs}) as c`;
}

/** Each experiment's mean numeric score per record and key, over the scores in scope. */
function perRecordScores(store: Store, scope: ComparisonScope, asked: ScoresAsked) {
  return sql`select s.experiment_id, s.record_id, s.key, avg(s.score) as score
    from ${scopedScores(store, scope, asked).where('s.score', 'is not', null)} as s
    group by s.experiment_id, s.record_id, s.key`;
}
