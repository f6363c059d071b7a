import { Migrator } from 'kysely';
import type { Store } from './database.js';
import { migrations } from './migrations/index.js';

/**
 * Brings the schema up to date. Safe to run from several processes at once: Kysely's migrator holds a
 * lock (an advisory lock on PostgreSQL, the write lock on SQLite) while it works.
 */
export async function migrateToLatest(store: Store): Promise<string[]> {
  const migrator = new Migrator({
    db: store.db,
    provider: { getMigrations: async () => migrations(store.dialect) },
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
