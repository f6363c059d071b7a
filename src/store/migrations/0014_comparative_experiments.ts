import type { Kysely } from 'kysely';
import { columnTypes, type DialectName } from '../dialect.js';

/**
 * Comparative (pairwise) experiments: two or more experiments on one dataset, judged against each
 * other record by record (LangSmith's `evaluateComparative`). The judgements are scores of the
 * experiments' runs that name the comparative experiment in their metadata.
 */
export function comparativeExperiments(dialect: DialectName) {
  const t = columnTypes(dialect);
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('comparative_experiments')
        .addColumn('id', t.id, (c) => c.primaryKey())
        .addColumn('workspace_id', t.id, (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
        .addColumn('dataset_id', t.id, (c) => c.notNull().references('datasets.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('description', 'text')
        .addColumn('metadata', 'text', (c) => c.notNull())
        // The experiments compared, in the order given: a JSON array of ids.
        .addColumn('experiment_ids', 'text', (c) => c.notNull())
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .addColumn('updated_at', t.timestamp, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('comparative_experiments_dataset_name').on('comparative_experiments').columns(['dataset_id', 'name']).unique().execute();
      await db.schema.createIndex('comparative_experiments_workspace').on('comparative_experiments').columns(['workspace_id', 'id']).execute();
    },
  };
}
