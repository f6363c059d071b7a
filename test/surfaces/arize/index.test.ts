import { describe, expect, it } from 'vitest';
import { useTestApp } from '../../support/app.js';
import { DIALECTS } from '../../support/databases.js';
import { arizeClient, expectRefused } from './helpers.js';

/** The mount: every route needs a Bearer key with the role the route needs, and refuses in Arize's problem details. */
for (const dialect of DIALECTS) {
  describe(`${dialect}: Arize AX surface`, () => {
    const t = useTestApp(dialect);
    const arize = arizeClient(t);
    const { call } = arize;

    it('needs a Bearer key on every route, with the role the route needs', async () => {
      const body = await expectRefused(t, () => call('GET', '/v2/datasets', undefined, null), { status: 401, title: 'Authentication required' });
      expect(body.type).toBe('https://arize.com/docs/ax/rest-reference/errors#authentication-required');
      await expectRefused(t, () => t.call({ method: 'GET', url: '/arize/v2/datasets', key: null, headers: { 'x-api-key': t.adminKey } }), { status: 401 });
      await expectRefused(t, () => call('GET', '/v2/datasets', undefined, 'es_not-a-key-at-all-0123456789'), { status: 401 });
      const reader = await t.services.keys.create(t.workspaceId, { name: 'reader', role: 'read' });
      expect((await call('GET', '/v2/datasets', undefined, reader.key)).statusCode).toBe(200);
      await expectRefused(t, () => call('POST', '/v2/datasets', { name: 'x', space_id: arize.spaceId(), examples: [{ a: 1 }] }, reader.key), {
        status: 403,
        title: 'Access forbidden',
      });
    });
  });
}
