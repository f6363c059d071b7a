import type { Kysely } from 'kysely';
import { columnTypes, type DialectName } from '../dialect.js';

/**
 * Human review (issue 19): score configs (what a named score may hold), annotation queues of runs and
 * dataset records, the leases reviewers hold on items, and their reviews. Scores name their reviewer.
 */
export function review(dialect: DialectName) {
  const t = columnTypes(dialect);
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      // Who gave a human score: a user's or key's id, and the name they act under.
      await db.schema.alterTable('scores').addColumn('reviewer_id', 'text').execute();
      await db.schema.alterTable('scores').addColumn('reviewer_name', 'text').execute();

      await db.schema
        .createTable('score_configs')
        .addColumn('id', t.id, (c) => c.primaryKey())
        .addColumn('workspace_id', t.id, (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
        // The score key the config governs.
        .addColumn('name', 'text', (c) => c.notNull())
        // numeric, boolean or categorical
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('min', 'double precision')
        .addColumn('max', 'double precision')
        // A JSON array of the allowed labels (categorical).
        .addColumn('categories', 'text')
        .addColumn('description', 'text')
        .addColumn('comment_required', 'integer', (c) => c.notNull())
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .addColumn('updated_at', t.timestamp, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('score_configs_workspace_name').on('score_configs').columns(['workspace_id', 'name']).unique().execute();

      await db.schema
        .createTable('annotation_queues')
        .addColumn('id', t.id, (c) => c.primaryKey())
        .addColumn('workspace_id', t.id, (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('description', 'text')
        // JSON arrays: the score configs' ids, in order; the assigned reviewers' ids (null: anyone).
        .addColumn('score_config_ids', 'text', (c) => c.notNull())
        .addColumn('reviewers', 'text')
        .addColumn('reviews_needed', 'integer', (c) => c.notNull())
        .addColumn('lease_seconds', 'integer', (c) => c.notNull())
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .addColumn('updated_at', t.timestamp, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('annotation_queues_workspace').on('annotation_queues').columns(['workspace_id', 'id']).execute();

      await db.schema
        .createTable('annotation_items')
        .addColumn('id', t.id, (c) => c.primaryKey())
        .addColumn('workspace_id', t.id, (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
        .addColumn('queue_id', t.id, (c) => c.notNull().references('annotation_queues.id').onDelete('cascade'))
        // A run (its record, when it has one, is the one corrections go to), or a record of a dataset.
        // (Runs are keyed by workspace and id: an item whose run was deleted is left out when served.)
        .addColumn('run_id', t.id)
        .addColumn('dataset_id', t.id, (c) => c.references('datasets.id').onDelete('cascade'))
        .addColumn('record_id', t.id)
        // Reviews given (skips not counted); the item is done when it reaches the queue's reviews_needed.
        .addColumn('reviews', 'integer', (c) => c.notNull())
        .addColumn('done_at', t.timestamp)
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('annotation_items_queue_run').on('annotation_items').columns(['queue_id', 'run_id']).unique().execute();
      await db.schema.createIndex('annotation_items_queue_record').on('annotation_items').columns(['queue_id', 'record_id', 'run_id']).execute();
      await db.schema.createIndex('annotation_items_queue_open').on('annotation_items').columns(['queue_id', 'done_at', 'id']).execute();

      await db.schema
        .createTable('annotation_leases')
        .addColumn('item_id', t.id, (c) => c.notNull().references('annotation_items.id').onDelete('cascade'))
        .addColumn('reviewer_id', 'text', (c) => c.notNull())
        .addColumn('expires_at', t.timestamp, (c) => c.notNull())
        .addPrimaryKeyConstraint('annotation_leases_pk', ['item_id', 'reviewer_id'])
        .execute();

      await db.schema
        .createTable('annotation_reviews')
        .addColumn('id', t.id, (c) => c.primaryKey())
        .addColumn('workspace_id', t.id, (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
        .addColumn('queue_id', t.id, (c) => c.notNull().references('annotation_queues.id').onDelete('cascade'))
        .addColumn('item_id', t.id, (c) => c.notNull().references('annotation_items.id').onDelete('cascade'))
        .addColumn('reviewer_id', 'text', (c) => c.notNull())
        .addColumn('reviewer_name', 'text')
        // reviewed or skipped
        .addColumn('status', 'text', (c) => c.notNull())
        // JSON: the value given per score config name; the scores written for them (run items).
        .addColumn('score_values', 'text', (c) => c.notNull())
        .addColumn('score_ids', 'text', (c) => c.notNull())
        .addColumn('comment', 'text')
        .addColumn('correction', 'text')
        // The dataset version the correction was committed in, once it is.
        .addColumn('correction_version', 'integer')
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .addColumn('updated_at', t.timestamp, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('annotation_reviews_item_reviewer').on('annotation_reviews').columns(['item_id', 'reviewer_id']).unique().execute();
      await db.schema.createIndex('annotation_reviews_queue_reviewer').on('annotation_reviews').columns(['queue_id', 'reviewer_id', 'updated_at']).execute();
    },
  };
}
