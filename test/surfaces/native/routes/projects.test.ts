import { describe, expect, it } from 'vitest';
import { useTestApp } from '../../../support/app.js';
import { DIALECTS } from '../../../support/databases.js';

/** Projects (routes/projects.ts): the default project, and projects made, renamed and deleted. */
for (const dialect of DIALECTS) {
  describe(`${dialect}: projects`, () => {
    const t = useTestApp(dialect);

    it('has a default project that new datasets land in, and that cannot be deleted', async () => {
      const projects = (await t.call({ method: 'GET', url: '/api/v1/projects' })).json().data;
      expect(projects).toHaveLength(1);
      expect(projects[0]).toMatchObject({ name: 'Default', is_default: true });
      const dataset = (await t.call({ method: 'POST', url: '/api/v1/datasets', payload: { name: 'in-default' } })).json();
      expect(dataset.project_id).toBe(projects[0].id);
      const refused = await t.call({ method: 'DELETE', url: `/api/v1/projects/${projects[0].id}` });
      expect(refused.statusCode).toBe(409);
    });
    it('creates, renames, lists and deletes projects; names are unique', async () => {
      const created = await t.call({ method: 'POST', url: '/api/v1/projects', payload: { name: 'research', metadata: { team: 'ml' } } });
      expect(created.statusCode).toBe(201);
      const project = created.json();
      expect((await t.call({ method: 'POST', url: '/api/v1/projects', payload: { name: 'research' } })).statusCode).toBe(409);
      const renamed = (await t.call({ method: 'PATCH', url: `/api/v1/projects/${project.id}`, payload: { name: 'research-2' } })).json();
      expect(renamed).toMatchObject({ name: 'research-2', metadata: { team: 'ml' } });
      expect((await t.call({ method: 'GET', url: '/api/v1/projects?name=research-2' })).json().data).toHaveLength(1);

      const dataset = (await t.call({ method: 'POST', url: '/api/v1/datasets', payload: { name: 'in-research', project_id: project.id } })).json();
      expect((await t.call({ method: 'GET', url: `/api/v1/datasets?project_id=${project.id}` })).json().data.map((d: { id: string }) => d.id)).toEqual([
        dataset.id,
      ]);
      expect((await t.call({ method: 'DELETE', url: `/api/v1/projects/${project.id}` })).statusCode).toBe(409);
      await t.call({ method: 'DELETE', url: `/api/v1/datasets/${dataset.id}` });
      expect((await t.call({ method: 'DELETE', url: `/api/v1/projects/${project.id}` })).statusCode).toBe(204);
      expect((await t.call({ method: 'GET', url: `/api/v1/projects/${project.id}` })).statusCode).toBe(404);
    });
  });
}
