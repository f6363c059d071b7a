import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../support/app.js';
import { DIALECTS } from '../../../support/databases.js';

for (const dialect of DIALECTS) {
  describe(`${dialect}: POST /api/v1/logs`, () => {
    let t: TestApp;

    beforeAll(async () => {
      t = await createTestApp(dialect);
    });
    afterAll(async () => {
      await t?.close();
    });

    it('records runs into a log stream made on first use, idempotently by run id', async () => {
      const runId = '0194f1d2-7c1e-7a3b-9c2d-4e5f60718293';
      const body = { stream_name: 'production', project_name: 'support-bot', runs: [{ id: runId, input: { q: 'hi' }, output: 'hello', model: 'fake-1' }] };
      const first = await t.call({ method: 'POST', url: '/api/v1/logs', payload: body });
      expect(first.statusCode).toBe(201);
      expect(first.json()).toMatchObject({ run_ids: [runId], inserted: 1, log_stream: { name: 'production', dataset_id: null, source: 'native' } });
      const retried = await t.call({ method: 'POST', url: '/api/v1/logs', payload: body });
      expect(retried.json()).toMatchObject({ run_ids: [runId], inserted: 0, log_stream: { id: first.json().log_stream.id } });
      expect((await t.call({ method: 'GET', url: `/api/v1/runs/${runId}` })).json()).toMatchObject({ output: 'hello', model: 'fake-1' });
      const project = (await t.call({ method: 'GET', url: '/api/v1/projects' })).json().data.find((found: { name: string }) => found.name === 'support-bot');
      expect(first.json().log_stream.project_id).toBe(project.id);

      const byId = await t.call({ method: 'POST', url: '/api/v1/logs', payload: { stream_id: first.json().log_stream.id, runs: [{ output: 'again' }] } });
      expect(byId.json()).toMatchObject({ inserted: 1, log_stream: { id: first.json().log_stream.id } });
    });

    it('refuses what names no stream, and changes nothing', async () => {
      const none = await t.call({ method: 'POST', url: '/api/v1/logs', payload: { runs: [{ output: 'x' }] } });
      expect(none.statusCode).toBe(400);
      expect(none.json().errors[0].pointer).toBe('/stream_id');
      const unknownProject = await t.call({
        method: 'POST',
        url: '/api/v1/logs',
        payload: { project_id: '0194f1d2-7c1e-7a3b-9c2d-4e5f60718293', runs: [{ output: 'x' }] },
      });
      expect(unknownProject.statusCode).toBe(404);
      const badRun = await t.call({ method: 'POST', url: '/api/v1/logs', payload: { stream_name: 'never', runs: [{ output: 'x', start_time: 'soon' }] } });
      expect(badRun.statusCode).toBe(400);
      expect(badRun.json().errors[0].pointer).toBe('/runs/0/start_time');
      expect((await t.call({ method: 'GET', url: '/api/v1/experiments?name=never' })).json().data).toEqual([]);
      expect((await t.call({ method: 'POST', url: '/api/v1/logs', payload: { stream_name: 'x', runs: [] } })).statusCode).toBe(400);
    });
  });
}
