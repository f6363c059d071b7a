import { beforeAll, describe, expect, it } from 'vitest';
import type { ApiKeyRole } from '../../../src/domain/api-keys.js';
import { useTestApp } from '../../support/app.js';
import { createDataset } from '../../support/datasets.js';
import { DIALECTS } from '../../support/databases.js';

interface RouteCase {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  url: string;
  payload?: unknown;
  contentType?: string;
  /** The least role that may call it. */
  needs: ApiKeyRole;
  /** True when the route names a resource of the workspace (so another workspace gets 404). */
  scoped: boolean;
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: authentication and authorization`, () => {
    const t = useTestApp(dialect);
    let keys: Record<ApiKeyRole | 'revoked' | 'otherWorkspace', string>;
    let routes: RouteCase[];

    beforeAll(async () => {
      const make = async (role: ApiKeyRole) => (await t.services.keys.create(t.workspaceId, { name: role, role })).key;
      const revoked = await t.services.keys.create(t.workspaceId, { name: 'revoked', role: 'admin' });
      await t.services.keys.revoke({ workspaceId: t.workspaceId }, revoked.apiKey.id);
      const other = await t.services.workspaces.create('other');
      keys = {
        read: await make('read'),
        review: await make('review'),
        write: await make('write'),
        admin: t.adminKey,
        revoked: revoked.key,
        otherWorkspace: other.admin.key,
      };

      const project = (await t.call({ method: 'POST', url: '/api/v1/projects', payload: { name: 'p' } })).json();
      const dataset = await createDataset(t, { name: 'd', project_id: project.id });
      const added = (
        await t.call({ method: 'POST', url: `/api/v1/datasets/${dataset.id}/records`, payload: { records: [{ input: 1 }, { input: 2 }] } })
      ).json();
      const record = added.records[0].id;
      const otherRecord = added.records[1].id;
      const key = (await t.services.keys.create(t.workspaceId, { name: 'target', role: 'read' })).apiKey.id;
      const ds = `/api/v1/datasets/${dataset.id}`;
      routes = [
        { method: 'GET', url: '/api/v1/workspace', needs: 'read', scoped: false },
        { method: 'GET', url: '/api/v1/keys', needs: 'admin', scoped: false },
        { method: 'POST', url: '/api/v1/keys', payload: { name: 'k', role: 'read' }, needs: 'admin', scoped: false },
        { method: 'GET', url: `/api/v1/keys/${key}`, needs: 'admin', scoped: true },
        { method: 'DELETE', url: `/api/v1/keys/${key}`, needs: 'admin', scoped: true },
        { method: 'GET', url: '/api/v1/projects', needs: 'read', scoped: false },
        { method: 'POST', url: '/api/v1/projects', payload: { name: 'p2' }, needs: 'write', scoped: false },
        { method: 'GET', url: `/api/v1/projects/${project.id}`, needs: 'read', scoped: true },
        { method: 'PATCH', url: `/api/v1/projects/${project.id}`, payload: { description: 'x' }, needs: 'write', scoped: true },
        { method: 'DELETE', url: `/api/v1/projects/${project.id}`, needs: 'write', scoped: true },
        { method: 'GET', url: '/api/v1/datasets', needs: 'read', scoped: false },
        { method: 'POST', url: '/api/v1/datasets', payload: { name: 'd2' }, needs: 'write', scoped: false },
        { method: 'GET', url: ds, needs: 'read', scoped: true },
        { method: 'PATCH', url: ds, payload: { description: 'x' }, needs: 'write', scoped: true },
        { method: 'DELETE', url: ds, needs: 'write', scoped: true },
        { method: 'POST', url: `${ds}/records`, payload: { records: [{ input: 3 }] }, needs: 'write', scoped: true },
        { method: 'PATCH', url: `${ds}/records`, payload: { records: [{ id: record, input: 4 }] }, needs: 'write', scoped: true },
        { method: 'POST', url: `${ds}/records/delete`, payload: { ids: [otherRecord] }, needs: 'write', scoped: true },
        { method: 'GET', url: `${ds}/records`, needs: 'read', scoped: true },
        { method: 'GET', url: `${ds}/records/${record}`, needs: 'read', scoped: true },
        { method: 'PATCH', url: `${ds}/records/${record}`, payload: { input: 5 }, needs: 'write', scoped: true },
        { method: 'DELETE', url: `${ds}/records/${record}`, needs: 'write', scoped: true },
        { method: 'GET', url: `${ds}/export`, needs: 'read', scoped: true },
        { method: 'POST', url: `${ds}/uploads`, payload: '{"input":6}\n', contentType: 'application/x-ndjson', needs: 'write', scoped: true },
        { method: 'GET', url: `${ds}/versions`, needs: 'read', scoped: true },
        { method: 'GET', url: `${ds}/versions/1`, needs: 'read', scoped: true },
        { method: 'PATCH', url: `${ds}/versions/1`, payload: { name: 'v-one' }, needs: 'write', scoped: true },
        { method: 'GET', url: `${ds}/diff?from=1`, needs: 'read', scoped: true },
      ];
    });

    const send = (route: RouteCase, headers: Record<string, string>) =>
      t.app.inject({
        method: route.method,
        url: route.url,
        headers: { ...headers, ...(route.contentType ? { 'content-type': route.contentType } : {}) },
        ...(route.payload === undefined ? {} : { payload: route.payload as string }),
      });

    it('refuses every data route without a key, with a bad key and with a revoked key (401)', async () => {
      for (const route of routes) {
        const attempts: Record<string, string>[] = [
          {},
          { authorization: 'Bearer es_not-a-real-key' },
          { 'x-api-key': 'nope' },
          { authorization: `Bearer ${keys.revoked}` },
        ];
        for (const headers of attempts) {
          const response = await send(route, headers);
          expect({ route: `${route.method} ${route.url}`, status: response.statusCode }).toEqual({ route: `${route.method} ${route.url}`, status: 401 });
          expect(response.headers['content-type']).toContain('application/problem+json');
          expect(response.json()).toMatchObject({ status: 401, code: 'unauthorized' });
        }
      }
    });

    it("answers 404 to another workspace's key for this workspace's resources, and shows it none of them", async () => {
      for (const route of routes.filter((r) => r.scoped)) {
        const response = await send(route, { authorization: `Bearer ${keys.otherWorkspace}` });
        expect({ route: `${route.method} ${route.url}`, status: response.statusCode }).toEqual({ route: `${route.method} ${route.url}`, status: 404 });
      }
      const listed = await t.app.inject({ method: 'GET', url: '/api/v1/datasets', headers: { authorization: `Bearer ${keys.otherWorkspace}` } });
      expect(listed.json().data).toEqual([]);
    });

    it('lets each role call exactly the routes its role allows (403 otherwise)', async () => {
      for (const role of ['read', 'review', 'write'] as const) {
        for (const route of routes.filter((r) => r.needs !== 'read')) {
          const allowed = role === 'write' && route.needs === 'write';
          if (allowed) continue; // allowed writes are exercised below, in order, by the admin key
          const response = await send(route, { 'x-api-key': keys[role] });
          expect({ role, route: `${route.method} ${route.url}`, status: response.statusCode }).toEqual({
            role,
            route: `${route.method} ${route.url}`,
            status: 403,
          });
          expect(response.json()).toMatchObject({ code: 'forbidden' });
        }
      }
    });

    it('accepts the key as a bearer token or as x-api-key, for every role allowed', async () => {
      for (const route of routes.filter((r) => r.method === 'GET')) {
        for (const role of ['read', 'review', 'write', 'admin'] as const) {
          if (route.needs === 'admin' && role !== 'admin') continue;
          const response = await send(route, role === 'read' ? { 'x-api-key': keys[role] } : { authorization: `Bearer ${keys[role]}` });
          expect({ route: `${route.method} ${route.url}`, role, status: response.statusCode }).toEqual({
            route: `${route.method} ${route.url}`,
            role,
            status: 200,
          });
        }
      }
      // Writes with the write key; deletions last, the dataset before its project, so each finds its target.
      const deletionRank = (r: RouteCase) => (r.method !== 'DELETE' ? 0 : r.url.includes('/records/') ? 1 : r.url.includes('/datasets/') ? 2 : 3);
      const ordered = routes.filter((r) => r.needs === 'write').sort((a, b) => deletionRank(a) - deletionRank(b));
      for (const route of ordered) {
        const response = await send(route, { authorization: `Bearer ${keys.write}` });
        expect({ route: `${route.method} ${route.url}`, status: response.statusCode, body: response.statusCode < 400 ? '' : response.body }).toMatchObject({
          route: `${route.method} ${route.url}`,
          status: expect.toSatisfy((status: number) => status >= 200 && status < 300),
        });
      }
    });

    it('stores keys hashed: the database never holds a key itself', async () => {
      const rows = await t.testStore.store.db.selectFrom('api_keys').selectAll().execute();
      const stored = JSON.stringify(rows);
      for (const key of Object.values(keys)) expect(stored).not.toContain(key);
    });
  });
}
