import { describe, expect, it } from 'vitest';
import { useTestApp } from '../../support/app.js';
import { createDataset } from '../../support/datasets.js';
import { DIALECTS } from '../../support/databases.js';

/** Datasets made with their first records, and experiments with their first runs: one transaction each. */
for (const dialect of DIALECTS) {
  describe(`${dialect}: creating datasets with records and experiments with runs`, () => {
    const t = useTestApp(dialect);

    const count = async (table: 'datasets' | 'dataset_versions' | 'record_revisions' | 'experiments' | 'runs' | 'scores') =>
      Number((await t.testStore.store.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

    it('creates a dataset with its records as version 1, or nothing at all', async () => {
      const response = await t.call({
        method: 'POST',
        url: '/api/v1/datasets',
        payload: { name: 'seeded', records: [{ input: 'q1', expected_output: 'a1' }, { input: 'q2', external_id: 'two' }] },
      });
      expect(response.statusCode).toBe(201);
      expect(response.json()).toMatchObject({ name: 'seeded', latest_version: 1, record_count: 2 });
      const version = (await t.call({ method: 'GET', url: `/api/v1/datasets/${response.json().id}/versions/1` })).json();
      expect(version).toMatchObject({ message: 'Added 2 records', records_added: 2 });

      const before = [await count('datasets'), await count('record_revisions')];
      const refused = await t.call({
        method: 'POST',
        url: '/api/v1/datasets',
        payload: { name: 'half', records: [{ input: 'q', external_id: 'x' }, { input: 'r', external_id: 'x' }] },
      });
      expect(refused.statusCode).toBe(400);
      expect(refused.json().errors[0].pointer).toBe('/records/1/external_id');
      expect((await t.call({ method: 'POST', url: '/api/v1/datasets', payload: { name: 'empty', records: [] } })).statusCode).toBe(400);
      expect([await count('datasets'), await count('record_revisions')]).toEqual(before);
      expect((await t.call({ method: 'PATCH', url: `/api/v1/datasets/${response.json().id}`, payload: { records: [] } })).statusCode).toBe(400);
    });

    it('creates an experiment with its runs and answers their ids, or nothing at all', async () => {
      const dataset = await createDataset(t, { name: 'for runs', records: [{ input: 'q1' }, { input: 'q2' }] });
      const records = (await t.call({ method: 'GET', url: `/api/v1/datasets/${dataset.id}/records` })).json().data;
      const response = await t.call({
        method: 'POST',
        url: '/api/v1/experiments',
        payload: {
          name: 'with runs',
          dataset_id: dataset.id,
          runs: [
            { record_id: records[0].id, output: 'a1', scores: [{ key: 'exact', score: 1 }], model: 'm' },
            { record_id: records[1].id, output: 'a2' },
          ],
        },
      });
      expect(response.statusCode).toBe(201);
      const created = response.json();
      expect(created).toMatchObject({ name: 'with runs', dataset_version: 1, run_ids: [expect.any(String), expect.any(String)] });
      const run = (await t.call({ method: 'GET', url: `/api/v1/runs/${created.run_ids[0]}` })).json();
      expect(run).toMatchObject({ experiment_id: created.id, record_id: records[0].id, output: 'a1', model: 'm', repetition: 1 });

      const before = [await count('experiments'), await count('runs'), await count('scores')];
      const refused = await t.call({
        method: 'POST',
        url: '/api/v1/experiments',
        payload: { name: 'half', dataset_id: dataset.id, runs: [{ record_id: records[0].id, output: 1 }, { record_id: '0f8fad5b-d9cb-469f-a165-70867728950e', output: 2 }] },
      });
      expect(refused.statusCode).toBe(400);
      expect(refused.json().errors[0].pointer).toBe('/runs/1/record_id');
      expect([await count('experiments'), await count('runs'), await count('scores')]).toEqual(before);
      const plain = await t.call({ method: 'POST', url: '/api/v1/experiments', payload: { name: 'plain', dataset_id: dataset.id } });
      expect(plain.json().run_ids).toBeUndefined();
    });
  });
}
