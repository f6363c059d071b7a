import type { Kysely } from 'kysely';
import { columnTypes, type DialectName } from '../dialect.js';

/**
 * What LangSmith's clients need beyond the experiments schema: changes that arrive before the run
 * they change, records read by id alone, and experiments found by name.
 */
export function langsmithRuns(dialect: DialectName) {
  const t = columnTypes(dialect);
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      // Updates and scores of runs that have not arrived yet: LangSmith's clients send a
      // run's end before its start, or feedback before the run, and expect both to be kept.
      await db.schema
        .createTable('deferred_run_changes')
        .addColumn('workspace_id', t.id, (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
        .addColumn('id', t.id, (c) => c.notNull())
        .addColumn('run_id', t.id, (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .addPrimaryKeyConstraint('deferred_run_changes_pk', ['workspace_id', 'id'])
        .execute();
      await db.schema.createIndex('deferred_run_changes_run').on('deferred_run_changes').columns(['workspace_id', 'run_id', 'id']).execute();
      // LangSmith reads examples by id without naming their dataset.
      await db.schema.createIndex('record_revisions_record').on('record_revisions').columns(['record_id', 'valid_to']).execute();
      // LangSmith names sessions (experiments) by name across the workspace, whatever their dataset.
      await db.schema.createIndex('experiments_workspace_name').on('experiments').columns(['workspace_id', 'name']).execute();
    },
  };
}
