import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { describeLangSmith } from '../helpers.js';

/** LangSmith's sessions (routes/sessions.ts): experiments and tracing projects. */
describeLangSmith('LangSmith sessions', ({ app, ls, ok, makeDataset }) => {
  it('creates sessions (409 on a name taken, unless upsert), reads and lists them, and treats nulls in updates as unchanged', async () => {
    const t = app();
    const dataset = await makeDataset('sessions-ds');
    const session = await ok('POST', '/sessions', {
      name: 'exp-1',
      description: 'first',
      extra: { metadata: { model: 'm' } },
      reference_dataset_id: dataset.id,
      num_examples: 2,
      evaluator_keys: ['c'],
    });
    expect(session).toMatchObject({
      name: 'exp-1',
      description: 'first',
      reference_dataset_id: dataset.id,
      extra: { metadata: { model: 'm' } },
      tenant_id: t.workspaceId,
      test_run_number: 1,
    });
    const duplicate = await ls('POST', '/sessions', { name: 'exp-1' });
    expect(duplicate.statusCode).toBe(409);
    expect(duplicate.json()).toEqual({ detail: expect.any(String) });
    expect((await ok('POST', '/sessions?upsert=true', { name: 'exp-1', extra: {} })).id).toBe(session.id);
    expect((await ls('POST', '/sessions', { name: 'exp-2', extra: { other: 1 } })).json().detail[0].loc).toEqual(['body', 'extra', 'other']);
    expect((await ls('POST', '/sessions', { name: 'exp-2', reference_dataset_id: randomUUID() })).statusCode).toBe(404);

    const patched = await ok('PATCH', `/sessions/${session.id}`, {
      name: null,
      description: null,
      extra: { metadata: { model: 'm', dataset_version: 'v' } },
      end_time: null,
    });
    expect(patched).toMatchObject({ name: 'exp-1', description: 'first', extra: { metadata: { model: 'm', dataset_version: 'v' } }, end_time: null });
    expect(await ok('GET', `/sessions?name=exp-1&include_stats=true`)).toEqual([
      expect.objectContaining({ id: session.id, run_count: 0, session_feedback_stats: {} }),
    ]);
    expect((await ok('GET', `/sessions?reference_dataset=${dataset.id}`)).map((s: { id: string }) => s.id)).toEqual([session.id]);
    expect(await ok('GET', '/sessions?reference_free=true&name=exp-1')).toEqual([]);
    expect(await ok('GET', '/sessions?limit=1&offset=0')).toHaveLength(1);
    expect((await ok('GET', `/sessions/${session.id}?include_stats=true`)).feedback_stats).toEqual({});
    expect((await ls('GET', `/sessions/${randomUUID()}`)).statusCode).toBe(404);
    await ok('DELETE', `/sessions/${session.id}`);
    expect((await ls('GET', `/sessions/${session.id}`)).statusCode).toBe(404);
  });
});
