import { describe, expect, it } from 'vitest';
import { useTestApp } from '../../support/app.js';
import { DIALECTS } from '../../support/databases.js';
import { datadogCaller, envelope, makeDataset } from './helpers.js';

/** Datadog's records and batch updates: what is written reads back, at any version. */
for (const dialect of DIALECTS) {
  describe(`${dialect}: the Datadog records`, () => {
    const t = useTestApp(dialect);

    const dd = datadogCaller(() => t);

    it('reads back what it wrote, as flat fields and attributes, at any version; tags filter with OR', async () => {
      const { path } = await makeDataset(dd);
      const insert = await dd({
        method: 'POST',
        url: `${path}/batch_update`,
        payload: {
          data: {
            type: 'datasets',
            attributes: {
              insert_records: [
                { id: 'rec-1', input: { q: 'France?' }, expected_output: 'Paris', metadata: { level: 1 }, tags: ['env:prod'] },
                { id: 'rec-2', input: 'Peru?', expected_output: { city: 'Lima' }, metadata: {} },
              ],
              deduplicate: true,
              create_new_version: true,
            },
          },
        },
      });
      expect(insert.statusCode).toBe(200);
      const items = insert.json().data;
      expect(items.map((item: any) => [item.id, item.attributes.version, item.records[0].id])).toEqual([
        ['rec-1', 1, 'rec-1'],
        ['rec-2', 1, 'rec-2'],
      ]);
      const change = await dd({
        method: 'POST',
        url: `${path}/batch_update`,
        payload: {
          data: {
            type: 'datasets',
            attributes: {
              insert_records: [
                { id: 'rec-3', input: 'Chile?', expected_output: 'Santiago' },
                { id: 'dup', input: { q: 'France?' } },
              ],
              update_records: [{ id: 'rec-1', expected_output: 'Paris, France', input: null, metadata: null, tag_operations: { add: ['team:ml'] } }],
              delete_records: ['rec-2'],
            },
          },
        },
      });
      expect(change.json().data.map((item: any) => [item.id, item.attributes.version, item.attributes.deleted_at === undefined])).toEqual([
        ['rec-3', 2, true],
        ['rec-1', 2, true],
        ['rec-2', 2, false],
      ]);
      const current = (await dd({ method: 'GET', url: `${path}/records` })).json();
      const rec1 = current.data.find((r: any) => r.id === 'rec-1');
      expect(rec1).toMatchObject({ input: { q: 'France?' }, expected_output: 'Paris, France', metadata: { level: 1 }, tags: ['env:prod', 'team:ml'] });
      expect(rec1.attributes).toMatchObject({ input: { q: 'France?' }, expected_output: 'Paris, France', canonical_id: expect.any(String) });
      const v1 = (await dd({ method: 'GET', url: `${path}/records?filter[version]=1` })).json();
      expect(v1.data.map((r: any) => r.id).sort()).toEqual(['rec-1', 'rec-2']);
      expect(v1.data.find((r: any) => r.id === 'rec-1').canonical_id).not.toBe(rec1.canonical_id);
      const tagged = (await dd({ method: 'GET', url: `${path}/records?filter%5Btags%5D=env%3Aprod&filter%5Btags%5D=nonexistent%3Atag` })).json();
      expect(tagged.data.map((r: any) => r.id)).toEqual(['rec-1']);
      // expected_output "" erases (dd-trace-py's None); an update that changes nothing answers data: [].
      const erase = await dd({ method: 'PATCH', url: `${path}/records`, payload: envelope('records', { records: [{ id: 'rec-3', expected_output: '' }] }) });
      expect(erase.json().data[0]).toMatchObject({ id: 'rec-3', expected_output: null });
      const same = await dd({ method: 'PATCH', url: `${path}/records`, payload: envelope('records', { records: [{ id: 'rec-3', expected_output: null }] }) });
      expect(same.json()).toEqual({ data: [] });
      const versions = (await dd({ method: 'GET', url: `${path}/versions` })).json();
      expect(versions.data.map((v: any) => v.attributes.version_number)).toEqual([3, 2, 1]);
      const deleted = await dd({ method: 'POST', url: `${path}/records/delete`, payload: envelope('records', { record_ids: ['rec-3'] }) });
      expect(deleted.statusCode).toBe(204);
    });

    it('appends with deduplicate on by default, records without an id read back by their uuid', async () => {
      const { path } = await makeDataset(dd);
      const add = (records: unknown[], extra = {}) => dd({ method: 'POST', url: `${path}/records`, payload: envelope('records', { records, ...extra }) });
      const first = await add([{ input: { q: 1 } }, { input: { q: 1 } }]);
      expect(first.json().data).toHaveLength(1);
      const id = first.json().data[0].id;
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      expect((await add([{ input: { q: 1 } }])).json()).toEqual({ data: [] });
      expect((await add([{ input: { q: 1 } }], { deduplicate: false })).json().data).toHaveLength(1);
      const patched = await dd({ method: 'PATCH', url: `${path}/records`, payload: envelope('records', { records: [{ id, metadata: { seen: true } }] }) });
      expect(patched.json().data[0]).toMatchObject({ id, metadata: { seen: true } });
    });
  });
}
