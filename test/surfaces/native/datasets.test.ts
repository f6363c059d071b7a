import { describe, expect, it } from 'vitest';
import { useTestApp } from '../../support/app.js';
import { DIALECTS } from '../../support/databases.js';

for (const dialect of DIALECTS) {
  describe(`${dialect}: datasets`, () => {
    const t = useTestApp(dialect);

    it('creates, reads, lists, updates and deletes a dataset', async () => {
      const created = await t.call({ method: 'POST', url: '/api/v1/datasets', payload: { name: 'qa', description: 'questions', metadata: { team: 'x' } } });
      expect(created.statusCode).toBe(201);
      const dataset = created.json();
      expect(dataset).toMatchObject({ name: 'qa', description: 'questions', metadata: { team: 'x' }, latest_version: 0, record_count: 0, managed_by: 'evalstore' });

      const read = await t.call({ method: 'GET', url: `/api/v1/datasets/${dataset.id}` });
      expect(read.json()).toEqual(dataset);

      const updated = await t.call({ method: 'PATCH', url: `/api/v1/datasets/${dataset.id}`, payload: { name: 'qa-2', description: null } });
      expect(updated.statusCode).toBe(200);
      expect(updated.json()).toMatchObject({ id: dataset.id, name: 'qa-2', description: null, metadata: { team: 'x' } });

      const listed = await t.call({ method: 'GET', url: '/api/v1/datasets?name=qa-2' });
      expect(listed.json().data.map((d: { id: string }) => d.id)).toEqual([dataset.id]);

      const deleted = await t.call({ method: 'DELETE', url: `/api/v1/datasets/${dataset.id}` });
      expect(deleted.statusCode).toBe(204);
      expect((await t.call({ method: 'GET', url: `/api/v1/datasets/${dataset.id}` })).statusCode).toBe(404);
    });
  });
}
