import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { describeLangSmith } from './helpers.js';

/** The surface as mounted (index.ts): keys, roles and workspaces, on every resource. */
describeLangSmith('the LangSmith surface', ({ app, ls, ok, makeDataset }) => {
  it('answers 401 {"detail"} for a missing or wrong key, and 403 for a key whose role may not', async () => {
    const t = app();
    for (const key of [null, 'es_not_a_key']) {
      const response = await ls('GET', '/datasets', undefined, key);
      expect(response.statusCode).toBe(401);
      expect(response.json()).toEqual({ detail: 'Invalid token' });
    }
    const readKey = (await t.services.keys.create(t.workspaceId, { name: 'reader', role: 'read' })).key;
    const refused = await ls('POST', '/datasets', { name: 'nope' }, readKey);
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toEqual({ detail: expect.any(String) });
  });
  it("answers 404 for another workspace's sessions, runs and feedback, and keeps its own apart", async () => {
    const t = app();
    const dataset = await makeDataset('private-ds');
    const session = await ok('POST', '/sessions', { name: 'private-exp', reference_dataset_id: dataset.id });
    const runId = randomUUID();
    await ok('POST', '/runs', { id: runId, session_id: session.id, start_time: '2026-01-01T00:00:00Z' }, 202);
    const feedback = await ok('POST', '/feedback', { run_id: runId, key: 'k', score: 1 });
    const otherKey = (await t.services.workspaces.create('other-ws-2')).admin.key;
    for (const url of [`/sessions/${session.id}`, `/runs/${runId}`, `/feedback/${feedback.id}`, `/examples/${randomUUID()}`]) {
      expect((await ls('GET', url, undefined, otherKey)).statusCode, url).toBe(404);
    }
    expect((await ls('PATCH', `/sessions/${session.id}`, { name: 'taken' }, otherKey)).statusCode).toBe(404);
    expect((await ls('POST', '/runs', { id: randomUUID(), session_id: session.id }, otherKey)).statusCode).toBe(404);
    expect((await ls('POST', '/runs/query', { session: [session.id] }, otherKey)).statusCode).toBe(404);
    expect((await ls('POST', '/feedback', { run_id: null, session_id: session.id, key: 'k' }, otherKey)).statusCode).toBe(404);
    // The other workspace's names are its own: it may have a session of the same name.
    expect((await ls('POST', '/sessions', { name: 'private-exp' }, otherKey)).statusCode).toBe(200);
    expect(await ok('GET', `/sessions?name=private-exp`)).toEqual([expect.objectContaining({ id: session.id })]);
  });
});
