import { describe, expect, it } from 'vitest';
import { globalId } from '../../../../src/surfaces/arize/ids.js';
import { useTestApp } from '../../../support/app.js';
import { DIALECTS } from '../../../support/databases.js';
import { arizeClient, expectRefused, seg } from '../helpers.js';

/** Spaces: the one space a key sees, as AX's SDKs resolve it by name. */
for (const dialect of DIALECTS) {
  describe(`${dialect}: Arize AX spaces`, () => {
    const t = useTestApp(dialect);
    const arize = arizeClient(t);
    const { call } = arize;

    it('answers the one space for name resolution, and nothing else', async () => {
      const listed = await call('GET', '/v2/spaces?name=DEF&limit=100');
      expect(listed.statusCode).toBe(200);
      expect(listed.json()).toEqual({
        spaces: [{ id: arize.spaceId(), name: 'default', description: '', created_at: expect.any(String), is_private: false }],
        pagination: { has_more: false },
      });
      expect(Buffer.from(arize.spaceId(), 'base64').toString()).toMatch(/^Space:\d+$/);
      expect((await call('GET', '/v2/spaces?name=elsewhere')).json()).toEqual({ spaces: [], pagination: { has_more: false } });
      expect((await call('GET', `/v2/spaces/${seg(arize.spaceId())}`)).json().name).toBe('default');
      await expectRefused(t, () => call('GET', '/v2/spaces?cursor=abc'), { status: 400, pointer: '/cursor' });
      await expectRefused(t, () => call('GET', '/v2/spaces?limit=101'), { status: 400, pointer: '/limit' });
      const other = await t.services.workspaces.create(`other-${Math.random()}`);
      await expectRefused(t, () => call('GET', `/v2/spaces/${seg(globalId('Space', other.workspace.id))}`), { status: 404, title: 'Resource not found' });
      await expectRefused(t, () => call('GET', '/v2/spaces/not-an-id'), { status: 400, pointer: '/space_id', title: 'Invalid request parameters' });
    });
  });
}
