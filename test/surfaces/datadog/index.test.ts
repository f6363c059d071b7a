import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../support/app.js';
import { DIALECTS } from '../../support/databases.js';
import { datadogCaller, envelope, makeDataset } from './helpers.js';

/** The Datadog surface as mounted: its keys, the roles they need, and workspace isolation. */
for (const dialect of DIALECTS) {
  describe(`${dialect}: the Datadog surface's keys and workspaces`, () => {
    let t: TestApp;
    let readKey: string;
    let otherKey: string;

    beforeAll(async () => {
      t = await createTestApp(dialect);
      readKey = (await t.services.keys.create(t.workspaceId, { name: 'reader', role: 'read' })).key;
      otherKey = (await t.services.workspaces.create('elsewhere')).admin.key;
    });
    afterAll(async () => t?.close());

    const dd = datadogCaller(() => t);

    it('needs a key (DD-API-KEY, or DD-APPLICATION-KEY alone), a write role to change, and hides other workspaces', async () => {
      const { project, dataset, path } = await makeDataset(dd);
      const none = await t.call({ method: 'GET', url: '/datadog/api/v2/llm-obs/v1/projects', key: null });
      expect(none.statusCode).toBe(401);
      expect(none.json().errors[0]).toMatchObject({ status: '401' });
      const appKeyOnly = await t.call({ method: 'GET', url: '/datadog/api/v2/llm-obs/v1/projects', key: null, headers: { 'dd-application-key': t.adminKey } });
      expect(appKeyOnly.statusCode).toBe(200);
      expect((await dd({ method: 'GET', url: `${path}/records`, as: readKey })).statusCode).toBe(200);
      const write = await dd({ method: 'POST', url: `${path}/records`, as: readKey, payload: envelope('records', { records: [{ input: 1 }] }) });
      expect(write.statusCode).toBe(403);
      for (const url of [`${path}/records`, `${path}/versions`, `/datadog/api/v2/llm-obs/v1/${project.id}/datasets`]) {
        expect((await dd({ method: 'GET', url, as: otherKey })).statusCode).toBe(404);
      }
      const upload = await dd({
        method: 'POST',
        url: `/datadog/api/v2/llm-obs/v2/${project.id}/datasets/${dataset.id}/records/upload`,
        as: otherKey,
        payload: '--b\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\ninput\nx\r\n--b--\r\n',
        headers: { 'content-type': 'multipart/form-data; boundary=b' },
      });
      expect(upload.statusCode).toBe(404);
      // A dataset named under a project it does not belong to is not found either.
      const other = await makeDataset(dd);
      expect((await dd({ method: 'GET', url: `/datadog/api/v2/llm-obs/v1/${other.project.id}/datasets/${dataset.id}/records` })).statusCode).toBe(404);
    });
  });
}
