import { sql } from 'kysely';
import type { Store } from '../../store/database.js';
import { recordChanges, type BaselineOptions } from './changes.js';
import type { ComparisonScope } from './scope.js';
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

/**
 * For every other experiment and every numeric score key, the records that improved, regressed or
 * stayed against the baseline (as recordChanges tells), and a paired t-test of the differences, in one
 * SQL statement.
 */
export async function compareWithBaseline(store: Store, scope: ComparisonScope, options: BaselineOptions): Promise<ScoreChange[]> {
  const { rows } = await sql<{
    experiment_id: string;
    key: string;
    improved: number;
    regressed: number;
    unchanged: number;
    n: number;
    baseline_sum: number;
    experiment_sum: number;
    sum_d: number;
    sum_d2: number;
  }>`
    select c.experiment_id, c.key,
      sum(case when c.change = 'improved' then 1 else 0 end) as improved,
      sum(case when c.change = 'regressed' then 1 else 0 end) as regressed,
      sum(case when c.change = 'unchanged' then 1 else 0 end) as unchanged,
      count(*) as n,
      sum(c.baseline) as baseline_sum,
      sum(c.value) as experiment_sum,
      sum(c.delta) as sum_d,
      sum(c.delta * c.delta) as sum_d2
    from (${recordChanges(store, scope, options)}) as c
    where c.change is not null
    group by c.experiment_id, c.key`.execute(store.db);

  const order = new Map(scope.experiments.map((e, i) => [e.id, i]));
  return rows
    .map((row) => {
      const n = Number(row.n);
      return {
        experiment_id: row.experiment_id,
        key: row.key,
        improved: Number(row.improved),
        regressed: Number(row.regressed),
        unchanged: Number(row.unchanged),
        n,
        baseline_mean: n ? Number(row.baseline_sum) / n : null,
        experiment_mean: n ? Number(row.experiment_sum) / n : null,
        test: pairedTTest(n, Number(row.sum_d), Number(row.sum_d2)),
      };
    })
    .sort((a, b) => order.get(a.experiment_id)! - order.get(b.experiment_id)! || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
