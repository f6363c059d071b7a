import { describe, expect, it } from 'vitest';
import { useTestApp } from '../../../support/app.js';
import { DIALECTS } from '../../../support/databases.js';

/** The workspace of a key and its API keys (routes/workspace.ts). */
for (const dialect of DIALECTS) {
  describe(`${dialect}: workspace and API keys`, () => {
    const t = useTestApp(dialect);

    it('shows the workspace of the key', async () => {
      expect((await t.call({ method: 'GET', url: '/api/v1/workspace' })).json()).toMatchObject({ id: t.workspaceId, name: 'default' });
    });
    it('creates keys shown once, lists them without the key, and revokes them for good', async () => {
      const created = await t.call({ method: 'POST', url: '/api/v1/keys', payload: { name: 'ci', role: 'write' } });
      expect(created.statusCode).toBe(201);
      const { api_key: apiKey, key } = created.json();
      expect(key).toMatch(/^es_[A-Za-z0-9_-]{43}$/);
      expect(apiKey).toMatchObject({ name: 'ci', role: 'write', revoked_at: null, preview: key.slice(0, 9) });

      const listed = await t.call({ method: 'GET', url: '/api/v1/keys' });
      expect(listed.body).not.toContain(key);
      expect(listed.json().data.map((k: { id: string }) => k.id)).toContain(apiKey.id);
      expect((await t.call({ method: 'GET', url: '/api/v1/datasets', key })).statusCode).toBe(200);

      const revoked = await t.call({ method: 'DELETE', url: `/api/v1/keys/${apiKey.id}` });
      expect(revoked.json().revoked_at).not.toBeNull();
      expect((await t.call({ method: 'GET', url: '/api/v1/datasets', key })).statusCode).toBe(401);
      expect((await t.call({ method: 'POST', url: '/api/v1/keys', payload: { name: 'x', role: 'owner' } })).statusCode).toBe(400);
    });
  });
}
