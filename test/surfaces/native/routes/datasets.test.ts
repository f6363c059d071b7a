import { describe, expect, it } from 'vitest';
import { useTestApp } from '../../../support/app.js';
import { DIALECTS } from '../../../support/databases.js';
import { countRows } from '../../../support/rows.js';

/** Datasets (routes/datasets.ts): made empty or with their first records, found, listed, changed and deleted. */
for (const dialect of DIALECTS) {
  describe(`${dialect}: datasets`, () => {
    const t = useTestApp(dialect);

    const count = async (table: 'datasets' | 'record_revisions') => countRows(t.testStore.store.db, table);

    it('creates, reads, lists, updates and deletes a dataset', async () => {
      const created = await t.call({ method: 'POST', url: '/api/v1/datasets', payload: { name: 'qa', description: 'questions', metadata: { team: 'x' } } });
      expect(created.statusCode).toBe(201);
      const dataset = created.json();
      expect(dataset).toMatchObject({
        name: 'qa',
        description: 'questions',
        metadata: { team: 'x' },
        latest_version: 0,
        record_count: 0,
        managed_by: 'evalstore',
      });

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

    it('refuses a dataset name already taken in the workspace, and a project of another workspace', async () => {
      await t.call({ method: 'POST', url: '/api/v1/datasets', payload: { name: 'unique-name' } });
      const again = await t.call({ method: 'POST', url: '/api/v1/datasets', payload: { name: 'unique-name' } });
      expect(again.statusCode).toBe(409);
      expect(again.json().errors[0].pointer).toBe('/name');
      const other = await t.services.workspaces.create(`other-${Math.random()}`);
      const foreignProject = (await t.services.projects.defaultProject(other.workspace.id)).id;
      const foreign = await t.call({ method: 'POST', url: '/api/v1/datasets', payload: { name: 'x', project_id: foreignProject } });
      expect(foreign.statusCode).toBe(404);
    });

    it('lists datasets newest first with pagination and a name search', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 5; i += 1) ids.push((await t.call({ method: 'POST', url: '/api/v1/datasets', payload: { name: `page-${i}` } })).json().id);
      const first = (await t.call({ method: 'GET', url: '/api/v1/datasets?q=page-&limit=3' })).json();
      const second = (await t.call({ method: 'GET', url: `/api/v1/datasets?q=page-&limit=3&cursor=${first.next_cursor}` })).json();
      expect([...first.data, ...second.data].map((d: { id: string }) => d.id)).toEqual([...ids].reverse());
      expect(second.next_cursor).toBeNull();
    });

    it('creates a dataset with its records as version 1, or nothing at all', async () => {
      const response = await t.call({
        method: 'POST',
        url: '/api/v1/datasets',
        payload: {
          name: 'seeded',
          records: [
            { input: 'q1', expected_output: 'a1' },
            { input: 'q2', external_id: 'two' },
          ],
        },
      });
      expect(response.statusCode).toBe(201);
      expect(response.json()).toMatchObject({ name: 'seeded', latest_version: 1, record_count: 2 });
      const version = (await t.call({ method: 'GET', url: `/api/v1/datasets/${response.json().id}/versions/1` })).json();
      expect(version).toMatchObject({ message: 'Added 2 records', records_added: 2 });

      const before = [await count('datasets'), await count('record_revisions')];
      const refused = await t.call({
        method: 'POST',
        url: '/api/v1/datasets',
        payload: {
          name: 'half',
          records: [
            { input: 'q', external_id: 'x' },
            { input: 'r', external_id: 'x' },
          ],
        },
      });
      expect(refused.statusCode).toBe(400);
      expect(refused.json().errors[0].pointer).toBe('/records/1/external_id');
      expect((await t.call({ method: 'POST', url: '/api/v1/datasets', payload: { name: 'empty', records: [] } })).statusCode).toBe(400);
      expect([await count('datasets'), await count('record_revisions')]).toEqual(before);
      expect((await t.call({ method: 'PATCH', url: `/api/v1/datasets/${response.json().id}`, payload: { records: [] } })).statusCode).toBe(400);
    });
  });
}
