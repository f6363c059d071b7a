import { sql, type Kysely } from 'kysely';
import { columnTypes, type DialectName } from '../dialect.js';

export function experiments(dialect: DialectName) {
  const t = columnTypes(dialect);
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('experiments')
        .addColumn('id', t.id, (c) => c.primaryKey())
        .addColumn('workspace_id', t.id, (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
        .addColumn('project_id', t.id, (c) => c.notNull().references('projects.id').onDelete('cascade'))
        .addColumn('dataset_id', t.id, (c) => c.references('datasets.id').onDelete('cascade'))
        .addColumn('dataset_version', 'integer')
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('description', 'text')
        .addColumn('metadata', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('start_time', t.timestamp)
        .addColumn('end_time', t.timestamp)
        .addColumn('revision', 'integer', (c) => c.notNull())
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .addColumn('updated_at', t.timestamp, (c) => c.notNull())
        .execute();
      // Names are unique per dataset; experiments without a dataset (log streams) per workspace.
      await db.schema
        .createIndex('experiments_dataset_name')
        .on('experiments')
        .columns(['dataset_id', 'name'])
        .unique()
        .where(sql.ref('dataset_id'), 'is not', null)
        .execute();
      await db.schema
        .createIndex('experiments_stream_name')
        .on('experiments')
        .columns(['workspace_id', 'name'])
        .unique()
        .where(sql.ref('dataset_id'), 'is', null)
        .execute();
      await db.schema.createIndex('experiments_workspace').on('experiments').columns(['workspace_id', 'id']).execute();

      await db.schema
        .createTable('runs')
        .addColumn('workspace_id', t.id, (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
        .addColumn('id', t.id, (c) => c.notNull())
        .addColumn('experiment_id', t.id, (c) => c.notNull().references('experiments.id').onDelete('cascade'))
        .addColumn('record_id', t.id)
        .addColumn('repetition', 'integer')
        .addColumn('name', 'text')
        .addColumn('run_type', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('input', 'text')
        .addColumn('output', 'text')
        .addColumn('error', 'text')
        .addColumn('start_time', t.timestamp)
        .addColumn('end_time', t.timestamp)
        .addColumn('latency_ms', 'double precision')
        .addColumn('first_token_ms', 'double precision')
        .addColumn('prompt_tokens', t.bigint)
        .addColumn('completion_tokens', t.bigint)
        .addColumn('total_tokens', t.bigint)
        .addColumn('prompt_cost', t.bigint)
        .addColumn('completion_cost', t.bigint)
        .addColumn('total_cost', t.bigint)
        .addColumn('metadata', 'text', (c) => c.notNull())
        .addColumn('extra', 'text', (c) => c.notNull())
        .addColumn('trace_id', 'text')
        .addColumn('parent_run_id', 'text')
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .addColumn('updated_at', t.timestamp, (c) => c.notNull())
        .addPrimaryKeyConstraint('runs_pk', ['workspace_id', 'id'])
        .execute();
      await db.schema.createIndex('runs_experiment').on('runs').columns(['experiment_id', 'id']).execute();
      // The comparison engine reads an experiment's results record by record.
      await db.schema.createIndex('runs_experiment_record').on('runs').columns(['experiment_id', 'record_id', 'repetition']).execute();
      await db.schema.createIndex('runs_trace').on('runs').columns(['workspace_id', 'trace_id']).execute();
      // Percentiles of results read their order statistics from these, without sorting.
      for (const measure of ['latency_ms', 'first_token_ms']) {
        await db.schema
          .createIndex(`runs_results_${measure}`)
          .on('runs')
          .columns(['experiment_id', measure])
          .where(sql.ref('parent_run_id'), 'is', null)
          .where(sql.ref('record_id'), 'is not', null)
          .execute();
      }

      await db.schema
        .createTable('scores')
        .addColumn('workspace_id', t.id, (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
        .addColumn('id', t.id, (c) => c.notNull())
        .addColumn('experiment_id', t.id, (c) => c.notNull().references('experiments.id').onDelete('cascade'))
        .addColumn('run_id', t.id)
        .addColumn('record_id', t.id)
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('score', 'double precision')
        .addColumn('value', 'text')
        .addColumn('label', 'text')
        .addColumn('comment', 'text')
        .addColumn('correction', 'text')
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('metadata', 'text', (c) => c.notNull())
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .addColumn('updated_at', t.timestamp, (c) => c.notNull())
        .addPrimaryKeyConstraint('scores_pk', ['workspace_id', 'id'])
        .execute();
      // Per-record score means, which comparisons against a baseline join on, read from this index alone.
      await db.schema.createIndex('scores_experiment').on('scores').columns(['experiment_id', 'key', 'record_id', 'score']).execute();
      await db.schema.createIndex('scores_run').on('scores').columns(['workspace_id', 'run_id']).execute();
      // Counts of categorical values, read from this index alone.
      await db.schema
        .createIndex('scores_labels')
        .on('scores')
        .columns(['experiment_id', 'key', 'label'])
        .where(sql.ref('label'), 'is not', null)
        .where(sql.ref('record_id'), 'is not', null)
        .execute();
    },
  };
}
