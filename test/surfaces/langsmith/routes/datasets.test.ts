import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { describeLangSmith } from '../helpers.js';

/** LangSmith's dataset routes (routes/datasets.ts), answered as LangSmith answers them. */
describeLangSmith('LangSmith datasets', ({ app, ls, ok, makeDataset }) => {
  it('creates, finds, lists, updates and deletes datasets; refuses duplicates, unknown fields and what it cannot keep', async () => {
    const t = app();
    const dataset = await makeDataset('routes-ds');
    expect(dataset).toMatchObject({
      name: 'routes-ds',
      metadata: { team: 'a' },
      data_type: 'kv',
      example_count: 0,
      session_count: 0,
      tenant_id: t.workspaceId,
    });
    expect((await ls('POST', '/datasets', { name: 'routes-ds' })).statusCode).toBe(409);
    const unknown = await ls('POST', '/datasets', { name: 'x', expected_output: 1 });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json().detail).toEqual([{ loc: ['body', 'expected_output'], msg: 'Extra inputs are not permitted', type: 'extra_forbidden' }]);
    const chat = await ls('POST', '/datasets', { name: 'chat', data_type: 'chat' });
    expect(chat.statusCode).toBe(422);
    expect(chat.json().detail[0].loc).toEqual(['body', 'data_type']);

    expect(await ok('GET', `/datasets?limit=1&name=routes-ds`)).toEqual([dataset]);
    expect(await ok('GET', `/datasets?name_contains=utes-d&metadata=${encodeURIComponent('{"team":"a"}')}`)).toHaveLength(1);
    expect(await ok('GET', `/datasets?metadata=${encodeURIComponent('{"team":"b"}')}`)).toHaveLength(0);
    expect((await ls('GET', '/datasets?metadata=notjson')).json().detail[0].loc).toEqual(['query', 'metadata']);
    expect(await ok('GET', `/datasets/${dataset.id}?limit=1`)).toEqual(dataset);
    const renamed = await ok('PATCH', `/datasets/${dataset.id}`, { name: 'routes-ds-2', description: null });
    expect(renamed).toMatchObject({ name: 'routes-ds-2', description: 'd' });

    const missing = await ls('GET', `/datasets/${randomUUID()}`);
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ detail: expect.stringContaining('not found') });
    const other = await t.services.workspaces.create('other-ws');
    const otherKey = other.admin.key;
    expect((await ls('GET', `/datasets/${dataset.id}`, undefined, otherKey)).statusCode).toBe(404);
    expect((await ls('DELETE', `/datasets/${dataset.id}`, undefined, otherKey)).statusCode).toBe(404);

    await ok('DELETE', `/datasets/${dataset.id}`);
    expect((await ls('GET', `/datasets/${dataset.id}`)).statusCode).toBe(404);
  });
});
