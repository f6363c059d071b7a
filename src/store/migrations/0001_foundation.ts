import { sql, type Kysely } from 'kysely';
import { columnTypes, type DialectName } from '../dialect.js';
import { OPEN_VERSION } from '../schema.js';

export function foundation(dialect: DialectName) {
  const t = columnTypes(dialect);
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('workspaces')
        .addColumn('id', t.id, (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('api_keys')
        .addColumn('id', t.id, (c) => c.primaryKey())
        .addColumn('workspace_id', t.id, (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('key_hash', 'text', (c) => c.notNull().unique())
        .addColumn('key_preview', 'text', (c) => c.notNull())
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .addColumn('revoked_at', t.timestamp)
        .execute();
      await db.schema.createIndex('api_keys_workspace').on('api_keys').columns(['workspace_id', 'id']).execute();

      await db.schema
        .createTable('projects')
        .addColumn('id', t.id, (c) => c.primaryKey())
        .addColumn('workspace_id', t.id, (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('description', 'text')
        .addColumn('metadata', 'text', (c) => c.notNull())
        .addColumn('is_default', 'integer', (c) => c.notNull())
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .addColumn('updated_at', t.timestamp, (c) => c.notNull())
        .addUniqueConstraint('projects_workspace_name', ['workspace_id', 'name'])
        .execute();

      await db.schema
        .createTable('datasets')
        .addColumn('id', t.id, (c) => c.primaryKey())
        .addColumn('workspace_id', t.id, (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
        .addColumn('project_id', t.id, (c) => c.notNull().references('projects.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('description', 'text')
        .addColumn('metadata', 'text', (c) => c.notNull())
        .addColumn('managed_by', 'text', (c) => c.notNull())
        .addColumn('latest_version', 'integer', (c) => c.notNull())
        .addColumn('record_count', 'integer', (c) => c.notNull())
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .addColumn('updated_at', t.timestamp, (c) => c.notNull())
        .addUniqueConstraint('datasets_workspace_name', ['workspace_id', 'name'])
        .execute();
      await db.schema.createIndex('datasets_project').on('datasets').columns(['project_id', 'id']).execute();
      await db.schema.createIndex('datasets_workspace').on('datasets').columns(['workspace_id', 'id']).execute();

      await db.schema
        .createTable('dataset_versions')
        .addColumn('dataset_id', t.id, (c) => c.notNull().references('datasets.id').onDelete('cascade'))
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('name', 'text')
        .addColumn('message', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text')
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .addColumn('records_added', 'integer', (c) => c.notNull())
        .addColumn('records_updated', 'integer', (c) => c.notNull())
        .addColumn('records_removed', 'integer', (c) => c.notNull())
        .addColumn('record_count', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('dataset_versions_pk', ['dataset_id', 'version'])
        .addUniqueConstraint('dataset_versions_name', ['dataset_id', 'name'])
        .execute();

      await db.schema
        .createTable('record_revisions')
        .addColumn('dataset_id', t.id, (c) => c.notNull().references('datasets.id').onDelete('cascade'))
        .addColumn('record_id', t.id, (c) => c.notNull())
        .addColumn('valid_from', 'integer', (c) => c.notNull())
        .addColumn('valid_to', 'integer', (c) => c.notNull())
        .addColumn('external_id', 'text')
        .addColumn('input', 'text', (c) => c.notNull())
        .addColumn('expected_output', 'text', (c) => c.notNull())
        .addColumn('metadata', 'text', (c) => c.notNull())
        .addColumn('tags', 'text', (c) => c.notNull())
        .addColumn('splits', 'text', (c) => c.notNull())
        .addColumn('source', 'text')
        .addColumn('input_hash', 'text', (c) => c.notNull())
        .addColumn('content_hash', 'text', (c) => c.notNull())
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .addColumn('updated_at', t.timestamp, (c) => c.notNull())
        .addPrimaryKeyConstraint('record_revisions_pk', ['dataset_id', 'record_id', 'valid_from'])
        .execute();
      // Diffs look for revisions that began or ended between two versions.
      await db.schema.createIndex('record_revisions_began').on('record_revisions').columns(['dataset_id', 'valid_from']).execute();
      await db.schema.createIndex('record_revisions_ended').on('record_revisions').columns(['dataset_id', 'valid_to']).execute();
      // External ids are unique among a dataset's current records only: old revisions keep theirs.
      await db.schema
        .createIndex('record_revisions_current_external_id')
        .on('record_revisions')
        .columns(['dataset_id', 'external_id'])
        .unique()
        .where(sql.ref('valid_to'), '=', OPEN_VERSION)
        .where(sql.ref('external_id'), 'is not', null)
        .execute();
      await db.schema
        .createIndex('record_revisions_current_input')
        .on('record_revisions')
        .columns(['dataset_id', 'input_hash'])
        .where(sql.ref('valid_to'), '=', OPEN_VERSION)
        .execute();

      // Streamed uploads are staged row by row, then committed as one version in one transaction.
      await db.schema
        .createTable('uploads')
        .addColumn('id', t.id, (c) => c.primaryKey())
        .addColumn('workspace_id', t.id, (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
        .addColumn('dataset_id', t.id, (c) => c.notNull().references('datasets.id').onDelete('cascade'))
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('format', 'text', (c) => c.notNull())
        .addColumn('filename', 'text')
        .addColumn('rows_received', 'integer', (c) => c.notNull())
        .addColumn('summary', 'text')
        .addColumn('error', 'text')
        .addColumn('version', 'integer')
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .addColumn('updated_at', t.timestamp, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('uploads_status').on('uploads').columns(['status', 'updated_at']).execute();

      await db.schema
        .createTable('upload_rows')
        .addColumn('upload_id', t.id, (c) => c.notNull().references('uploads.id').onDelete('cascade'))
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('record_id', t.id, (c) => c.notNull())
        .addColumn('external_id', 'text')
        .addColumn('input', 'text', (c) => c.notNull())
        .addColumn('expected_output', 'text', (c) => c.notNull())
        .addColumn('metadata', 'text', (c) => c.notNull())
        .addColumn('tags', 'text', (c) => c.notNull())
        .addColumn('splits', 'text', (c) => c.notNull())
        .addColumn('source', 'text')
        .addColumn('input_hash', 'text', (c) => c.notNull())
        .addColumn('content_hash', 'text', (c) => c.notNull())
        .addColumn('created_at', t.timestamp)
        .addColumn('disposition', 'text')
        .addPrimaryKeyConstraint('upload_rows_pk', ['upload_id', 'seq'])
        .execute();
      await db.schema.createIndex('upload_rows_external_id').on('upload_rows').columns(['upload_id', 'external_id']).execute();
      await db.schema.createIndex('upload_rows_input').on('upload_rows').columns(['upload_id', 'input_hash']).execute();
    },
  };
}
