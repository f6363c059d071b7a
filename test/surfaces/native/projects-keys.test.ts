import { describe, expect, it } from 'vitest';
import { useTestApp } from '../../support/app.js';
import { DIALECTS } from '../../support/databases.js';

for (const dialect of DIALECTS) {
  describe(`${dialect}: projects, workspace and API keys`, () => {
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
      expect((await t.call({ method: 'GET', url: `/api/v1/datasets?project_id=${project.id}` })).json().data.map((d: { id: string }) => d.id)).toEqual([dataset.id]);
      expect((await t.call({ method: 'DELETE', url: `/api/v1/projects/${project.id}` })).statusCode).toBe(409);
      await t.call({ method: 'DELETE', url: `/api/v1/datasets/${dataset.id}` });
      expect((await t.call({ method: 'DELETE', url: `/api/v1/projects/${project.id}` })).statusCode).toBe(204);
      expect((await t.call({ method: 'GET', url: `/api/v1/projects/${project.id}` })).statusCode).toBe(404);
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

    it('shows the workspace of the key', async () => {
      expect((await t.call({ method: 'GET', url: '/api/v1/workspace' })).json()).toMatchObject({ id: t.workspaceId, name: 'default' });
    });

    it('creates keys shown once, lists them without the key, and revokes them for good', async () => {
      const created = await t.call({ method: 'POST', url: '/api/v1/keys', payload: { name: 'ci', role: 'write' } });
      expect(created.statusCode).toBe(201);
      const { api_key: apiKey, key } = created.json();
      expect(key).toMatch(/^es_[A-Za-z0-9_-]{43}$/);
      expect(apiKey).toMatchObject({ name: 'ci', role: 'write', revoked_at: null, preview: key.slice(0, 9) });

      const listed = await t.call({ method: 'GET', url: '/api/v1/keys' });
      expect(listed.body).not.toContain(key);
      expect(listed.json().data.map((k: { id: string }) => k.id)).toContain(apiKey.id);
      expect((await t.call({ method: 'GET', url: '/api/v1/datasets', key })).statusCode).toBe(200);

      const revoked = await t.call({ method: 'DELETE', url: `/api/v1/keys/${apiKey.id}` });
      expect(revoked.json().revoked_at).not.toBeNull();
      expect((await t.call({ method: 'GET', url: '/api/v1/datasets', key })).statusCode).toBe(401);
      expect((await t.call({ method: 'POST', url: '/api/v1/keys', payload: { name: 'x', role: 'owner' } })).statusCode).toBe(400);
    });
  });
}
