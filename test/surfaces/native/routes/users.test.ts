import { beforeAll, describe, expect, it } from 'vitest';
import { SIGN_IN_FAILURES_PER_EMAIL, SIGN_IN_FAILURES_PER_IP } from '../../../../src/domain/users.js';
import { useTestServer } from '../../../support/app.js';
import { DIALECTS } from '../../../support/databases.js';

/** A browser's view of one signed-in user: its cookie, and the CSRF token /auth/me gave it. */
interface Browser {
  cookie: string;
  csrf: string;
  userId: string;
}

interface Answer {
  status: number;
  body: any;
  headers: Headers;
}

const PASSWORD = 'correct horse battery staple';

for (const dialect of DIALECTS) {
  describe(`${dialect}: users, sessions and roles over HTTP`, () => {
    const t = useTestServer(dialect);

    /** Real HTTP: a key (`key`), a session cookie with or without its CSRF token (`as`), or nothing. */
    const send = async (
      method: string,
      path: string,
      options: { body?: unknown; key?: string; as?: Browser; csrf?: string | null; headers?: Record<string, string> } = {},
    ): Promise<Answer> => {
      const headers: Record<string, string> = { ...options.headers };
      if (options.body !== undefined) headers['content-type'] = 'application/json';
      if (options.key) headers.authorization = `Bearer ${options.key}`;
      if (options.as) {
        headers.cookie = options.as.cookie;
        const csrf = options.csrf === undefined ? options.as.csrf : options.csrf;
        if (csrf !== null) headers['x-csrf-token'] = csrf;
      }
      const response = await fetch(`${t.url}/api/v1${path}`, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: AbortSignal.timeout(20_000),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : null, headers: response.headers };
    };
    const admin = (method: string, path: string, body?: unknown) => send(method, path, { key: t.adminKey, body });

    const browserOf = (answer: Answer): Browser => {
      const setCookie = answer.headers.get('set-cookie') ?? '';
      const cookie = setCookie.split(';')[0]!;
      return { cookie, csrf: answer.body.csrf_token, userId: answer.body.user.id };
    };
    const invite = async (email: string, role: string) => {
      const invited = await admin('POST', '/invitations', { email, role });
      expect(invited.status, JSON.stringify(invited.body)).toBe(201);
      return invited.body as { token: string; path: string; invitation: { id: string; role: string } };
    };
    const join = async (email: string, role: string, name = email.split('@')[0]!): Promise<Browser> => {
      const { token } = await invite(email, role);
      const accepted = await send('POST', '/auth/invitations/accept', { body: { token, display_name: name, password: PASSWORD } });
      expect(accepted.status, JSON.stringify(accepted.body)).toBe(201);
      return browserOf(accepted);
    };
    const signIn = (email: string, password: string) => send('POST', '/auth/sign-in', { body: { email, password } });

    let alice: Browser;
    let datasetId: string;
    let experimentId: string;

    beforeAll(async () => {
      const dataset = await admin('POST', '/datasets', { name: 'people' });
      datasetId = dataset.body.id;
      const experiment = await admin('POST', '/experiments', { name: 'e', dataset_id: datasetId });
      experimentId = experiment.body.id;
    });

    it('signs up by invitation: a one-time link for the admin, an account with a hashed password, a session cookie', async () => {
      const { token, path, invitation } = await invite('Alice@Example.com', 'write');
      expect(path).toBe(`/accept-invitation#token=${encodeURIComponent(token)}`);
      expect(invitation).toMatchObject({ email: 'alice@example.com', role: 'write', used_at: null });
      expect((await admin('GET', '/invitations')).body.data.map((i: { id: string }) => i.id)).toContain(invitation.id);

      const accepted = await send('POST', '/auth/invitations/accept', { body: { token, display_name: 'Alice Liddell', password: PASSWORD } });
      expect(accepted.status, JSON.stringify(accepted.body)).toBe(201);
      const setCookie = accepted.headers.get('set-cookie')!;
      expect(setCookie).toMatch(/^evalstore_session=ess_[A-Za-z0-9_-]{43}; /);
      expect(setCookie).toContain('HttpOnly');
      expect(setCookie).toContain('SameSite=Lax');
      expect(setCookie).not.toContain('Secure'); // plain HTTP, and no proxy is trusted
      expect(accepted.body).toMatchObject({
        user: { email: 'alice@example.com', display_name: 'Alice Liddell' },
        workspaces: [{ id: t.workspaceId, role: 'write' }],
      });
      alice = browserOf(accepted);

      const me = await send('GET', '/auth/me', { as: alice });
      expect(me.status).toBe(200);
      expect(me.body.csrf_token).toBe(alice.csrf);
      expect((await admin('GET', '/invitations')).body.data.map((i: { id: string }) => i.id)).not.toContain(invitation.id);

      // Stored: an argon2id hash, never the password; the session's token only hashed.
      const rows = JSON.stringify(await t.testStore.store.db.selectFrom('users').selectAll().execute());
      expect(rows).toContain('$argon2id$');
      expect(rows).not.toContain(PASSWORD);
      const sessions = JSON.stringify(await t.testStore.store.db.selectFrom('sessions').selectAll().execute());
      expect(sessions).not.toContain(alice.cookie.split('=')[1]);
      const tokens = JSON.stringify(await t.testStore.store.db.selectFrom('user_tokens').selectAll().execute());
      expect(tokens).not.toContain(token);
    });

    it('refuses a reused invitation, a weak password and unknown fields, naming the field and writing nothing', async () => {
      const reused = await send('POST', '/auth/invitations/accept', {
        body: { token: (await invite('bob@example.com', 'read')).token, display_name: 'Bob', password: 'short' },
      });
      expect(reused.status).toBe(400);
      expect(reused.body.errors).toEqual([expect.objectContaining({ pointer: '/password', in: 'body' })]);
      expect((await admin('GET', '/users')).body.data.map((u: { email: string }) => u.email)).not.toContain('bob@example.com');

      const { token } = await invite('carol@example.com', 'read');
      expect((await send('POST', '/auth/invitations/accept', { body: { token, display_name: 'Carol', password: PASSWORD } })).status).toBe(201);
      const again = await send('POST', '/auth/invitations/accept', { body: { token, display_name: 'Mallory', password: `${PASSWORD}!` } });
      expect(again.status).toBe(400);
      expect(again.body.errors).toEqual([expect.objectContaining({ pointer: '/token' })]);
      const madeUp = await send('POST', '/auth/invitations/accept', { body: { token: 'est_nothing', display_name: 'M', password: PASSWORD } });
      expect(madeUp.status).toBe(400);
      expect((await send('POST', '/auth/sign-in', { body: { email: 'a@b.c', password: 'x', admin: true } })).status).toBe(400);
      expect((await admin('POST', '/invitations', { email: 'not an address', role: 'read' })).status).toBe(400);
      expect((await admin('POST', '/invitations', { email: 'dave@example.com', role: 'owner' })).status).toBe(400);
      expect((await admin('POST', '/invitations', { email: 'alice@example.com', role: 'read' })).status).toBe(409);
    });

    it('signs in by password; a wrong password and an unknown email get the same 401', async () => {
      const signedIn = await signIn('ALICE@example.com', PASSWORD);
      expect(signedIn.status, JSON.stringify(signedIn.body)).toBe(200);
      expect(signedIn.body.user.id).toBe(alice.userId);
      const browser = browserOf(signedIn);
      expect(browser.cookie).not.toBe(alice.cookie);
      expect((await send('GET', '/datasets', { as: browser })).status).toBe(200);

      const wrong = await signIn('alice@example.com', 'not the password at all');
      const unknown = await signIn('nobody@example.com', 'not the password at all');
      expect(wrong.status).toBe(401);
      expect(unknown.status).toBe(401);
      expect(wrong.body.detail).toBe(unknown.body.detail);
      expect(wrong.headers.get('set-cookie')).toBeNull();
    });

    it('takes a session for a write, records the user as the author, and refuses it without the CSRF token', async () => {
      const noCsrf = await send('POST', '/datasets', { as: alice, csrf: null, body: { name: 'forged' } });
      expect(noCsrf.status).toBe(403);
      expect(noCsrf.body.detail).toContain('x-csrf-token');
      const wrongCsrf = await send('POST', '/datasets', { as: alice, csrf: 'guessed', body: { name: 'forged' } });
      expect(wrongCsrf.status).toBe(403);
      expect((await admin('GET', '/datasets')).body.data.map((d: { name: string }) => d.name)).not.toContain('forged');

      const made = await send('POST', '/datasets', { as: alice, body: { name: 'alices' } });
      expect(made.status, JSON.stringify(made.body)).toBe(201);
      const added = await send('POST', `/datasets/${made.body.id}/records`, { as: alice, body: { records: [{ input: 'q' }] } });
      expect(added.status, JSON.stringify(added.body)).toBeLessThan(300);
      const versions = await send('GET', `/datasets/${made.body.id}/versions`, { as: alice });
      expect(versions.body.data.map((v: { created_by: string }) => v.created_by)).toContain('Alice Liddell');

      // A key made by a signed-in admin says who made it.
      const adminUser = await join('root@example.com', 'admin', 'Root');
      const key = await send('POST', '/keys', { as: adminUser, body: { name: 'ci', role: 'write' } });
      expect(key.status).toBe(201);
      expect(key.body.api_key.created_by).toBe(adminUser.userId);
      expect((await admin('POST', '/keys', { name: 'ops', role: 'read' })).body.api_key.created_by).toBeNull();
      // Keys need no CSRF token, and a key's own routes refuse a session's routes.
      expect((await send('POST', '/datasets', { key: key.body.key, body: { name: 'by-ci' } })).status).toBe(201);
      expect((await send('GET', '/auth/me', { key: key.body.key })).status).toBe(401);
    });

    it('lets each role do what it allows: review scores but cannot change datasets; only admins manage people', async () => {
      const people = {
        read: await join('reader@example.com', 'read'),
        review: await join('reviewer@example.com', 'review'),
        write: await join('writer@example.com', 'write'),
        admin: await join('boss@example.com', 'admin'),
      };
      const reviewKey = (await admin('POST', '/keys', { name: 'reviewer', role: 'review' })).body.key;
      const score = { scores: [{ key: 'correct', score: 1, source: 'human' }] };
      const expected = {
        read: { read: 200, score: 403, write: 403, admin: 403 },
        review: { read: 200, score: 201, write: 403, admin: 403 },
        write: { read: 200, score: 201, write: 201, admin: 403 },
        admin: { read: 200, score: 201, write: 201, admin: 200 },
      } as const;
      for (const [role, browser] of Object.entries(people) as [keyof typeof people, Browser][]) {
        const got = {
          read: (await send('GET', `/datasets/${datasetId}`, { as: browser })).status,
          score: (await send('POST', `/experiments/${experimentId}/scores`, { as: browser, body: score })).status,
          write: (await send('POST', `/datasets/${datasetId}/records`, { as: browser, body: { records: [{ input: role }] } })).status,
          admin: (await send('GET', '/users', { as: browser })).status,
        };
        expect({ role, ...got }).toEqual({ role, ...expected[role] });
      }
      const byKey = {
        read: (await send('GET', `/datasets/${datasetId}`, { key: reviewKey })).status,
        score: (await send('POST', `/experiments/${experimentId}/scores`, { key: reviewKey, body: score })).status,
        write: (await send('PATCH', `/datasets/${datasetId}`, { key: reviewKey, body: { description: 'x' } })).status,
        admin: (await send('GET', '/keys', { key: reviewKey })).status,
      };
      expect(byKey).toEqual(expected.review);

      // An admin changes a role; it holds from the next request.
      const promoted = await send('PATCH', `/users/${people.review.userId}`, { as: people.admin, body: { role: 'write' } });
      expect(promoted.status).toBe(200);
      expect(promoted.body.role).toBe('write');
      expect((await send('POST', `/datasets/${datasetId}/records`, { as: people.review, body: { records: [{ input: 'now' }] } })).status).toBe(201);
      // Removed from the workspace: the session stays valid for the account, but not for the workspace.
      expect((await send('DELETE', `/users/${people.read.userId}`, { as: people.admin })).status).toBe(204);
      expect((await send('GET', `/datasets/${datasetId}`, { as: people.read })).status).toBe(403);
      expect((await send('GET', '/auth/me', { as: people.read })).body.workspaces).toEqual([]);
    });

    it("answers 404 to another workspace's admin for this workspace's users", async () => {
      const other = await t.services.workspaces.create('elsewhere');
      for (const [method, path, body] of [
        ['PATCH', `/users/${alice.userId}`, { role: 'read' }],
        ['DELETE', `/users/${alice.userId}`, undefined],
        ['DELETE', `/users/${alice.userId}/sessions`, undefined],
        ['POST', `/users/${alice.userId}/password-resets`, undefined],
      ] as const) {
        expect({ method, path, status: (await send(method, path, { key: other.admin.key, body })).status }).toEqual({ method, path, status: 404 });
      }
      expect((await send('GET', '/users', { key: other.admin.key })).body.data).toEqual([]);
    });

    it('lists my sessions and revokes one; an admin revokes all of a user; revoked sessions are refused', async () => {
      const second = browserOf(await signIn('alice@example.com', PASSWORD));
      const listed = await send('GET', '/auth/sessions', { as: alice });
      expect(listed.status).toBe(200);
      const current = listed.body.data.find((s: { current: boolean }) => s.current);
      expect(listed.body.data.length).toBeGreaterThanOrEqual(2);
      const other = listed.body.data.find((s: { id: string; current: boolean }) => !s.current && s.id !== current.id);
      const secondId = (await send('GET', '/auth/me', { as: second })).body.session.id;
      expect(listed.body.data.map((s: { id: string }) => s.id)).toContain(secondId);
      expect(other).toBeDefined();

      expect((await send('DELETE', `/auth/sessions/${secondId}`, { as: alice })).status).toBe(204);
      expect((await send('GET', '/datasets', { as: second })).status).toBe(401);
      expect((await send('GET', '/auth/me', { as: second })).status).toBe(401);
      // Another user's session is not found.
      const root = browserOf(await signIn('root@example.com', PASSWORD));
      expect((await send('DELETE', `/auth/sessions/${current.id}`, { as: root })).status).toBe(404);

      const revoked = await send('DELETE', `/users/${alice.userId}/sessions`, { as: root });
      expect(revoked.status).toBe(200);
      expect(revoked.body.revoked).toBeGreaterThanOrEqual(1);
      expect((await send('GET', '/auth/me', { as: alice })).status).toBe(401);
      alice = browserOf(await signIn('alice@example.com', PASSWORD));
    });

    it('refuses sessions past their idle or absolute lifetime', async () => {
      const idle = browserOf(await signIn('alice@example.com', PASSWORD));
      const absolute = browserOf(await signIn('alice@example.com', PASSWORD));
      const idOf = async (browser: Browser) => (await send('GET', '/auth/me', { as: browser })).body.session.id as string;
      const [idleId, absoluteId] = [await idOf(idle), await idOf(absolute)];
      const db = t.testStore.store.db;
      const longAgo = new Date(Date.now() - 13 * 60 * 60 * 1000).toISOString();
      await db.updateTable('sessions').set({ last_seen_at: longAgo }).where('id', '=', idleId).execute();
      await db
        .updateTable('sessions')
        .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
        .where('id', '=', absoluteId)
        .execute();
      expect((await send('GET', '/datasets', { as: idle })).status).toBe(401);
      expect((await send('GET', '/datasets', { as: absolute })).status).toBe(401);
      expect((await send('GET', '/datasets', { as: alice })).status).toBe(200);
    });

    it('signs out: the session is revoked and its cookie cleared', async () => {
      const browser = browserOf(await signIn('alice@example.com', PASSWORD));
      expect((await send('POST', '/auth/sign-out', { as: browser, csrf: null })).status).toBe(403); // CSRF-safe too
      const out = await send('POST', '/auth/sign-out', { as: browser });
      expect(out.status).toBe(204);
      expect(out.headers.get('set-cookie')).toMatch(/^evalstore_session=; .*Max-Age=0/);
      expect((await send('GET', '/auth/me', { as: browser })).status).toBe(401);
      // A stale cookie does not stop signing in again.
      expect((await send('POST', '/auth/sign-in', { as: browser, body: { email: 'alice@example.com', password: PASSWORD } })).status).toBe(200);
    });

    it('resets a password by a one-time link: the old password and every session stop working', async () => {
      const before = browserOf(await signIn('writer@example.com', PASSWORD));
      const writer = before.userId;
      const reset = await admin('POST', `/users/${writer}/password-resets`);
      expect(reset.status).toBe(201);
      expect(reset.body.path).toBe(`/reset-password#token=${encodeURIComponent(reset.body.token)}`);
      expect((await send('POST', '/auth/password-resets/accept', { body: { token: reset.body.token, password: 'tiny' } })).status).toBe(400);
      const done = await send('POST', '/auth/password-resets/accept', { body: { token: reset.body.token, password: 'a brand new passphrase' } });
      expect(done.status, JSON.stringify(done.body)).toBe(200);
      expect(done.body.email).toBe('writer@example.com');
      expect((await send('GET', '/auth/me', { as: before })).status).toBe(401);
      expect((await signIn('writer@example.com', PASSWORD)).status).toBe(401);
      expect((await signIn('writer@example.com', 'a brand new passphrase')).status).toBe(200);
      const reused = await send('POST', '/auth/password-resets/accept', { body: { token: reset.body.token, password: 'another new passphrase' } });
      expect(reused.status).toBe(400);
    });

    it('joins another workspace with an existing account (its password, under the limit), picks the workspace by header, and guards resets', async () => {
      const second = await t.services.workspaces.create('second');
      const secondAdmin = (method: string, path: string, body?: unknown) => send(method, path, { key: second.admin.key, body });
      const invited = await secondAdmin('POST', '/invitations', { email: 'root@example.com', role: 'read' });
      const wrong = await send('POST', '/auth/invitations/accept', {
        body: { token: invited.body.token, display_name: 'Root', password: 'not roots password' },
      });
      expect(wrong.status).toBe(401);
      const joined = await send('POST', '/auth/invitations/accept', { body: { token: invited.body.token, display_name: 'ignored', password: PASSWORD } });
      expect(joined.status, JSON.stringify(joined.body)).toBe(201);
      expect(joined.body.user.display_name).toBe('Root');
      expect(joined.body.workspaces.map((w: { name: string; role: string }) => [w.name, w.role])).toEqual([
        ['default', 'admin'],
        ['second', 'read'],
      ]);
      const root = browserOf(joined);
      expect((await send('GET', '/workspace', { as: root })).body.id).toBe(t.workspaceId);
      const inSecond = { as: root, headers: { 'x-evalstore-workspace': second.workspace.id } };
      expect((await send('GET', '/workspace', inSecond)).body.id).toBe(second.workspace.id);
      expect((await send('POST', '/datasets', { ...inSecond, body: { name: 'nope' } })).status).toBe(403);
      expect((await send('GET', '/workspace', { as: root, headers: { 'x-evalstore-workspace': '00000000-0000-4000-8000-000000000000' } })).status).toBe(404);

      // A password opens both workspaces: this workspace's key (one workspace) may not reset it.
      const byKey = await admin('POST', `/users/${root.userId}/password-resets`);
      expect(byKey.status).toBe(403);
      expect((await secondAdmin('POST', `/users/${root.userId}/password-resets`)).status).toBe(403);
      expect((await secondAdmin('PATCH', `/users/${root.userId}`, { role: 'admin' })).status).toBe(200);
      expect((await send('POST', `/users/${root.userId}/password-resets`, { as: root })).status).toBe(201);
    });

    it('keeps the last admin', async () => {
      const members = (await admin('GET', '/users')).body.data as { id: string; role: string }[];
      const admins = members.filter((m) => m.role === 'admin');
      for (const extra of admins.slice(1)) expect((await admin('PATCH', `/users/${extra.id}`, { role: 'write' })).status).toBe(200);
      expect((await admin('PATCH', `/users/${admins[0]!.id}`, { role: 'read' })).status).toBe(409);
      expect((await admin('DELETE', `/users/${admins[0]!.id}`)).status).toBe(409);
    });

    // Last: the per-address limit, once reached, holds for every sign-in from 127.0.0.1.
    it('rate-limits failed sign-ins per email, then per client address (429)', async () => {
      for (let i = 0; i < SIGN_IN_FAILURES_PER_EMAIL; i++) expect((await signIn('carol@example.com', `wrong guess ${i}`)).status).toBe(401);
      const limited = await signIn('carol@example.com', PASSWORD);
      expect(limited.status).toBe(429);
      expect(limited.body.code).toBe('rate_limited');
      // Other addresses are not locked out by carol's failures...
      expect((await signIn('alice@example.com', PASSWORD)).status).toBe(200);
      // ...until this client has failed too often in all.
      const failures = await t.testStore.store.db
        .selectFrom('sign_in_failures')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      for (let i = Number(failures.n); i < SIGN_IN_FAILURES_PER_IP; i++) {
        expect((await signIn(`stranger${i}@example.com`, 'guess')).status).toBe(401);
      }
      expect((await signIn('alice@example.com', PASSWORD)).status).toBe(429);
    });
  });
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: the session cookie behind a proxy`, () => {
    const trusting = useTestServer(dialect, { trustProxy: true });
    const plain = useTestServer(dialect);

    const signInThrough = async (server: { url: string; adminKey: string }, email: string) => {
      const auth = { authorization: `Bearer ${server.adminKey}`, 'content-type': 'application/json' };
      const invited: any = await (
        await fetch(`${server.url}/api/v1/invitations`, { method: 'POST', headers: auth, body: JSON.stringify({ email, role: 'read' }) })
      ).json();
      const accepted = await fetch(`${server.url}/api/v1/auth/invitations/accept`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.9' },
        body: JSON.stringify({ token: invited.token, display_name: 'P', password: PASSWORD }),
      });
      expect(accepted.status).toBe(201);
      const cookie = accepted.headers.get('set-cookie')!;
      const sessions: any = await (await fetch(`${server.url}/api/v1/auth/sessions`, { headers: { cookie: cookie.split(';')[0]! } })).json();
      return { cookie, ip: sessions.data[0].ip as string };
    };

    it('is Secure, and the client address is the forwarded one, only when the proxy is trusted', async () => {
      const behindProxy = await signInThrough(trusting, 'proxied@example.com');
      expect(behindProxy.cookie).toContain('; Secure');
      expect(behindProxy.ip).toBe('203.0.113.9');
      const forged = await signInThrough(plain, 'forged@example.com');
      expect(forged.cookie).not.toContain('Secure');
      expect(forged.ip).toBe('127.0.0.1');
    });
  });
}
