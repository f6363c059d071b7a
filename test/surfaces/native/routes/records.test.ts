import { beforeEach, describe, expect, it } from 'vitest';
import { useTestApp } from '../../../support/app.js';
import { DIALECTS } from '../../../support/databases.js';

interface Dataset {
  id: string;
  latest_version: number;
  record_count: number;
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: records`, () => {
    const t = useTestApp(dialect);
    let dataset: Dataset;
    let base: string;
    beforeEach(async () => {
      const name = `ds-${Math.random().toString(36).slice(2)}`;
      dataset = (await t.call({ method: 'POST', url: '/api/v1/datasets', payload: { name } })).json();
      base = `/api/v1/datasets/${dataset.id}`;
    });

    const add = (records: unknown[], extra: Record<string, unknown> = {}) => t.call({ method: 'POST', url: `${base}/records`, payload: { records, ...extra } });
    const listAll = async (query = '') => {
      const all: Record<string, unknown>[] = [];
      let cursor: string | null = null;
      do {
        const url: string = `${base}/records?limit=1000${query}${cursor ? `&cursor=${cursor}` : ''}`;
        const page = (await t.call({ method: 'GET', url })).json();
        all.push(...page.data);
        cursor = page.next_cursor;
      } while (cursor);
      return all;
    };
    const state = async () => {
      const ds = (await t.call({ method: 'GET', url: base })).json();
      return { latest_version: ds.latest_version, record_count: ds.record_count, records: await listAll() };
    };

    it('reads back exactly what was written', async () => {
      const record = {
        input: { question: 'Qu’est-ce que 2+2 ? 🤔', z: 1, a: [1.5, 0, 1e21, -7, null, true, { nested: 'x' }] },
        expected_output: [{ role: 'assistant', content: '4' }],
        metadata: { difficulty: 3, reviewed: true, owner: null },
        tags: ['math', 'easy'],
        splits: ['test'],
        external_id: 'q-1',
        source: { run_id: 'abc' },
      };
      const response = await add([record]);
      expect(response.statusCode).toBe(201);
      const id = response.json().records[0].id;
      const read = (await t.call({ method: 'GET', url: `${base}/records/${id}` })).json();
      expect(read).toMatchObject({ id, dataset_id: dataset.id, ...record });
      expect(JSON.stringify(read.input)).toBe(JSON.stringify(record.input)); // key order kept too
    });

    it('commits one version per request, with a message', async () => {
      const first = (await add([{ input: 1 }, { input: 2 }, { input: 3 }])).json();
      expect(first.version).toMatchObject({ version: 1, message: 'Added 3 records', records_added: 3, record_count: 3, created_by: 'admin' });
      const second = (await add([{ input: 4 }], { message: 'one more' })).json();
      expect(second.version).toMatchObject({ version: 2, message: 'one more', record_count: 4 });
      expect((await t.call({ method: 'GET', url: base })).json()).toMatchObject({ latest_version: 2, record_count: 4 });
    });

    it('adds up to 10,000 records in one request, and refuses 0 or 10,001', async () => {
      const many = Array.from({ length: 10_000 }, (_, i) => ({ input: { i } }));
      const ok = await add(many);
      expect(ok.statusCode).toBe(201);
      expect(ok.json().records).toHaveLength(10_000);
      const before = await state();

      const none = await add([]);
      expect(none.statusCode).toBe(400);
      expect(none.json().errors[0]).toMatchObject({ pointer: '/records' });
      const tooMany = await add([...many, { input: 'one too many' }]);
      expect(tooMany.statusCode).toBe(400);
      expect(tooMany.json().errors[0]).toMatchObject({ pointer: '/records' });
      expect(await state()).toEqual(before);
    });

    it('names the faulty field of a bad request and leaves the dataset unchanged', async () => {
      await add([{ input: 'seed', external_id: 'taken' }]);
      const before = await state();
      const cases: [unknown, number, string][] = [
        [{ records: [{ input: 1 }, { inputt: 2 }] }, 400, '/records/1/input'],
        [{ records: [{ input: 1, colour: 'red' }] }, 400, '/records/0/colour'],
        [{ records: [{ input: 1, tags: 'math' }] }, 400, '/records/0/tags'],
        [{ records: [{ input: 1, tags: [3] }] }, 400, '/records/0/tags/0'],
        [{ records: [{ input: 1, metadata: [] }] }, 400, '/records/0/metadata'],
        [{ records: [{ input: 1, id: 'not-a-uuid' }] }, 400, '/records/0/id'],
        [
          {
            records: [
              { input: 1, external_id: 'a' },
              { input: 2, external_id: 'a' },
            ],
          },
          400,
          '/records/1/external_id',
        ],
        [{ records: [{ input: 1 }, { input: 2, external_id: 'taken' }] }, 409, '/records/1/external_id'],
        [{ records: {} }, 400, '/records'],
        [{ record: [] }, 400, '/records'],
      ];
      for (const [payload, status, pointer] of cases) {
        const response = await t.call({ method: 'POST', url: `${base}/records`, payload: payload as object });
        expect({ payload, status: response.statusCode }).toEqual({ payload, status });
        expect(response.headers['content-type']).toContain('application/problem+json');
        expect(response.json().errors?.map((e: { pointer: string }) => e.pointer)).toContain(pointer);
      }
      const malformed = await t.call({ method: 'POST', url: `${base}/records`, payload: '{"records": [', headers: { 'content-type': 'application/json' } });
      expect(malformed.statusCode).toBe(400);
      expect(malformed.json().code).toBe('validation_failed');
      const wrongType = await t.call({ method: 'POST', url: `${base}/records`, payload: 'input=1', headers: { 'content-type': 'text/plain' } });
      expect(wrongType.statusCode).toBe(415);
      expect(await state()).toEqual(before);
    });

    it('answers 413 to a body over the limit, leaving the dataset unchanged', async () => {
      const before = await state();
      const huge = 'x'.repeat(65 * 1024 * 1024);
      const response = await t.call({
        method: 'POST',
        url: `${base}/records`,
        payload: `{"records":[{"input":"${huge}"}]}`,
        headers: { 'content-type': 'application/json' },
      });
      expect(response.statusCode).toBe(413);
      expect(response.json()).toMatchObject({ status: 413, code: 'payload_too_large' });
      // Creating a dataset takes its first records, so that route takes bulk bodies; renaming one does not.
      const small = await t.call({ method: 'PATCH', url: base, payload: { description: 'x'.repeat(2 * 1024 * 1024) } });
      expect(small.statusCode).toBe(413);
      expect(await state()).toEqual(before);
    });

    it('takes caller-chosen ids, once', async () => {
      const id = '0f8fad5b-d9cb-469f-a165-70867728950e';
      expect((await add([{ id, input: 'mine' }])).json().records[0].id).toBe(id);
      const again = await add([{ id, input: 'again' }]);
      expect(again.statusCode).toBe(409);
      expect(again.json().errors[0].pointer).toBe('/records/0/id');
    });

    it('updates records by id or external_id, keeping what is not given, in one version', async () => {
      const added = (
        await add([
          { input: 'a', tags: ['x'], metadata: { n: 1 } },
          { input: 'b', external_id: 'bee' },
        ])
      ).json().records;
      const response = await t.call({
        method: 'PATCH',
        url: `${base}/records`,
        payload: {
          records: [
            { id: added[0].id, expected_output: 'A' },
            { external_id: 'bee', metadata: { n: 2 } },
          ],
        },
      });
      expect(response.statusCode).toBe(200);
      const body = response.json();
      expect(body.version).toMatchObject({ version: 2, records_updated: 2, message: 'Updated 2 records', record_count: 2 });
      expect(body.records[0]).toMatchObject({ id: added[0].id, input: 'a', expected_output: 'A', tags: ['x'], metadata: { n: 1 } });
      expect(body.records[1]).toMatchObject({ id: added[1].id, input: 'b', external_id: 'bee', metadata: { n: 2 } });
      const v1 = (await t.call({ method: 'GET', url: `${base}/records/${added[0].id}?version=1` })).json();
      expect(v1.expected_output).toBeNull();
    });

    it('commits no version for a request that changes nothing', async () => {
      const added = (await add([{ input: 'same', tags: ['t'] }])).json().records;
      const response = await t.call({ method: 'PATCH', url: `${base}/records`, payload: { records: [{ id: added[0].id, input: 'same', tags: ['t'] }] } });
      expect(response.statusCode).toBe(200);
      expect(response.json().version).toBeNull();
      expect((await t.call({ method: 'GET', url: base })).json().latest_version).toBe(1);
    });

    it('renames external ids, refusing one another record holds', async () => {
      const added = (
        await add([
          { input: 1, external_id: 'one' },
          { input: 2, external_id: 'two' },
        ])
      ).json().records;
      const clash = await t.call({ method: 'PATCH', url: `${base}/records/${added[0].id}`, payload: { external_id: 'two' } });
      expect(clash.statusCode).toBe(409);
      const swap = await t.call({
        method: 'PATCH',
        url: `${base}/records`,
        payload: {
          records: [
            { id: added[0].id, external_id: 'two' },
            { id: added[1].id, external_id: 'one' },
          ],
        },
      });
      expect(swap.statusCode).toBe(200);
      expect(swap.json().records.map((r: { external_id: string }) => r.external_id)).toEqual(['two', 'one']);
    });

    it('refuses updates of unknown records, naming the item, and changes nothing', async () => {
      const added = (await add([{ input: 1 }])).json().records;
      const before = await state();
      const response = await t.call({
        method: 'PATCH',
        url: `${base}/records`,
        payload: {
          records: [
            { id: added[0].id, input: 2 },
            { external_id: 'ghost', input: 3 },
          ],
        },
      });
      expect(response.statusCode).toBe(404);
      expect(response.json().errors[0].pointer).toBe('/records/1');
      const twice = await t.call({
        method: 'PATCH',
        url: `${base}/records`,
        payload: {
          records: [
            { id: added[0].id, input: 2 },
            { id: added[0].id, input: 3 },
          ],
        },
      });
      expect(twice.statusCode).toBe(400);
      expect(await state()).toEqual(before);
    });

    it('deletes records by id and external_id; earlier versions keep them', async () => {
      const added = (await add([{ input: 1 }, { input: 2, external_id: 'two' }, { input: 3 }])).json().records;
      const response = await t.call({ method: 'POST', url: `${base}/records/delete`, payload: { ids: [added[0].id], external_ids: ['two'] } });
      expect(response.statusCode).toBe(200);
      expect(response.json().version).toMatchObject({ version: 2, records_removed: 2, record_count: 1, message: 'Removed 2 records' });
      expect((await listAll()).map((r) => r.id)).toEqual([added[2].id]);
      expect((await listAll('&version=1')).map((r) => r.id)).toEqual(added.map((r: { id: string }) => r.id));
      const gone = await t.call({ method: 'GET', url: `${base}/records/${added[0].id}` });
      expect(gone.statusCode).toBe(404);
      const single = await t.call({ method: 'DELETE', url: `${base}/records/${added[2].id}?message=bye` });
      expect(single.json().version).toMatchObject({ version: 3, message: 'bye', record_count: 0 });
      const missing = await t.call({ method: 'POST', url: `${base}/records/delete`, payload: { ids: [added[0].id] } });
      expect(missing.statusCode).toBe(404);
      expect(missing.json().errors[0].pointer).toBe('/ids/0');
    });

    it('pages through records in a stable order', async () => {
      await add(Array.from({ length: 250 }, (_, i) => ({ input: i })));
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page: { data: { id: string }[]; next_cursor: string | null } = (
          await t.call({ method: 'GET', url: `${base}/records?limit=100${cursor ? `&cursor=${cursor}` : ''}` })
        ).json();
        seen.push(...page.data.map((r) => r.id));
        cursor = page.next_cursor;
        pages += 1;
      } while (cursor);
      expect(pages).toBe(3);
      expect(new Set(seen).size).toBe(250);
      expect([...seen].sort()).toEqual(seen);
      const bad = await t.call({ method: 'GET', url: `${base}/records?cursor=garbage` });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().errors[0]).toMatchObject({ pointer: '/cursor', in: 'query' });
      const tooBig = await t.call({ method: 'GET', url: `${base}/records?limit=5000` });
      expect(tooBig.statusCode).toBe(400);
    });

    it('filters by tags, splits, metadata and text', async () => {
      await add([
        { input: { q: 'Alpha question' }, tags: ['a', 'b'], splits: ['train'], metadata: { lang: 'en', level: 2, hard: true } },
        { input: { q: 'beta' }, expected_output: 'ALPHA answer', tags: ['a'], splits: ['test'], metadata: { lang: 'fr', level: 3, hard: false } },
        { input: { q: 'gamma 100%_done' }, tags: ['b'], splits: ['validation'], metadata: { lang: 'en', level: '2' } },
      ]);
      const inputs = async (query: string) => (await listAll(query)).map((r) => (r.input as { q: string }).q);
      expect(await inputs('&tag=a')).toEqual(['Alpha question', 'beta']);
      expect(await inputs('&tag=a&tag=b')).toEqual(['Alpha question']);
      expect(await inputs('&split=train&split=validation')).toEqual(['Alpha question', 'gamma 100%_done']);
      expect(await inputs('&metadata=lang=en')).toEqual(['Alpha question', 'gamma 100%_done']);
      expect(await inputs('&metadata=level=2')).toEqual(['Alpha question']);
      expect(await inputs(`&metadata=level=${encodeURIComponent('"2"')}`)).toEqual(['gamma 100%_done']);
      expect(await inputs('&metadata=hard=false')).toEqual(['beta']);
      expect(await inputs('&metadata=lang=en&tag=b&metadata=level=2')).toEqual(['Alpha question']);
      expect(await inputs('&q=alpha')).toEqual(['Alpha question', 'beta']);
      expect(await inputs(`&q=${encodeURIComponent('100%_')}`)).toEqual(['gamma 100%_done']);
      expect(await inputs(`&q=${encodeURIComponent('0%')}`)).toEqual(['gamma 100%_done']);
      expect(await inputs('&q=delta')).toEqual([]);
    });

    it('answers 404 for unknown datasets, records and routes', async () => {
      expect((await t.call({ method: 'GET', url: '/api/v1/datasets/0f8fad5b-d9cb-469f-a165-70867728950e/records' })).statusCode).toBe(404);
      expect((await t.call({ method: 'GET', url: `${base}/records/0f8fad5b-d9cb-469f-a165-70867728950e` })).statusCode).toBe(404);
      expect((await t.call({ method: 'GET', url: '/api/v1/no-such-thing' })).statusCode).toBe(404);
      const badId = await t.call({ method: 'GET', url: '/api/v1/datasets/not-an-id' });
      expect(badId.statusCode).toBe(400);
      expect(badId.json().errors[0]).toMatchObject({ in: 'params', pointer: '/dataset_id' });
    });
  });
}
