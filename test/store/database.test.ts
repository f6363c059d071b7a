import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/database.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import { createTestDatabase, createTestStore, DIALECTS, type TestDatabase } from '../support/databases.js';

for (const dialect of DIALECTS) {
  describe(`${dialect}: store`, () => {
    const databases: TestDatabase[] = [];
    afterAll(async () => Promise.all(databases.map((d) => d.drop())));

    it('migrates a fresh database, and migrating again changes nothing', async () => {
      const { store, close } = await createTestStore(dialect);
      try {
        expect(await migrateToLatest(store)).toEqual([]);
        const tables = (await store.db.introspection.getTables()).map((t) => t.name);
        expect(tables).toEqual(
          expect.arrayContaining(['workspaces', 'api_keys', 'projects', 'datasets', 'dataset_versions', 'record_revisions', 'uploads', 'upload_rows']),
        );
      } finally {
        await close();
      }
    });

    it("upgrades a store at the last release's schema (0014) with every migration since", async () => {
      const database = await createTestDatabase(dialect);
      databases.push(database);
      const store = openStore(database.config);
      try {
        const released = await migrateToLatest(store, { through: '0014_comparative_experiments' });
        expect(released.at(-1)).toBe('0014_comparative_experiments');
        const since = await migrateToLatest(store);
        expect(since.length).toBeGreaterThan(0);
        expect(since.every((name) => name > '0014_comparative_experiments')).toBe(true);
      } finally {
        await store.close();
      }
    });

    it('hands back times as ISO-8601 UTC strings with milliseconds, and rolls back a failed transaction whole', async () => {
      const { store, close } = await createTestStore(dialect);
      try {
        const time = '2026-01-02T03:04:05.678Z';
        await store.db.insertInto('workspaces').values({ id: '0f8fad5b-d9cb-469f-a165-70867728950e', name: 'w', created_at: time }).execute();
        expect((await store.db.selectFrom('workspaces').select('created_at').executeTakeFirstOrThrow()).created_at).toBe(time);
        await expect(
          store.transaction(async (tx) => {
            await tx.insertInto('workspaces').values({ id: '1f8fad5b-d9cb-469f-a165-70867728950e', name: 'x', created_at: time }).execute();
            await tx.insertInto('workspaces').values({ id: '2f8fad5b-d9cb-469f-a165-70867728950e', name: 'x', created_at: time }).execute();
          }),
        ).rejects.toThrow();
        expect((await store.db.selectFrom('workspaces').select('name').execute()).map((w) => w.name)).toEqual(['w']);
      } finally {
        await close();
      }
    });

    if (dialect === 'postgres') {
      it('works in UTC even when the URL carries startup options of its own', async () => {
        const database = await createTestDatabase('postgres');
        databases.push(database);
        const store = openStore({ dialect: 'postgres', connectionString: database.url! });
        try {
          const { rows } = await sql<{ tz: string; schema: string }>`select current_setting('TimeZone') as tz, current_schema() as schema`.execute(store.db);
          expect(rows[0]!.tz).toBe('UTC');
          expect(rows[0]!.schema).toMatch(/^t_/);
        } finally {
          await store.close();
        }
      });
    }
  });
}
