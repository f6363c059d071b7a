import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { DialectName } from '../../src/store/dialect.js';
import { quoteIdentifier } from '../../src/store/sql-names.js';
import { findFreePort, INHERITED_SETTINGS_TO_DROP } from '../../test/support/processes.js';

/**
 * What the benches that talk to a deployed server share: a throwaway database (a SQLite folder or a
 * PostgreSQL schema) and `evalstore serve` over it as a separate process on 127.0.0.1, as deployed
 * (`node dist/cli/main.js`, built first; not through tsx, whose loader costs memory and start-up), so
 * that the bench's own work (building and sending JSON) does not run on the server's event loop.
 */

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The admin key of every bench server (made up per bench process, never printed). */
export const ADMIN_KEY = `bench-admin-${randomBytes(16).toString('hex')}`;

export interface BenchDatabase {
  dialect: DialectName;
  /** `evalstore serve` flags naming the store. */
  serverFlags: string[];
  /** The SQLite file, or the PostgreSQL URL pinned to the bench's schema: for direct connections. */
  location: string;
  drop(): Promise<void>;
}

export async function createBenchDatabase(dialect: DialectName, postgresUrl: string, prefix: string): Promise<BenchDatabase> {
  if (dialect === 'sqlite') {
    const dataDir = mkdtempSync(join(tmpdir(), `evalstore-${prefix}-`));
    return {
      dialect,
      serverFlags: ['--data-dir', dataDir],
      location: join(dataDir, 'evalstore.db'),
      drop: async () => rmSync(dataDir, { recursive: true, force: true }),
    };
  }
  // A fresh schema, so the bench never touches anything else in that database.
  const schema = `${prefix.replace(/\W/g, '_')}_${randomBytes(6).toString('hex')}`;
  await withPostgresClient(postgresUrl, (client) => client.query(`create schema ${quoteIdentifier(schema)}`));
  const url = new URL(postgresUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    dialect,
    serverFlags: ['--database-url', url.toString()],
    location: url.toString(),
    drop: () => withPostgresClient(postgresUrl, (client) => client.query(`drop schema ${quoteIdentifier(schema)} cascade`)).then(() => undefined),
  };
}

export async function withPostgresClient<T>(connectionString: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** The server gets only the settings the bench passes: a developer's shell may hold others. */
function serverEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of INHERITED_SETTINGS_TO_DROP) delete env[name];
  return { ...env, EVALSTORE_ADMIN_KEY: ADMIN_KEY, LOG_LEVEL: 'warn' };
}

const liveServers = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of liveServers) child.kill('SIGKILL');
});

export interface ServerProcess {
  baseUrl: string;
  pid: number;
  stop(): Promise<void>;
}

let built = false;

/** Compiles the server into dist/ once per bench process (incremental: quick when nothing changed). */
function buildServer(): void {
  if (built) return;
  execFileSync(process.execPath, [join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: REPO_ROOT, stdio: 'inherit' });
  built = true;
}

/** `evalstore serve` on a free port of 127.0.0.1, once /healthz answers; `profileDir` gets a V8 CPU profile. */
export async function startServerProcess(database: BenchDatabase, options: { profileDir?: string } = {}): Promise<ServerProcess> {
  buildServer();
  const port = await findFreePort();
  const profile = options.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`] : [];
  const child = spawn(process.execPath, [...profile, 'dist/cli/main.js', 'serve', '--host', '127.0.0.1', '--port', String(port), ...database.serverFlags], {
    cwd: REPO_ROOT,
    env: serverEnvironment(),
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  liveServers.add(child);
  const exited = once(child, 'exit');
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode} before it was healthy`);
    const healthy = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(2_000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (healthy) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${baseUrl}/healthz did not answer within a minute`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    baseUrl,
    pid: child.pid!,
    stop: async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
        await exited;
        clearTimeout(timer);
      }
      liveServers.delete(child);
    },
  };
}
