import { sql, type Kysely } from 'kysely';

/**
 * The spans (runs with a parent) of each trace, by experiment: the comparison engine sums their tokens
 * and costs onto results that carry none of their own, and an experiment without spans costs nothing.
 */
export function spansByTrace() {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createIndex('runs_spans_by_trace')
        .on('runs')
        .columns(['experiment_id', 'trace_id'])
        .where(sql.ref('parent_run_id'), 'is not', null)
        .execute();
    },
  };
}
