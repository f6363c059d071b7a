import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases.js';
import { findFreePort, killAllChildren, startServerProcess, storeFlags, type ServerProcess } from '../support/processes.js';

/** The first admin user of a fresh server, as operators make it: from the environment, or by a printed one-time link. */

const PASSWORD = 'the first admin passphrase';
const SETUP_LINK = /^\s+(http:\/\/\S+\/accept-invitation#token=(est_[A-Za-z0-9_-]{43}))\s*$/m;

async function call(server: ServerProcess, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${server.baseUrl}/api/v1${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  return { status: response.status, body: (await response.json().catch(() => null)) as any, cookie: response.headers.get('set-cookie')?.split(';')[0] };
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: the first admin user`, () => {
    const databases: TestDatabase[] = [];
    const fresh = async () => {
      const database = await createTestDatabase(dialect);
      databases.push(database);
      return database;
    };
    afterAll(async () => {
      await killAllChildren();
      for (const database of databases) await database.drop();
    }, 30_000);

    it('is made from EVALSTORE_ADMIN_EMAIL/PASSWORD once, and no password or session token reaches the logs', async () => {
      const database = await fresh();
      const env = { EVALSTORE_ADMIN_EMAIL: 'Ops@Example.com', EVALSTORE_ADMIN_PASSWORD: PASSWORD, LOG_LEVEL: 'debug' };
      const server = await startServerProcess(storeFlags(database), { port: await findFreePort(), env });
      let token = '';
      try {
        await server.handle.waitForStdout(/Created the admin user ops@example\.com/);
        expect((await call(server, 'POST', '/auth/sign-in', { email: 'ops@example.com', password: 'wrong wrong wrong' })).status).toBe(401);
        const signedIn = await call(server, 'POST', '/auth/sign-in', { email: 'ops@example.com', password: PASSWORD });
        expect(signedIn.status).toBe(200);
        expect(signedIn.body.workspaces).toEqual([expect.objectContaining({ name: 'default', role: 'admin' })]);
        token = signedIn.cookie!.split('=')[1]!;
        const me = await call(server, 'GET', '/auth/me', undefined, { cookie: signedIn.cookie! });
        expect(me.status).toBe(200);
        const invited = await call(
          server,
          'POST',
          '/invitations',
          { email: 'new@example.com', role: 'read' },
          { cookie: signedIn.cookie!, 'x-csrf-token': me.body.csrf_token },
        );
        expect(invited.status).toBe(201);
        const accepted = await call(server, 'POST', '/auth/invitations/accept', { token: invited.body.token, display_name: 'New', password: PASSWORD });
        expect(accepted.status).toBe(201);
        for (const secret of [PASSWORD, 'wrong wrong wrong', token, me.body.csrf_token, invited.body.token]) {
          expect(server.handle.stdout).not.toContain(secret);
          expect(server.handle.stderr).not.toContain(secret);
        }
        // The server did log the requests (at debug), so the check above looked at something.
        expect(server.handle.stdout).toContain('/api/v1/auth/sign-in');
      } finally {
        await server.handle.stop('SIGTERM', 15_000);
      }
      const again = await startServerProcess(storeFlags(database), { port: await findFreePort(), env });
      try {
        expect((await call(again, 'POST', '/auth/sign-in', { email: 'ops@example.com', password: PASSWORD })).status).toBe(200);
      } finally {
        await again.handle.stop('SIGTERM', 15_000);
      }
      expect(again.handle.stdout).not.toContain('Created the admin user');
    }, 90_000);

    it('without them, prints a one-time setup link that makes the first admin', async () => {
      const database = await fresh();
      const server = await startServerProcess(storeFlags(database), { port: await findFreePort() });
      try {
        const [, link, token] = await server.handle.waitForStdout(SETUP_LINK);
        expect(new URL(link!).host).toBe(`127.0.0.1:${server.port}`);
        const noEmail = await call(server, 'POST', '/auth/invitations/accept', { token, display_name: 'First', password: PASSWORD });
        expect(noEmail.status).toBe(400);
        expect(noEmail.body.errors[0].pointer).toBe('/email');
        const accepted = await call(server, 'POST', '/auth/invitations/accept', {
          token,
          display_name: 'First',
          password: PASSWORD,
          email: 'first@example.com',
        });
        expect(accepted.status).toBe(201);
        expect(accepted.body.workspaces).toEqual([expect.objectContaining({ role: 'admin' })]);
        expect(
          (await call(server, 'POST', '/auth/invitations/accept', { token, display_name: 'Second', password: PASSWORD, email: 'x@example.com' })).status,
        ).toBe(400);
      } finally {
        await server.handle.stop('SIGTERM', 15_000);
      }
      const again = await startServerProcess(storeFlags(database), { port: await findFreePort() });
      await again.handle.stop('SIGTERM', 15_000);
      expect(again.handle.stdout).not.toContain('accept-invitation');
    }, 90_000);
  });
}
