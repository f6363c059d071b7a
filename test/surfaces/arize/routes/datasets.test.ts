import { describe, expect, it } from 'vitest';
import { globalId } from '../../../../src/surfaces/arize/ids.js';
import { useTestApp } from '../../../support/app.js';
import { DIALECTS } from '../../../support/databases.js';
import { arizeClient, EXAMPLES, expectRefused, nativeId, seg, strip } from '../helpers.js';

/** Datasets: created with their examples as version 1, listed, read with their versions, renamed, deleted. */
for (const dialect of DIALECTS) {
  describe(`${dialect}: Arize AX datasets`, () => {
    const t = useTestApp(dialect);
    const arize = arizeClient(t);
    const { call, createDataset, examplesOf } = arize;

    it('creates a dataset with its examples as version 1, and reads every example back exactly', async () => {
      const dataset = await createDataset('capitals');
      expect(dataset).toEqual({
        id: expect.any(String),
        name: 'capitals',
        space_id: arize.spaceId(),
        created_at: expect.any(String),
        updated_at: expect.any(String),
        versions: [{ id: expect.any(String), name: '1', dataset_id: dataset.id, created_at: expect.any(String), updated_at: expect.any(String) }],
      });
      expect(Buffer.from(dataset.id, 'base64').toString()).toMatch(/^Dataset:\d+$/);
      const { examples, pagination } = await examplesOf(dataset.id);
      expect(pagination).toEqual({ has_more: false });
      expect(examples.map(strip)).toEqual(EXAMPLES);
      for (const example of examples) expect(example.id).toMatch(/^[0-9a-f-]{36}$/);

      const native = await t.call({ method: 'GET', url: `/api/v1/datasets/${nativeId(dataset.id)}/records` });
      expect(native.json().data.map((record: { input: unknown }) => record.input)).toEqual(EXAMPLES);
      const version = await t.call({ method: 'GET', url: `/api/v1/datasets/${nativeId(dataset.id)}/versions/1` });
      expect(version.json()).toMatchObject({ version: 1, message: 'Added 2 records', record_count: 2 });
    });

    it('refuses bad datasets, naming the field, and writes nothing', async () => {
      await createDataset('taken');
      const post = (body: object) => () => call('POST', '/v2/datasets', body);
      const cases: [object, number, string][] = [
        [{ name: 'a', space_id: arize.spaceId(), examples: [] }, 400, '/examples'],
        [{ name: 'a', space_id: arize.spaceId(), examples: Array.from({ length: 1001 }, (_, i) => ({ i })) }, 400, '/examples'],
        [{ name: 'a', space_id: arize.spaceId(), examples: [{ q: 1 }, {}] }, 400, '/examples/1'],
        [{ name: 'a', space_id: arize.spaceId(), examples: [{ q: 1 }, { id: 'ex_1', input: 'Hello' }] }, 400, '/examples/1/id'],
        [{ name: 'a', space_id: arize.spaceId(), examples: [{ q: 1, created_at: 'x' }] }, 400, '/examples/0/created_at'],
        [{ name: 'a', space_id: arize.spaceId(), examples: [{ q: 1, updated_at: 'x' }] }, 400, '/examples/0/updated_at'],
        [{ name: 'a', space_id: arize.spaceId(), examples: [{ q: 1, annotations: [] }] }, 400, '/examples/0/annotations'],
        [{ name: 'a', space_id: arize.spaceId(), examples: ['text'] }, 400, '/examples/0'],
        [{ space_id: arize.spaceId(), examples: [{ q: 1 }] }, 400, '/name'],
        [{ name: '   ', space_id: arize.spaceId(), examples: [{ q: 1 }] }, 400, '/name'],
        [{ name: 'a', examples: [{ q: 1 }] }, 400, '/space_id'],
        [{ name: 'a', space_id: 'my-space', examples: [{ q: 1 }] }, 400, '/space_id'],
        [{ name: 'a', space_id: arize.spaceId(), examples: [{ q: 1 }], description: 'x' }, 400, '/description'],
      ];
      for (const [body, status, pointer] of cases) await expectRefused(t, post(body), { status, pointer });
      await expectRefused(t, post({ name: 'taken', space_id: arize.spaceId(), examples: [{ q: 1 }] }), {
        status: 409,
        pointer: '/name',
        title: 'Resource conflict',
      });
      const other = await t.services.workspaces.create(`other-${Math.random()}`);
      await expectRefused(t, post({ name: 'a', space_id: globalId('Space', other.workspace.id), examples: [{ q: 1 }] }), { status: 404, pointer: '/space_id' });
      const notJson = () => t.call({ method: 'POST', url: '/arize/v2/datasets', payload: '{"name":', headers: { 'content-type': 'application/json' } });
      await expectRefused(t, notJson, { status: 400 });
    });

    it('lists datasets newest first with the spec filters, page by page', async () => {
      const prefix = `list-${Math.random().toString(36).slice(2)}`;
      const first = await createDataset(`${prefix}-Alpha`);
      const second = await createDataset(`${prefix}-beta`);
      const third = await createDataset(`${prefix}-gamma`);
      const names = async (query: string) => (await call('GET', `/v2/datasets?${query}`)).json().datasets.map((d: { name: string }) => d.name);
      expect(await names(`name=${prefix}`)).toEqual([third.name, second.name, first.name]);
      expect(await names(`name=${prefix.toUpperCase()}-AL`)).toEqual([first.name]);
      expect(await names(`name=${prefix}&space_id=${seg(arize.spaceId())}&space_name=DEFA`)).toHaveLength(3);
      expect(await names(`name=${prefix}&space_name=nowhere`)).toEqual([]);
      const other = await t.services.workspaces.create(`other-${Math.random()}`);
      expect(await names(`space_id=${seg(globalId('Space', other.workspace.id))}`)).toEqual([]);
      const listed = (await call('GET', `/v2/datasets?name=${prefix}`)).json().datasets[0];
      expect(listed).toEqual({ id: third.id, name: third.name, space_id: arize.spaceId(), created_at: third.created_at, updated_at: third.updated_at });

      const page1 = (await call('GET', `/v2/datasets?name=${prefix}&limit=2`)).json();
      expect(page1.pagination).toEqual({ has_more: true, next_cursor: expect.any(String) });
      const page2 = (await call('GET', `/v2/datasets?name=${prefix}&limit=2&cursor=${seg(page1.pagination.next_cursor)}`)).json();
      expect([...page1.datasets, ...page2.datasets].map((d: { id: string }) => d.id)).toEqual([third.id, second.id, first.id]);
      expect(page2.pagination).toEqual({ has_more: false });
      await expectRefused(t, () => call('GET', '/v2/datasets?limit=0'), { status: 400, pointer: '/limit' });
      await expectRefused(t, () => call('GET', '/v2/datasets?limit=101'), { status: 400, pointer: '/limit' });
      await expectRefused(t, () => call('GET', '/v2/datasets?cursor=garbage'), { status: 400, pointer: '/cursor' });
      await expectRefused(t, () => call('GET', '/v2/datasets?space_id=nope'), { status: 400, pointer: '/space_id' });
      await expectRefused(t, () => call('GET', '/v2/datasets?colour=red'), { status: 400, pointer: '/colour' });
    });

    it('gets, renames and deletes a dataset; unknown, foreign and malformed ids are refused', async () => {
      const dataset = await createDataset();
      const got = (await call('GET', `/v2/datasets/${seg(dataset.id)}`)).json();
      expect(got).toEqual(dataset);
      const renamed = await call('PATCH', `/v2/datasets/${seg(dataset.id)}`, { name: `renamed-${Math.random()}` });
      expect(renamed.statusCode).toBe(200);
      expect(renamed.json()).toMatchObject({ id: dataset.id, versions: dataset.versions });
      const taken = await createDataset();
      await expectRefused(t, () => call('PATCH', `/v2/datasets/${seg(dataset.id)}`, { name: taken.name }), { status: 409, pointer: '/name' });
      await expectRefused(t, () => call('PATCH', `/v2/datasets/${seg(dataset.id)}`, {}), { status: 400, pointer: '/name' });
      await expectRefused(t, () => call('PATCH', `/v2/datasets/${seg(dataset.id)}`, { name: ' ' }), { status: 400, pointer: '/name' });

      const unknown = globalId('Dataset', '0f8fad5b-d9cb-469f-a165-70867728950e');
      await expectRefused(t, () => call('GET', `/v2/datasets/${seg(unknown)}`), { status: 404 });
      const phoenixStyle = 'RGF0YXNldDox'; // Dataset:1
      await expectRefused(t, () => call('GET', `/v2/datasets/${phoenixStyle}`), { status: 404 });
      await expectRefused(t, () => call('GET', '/v2/datasets/recording-ds'), { status: 400, pointer: '/dataset_id' });
      await expectRefused(t, () => call('GET', `/v2/datasets/${seg(arize.spaceId())}`), { status: 400, pointer: '/dataset_id' });
      const other = await t.services.workspaces.create(`other-${Math.random()}`);
      const foreign = await t.call({
        method: 'POST',
        url: '/arize/v2/datasets',
        key: other.admin.key,
        payload: { name: 'theirs', space_id: globalId('Space', other.workspace.id), examples: [{ q: 1 }] },
      });
      expect(foreign.statusCode).toBe(201);
      for (const method of ['GET', 'DELETE'] as const) {
        await expectRefused(t, () => call(method, `/v2/datasets/${seg(foreign.json().id)}`), { status: 404 });
      }
      await expectRefused(t, () => call('PATCH', `/v2/datasets/${seg(foreign.json().id)}`, { name: 'mine' }), { status: 404 });
      await expectRefused(t, () => call('GET', `/v2/datasets/${seg(foreign.json().id)}/examples`), { status: 404 });

      expect((await call('DELETE', `/v2/datasets/${seg(dataset.id)}`)).statusCode).toBe(204);
      await expectRefused(t, () => call('GET', `/v2/datasets/${seg(dataset.id)}`), { status: 404 });
    });

    it('names an unknown dataset by the id the client sent', async () => {
      const unknown = globalId('Dataset', '0f8fad5b-d9cb-469f-a165-70867728950e');
      for (const method of ['GET', 'DELETE'] as const) {
        const body = await expectRefused(t, () => call(method, `/v2/datasets/${seg(unknown)}`), { status: 404 });
        expect(body).toMatchObject({ detail: `Dataset "${unknown}" not found`, error_code: 'not_found', instance: `/arize/v2/datasets/${seg(unknown)}` });
      }
      const renamed = await expectRefused(t, () => call('PATCH', `/v2/datasets/${seg(unknown)}`, { name: 'x' }), { status: 404 });
      expect(renamed.detail).toBe(`Dataset "${unknown}" not found`);
    });
  });
}
