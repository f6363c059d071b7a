import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases.js';
import { findFreePort, killAllChildren, startServerProcess, storeFlags, type ExitStatus, type ServerProcess } from '../support/processes.js';

/** `evalstore serve` as operators run it: a real process, its stdout, its port, its shutdown. */

const GENERATED_KEY = /es_[A-Za-z0-9_-]{43}/g;
const PRINTED_KEY_LINE = /^\s+(es_[A-Za-z0-9_-]{43})\s*$/m;

async function get(server: ServerProcess, path: string, key?: string): Promise<Response> {
  return fetch(`${server.baseUrl}${path}`, {
    headers: key === undefined ? {} : { authorization: `Bearer ${key}` },
    signal: AbortSignal.timeout(10_000),
  });
}

/** Stops the server with SIGTERM and answers its exit status (stdout is then complete). */
async function stopGracefully(server: ServerProcess): Promise<ExitStatus> {
  return server.handle.stop('SIGTERM', 15_000);
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: evalstore serve`, () => {
    const databases: TestDatabase[] = [];
    const freshDatabase = async () => {
      const database = await createTestDatabase(dialect);
      databases.push(database);
      return database;
    };

    afterAll(async () => {
      await killAllChildren();
      for (const database of databases) await database.drop();
    }, 30_000);

    describe('first start without EVALSTORE_ADMIN_KEY', () => {
      let database: TestDatabase;
      let firstKey: string;

      beforeAll(async () => {
        database = await freshDatabase();
      });

      it('prints an admin key once, serves health, the API, OpenAPI and docs, and exits 0 on SIGTERM', async () => {
        const server = await startServerProcess(storeFlags(database), { port: await findFreePort() });
        let exit: ExitStatus;
        try {
          firstKey = (await server.handle.waitForStdout(PRINTED_KEY_LINE))[1]!;

          expect((await get(server, '/healthz')).status).toBe(200);

          const workspace = await get(server, '/api/v1/workspace', firstKey);
          expect(workspace.status).toBe(200);
          expect(await workspace.json()).toMatchObject({ name: 'default' });
          const madeUp = await get(server, '/api/v1/workspace', `es_${'x'.repeat(43)}`);
          expect(madeUp.status).toBe(401);
          expect((await get(server, '/api/v1/workspace')).status).toBe(401);

          const openapi = await get(server, '/api/v1/openapi.json');
          expect(openapi.status).toBe(200);
          const document = (await openapi.json()) as { openapi: string; paths?: Record<string, unknown> };
          expect(document.openapi).toMatch(/^3\.1\./);
          const paths = Object.keys(document.paths ?? {});
          expect(paths).toContain('/api/v1/datasets');
          expect(paths.filter((path) => !path.startsWith('/api/v1/'))).toEqual([]);

          const docs = await get(server, '/docs');
          expect(docs.status).toBe(200);
          expect(docs.headers.get('content-type')).toMatch(/^text\/html/);
          expect(await docs.text()).toMatch(/<html/i);
        } finally {
          exit = await stopGracefully(server);
        }
        expect(exit).toEqual({ code: 0, signal: null });
        // Once, and only on stdout: the key appears in exactly one line.
        expect(server.handle.stdout.match(GENERATED_KEY)).toEqual([firstKey]);
        expect(server.handle.stderr).not.toContain(firstKey);
      }, 60_000);

      it('prints no key on the next start, and the first key still works', async () => {
        expect(firstKey, 'the previous test must have read the first key').toBeDefined();
        const server = await startServerProcess(storeFlags(database), { port: await findFreePort() });
        let exit: ExitStatus;
        try {
          expect((await get(server, '/api/v1/workspace', firstKey)).status).toBe(200);
        } finally {
          exit = await stopGracefully(server);
        }
        expect(exit).toEqual({ code: 0, signal: null });
        expect(server.handle.stdout).not.toMatch(GENERATED_KEY);
        expect(server.handle.stdout).not.toContain('Created workspace');
      }, 60_000);

      it('listens on the port given by PORT, and --port wins over PORT', async () => {
        const envPort = await findFreePort();
        const byEnv = await startServerProcess(storeFlags(database), { expectedPort: envPort, env: { PORT: String(envPort) } });
        let exit: ExitStatus;
        try {
          expect((await get(byEnv, '/api/v1/workspace', firstKey)).status).toBe(200);
        } finally {
          exit = await stopGracefully(byEnv);
        }
        expect(exit).toEqual({ code: 0, signal: null });

        const ignoredPort = await findFreePort();
        const flagPort = await findFreePort();
        const byFlag = await startServerProcess(storeFlags(database), { port: flagPort, env: { PORT: String(ignoredPort) } });
        try {
          expect((await get(byFlag, '/healthz')).status).toBe(200);
          await expect(fetch(`http://127.0.0.1:${ignoredPort}/healthz`, { signal: AbortSignal.timeout(2_000) })).rejects.toThrow();
        } finally {
          exit = await stopGracefully(byFlag);
        }
        expect(exit).toEqual({ code: 0, signal: null });
      }, 60_000);
    });

    describe('first start with EVALSTORE_ADMIN_KEY', () => {
      it('makes the given value the admin key and prints no key', async () => {
        const database = await freshDatabase();
        const chosenKey = `chosen-admin-key-${dialect}-0123456789`;
        const server = await startServerProcess(storeFlags(database), {
          port: await findFreePort(),
          env: { EVALSTORE_ADMIN_KEY: chosenKey },
        });
        let exit: ExitStatus;
        try {
          await server.handle.waitForStdout(/Created workspace/);
          expect((await get(server, '/api/v1/workspace', chosenKey)).status).toBe(200);
          expect((await get(server, '/api/v1/keys', chosenKey)).status).toBe(200);
        } finally {
          exit = await stopGracefully(server);
        }
        expect(exit).toEqual({ code: 0, signal: null });
        expect(server.handle.stdout).toContain('EVALSTORE_ADMIN_KEY');
        expect(server.handle.stdout).not.toMatch(GENERATED_KEY);
        // The operator already knows the value; the server must not echo a secret into its logs.
        expect(server.handle.stdout).not.toContain(chosenKey);
        expect(server.handle.stderr).not.toContain(chosenKey);
      }, 60_000);
    });
  });
}
