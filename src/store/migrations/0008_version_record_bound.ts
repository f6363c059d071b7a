import { sql, type Kysely } from 'kysely';
import { columnTypes, type DialectName } from '../dialect.js';

/**
 * Each version keeps the highest record id it has ever held. Reading a version in record-id order can
 * then stop there, instead of walking the records added after it (reading version 1 of a dataset that
 * grew a millionfold costs what reading the latest does).
 */
export function versionRecordBound(dialect: DialectName) {
  const t = columnTypes(dialect);
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('dataset_versions').addColumn('max_record_id', t.id).execute();
      // PostgreSQL has no max() of uuid; ids compare the same as their text.
      await sql`
        update dataset_versions set max_record_id = (
          select cast(max(cast(r.record_id as text)) as ${sql.raw(t.id)}) from record_revisions r
          where r.dataset_id = dataset_versions.dataset_id and r.valid_from <= dataset_versions.version
        )`.execute(db);
    },
  };
}
