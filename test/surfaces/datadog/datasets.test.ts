import { describe, expect, it } from 'vitest';
import { useTestApp } from '../../support/app.js';
import { DIALECTS } from '../../support/databases.js';
import { datadogCaller, envelope, makeDataset } from './helpers.js';

/** Datadog's projects and datasets, on both path families: shapes, status codes, get-or-create, deletes. */
for (const dialect of DIALECTS) {
  describe(`${dialect}: the Datadog projects and datasets`, () => {
    const t = useTestApp(dialect);

    const dd = datadogCaller(() => t);

    it('creates projects and datasets with 200, get-or-create by name, with every field present', async () => {
      for (const family of ['/datadog/api/v2/llm-obs/v1', '/datadog/api/unstable/llm-obs/v1']) {
        const first = await dd({ method: 'POST', url: `${family}/projects`, payload: envelope('projects', { name: `same-${family}` }) });
        const second = await dd({ method: 'POST', url: `${family}/projects`, payload: envelope('projects', { name: `same-${family}` }) });
        expect([first.statusCode, second.statusCode]).toEqual([200, 200]);
        expect(first.headers['content-type']).toContain('application/vnd.api+json');
        expect(second.json().data.id).toBe(first.json().data.id);
        expect(first.json().data).toMatchObject({
          type: 'projects',
          attributes: { description: '', created_at: expect.any(String), updated_at: expect.any(String) },
        });
        const pid = first.json().data.id;
        const dataset = await dd({
          method: 'POST',
          url: `${family}/${pid}/datasets`,
          payload: envelope('datasets', { name: `ds-${family}`, metadata: { team: 'ml' } }),
        });
        expect(dataset.statusCode).toBe(200);
        expect(dataset.json().data).toMatchObject({
          type: 'datasets',
          attributes: { current_version: 0, description: '', metadata: { team: 'ml' }, project_id: pid },
        });
        const again = await dd({ method: 'POST', url: `${family}/${pid}/datasets`, payload: envelope('datasets', { name: `ds-${family}` }) });
        expect(again.json().data.id).toBe(dataset.json().data.id);
        const listed = await dd({ method: 'GET', url: `${family}/${pid}/datasets?filter%5Bname%5D=ds-${encodeURIComponent(family)}` });
        expect(listed.json()).toEqual({ data: [dataset.json().data], meta: { after: '' } });
      }
    });

    it('deletes datasets (204 public, 200 with deleted_at unstable) and projects, all or none', async () => {
      const a = await makeDataset(dd);
      const b = await makeDataset(dd, '/datadog/api/unstable/llm-obs/v1');
      const partial = await dd({
        method: 'POST',
        url: `/datadog/api/v2/llm-obs/v1/${a.project.id}/datasets/delete`,
        payload: envelope('datasets', { dataset_ids: [a.dataset.id, b.dataset.id] }),
      });
      expect(partial.statusCode).toBe(404);
      expect((await dd({ method: 'GET', url: `/datadog/api/v2/llm-obs/v1/${a.project.id}/datasets/${a.dataset.id}` })).statusCode).toBe(200);
      const publicDelete = await dd({
        method: 'POST',
        url: `/datadog/api/v2/llm-obs/v1/${a.project.id}/datasets/delete`,
        payload: envelope('datasets', { dataset_ids: [a.dataset.id] }),
      });
      expect(publicDelete.statusCode).toBe(204);
      const unstable = await dd({
        method: 'POST',
        url: '/datadog/api/unstable/llm-obs/v1/datasets/delete',
        payload: envelope('datasets', { type: 'soft', dataset_ids: [b.dataset.id] }),
      });
      expect(unstable.statusCode).toBe(200);
      expect(unstable.json().data[0]).toMatchObject({ id: b.dataset.id, attributes: { deleted_at: expect.any(String) } });
      const projects = await dd({
        method: 'POST',
        url: '/datadog/api/v2/llm-obs/v1/projects/delete',
        payload: envelope('projects', { project_ids: [a.project.id, b.project.id] }),
      });
      expect(projects.statusCode).toBe(204);
      const listed = (await dd({ method: 'GET', url: `/datadog/api/v2/llm-obs/v1/projects?filter[id]=${a.project.id}` })).json();
      expect(listed).toEqual({ data: [], meta: { after: '' } });
    });
  });
}
