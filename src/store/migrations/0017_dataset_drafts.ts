import type { Kysely } from 'kysely';
import { columnTypes, type DialectName } from '../dialect.js';

/**
 * Draft states of datasets: who is editing a dataset and since when (Datadog's `draft_state` lock). A
 * dataset has at most one; it goes with its dataset.
 */
export function datasetDrafts(dialect: DialectName) {
  const t = columnTypes(dialect);
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('dataset_drafts')
        .addColumn('dataset_id', t.id, (c) => c.primaryKey().references('datasets.id').onDelete('cascade'))
        .addColumn('workspace_id', t.id, (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
        // Who holds the lock: the person acting when there is one, else the key.
        .addColumn('holder_id', 'text', (c) => c.notNull())
        .addColumn('holder_name', 'text', (c) => c.notNull())
        .addColumn('since', t.timestamp, (c) => c.notNull())
        .execute();
    },
  };
}
