import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openStore, type Store, type StoreConfig } from '../../src/store/database.js';
import { quoteIdentifier } from '../../src/store/sql-names.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import type { DialectName } from '../../src/store/dialect.js';

const ALL_DIALECTS: readonly DialectName[] = ['sqlite', 'postgres'];

/**
 * The databases the names in `setting` list (comma-separated), all of them when it is empty or unset.
 * An unknown name fails the run: a typo must not pass as a green suite that tested nothing.
 */
export function dialectsNamed(setting: string | undefined): readonly DialectName[] {
  const names = (setting ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  if (names.length === 0) return ALL_DIALECTS;
  const unknown = names.filter((name) => !ALL_DIALECTS.includes(name as DialectName));
  if (unknown.length) {
    throw new Error(`EVALSTORE_TEST_DIALECTS names ${unknown.map((name) => JSON.stringify(name)).join(', ')}; the databases are ${ALL_DIALECTS.join(', ')}`);
  }
  return ALL_DIALECTS.filter((dialect) => names.includes(dialect));
}

/** Every storage test runs once per database: both, or those EVALSTORE_TEST_DIALECTS lists (as Kysely's DIALECTS). */
export const DIALECTS: readonly DialectName[] = dialectsNamed(process.env.EVALSTORE_TEST_DIALECTS);

/** The PostgreSQL server tests use; each test store lives in a schema of its own there. */
export const TEST_POSTGRES_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestDatabase {
  config: StoreConfig;
  /** A connection URL a separate server process can use (PostgreSQL: pinned to the test schema). */
  url?: string;
  dataDir?: string;
  drop(): Promise<void>;
}

/** A fresh, empty database: a SQLite file in a temporary folder, or a new PostgreSQL schema. */
export async function createTestDatabase(dialect: DialectName): Promise<TestDatabase> {
  if (dialect === 'sqlite') {
    const dataDir = mkdtempSync(join(tmpdir(), 'evalstore-test-'));
    return {
      config: { dialect: 'sqlite', filename: join(dataDir, 'evalstore.db') },
      dataDir,
      drop: async () => rmSync(dataDir, { recursive: true, force: true }),
    };
  }
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await admin.connect();
  try {
    await admin.query(`create schema ${quoteIdentifier(schema)}`);
  } finally {
    await admin.end();
  }
  const url = new URL(TEST_POSTGRES_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    config: { dialect: 'postgres', connectionString: TEST_POSTGRES_URL, schema },
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
      await client.connect();
      try {
        await client.query(`drop schema ${quoteIdentifier(schema)} cascade`);
      } finally {
        await client.end();
      }
    },
  };
}

export interface TestStore {
  store: Store;
  database: TestDatabase;
  close(): Promise<void>;
}

/** An open, migrated store over a fresh database; close() also drops the database. */
export async function createTestStore(dialect: DialectName): Promise<TestStore> {
  const database = await createTestDatabase(dialect);
  const store = openStore(database.config);
  await migrateToLatest(store);
  return {
    store,
    database,
    close: async () => {
      await store.close();
      await database.drop();
    },
  };
}
