import { describe, expect, it } from 'vitest';
import { Evalstore } from '../../src/client/index.js';
import { useTestServer } from '../support/app.js';
import { DIALECTS } from '../support/databases.js';

/** A fetch that keeps the session cookie as a browser does (one origin, one cookie). */
function cookieJarFetch(): typeof fetch {
  let cookie: string | undefined;
  return async (input, init) => {
    const request = new Request(input, init);
    if (cookie) request.headers.set('cookie', cookie);
    const response = await fetch(request);
    const set = response.headers.get('set-cookie');
    if (set) cookie = set.split(';')[0]!.endsWith('=') ? undefined : set.split(';')[0];
    return response;
  };
}

/** The client's people methods: an admin's key invites, a browser-like client signs in with the cookie and its CSRF token. */
describe.each(DIALECTS)('the TypeScript client for people on %s', (dialect) => {
  const t = useTestServer(dialect);

  it('invites, accepts, signs in, writes with the session, manages members and signs out', async () => {
    const admin = new Evalstore({ url: t.url, apiKey: t.adminKey });
    const invited = await admin.invitations.create({ email: 'ann@example.com', role: 'review' });
    expect(invited.path).toContain(invited.token.slice(0, 10));
    expect((await admin.invitations.list()).map((i) => i.email)).toEqual(['ann@example.com']);

    let csrf: string | undefined;
    const browser = new Evalstore({ url: t.url, fetch: cookieJarFetch(), session: { csrfToken: () => csrf } });
    const accepted = await browser.auth.acceptInvitation({ token: invited.token, display_name: 'Ann', password: 'a long enough passphrase' });
    csrf = accepted.csrf_token;
    expect(accepted.workspaces).toEqual([expect.objectContaining({ id: t.workspaceId, role: 'review' })]);
    expect((await browser.auth.me()).user.email).toBe('ann@example.com');
    expect(await browser.datasets.list()).toMatchObject({ data: [] });
    await expect(browser.datasets.create({ name: 'no' })).rejects.toMatchObject({ status: 403 });

    const [member] = await admin.users.list();
    expect(member).toMatchObject({ email: 'ann@example.com', role: 'review' });
    expect((await admin.users.setRole(member!.id, 'write')).role).toBe('write');
    expect((await browser.datasets.create({ name: 'anns' })).name).toBe('anns');
    expect((await browser.auth.sessions()).filter((s) => s.current)).toHaveLength(1);

    await browser.auth.signOut();
    await expect(browser.auth.me()).rejects.toMatchObject({ status: 401 });
    const again = await browser.auth.signIn({ email: 'ann@example.com', password: 'a long enough passphrase' });
    csrf = again.csrf_token;
    const reset = await admin.users.resetPassword(member!.id);
    await browser.auth.acceptPasswordReset({ token: reset.token, password: 'another long passphrase' });
    await expect(browser.auth.me()).rejects.toMatchObject({ status: 401 });
  });
});
