import { beforeEach, describe, expect, it } from 'vitest';
import { useTestApp } from '../../../support/app.js';
import { DIALECTS } from '../../../support/databases.js';

for (const dialect of DIALECTS) {
  describe(`${dialect}: experiments listed by name or activity, datasets with their experiment count`, () => {
    const t = useTestApp(dialect);
    let datasetId: string;
    let recordId: string;
    beforeEach(async () => {
      const dataset = (await t.call({ method: 'POST', url: '/api/v1/datasets', payload: { name: `s-${Math.random()}`, records: [{ input: 'q1' }] } })).json();
      datasetId = dataset.id;
      recordId = (await t.call({ method: 'GET', url: `/api/v1/datasets/${datasetId}/records` })).json().data[0].id;
    });
    const create = async (name: string, body: Record<string, unknown> = {}) =>
      (await t.call({ method: 'POST', url: '/api/v1/experiments', payload: { name, dataset_id: datasetId, ...body } })).json();
    const names = async (query: string) =>
      (await t.call({ method: 'GET', url: `/api/v1/experiments?dataset_id=${datasetId}&${query}` })).json().data.map((e: { name: string }) => e.name);

    it('sorts by name both ways, by latest activity (the newest run), and pages through a sorted list', async () => {
      await create('beta');
      const alpha = await create('alpha');
      await create('gamma');
      await t.call({ method: 'POST', url: `/api/v1/experiments/${alpha.id}/runs`, payload: { runs: [{ record_id: recordId, output: 'a' }] } });
      expect(await names('sort=name')).toEqual(['alpha', 'beta', 'gamma']);
      expect(await names('sort=name&order=desc')).toEqual(['gamma', 'beta', 'alpha']);
      expect(await names('')).toEqual(['gamma', 'alpha', 'beta']);
      expect(await names('order=asc')).toEqual(['beta', 'alpha', 'gamma']);
      expect(await names('sort=activity')).toEqual(['alpha', 'gamma', 'beta']);
      expect(await names('sort=name&q=a&order=asc')).toEqual(['alpha', 'beta', 'gamma']);
      const first = (await t.call({ method: 'GET', url: `/api/v1/experiments?dataset_id=${datasetId}&sort=name&limit=2` })).json();
      expect(first.data.map((e: { name: string }) => e.name)).toEqual(['alpha', 'beta']);
      const second = (await t.call({ method: 'GET', url: `/api/v1/experiments?dataset_id=${datasetId}&sort=name&limit=2&cursor=${first.next_cursor}` })).json();
      expect(second).toMatchObject({ data: [{ name: 'gamma' }], next_cursor: null });
      const bad = await t.call({ method: 'GET', url: `/api/v1/experiments?sort=size` });
      expect(bad.statusCode).toBe(400);
    });

    it("lists datasets with their experiment count and their experiments' latest activity", async () => {
      const empty = (await t.call({ method: 'POST', url: '/api/v1/datasets', payload: { name: `e-${Math.random()}` } })).json();
      await create('one');
      const two = await create('two', { start_time: '2099-01-01T00:00:00.000Z' });
      const listed = (await t.call({ method: 'GET', url: '/api/v1/datasets?limit=100' })).json().data;
      expect(listed.find((d: { id: string }) => d.id === datasetId)).toMatchObject({ experiment_count: 2, latest_activity_at: two.start_time });
      expect(listed.find((d: { id: string }) => d.id === empty.id)).toMatchObject({ experiment_count: 0, latest_activity_at: null });
    });
  });
}
