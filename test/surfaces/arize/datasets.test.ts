import { beforeAll, describe, expect, it } from 'vitest';
import { globalId, uuidOf } from '../../../src/surfaces/arize/ids.js';
import { useTestApp, type TestApp } from '../../support/app.js';
import { createDataset as createNativeDataset } from '../../support/datasets.js';
import { DIALECTS } from '../../support/databases.js';
import { expectRefused, seg, storeSnapshot } from './helpers.js';

const EXAMPLES = [
  { question: '2+2?', answer: '4', topic: 'math' },
  { question: 'Capital of Spain?', answer: 'Madrid', nested: { tags: ['geo', 'europe'], difficulty: 2.5, reviewed: null }, 'ünïcode ✓': true },
];

for (const dialect of DIALECTS) {
  describe(`${dialect}: Arize AX spaces, datasets and examples`, () => {
    const t = useTestApp(dialect);
    let spaceId: string;

    beforeAll(async () => {
      spaceId = globalId('Space', t.workspaceId);
    });

    const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object, key?: string | null) =>
      t.call({ method, url: `/arize${url}`, ...(payload ? { payload } : {}), ...(key === undefined ? {} : { key }) });
    const createDataset = async (name = `ds-${Math.random()}`, examples: object[] = EXAMPLES) => {
      const response = await call('POST', '/v2/datasets', { name, space_id: spaceId, examples });
      expect(response.statusCode).toBe(201);
      return response.json();
    };
    const examplesOf = async (datasetId: string, query = '') => (await call('GET', `/v2/datasets/${seg(datasetId)}/examples?limit=500${query}`)).json();
    const strip = ({ id: _id, created_at: _c, updated_at: _u, ...columns }: Record<string, unknown>) => columns;

    it('answers the one space for name resolution, and nothing else', async () => {
      const listed = await call('GET', '/v2/spaces?name=DEF&limit=100');
      expect(listed.statusCode).toBe(200);
      expect(listed.json()).toEqual({
        spaces: [{ id: spaceId, name: 'default', description: '', created_at: expect.any(String), is_private: false }],
        pagination: { has_more: false },
      });
      expect(Buffer.from(spaceId, 'base64').toString()).toMatch(/^Space:\d+$/);
      expect((await call('GET', '/v2/spaces?name=elsewhere')).json()).toEqual({ spaces: [], pagination: { has_more: false } });
      expect((await call('GET', `/v2/spaces/${seg(spaceId)}`)).json().name).toBe('default');
      await expectRefused(t, () => call('GET', '/v2/spaces?cursor=abc'), { status: 400, pointer: '/cursor' });
      await expectRefused(t, () => call('GET', '/v2/spaces?limit=101'), { status: 400, pointer: '/limit' });
      const other = await t.services.workspaces.create(`other-${Math.random()}`);
      await expectRefused(t, () => call('GET', `/v2/spaces/${seg(globalId('Space', other.workspace.id))}`), { status: 404, title: 'Resource not found' });
      await expectRefused(t, () => call('GET', '/v2/spaces/not-an-id'), { status: 400, pointer: '/space_id', title: 'Invalid request parameters' });
    });

    it('needs a Bearer key on every route, with the role the route needs', async () => {
      const body = await expectRefused(t, () => call('GET', '/v2/datasets', undefined, null), { status: 401, title: 'Authentication required' });
      expect(body.type).toBe('https://arize.com/docs/ax/rest-reference/errors#authentication-required');
      await expectRefused(t, () => t.call({ method: 'GET', url: '/arize/v2/datasets', key: null, headers: { 'x-api-key': t.adminKey } }), { status: 401 });
      await expectRefused(t, () => call('GET', '/v2/datasets', undefined, 'es_not-a-key-at-all-0123456789'), { status: 401 });
      const reader = await t.services.keys.create(t.workspaceId, { name: 'reader', role: 'read' });
      expect((await call('GET', '/v2/datasets', undefined, reader.key)).statusCode).toBe(200);
      await expectRefused(t, () => call('POST', '/v2/datasets', { name: 'x', space_id: spaceId, examples: [{ a: 1 }] }, reader.key), {
        status: 403,
        title: 'Access forbidden',
      });
    });

    it('creates a dataset with its examples as version 1, and reads every example back exactly', async () => {
      const dataset = await createDataset('capitals');
      expect(dataset).toEqual({
        id: expect.any(String),
        name: 'capitals',
        space_id: spaceId,
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
        [{ name: 'a', space_id: spaceId, examples: [] }, 400, '/examples'],
        [{ name: 'a', space_id: spaceId, examples: Array.from({ length: 1001 }, (_, i) => ({ i })) }, 400, '/examples'],
        [{ name: 'a', space_id: spaceId, examples: [{ q: 1 }, {}] }, 400, '/examples/1'],
        [{ name: 'a', space_id: spaceId, examples: [{ q: 1 }, { id: 'ex_1', input: 'Hello' }] }, 400, '/examples/1/id'],
        [{ name: 'a', space_id: spaceId, examples: [{ q: 1, created_at: 'x' }] }, 400, '/examples/0/created_at'],
        [{ name: 'a', space_id: spaceId, examples: [{ q: 1, updated_at: 'x' }] }, 400, '/examples/0/updated_at'],
        [{ name: 'a', space_id: spaceId, examples: [{ q: 1, annotations: [] }] }, 400, '/examples/0/annotations'],
        [{ name: 'a', space_id: spaceId, examples: ['text'] }, 400, '/examples/0'],
        [{ space_id: spaceId, examples: [{ q: 1 }] }, 400, '/name'],
        [{ name: '   ', space_id: spaceId, examples: [{ q: 1 }] }, 400, '/name'],
        [{ name: 'a', examples: [{ q: 1 }] }, 400, '/space_id'],
        [{ name: 'a', space_id: 'my-space', examples: [{ q: 1 }] }, 400, '/space_id'],
        [{ name: 'a', space_id: spaceId, examples: [{ q: 1 }], description: 'x' }, 400, '/description'],
      ];
      for (const [body, status, pointer] of cases) await expectRefused(t, post(body), { status, pointer });
      await expectRefused(t, post({ name: 'taken', space_id: spaceId, examples: [{ q: 1 }] }), { status: 409, pointer: '/name', title: 'Resource conflict' });
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
      expect(await names(`name=${prefix}&space_id=${seg(spaceId)}&space_name=DEFA`)).toHaveLength(3);
      expect(await names(`name=${prefix}&space_name=nowhere`)).toEqual([]);
      const other = await t.services.workspaces.create(`other-${Math.random()}`);
      expect(await names(`space_id=${seg(globalId('Space', other.workspace.id))}`)).toEqual([]);
      const listed = (await call('GET', `/v2/datasets?name=${prefix}`)).json().datasets[0];
      expect(listed).toEqual({ id: third.id, name: third.name, space_id: spaceId, created_at: third.created_at, updated_at: third.updated_at });

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
      await expectRefused(t, () => call('GET', `/v2/datasets/${seg(spaceId)}`), { status: 400, pointer: '/dataset_id' });
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

    it('appends examples as a new version; older versions keep what they held', async () => {
      const dataset = await createDataset();
      const v1 = dataset.versions[0].id;
      const appended = await call('POST', `/v2/datasets/${seg(dataset.id)}/examples?dataset_version_id=${seg(v1)}`, { examples: [{ question: 'new?' }] });
      expect(appended.statusCode).toBe(201);
      const written = appended.json();
      expect(written).toEqual({
        id: dataset.id,
        name: dataset.name,
        space_id: spaceId,
        created_at: dataset.created_at,
        updated_at: expect.any(String),
        dataset_version_id: expect.any(String),
        example_ids: [expect.stringMatching(/^[0-9a-f-]{36}$/)],
      });
      expect(written.dataset_version_id).not.toBe(v1);
      expect((await examplesOf(dataset.id)).examples).toHaveLength(3);
      expect((await examplesOf(dataset.id, `&dataset_version_id=${seg(v1)}`)).examples.map(strip)).toEqual(EXAMPLES);
      expect((await examplesOf(dataset.id, `&dataset_version_id=${seg(written.dataset_version_id)}`)).examples).toHaveLength(3);
      const versions = (await call('GET', `/v2/datasets/${seg(dataset.id)}`)).json().versions;
      expect(versions.map((v: { id: string }) => v.id)).toEqual([written.dataset_version_id, v1]);

      const at = `/v2/datasets/${seg(dataset.id)}/examples`;
      await expectRefused(t, () => call('POST', `${at}?dataset_version_id=${seg(v1)}`, { examples: [{ q: 1 }] }), { status: 409, pointer: '/dataset_version_id' });
      await expectRefused(t, () => call('POST', at, { examples: [] }), { status: 400, pointer: '/examples' });
      await expectRefused(t, () => call('POST', at, { examples: Array.from({ length: 1001 }, () => ({ q: 1 })) }), { status: 400, pointer: '/examples' });
      await expectRefused(t, () => call('POST', at, { examples: [{ q: 1 }, { id: 'x', q: 2 }] }), { status: 400, pointer: '/examples/1/id' });
      const otherDataset = await createDataset();
      const foreignVersion = otherDataset.versions[0].id;
      await expectRefused(t, () => call('POST', `${at}?dataset_version_id=${seg(foreignVersion)}`, { examples: [{ q: 1 }] }), {
        status: 404,
        pointer: '/dataset_version_id',
      });
      await expectRefused(t, () => call('GET', `${at}?dataset_version_id=${seg(foreignVersion)}`), { status: 404, pointer: '/dataset_version_id' });
      await expectRefused(t, () => call('GET', `${at}?dataset_version_id=${seg(dataset.id)}`), { status: 400, pointer: '/dataset_version_id' });
      await expectRefused(t, () => call('GET', `${at}?limit=501`), { status: 400, pointer: '/limit' });
    });

    it('pages through examples in a stable order', async () => {
      const dataset = await createDataset(undefined, Array.from({ length: 7 }, (_, i) => ({ n: i })));
      const seen: number[] = [];
      let cursor: string | undefined;
      do {
        const page = (await call('GET', `/v2/datasets/${seg(dataset.id)}/examples?limit=3${cursor ? `&cursor=${seg(cursor)}` : ''}`)).json();
        seen.push(...page.examples.map((e: { n: number }) => e.n));
        cursor = page.pagination.next_cursor;
        expect(page.pagination.has_more).toBe(cursor !== undefined);
      } while (cursor);
      expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6]);
    });

    it('updates examples by merging columns into a new version, ignoring unknown ids, naming it with new_version', async () => {
      const dataset = await createDataset();
      const [first, second] = (await examplesOf(dataset.id)).examples;
      const at = `/v2/datasets/${seg(dataset.id)}/examples`;
      const updated = await call('PATCH', at, {
        examples: [
          { id: first.id, answer: 'four', extra: [1, 2] },
          { id: '0f8fad5b-d9cb-469f-a165-70867728950e', answer: 'ghost' },
          { id: 'example_001', answer: 'ghost' },
        ],
        new_version: 'fixed answers',
      });
      expect(updated.statusCode).toBe(200);
      expect(updated.json().example_ids).toEqual([first.id]);
      const versions = (await call('GET', `/v2/datasets/${seg(dataset.id)}`)).json().versions;
      expect(versions.map((v: { name: string }) => v.name)).toEqual(['fixed answers', '1']);
      expect(updated.json().dataset_version_id).toBe(versions[0].id);
      const now = (await examplesOf(dataset.id)).examples;
      expect(strip(now[0])).toEqual({ ...EXAMPLES[0], answer: 'four', extra: [1, 2] });
      expect(now[0].created_at).toBe(first.created_at);
      expect(strip(now[1])).toEqual(EXAMPLES[1]);
      expect((await examplesOf(dataset.id, `&dataset_version_id=${seg(versions[1].id)}`)).examples.map(strip)).toEqual(EXAMPLES);

      // The same update again changes nothing: no version, the latest named.
      const again = await call('PATCH', at, { examples: [{ id: first.id, answer: 'four' }] });
      expect(again.json()).toMatchObject({ dataset_version_id: versions[0].id, example_ids: [first.id] });
      expect((await call('GET', `/v2/datasets/${seg(dataset.id)}`)).json().versions).toHaveLength(2);

      await expectRefused(t, () => call('PATCH', at, { examples: [{ id: second.id, answer: 'x' }], new_version: 'fixed answers' }), {
        status: 409,
        pointer: '/new_version',
      });
      await expectRefused(t, () => call('PATCH', at, { examples: [{ id: second.id, answer: 'x' }], new_version: '7' }), { status: 422, pointer: '/new_version' });
      await expectRefused(t, () => call('PATCH', at, { examples: [{ id: second.id, answer: 'x', updated_at: 'now' }] }), {
        status: 400,
        pointer: '/examples/0/updated_at',
      });
      await expectRefused(t, () => call('PATCH', at, { examples: [{ answer: 'x' }] }), { status: 400, pointer: '/examples/0/id' });
      await expectRefused(t, () => call('PATCH', at, { examples: [] }), { status: 400, pointer: '/examples' });
      await expectRefused(t, () => call('PATCH', `${at}?dataset_version_id=${seg(versions[1].id)}`, { examples: [{ id: second.id, answer: 'x' }] }), {
        status: 409,
        pointer: '/dataset_version_id',
      });
      await expectRefused(t, () => call('PATCH', at, { examples: [{ id: first.id, a: 1 }, { id: first.id, a: 2 }] }), { status: 422, pointer: '/examples/1' });
    });

    it('shows records written another way as their fields, and updates those fields', async () => {
      const native = await createNativeDataset(t);
      const added = await t.call({
        method: 'POST',
        url: `/api/v1/datasets/${native.id}/records`,
        payload: { records: [{ input: { q: 'flat' } }, { input: 'What is 2+2?', expected_output: '4', metadata: { level: 1 }, tags: ['math'], external_id: 'm-1' }] },
      });
      const [flatId, richId] = added.json().records.map((r: { id: string }) => r.id);
      const datasetId = globalId('Dataset', native.id);
      const examples = (await examplesOf(datasetId)).examples;
      expect(examples.find((e: { id: string }) => e.id === flatId)).toMatchObject({ q: 'flat' });
      expect(strip(examples.find((e: { id: string }) => e.id === richId))).toEqual({
        input: 'What is 2+2?',
        expected_output: '4',
        metadata: { level: 1 },
        tags: ['math'],
        external_id: 'm-1',
      });
      const at = `/v2/datasets/${seg(datasetId)}/examples`;
      const patched = await call('PATCH', at, { examples: [{ id: richId, expected_output: 'four', tags: ['math', 'easy'] }] });
      expect(patched.statusCode).toBe(200);
      const record = (await t.call({ method: 'GET', url: `/api/v1/datasets/${native.id}/records/${richId}` })).json();
      expect(record).toMatchObject({ input: 'What is 2+2?', expected_output: 'four', tags: ['math', 'easy'], metadata: { level: 1 }, external_id: 'm-1' });
      await expectRefused(t, () => call('PATCH', at, { examples: [{ id: flatId, q: 'ok' }, { id: richId, colour: 'red' }] }), { status: 422, pointer: '/examples/1/colour' });
      await expectRefused(t, () => call('PATCH', at, { examples: [{ id: richId, external_id: 'm-2' }] }), { status: 422, pointer: '/examples/0/external_id' });
      await expectRefused(t, () => call('PATCH', at, { examples: [{ id: richId, metadata: 'not an object' }] }), { status: 422, pointer: '/examples/0/metadata' });
    });

    it('deletes examples partially and idempotently, reporting the ids it could not delete', async () => {
      const dataset = await createDataset();
      const [first, second] = (await examplesOf(dataset.id)).examples;
      const at = `/v2/datasets/${seg(dataset.id)}/examples`;
      const v1 = dataset.versions[0].id;
      const body = { dataset_version_id: v1, example_ids: [first.id, 'never-there'] };
      const deleted = await call('DELETE', at, body);
      expect(deleted.statusCode).toBe(200);
      expect(deleted.json()).toEqual({ completed: true, deleted_example_ids: [first.id], not_deleted_example_ids: ['never-there'] });
      // A retry of the same request deletes nothing more and still succeeds.
      const retried = await expectNoChange(() => call('DELETE', at, body));
      expect(retried).toEqual({ completed: true, deleted_example_ids: [], not_deleted_example_ids: [first.id, 'never-there'] });
      expect((await examplesOf(dataset.id)).examples.map((e: { id: string }) => e.id)).toEqual([second.id]);
      expect((await examplesOf(dataset.id, `&dataset_version_id=${seg(v1)}`)).examples).toHaveLength(2);

      await expectRefused(t, () => call('DELETE', at, { dataset_version_id: v1, example_ids: [second.id] }), { status: 409, pointer: '/dataset_version_id' });
      const latest = (await call('GET', `/v2/datasets/${seg(dataset.id)}`)).json().versions[0].id;
      await expectRefused(t, () => call('DELETE', at, { example_ids: [second.id] }), { status: 400, pointer: '/dataset_version_id' });
      await expectRefused(t, () => call('DELETE', at, { dataset_version_id: latest, example_ids: [] }), { status: 400, pointer: '/example_ids' });
      await expectRefused(t, () => call('DELETE', at, { dataset_version_id: latest, example_ids: [second.id, second.id] }), { status: 400, pointer: '/example_ids' });
      await expectRefused(t, () => call('DELETE', at, { dataset_version_id: latest, example_ids: [''] }), { status: 400, pointer: '/example_ids/0' });
      await expectRefused(t, () => call('DELETE', at, { dataset_version_id: latest, example_ids: Array.from({ length: 1001 }, (_, i) => `id-${i}`) }), {
        status: 400,
        pointer: '/example_ids',
      });
    });

    /** A request that must succeed without changing anything; answers its body. */
    async function expectNoChange(request: () => ReturnType<TestApp['call']>) {
      const before = await storeSnapshot(t);
      const response = await request();
      expect(response.statusCode).toBe(200);
      expect(await storeSnapshot(t)).toEqual(before);
      return response.json();
    }
  });
}

/** The evalstore id behind an Arize dataset id. */
const nativeId = (arizeId: string) => uuidOf('Dataset', arizeId, '', 'params');
