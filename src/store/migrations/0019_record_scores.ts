import type { Kysely } from 'kysely';
import { columnTypes, type DialectName } from '../dialect.js';

/**
 * Scores of dataset records themselves, apart from any experiment: what a person says of an example
 * (Arize's annotations of dataset examples). One score per record and key: a new one of the same key
 * changes it.
 */
export function recordScores(dialect: DialectName) {
  const t = columnTypes(dialect);
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('record_scores')
        .addColumn('id', t.id, (c) => c.primaryKey())
        .addColumn('workspace_id', t.id, (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
        .addColumn('dataset_id', t.id, (c) => c.notNull().references('datasets.id').onDelete('cascade'))
        .addColumn('record_id', t.id, (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('score', 'double precision')
        // The label (a categorical value), or null.
        .addColumn('label', 'text')
        .addColumn('comment', 'text')
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('metadata', 'text', (c) => c.notNull())
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .addColumn('updated_at', t.timestamp, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('record_scores_record_key').on('record_scores').columns(['dataset_id', 'record_id', 'key']).unique().execute();
    },
  };
}
