import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { describeLangSmith } from '../helpers.js';

/**
 * LangSmith's example routes (routes/examples.ts), multipart and JSON, with the dataset versions they
 * make; bad input answered as LangSmith answers it, leaving nothing written.
 */
describeLangSmith('LangSmith examples', ({ app, ls, ok, postMultipart, makeDataset, goDetails }) => {
  it('writes examples through multipart parts, as one version each request, and refuses bad parts writing nothing', async () => {
    const t = app();
    const dataset = await makeDataset('examples-ds');
    const [a, b] = [randomUUID(), randomUUID()];
    const bad = await postMultipart(`/v1/platform/datasets/${dataset.id}/examples`, [
      { name: a, json: {}, filename: 'blob', type: 'application/json' },
      { name: `${a}.inputs`, json: { q: 1 } },
      { name: b, json: { split: 'train' } },
      { name: `${b}.inputs`, raw: '{not json' },
    ]);
    expect(bad.statusCode).toBe(422);
    expect(bad.json()).toEqual({ error: expect.any(String), details: expect.stringContaining(`${b}.inputs`) });
    const noInputs = await postMultipart(`/v1/platform/datasets/${dataset.id}/examples`, [{ name: a, json: {} }]);
    expect(JSON.parse(noInputs.json().details)[0].loc).toEqual(['body', `${a}.inputs`]);
    const attachment = await postMultipart(`/v1/platform/datasets/${dataset.id}/examples`, [
      { name: a, json: {} },
      { name: `${a}.inputs`, json: { q: 1 } },
      { name: `${a}.attachment.image`, raw: 'bytes', type: 'image/png; length=5' },
    ]);
    expect(attachment.statusCode).toBe(422);
    expect(goDetails(attachment)[0]!.loc).toEqual(['body', a, 'attachment.image']);
    expect((await ok('GET', `/datasets/${dataset.id}`)).example_count).toBe(0);
    expect(await t.services.versions.list(await t.services.keys.authenticate(t.adminKey), dataset.id)).toMatchObject({ data: [] });

    const created = await postMultipart(`/v1/platform/datasets/${dataset.id}/examples`, [
      { name: a, json: { metadata: { level: 'easy' } }, filename: 'blob', type: 'application/json' },
      { name: `${a}.inputs`, json: { q: 'one' }, filename: 'blob', type: 'application/json' },
      { name: `${a}.outputs`, json: { answer: 1 }, filename: 'blob', type: 'application/json' },
      { name: b, json: { split: ['train', 'test'] } },
      { name: `${b}.inputs`, json: { q: 'two' } },
    ]);
    expect(created.statusCode, created.body).toBe(201);
    const first = created.json();
    expect(first).toMatchObject({ example_ids: [a, b], count: 2, as_of: expect.stringMatching(/\+00:00$/) });
    expect(await ok('GET', `/examples/${a}`)).toMatchObject({
      id: a,
      dataset_id: dataset.id,
      inputs: { q: 'one' },
      outputs: { answer: 1 },
      metadata: { level: 'easy', dataset_split: ['base'] },
    });
    expect((await ok('GET', `/examples/${b}`)).metadata).toEqual({ dataset_split: ['train', 'test'] });
    expect(
      (
        await postMultipart(`/v1/platform/datasets/${dataset.id}/examples`, [
          { name: a, json: {} },
          { name: `${a}.inputs`, json: {} },
        ])
      ).statusCode,
    ).toBe(409);

    const updated = await postMultipart(
      `/v1/platform/datasets/${dataset.id}/examples`,
      [
        { name: a, json: { metadata: { level: 'hard' } } },
        { name: `${a}.outputs`, json: { answer: 2 } },
      ],
      'PATCH',
    );
    expect(updated.statusCode).toBe(201);
    expect(updated.json().as_of > first.as_of).toBe(true);
    expect(await ok('GET', `/examples/${a}`)).toMatchObject({
      inputs: { q: 'one' },
      outputs: { answer: 2 },
      metadata: { level: 'hard', dataset_split: ['base'] },
    });
    // Reads pinned to the first version see the example as it was.
    const asOf = encodeURIComponent(first.as_of);
    const before = await ok('GET', `/examples?dataset=${dataset.id}&as_of=${asOf}&inline_s3_urls=true&offset=0&limit=100`);
    expect(before.find((e: { id: string }) => e.id === a).outputs).toEqual({ answer: 1 });
    expect((await ok('GET', `/examples?dataset=${dataset.id}&splits=train`)).map((e: { id: string }) => e.id)).toEqual([b]);
    expect(await ok('GET', `/examples?dataset=${dataset.id}&metadata=${encodeURIComponent('{"level":"hard"}')}`)).toHaveLength(1);
    expect(await ok('GET', `/examples?dataset=${dataset.id}&offset=1&limit=1`)).toHaveLength(1);
    expect((await ls('GET', `/examples?dataset=${dataset.id}&filter=${encodeURIComponent('eq(x, 1)')}`)).statusCode).toBe(422);

    // Versions are named by time; tags are their names.
    const versions = await ok('GET', `/datasets/${dataset.id}/versions`);
    expect(versions).toHaveLength(2);
    await ok('PUT', `/datasets/${dataset.id}/tags`, { as_of: first.as_of, tag: 'prod' });
    expect(await ok('GET', `/datasets/${dataset.id}/version?tag=prod`)).toEqual({ as_of: first.as_of, tags: ['prod'] });
    await ok('PUT', `/datasets/${dataset.id}/tags`, { as_of: updated.json().as_of, tag: 'prod' });
    expect(await ok('GET', `/datasets/${dataset.id}/version?as_of=${asOf}`)).toEqual({ as_of: first.as_of, tags: null });
    expect((await ok('GET', `/examples?dataset=${dataset.id}&as_of=prod`)).find((e: { id: string }) => e.id === a).outputs).toEqual({ answer: 2 });
    expect(await ok('GET', `/datasets/${dataset.id}/versions/diff?from_version=${asOf}&to_version=latest`)).toEqual({
      examples_modified: [a],
      examples_added: [],
      examples_removed: [],
    });

    expect(await ok('GET', `/datasets/${dataset.id}/splits`)).toEqual(['base', 'test', 'train']);
    await ok('PATCH', `/v1/platform/datasets/${dataset.id}/examples/metadata`, {
      example_ids: [a],
      operations: [{ key: 'dataset_split', operation: 'array_add', values: ['train'] }],
    });
    await ok('PUT', `/datasets/${dataset.id}/splits`, { split_name: 'test', examples: [b], remove: true });
    expect((await ok('GET', `/examples?dataset=${dataset.id}&splits=train`)).map((e: { id: string }) => e.id).sort()).toEqual([a, b].sort());
    expect((await ok('GET', `/examples/${b}`)).metadata.dataset_split).toEqual(['train']);
  });
  it('serves the JSON example routes other clients use', async () => {
    const one = await makeDataset('json-ds');
    const two = await makeDataset('json-ds-2');
    const example = await ok('POST', '/examples', { dataset_id: one.id, inputs: { q: 'x' }, outputs: { a: 'y' }, split: 'dev', metadata: { m: 1 } });
    expect(example).toMatchObject({ dataset_id: one.id, inputs: { q: 'x' }, outputs: { a: 'y' }, metadata: { m: 1, dataset_split: ['dev'] } });
    const bulk = await ok('POST', '/examples/bulk', [
      { dataset_id: one.id, inputs: { q: 'p' } },
      { dataset_id: one.id, inputs: { q: 'r' }, outputs: { a: 's' } },
    ]);
    expect(bulk).toHaveLength(2);
    const mixed = await ls('POST', '/examples/bulk', [
      { dataset_id: one.id, inputs: { q: 'p' } },
      { dataset_id: two.id, inputs: { q: 'r' } },
    ]);
    expect(mixed.statusCode).toBe(422);
    expect(mixed.json().detail[0].loc).toEqual(['body', 1, 'dataset_id']);
    expect(await ok('PATCH', `/examples/${example.id}`, { outputs: { a: 'z' } })).toMatchObject({ inputs: { q: 'x' }, outputs: { a: 'z' } });
    await ok(
      'PATCH',
      '/examples/bulk',
      bulk.map((e: { id: string }) => ({ id: e.id, metadata: { seen: true } })),
    );
    expect((await ok('GET', `/examples?dataset=${one.id}&metadata=${encodeURIComponent('{"seen":true}')}`)).length).toBe(2);
    await ok('DELETE', `/examples/${example.id}`);
    expect((await ls('GET', `/examples/${example.id}`)).statusCode).toBe(404);
    await ok('DELETE', `/examples?example_ids=${bulk[0].id}&example_ids=${bulk[1].id}`);
    expect((await ok('GET', `/datasets/${one.id}`)).example_count).toBe(0);
    expect((await ls('DELETE', `/examples/${randomUUID()}`)).statusCode).toBe(404);
  });

  it('names, as the request sent them, the examples a service finds at fault', async () => {
    const dataset = await makeDataset('restated-ds');
    const [a, b] = [randomUUID(), randomUUID()];
    const twice = await ls('POST', '/examples/bulk', [
      { id: a, dataset_id: dataset.id, inputs: { q: 1 } },
      { id: a, dataset_id: dataset.id, inputs: { q: 2 } },
    ]);
    expect(twice.statusCode).toBe(422);
    expect(twice.json().detail).toEqual([expect.objectContaining({ loc: ['body', 1, 'id'] })]);
    await ok('POST', '/examples/bulk', [
      { id: a, dataset_id: dataset.id, inputs: { q: 1 } },
      { id: b, dataset_id: dataset.id, inputs: { q: 2 } },
    ]);
    const changedTwice = await ls('PATCH', '/examples/bulk', [
      { id: b, metadata: { n: 1 } },
      { id: b, metadata: { n: 2 } },
    ]);
    expect(changedTwice.statusCode).toBe(422);
    expect(changedTwice.json().detail).toEqual([expect.objectContaining({ loc: ['body', 1] })]);
    const split = await ls('PUT', `/datasets/${dataset.id}/splits`, { split_name: 'dev', examples: [a, a] });
    expect(split.statusCode).toBe(422);
    expect(split.json().detail).toEqual([expect.objectContaining({ loc: ['body', 'examples', 1] })]);
    const metadata = await ls('PATCH', `/v1/platform/datasets/${dataset.id}/examples/metadata`, {
      example_ids: [b, b],
      operations: [{ key: 'dataset_split', operation: 'array_add', values: ['dev'] }],
    });
    expect(metadata.statusCode).toBe(422);
    expect(goDetails(metadata)).toEqual([expect.objectContaining({ loc: ['body', 'example_ids', 1] })]);
    expect(metadata.json().error).toContain('/example_ids/1');
    expect((await ok('GET', `/datasets/${dataset.id}/versions`)).length).toBe(1);
  });
});
