import { sql } from 'kysely';
import type { Store } from '../../store/database.js';
import { scopedScores, type ComparisonScope } from './scope.js';
import { pairedTTest, type PairedTest } from './significance.js';

/** How one experiment's scores of one key compare with the baseline's, record by record. */
export interface ScoreChange {
  experiment_id: string;
  key: string;
  /** Records whose score is better than the baseline's (higher, unless the key is lower-is-better). */
  improved: number;
  regressed: number;
  unchanged: number;
  /** Records both have a numeric score of the key for; per record, repetitions are averaged. */
  n: number;
  baseline_mean: number | null;
  experiment_mean: number | null;
  test: PairedTest;
}

export interface BaselineOptions {
  baselineId: string;
  /** Score keys for which a lower score is better. */
  lowerIsBetter?: readonly string[];
}

/**
 * For every other experiment and every numeric score key, the records that improved, regressed or
 * stayed against the baseline, and a paired t-test of the differences, in one SQL statement.
 */
export async function compareWithBaseline(store: Store, scope: ComparisonScope, options: BaselineOptions): Promise<ScoreChange[]> {
  const { rows } = await sql<{
    experiment_id: string;
    key: string;
    higher: number;
    lower: number;
    same: number;
    n: number;
    baseline_sum: number;
    experiment_sum: number;
    sum_d: number;
    sum_d2: number;
  }>`
    with per_record as (${perRecordScores(store, scope)})
    select e.experiment_id, e.key,
      sum(case when e.score > b.score then 1 else 0 end) as higher,
      sum(case when e.score < b.score then 1 else 0 end) as lower,
      sum(case when e.score = b.score then 1 else 0 end) as same,
      count(*) as n,
      sum(b.score) as baseline_sum,
      sum(e.score) as experiment_sum,
      sum(e.score - b.score) as sum_d,
      sum((e.score - b.score) * (e.score - b.score)) as sum_d2
    from per_record e
    join per_record b on b.experiment_id = ${options.baselineId} and b.record_id = e.record_id and b.key = e.key
    where e.experiment_id <> ${options.baselineId}
    group by e.experiment_id, e.key`.execute(store.db);

  const lowerIsBetter = new Set(options.lowerIsBetter ?? []);
  const order = new Map(scope.experiments.map((e, i) => [e.id, i]));
  return rows
    .map((row) => {
      const n = Number(row.n);
      const [improved, regressed] = lowerIsBetter.has(row.key) ? [row.lower, row.higher] : [row.higher, row.lower];
      return {
        experiment_id: row.experiment_id,
        key: row.key,
        improved: Number(improved),
        regressed: Number(regressed),
        unchanged: Number(row.same),
        n,
        baseline_mean: n ? Number(row.baseline_sum) / n : null,
        experiment_mean: n ? Number(row.experiment_sum) / n : null,
        test: pairedTTest(n, Number(row.sum_d), Number(row.sum_d2)),
      };
    })
    .sort((a, b) => order.get(a.experiment_id)! - order.get(b.experiment_id)! || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** Each experiment's mean numeric score per record and key, over the scores in scope. */
function perRecordScores(store: Store, scope: ComparisonScope) {
  return sql`select s.experiment_id, s.record_id, s.key, avg(s.score) as score
    from ${scopedScores(store, scope).where('s.score', 'is not', null)} as s
    group by s.experiment_id, s.record_id, s.key`;
}
