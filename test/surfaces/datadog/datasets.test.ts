import type { InjectOptions } from 'fastify';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../../support/app.js';
import { DIALECTS } from '../../support/databases.js';

/** Datadog's JSON routes on both families: shapes, status codes, errors, keys and workspace isolation. */
for (const dialect of DIALECTS) {
  describe(`${dialect}: the Datadog datasets surface`, () => {
    const t = useTestApp(dialect);
    let readKey: string;
    let otherKey: string;

    beforeAll(async () => {
      readKey = (await t.services.keys.create(t.workspaceId, { name: 'reader', role: 'read' })).key;
      otherKey = (await t.services.workspaces.create('elsewhere')).admin.key;
    });

    const dd = (options: InjectOptions & { as?: string }) => {
      const { as, headers, ...rest } = options;
      return t.call({ ...rest, key: null, headers: { 'dd-api-key': as ?? t.adminKey, 'dd-application-key': 'app', ...headers } });
    };
    const envelope = (type: string, attributes: Record<string, unknown>) => ({ data: { type, attributes } });

    async function makeDataset(family = '/datadog/api/v2/llm-obs/v1') {
      const project = (await dd({ method: 'POST', url: `${family}/projects`, payload: envelope('projects', { name: `p-${Math.random()}` }) })).json().data;
      const dataset = (await dd({ method: 'POST', url: `${family}/${project.id}/datasets`, payload: envelope('datasets', { name: `d-${Math.random()}` }) })).json().data;
      return { project, dataset, path: `${family}/${project.id}/datasets/${dataset.id}` };
    }

    it('creates projects and datasets with 200, get-or-create by name, with every field present', async () => {
      for (const family of ['/datadog/api/v2/llm-obs/v1', '/datadog/api/unstable/llm-obs/v1']) {
        const first = await dd({ method: 'POST', url: `${family}/projects`, payload: envelope('projects', { name: `same-${family}` }) });
        const second = await dd({ method: 'POST', url: `${family}/projects`, payload: envelope('projects', { name: `same-${family}` }) });
        expect([first.statusCode, second.statusCode]).toEqual([200, 200]);
        expect(first.headers['content-type']).toContain('application/vnd.api+json');
        expect(second.json().data.id).toBe(first.json().data.id);
        expect(first.json().data).toMatchObject({ type: 'projects', attributes: { description: '', created_at: expect.any(String), updated_at: expect.any(String) } });
        const pid = first.json().data.id;
        const dataset = await dd({ method: 'POST', url: `${family}/${pid}/datasets`, payload: envelope('datasets', { name: `ds-${family}`, metadata: { team: 'ml' } }) });
        expect(dataset.statusCode).toBe(200);
        expect(dataset.json().data).toMatchObject({ type: 'datasets', attributes: { current_version: 0, description: '', metadata: { team: 'ml' }, project_id: pid } });
        const again = await dd({ method: 'POST', url: `${family}/${pid}/datasets`, payload: envelope('datasets', { name: `ds-${family}` }) });
        expect(again.json().data.id).toBe(dataset.json().data.id);
        const listed = await dd({ method: 'GET', url: `${family}/${pid}/datasets?filter%5Bname%5D=ds-${encodeURIComponent(family)}` });
        expect(listed.json()).toEqual({ data: [dataset.json().data], meta: { after: '' } });
      }
    });

    it('reads back what it wrote, as flat fields and attributes, at any version; tags filter with OR', async () => {
      const { path } = await makeDataset();
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
              insert_records: [{ id: 'rec-3', input: 'Chile?', expected_output: 'Santiago' }, { id: 'dup', input: { q: 'France?' } }],
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
      const { path } = await makeDataset();
      const add = (records: unknown[], extra = {}) =>
        dd({ method: 'POST', url: `${path}/records`, payload: envelope('records', { records, ...extra }) });
      const first = await add([{ input: { q: 1 } }, { input: { q: 1 } }]);
      expect(first.json().data).toHaveLength(1);
      const id = first.json().data[0].id;
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      expect((await add([{ input: { q: 1 } }])).json()).toEqual({ data: [] });
      expect((await add([{ input: { q: 1 } }], { deduplicate: false })).json().data).toHaveLength(1);
      const patched = await dd({ method: 'PATCH', url: `${path}/records`, payload: envelope('records', { records: [{ id, metadata: { seen: true } }] }) });
      expect(patched.json().data[0]).toMatchObject({ id, metadata: { seen: true } });
    });

    it('answers JSON:API errors naming the field, and refuses a record id taken by another record', async () => {
      const { path } = await makeDataset();
      const invalid = await dd({ method: 'POST', url: `${path}/records`, payload: envelope('records', { records: [{ expected_output: 1 }] }) });
      expect(invalid.statusCode).toBe(400);
      expect(invalid.json().errors[0]).toMatchObject({ status: '400', source: { pointer: '/data/attributes/records/0/input' } });
      const badTag = await dd({ method: 'POST', url: `${path}/records`, payload: envelope('records', { records: [{ input: 1, tags: ['nocolon'] }] }) });
      expect(badTag.statusCode).toBe(400);
      expect(badTag.json().errors[0].source.pointer).toBe('/data/attributes/records/0/tags/0');
      await dd({ method: 'POST', url: `${path}/batch_update`, payload: envelope('datasets', { insert_records: [{ id: 'taken', input: 'a' }] }) });
      const clash = await dd({ method: 'POST', url: `${path}/batch_update`, payload: envelope('datasets', { insert_records: [{ id: 'taken', input: 'b' }] }) });
      expect(clash.statusCode).toBe(409);
      expect(clash.json().errors[0].source).toEqual({ pointer: '/data/attributes/insert_records/0/external_id' });
      const unknown = await dd({ method: 'PATCH', url: `${path}/records`, payload: envelope('records', { records: [{ id: 'nope', input: 1 }] }) });
      expect(unknown.statusCode).toBe(404);
      expect(unknown.json().errors[0].source).toEqual({ pointer: '/data/attributes/records/0' });
      const version = await dd({ method: 'GET', url: `${path}/records?filter[version]=7` });
      expect(version.statusCode).toBe(400);
      expect(version.json().errors[0].source).toEqual({ parameter: 'filter[version]' });
    });

    it('needs a key (DD-API-KEY, or DD-APPLICATION-KEY alone), a write role to change, and hides other workspaces', async () => {
      const { project, dataset, path } = await makeDataset();
      const none = await t.call({ method: 'GET', url: '/datadog/api/v2/llm-obs/v1/projects', key: null });
      expect(none.statusCode).toBe(401);
      expect(none.json().errors[0]).toMatchObject({ status: '401' });
      const appKeyOnly = await t.call({ method: 'GET', url: '/datadog/api/v2/llm-obs/v1/projects', key: null, headers: { 'dd-application-key': t.adminKey } });
      expect(appKeyOnly.statusCode).toBe(200);
      expect((await dd({ method: 'GET', url: `${path}/records`, as: readKey })).statusCode).toBe(200);
      const write = await dd({ method: 'POST', url: `${path}/records`, as: readKey, payload: envelope('records', { records: [{ input: 1 }] }) });
      expect(write.statusCode).toBe(403);
      for (const url of [`${path}/records`, `${path}/versions`, `/datadog/api/v2/llm-obs/v1/${project.id}/datasets`]) {
        expect((await dd({ method: 'GET', url, as: otherKey })).statusCode).toBe(404);
      }
      const upload = await dd({
        method: 'POST',
        url: `/datadog/api/v2/llm-obs/v2/${project.id}/datasets/${dataset.id}/records/upload`,
        as: otherKey,
        payload: '--b\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\ninput\nx\r\n--b--\r\n',
        headers: { 'content-type': 'multipart/form-data; boundary=b' },
      });
      expect(upload.statusCode).toBe(404);
      // A dataset named under a project it does not belong to is not found either.
      const other = await makeDataset();
      expect((await dd({ method: 'GET', url: `/datadog/api/v2/llm-obs/v1/${other.project.id}/datasets/${dataset.id}/records` })).statusCode).toBe(404);
    });

    it('deletes datasets (204 public, 200 with deleted_at unstable) and projects, all or none', async () => {
      const a = await makeDataset();
      const b = await makeDataset('/datadog/api/unstable/llm-obs/v1');
      const partial = await dd({
        method: 'POST',
        url: `/datadog/api/v2/llm-obs/v1/${a.project.id}/datasets/delete`,
        payload: envelope('datasets', { dataset_ids: [a.dataset.id, b.dataset.id] }),
      });
      expect(partial.statusCode).toBe(404);
      expect((await dd({ method: 'GET', url: `/datadog/api/v2/llm-obs/v1/${a.project.id}/datasets/${a.dataset.id}` })).statusCode).toBe(200);
      const publicDelete = await dd({ method: 'POST', url: `/datadog/api/v2/llm-obs/v1/${a.project.id}/datasets/delete`, payload: envelope('datasets', { dataset_ids: [a.dataset.id] }) });
      expect(publicDelete.statusCode).toBe(204);
      const unstable = await dd({ method: 'POST', url: '/datadog/api/unstable/llm-obs/v1/datasets/delete', payload: envelope('datasets', { type: 'soft', dataset_ids: [b.dataset.id] }) });
      expect(unstable.statusCode).toBe(200);
      expect(unstable.json().data[0]).toMatchObject({ id: b.dataset.id, attributes: { deleted_at: expect.any(String) } });
      const projects = await dd({ method: 'POST', url: '/datadog/api/v2/llm-obs/v1/projects/delete', payload: envelope('projects', { project_ids: [a.project.id, b.project.id] }) });
      expect(projects.statusCode).toBe(204);
      const listed = (await dd({ method: 'GET', url: `/datadog/api/v2/llm-obs/v1/projects?filter[id]=${a.project.id}` })).json();
      expect(listed).toEqual({ data: [], meta: { after: '' } });
    });
  });
}
