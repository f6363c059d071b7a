import { Migrator, sql } from 'kysely';
import type { Store } from './database.js';
import { migrations } from './migrations/index.js';

/**
 * Brings the schema up to date (or up to the migration named `through`). Safe to run from several processes at once: Kysely's migrator holds a
 * lock (an advisory lock on PostgreSQL, the write lock on SQLite) while it works.
 */
export async function migrateToLatest(store: Store, options: { through?: string } = {}): Promise<string[]> {
  const migrator = new Migrator({
    db: store.db,
    provider: { getMigrations: async () => migrations(store.dialect) },
    // Named explicitly because, left unnamed, Kysely looks for its tables in every schema of the
    // database and would take another schema's (another deployment's, another test's) for ours.
    migrationTableSchema: store.dialect === 'postgres' ? await currentSchema(store) : undefined,
  });
  // `through` stops at a named migration: the schema of an earlier release, for upgrade tests.
  const { error, results } = options.through === undefined ? await migrator.migrateToLatest() : await migrator.migrateTo(options.through);
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

async function currentSchema(store: Store): Promise<string> {
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(store.db);
  const schema = rows[0]?.schema;
  if (!schema) throw new Error('The PostgreSQL connection has no current schema (check search_path)');
  return schema;
}
