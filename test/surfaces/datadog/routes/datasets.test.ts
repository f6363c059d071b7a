import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { type TestServer, useTestApp, useTestServer } from '../../../support/app.js';
import { DIALECTS } from '../../../support/databases.js';
import { datadogCaller, datadogClient, envelope, makeDataset, PUBLIC } from '../helpers.js';

const clientOf = (server: TestServer, key = server.adminKey) => datadogClient(server.url, key);

/** The client hands strings and numbers back wrapped as UnparsedObject {_data} (spec A.6 #4). */
const plain = (value: unknown) => (value && typeof value === 'object' && '_data' in value ? (value as { _data: unknown })._data : value);

for (const dialect of DIALECTS) {
  describe(`${dialect}: dataset clone, restore, export and draft state with Datadog's own client`, () => {
    const server = useTestServer(dialect);

    it('clones the current records into a new dataset, restores a version as a new one, exports CSV, locks and unlocks', async () => {
      const api = clientOf(server);
      const project = await api.createLLMObsProject({ body: { data: { type: 'projects', attributes: { name: `history-${dialect}` } } } });
      const projectId = project.data.id;
      const dataset = await api.createLLMObsDataset({ projectId, body: { data: { type: 'datasets', attributes: { name: 'source', description: 'src' } } } });
      const datasetId = dataset.data.id;
      const records = (version?: number) =>
        api
          .listLLMObsDatasetRecords({ projectId, datasetId, ...(version === undefined ? {} : { filterVersion: version }) })
          .then((page) => page.data.map((record) => [record.id, (plain(record.expectedOutput) as { a: string }).a]).sort());
      // v1: r1, r2. v2: r2 changed, r3 added. v3: r1 removed.
      await api.batchUpdateLLMObsDataset({
        projectId,
        datasetId,
        body: {
          data: {
            type: 'datasets',
            id: datasetId,
            attributes: {
              insertRecords: [
                { id: 'r1', input: { q: 1 }, expectedOutput: { a: 'one' }, metadata: { k: 1 } },
                { id: 'r2', input: { q: 2 }, expectedOutput: { a: 'two' } },
              ],
            } as never,
          },
        },
      });
      await api.batchUpdateLLMObsDataset({
        projectId,
        datasetId,
        body: {
          data: {
            type: 'datasets',
            id: datasetId,
            attributes: {
              updateRecords: [{ id: 'r2', expectedOutput: { a: 'TWO' } }],
              insertRecords: [{ id: 'r3', input: { q: 3 }, expectedOutput: { a: 'three' } }],
            } as never,
          },
        },
      });
      await api.deleteLLMObsDatasetRecords({ projectId, datasetId, body: { data: { type: 'records', attributes: { recordIds: ['r1'] } } } });
      expect(await records()).toEqual([
        ['r2', 'TWO'],
        ['r3', 'three'],
      ]);

      // Clone: the current records (v3), in a new dataset of the same project, as its version 1.
      const clone = await api.cloneLLMObsDataset({
        projectId,
        datasetId,
        body: { data: { type: 'datasets', id: datasetId, attributes: { name: 'the-clone', description: 'copy' } } },
      });
      expect(clone.data.id).not.toBe(datasetId);
      expect(clone.data.attributes).toMatchObject({ name: 'the-clone', description: 'copy', currentVersion: 1 });
      const cloned = await api.listLLMObsDatasetRecords({ projectId, datasetId: clone.data.id });
      expect(cloned.data.map((record) => [record.id, (plain(record.expectedOutput) as { a: string }).a]).sort()).toEqual([
        ['r2', 'TWO'],
        ['r3', 'three'],
      ]);

      // Restore v1: a new version 4 holding r1 and r2 as they were; versions 1-3 unchanged.
      await api.restoreLLMObsDatasetVersion({
        projectId,
        datasetId,
        body: { data: { type: 'datasets', id: datasetId, attributes: { datasetVersion: 1 } } },
      });
      const versions = await api.listLLMObsDatasetVersions({ projectId, datasetId });
      expect(versions.data.map((version) => version.attributes.versionNumber).sort()).toEqual([1, 2, 3, 4]);
      expect(await records()).toEqual([
        ['r1', 'one'],
        ['r2', 'two'],
      ]);
      expect(await records(3)).toEqual([
        ['r2', 'TWO'],
        ['r3', 'three'],
      ]);
      const restoredR1 = (await api.listLLMObsDatasetRecords({ projectId, datasetId })).data.find((record) => record.id === 'r1')!;
      expect(restoredR1.metadata).toEqual({ k: 1 });
      // The clone did not move with its source.
      expect((await api.listLLMObsDatasets({ projectId, filterId: clone.data.id })).data[0]!.attributes.currentVersion).toBe(1);

      // Export: the columns the upload reads, one row per record, of any version.
      const current = parse(await api.exportLLMObsDataset({ projectId, datasetId, format: 'csv' }), { columns: true }) as Record<string, string>[];
      expect(current.map((row) => [row.id, row.input, row.expected_output, row.metadata, row.tags]).sort()).toEqual([
        ['r1', '{"q":1}', '{"a":"one"}', '{"k":1}', '[]'],
        ['r2', '{"q":2}', '{"a":"two"}', '{}', '[]'],
      ]);
      const third = parse(await api.exportLLMObsDataset({ projectId, datasetId, format: 'csv', version: 3 }), { columns: true }) as Record<string, string>[];
      expect(Object.keys(third[0]!)).toEqual(['id', 'input', 'expected_output', 'metadata', 'tags']);
      expect(third.map((row) => [row.id, row.expected_output]).sort()).toEqual([
        ['r2', '{"a":"TWO"}'],
        ['r3', '{"a":"three"}'],
      ]);

      // Draft state: nobody, then the key that locked it, then nobody again.
      const nobody = await api.getLLMObsDatasetDraftState({ projectId, datasetId });
      expect(nobody.data).toMatchObject({ id: datasetId, type: 'draft_state_data', attributes: { draftingSince: null, user: null } });
      const locked = await api.lockLLMObsDatasetDraftState({ projectId, datasetId });
      expect(locked.data.attributes.draftingSince).toBeInstanceOf(Date);
      expect(locked.data.attributes.user.id).toBeTruthy();
      const again = await api.lockLLMObsDatasetDraftState({ projectId, datasetId });
      expect(again.data.attributes.draftingSince).toEqual(locked.data.attributes.draftingSince);
      expect((await api.getLLMObsDatasetDraftState({ projectId, datasetId })).data.attributes.user.id).toBe(locked.data.attributes.user.id);
      // Another writer of the workspace cannot take it while it is held.
      const other = await server.services.keys.create(server.workspaceId, { name: 'second writer', role: 'write' });
      await expect(clientOf(server, other.key).lockLLMObsDatasetDraftState({ projectId, datasetId })).rejects.toMatchObject({ code: 409 });
      await expect(clientOf(server, other.key).unlockLLMObsDatasetDraftState({ projectId, datasetId })).rejects.toMatchObject({ code: 409 });
      await api.unlockLLMObsDatasetDraftState({ projectId, datasetId });
      expect((await api.getLLMObsDatasetDraftState({ projectId, datasetId })).data.attributes.user).toBeNull();
      await clientOf(server, other.key).lockLLMObsDatasetDraftState({ projectId, datasetId });
      // A workspace admin may give back someone else's lock.
      await api.unlockLLMObsDatasetDraftState({ projectId, datasetId });
      expect((await api.getLLMObsDatasetDraftState({ projectId, datasetId })).data.attributes.user).toBeNull();
    });

    it('streams a large export with flat memory, every record once', async () => {
      const dd = datadogCaller(() => server);
      const { path } = await makeDataset(dd);
      const total = 12_000;
      for (let start = 0; start < total; start += 5_000) {
        const batch = Array.from({ length: Math.min(5_000, total - start) }, (_, i) => ({
          id: `x${start + i}`,
          input: { n: start + i },
          expected_output: 'e',
        }));
        expect((await dd({ method: 'POST', url: `${path}/records`, payload: envelope('records', { records: batch, deduplicate: false }) })).statusCode).toBe(
          200,
        );
      }
      const answer = await fetch(`${server.url}${path}/export?format=csv`, { headers: { 'dd-api-key': server.adminKey } });
      expect(answer.status).toBe(200);
      expect(answer.headers.get('content-type')).toMatch(/^text\/csv/);
      expect(answer.headers.get('content-length')).toBeNull();
      const rows = parse(await answer.text(), { columns: true }) as Record<string, string>[];
      expect(rows).toHaveLength(total);
      expect(new Set(rows.map((row) => row.id)).size).toBe(total);
    }, 60_000);
  });

  describe(`${dialect}: bad input to the dataset clone, restore, export and draft state routes`, () => {
    const t = useTestApp(dialect);
    const dd = datadogCaller(() => t);

    it('answers a JSON:API 4xx naming the field and writes nothing; another workspace finds nothing', async () => {
      const { project, dataset, path } = await makeDataset(dd);
      await dd({ method: 'POST', url: `${path}/records`, payload: envelope('records', { records: [{ id: 'a', input: 1 }] }) });
      const { project: elsewhere } = await makeDataset(dd);
      await dd({ method: 'POST', url: `${PUBLIC}/${elsewhere.id}/datasets`, payload: envelope('datasets', { name: `taken-${dialect}` }) });
      const withId = (attributes: Record<string, unknown>, id: string = dataset.id) => ({ data: { type: 'datasets', id, attributes } });
      const cases: { name: string; method: 'POST' | 'GET'; url: string; payload?: unknown; status: number; source?: Record<string, string> }[] = [
        { name: 'clone without a name', method: 'POST', url: `${path}/clone`, payload: withId({}), status: 400, source: { pointer: '/data/attributes/name' } },
        {
          name: 'clone with an empty name',
          method: 'POST',
          url: `${path}/clone`,
          payload: withId({ name: '' }),
          status: 400,
          source: { pointer: '/data/attributes/name' },
        },
        {
          name: 'clone naming another dataset in data.id',
          method: 'POST',
          url: `${path}/clone`,
          payload: withId({ name: 'c' }, '0f8fad5b-d9cb-469f-a165-70867728950e'),
          status: 400,
          source: { pointer: '/data/id' },
        },
        {
          name: 'clone to a taken name',
          method: 'POST',
          url: `${path}/clone`,
          payload: withId({ name: `taken-${dialect}` }),
          status: 409,
          source: { pointer: '/data/attributes/name' },
        },
        {
          name: 'restore without a version',
          method: 'POST',
          url: `${path}/restore`,
          payload: withId({}),
          status: 400,
          source: { pointer: '/data/attributes/dataset_version' },
        },
        {
          name: 'restore to a version not yet made',
          method: 'POST',
          url: `${path}/restore`,
          payload: withId({ dataset_version: 2 }),
          status: 400,
          source: { pointer: '/data/attributes/dataset_version' },
        },
        {
          name: 'restore to a negative version',
          method: 'POST',
          url: `${path}/restore`,
          payload: withId({ dataset_version: -1 }),
          status: 400,
          source: { pointer: '/data/attributes/dataset_version' },
        },
        {
          name: 'restore with a string version',
          method: 'POST',
          url: `${path}/restore`,
          payload: withId({ dataset_version: '1' }),
          status: 400,
          source: { pointer: '/data/attributes/dataset_version' },
        },
        { name: 'export in another format', method: 'GET', url: `${path}/export?format=json`, status: 400, source: { parameter: 'format' } },
        { name: 'export of a version not yet made', method: 'GET', url: `${path}/export?version=5`, status: 400, source: { parameter: 'version' } },
        {
          name: 'include[user_data] not a boolean',
          method: 'GET',
          url: `${path}?include%5Buser_data%5D=maybe`,
          status: 400,
          source: { parameter: 'include[user_data]' },
        },
        {
          name: 'an unknown dataset',
          method: 'POST',
          url: `${PUBLIC}/${project.id}/datasets/0f8fad5b-d9cb-469f-a165-70867728950e/clone`,
          payload: withId({ name: 'c' }, '0f8fad5b-d9cb-469f-a165-70867728950e'),
          status: 404,
        },
      ];
      for (const bad of cases) {
        const answer = await dd({ method: bad.method, url: bad.url, ...(bad.payload ? { payload: bad.payload } : {}) });
        expect({ name: bad.name, status: answer.statusCode }).toEqual({ name: bad.name, status: bad.status });
        const [error] = answer.json().errors;
        expect(error.status, bad.name).toBe(String(bad.status));
        if (bad.source) expect(error.source, bad.name).toEqual(bad.source);
      }
      // Nothing written: the dataset is still at version 1, no clone was made.
      expect((await dd({ method: 'GET', url: path })).json().data.attributes.current_version).toBe(1);
      const datasets = (await dd({ method: 'GET', url: `${PUBLIC}/${project.id}/datasets` })).json().data;
      expect(datasets.map((d: { id: string }) => d.id)).toEqual([dataset.id]);

      // Another workspace's key finds none of it.
      const { admin } = await t.services.workspaces.create(`other-${dialect}`);
      const foreign = [
        { method: 'POST' as const, url: `${path}/clone`, payload: withId({ name: 'mine' }) },
        { method: 'POST' as const, url: `${path}/restore`, payload: withId({ dataset_version: 0 }) },
        { method: 'GET' as const, url: `${path}/export?format=csv` },
        { method: 'GET' as const, url: `${path}/draft_state` },
        { method: 'PATCH' as const, url: `${path}/draft_state/lock` },
        { method: 'PATCH' as const, url: `${path}/draft_state/unlock` },
      ];
      for (const call of foreign) {
        const answer = await dd({ ...call, as: admin.key });
        expect({ url: call.url, status: answer.statusCode }).toEqual({ url: call.url, status: 404 });
      }
      expect((await dd({ method: 'GET', url: path })).json().data.attributes.current_version).toBe(1);
      expect((await dd({ method: 'GET', url: `${path}/draft_state` })).json().data.attributes.user).toBeNull();
    });

    it('answers include[user_data] with the author on dataset reads, and accepts it on record reads', async () => {
      const { project, path } = await makeDataset(dd);
      await dd({ method: 'POST', url: `${path}/records`, payload: envelope('records', { records: [{ input: 1 }] }) });
      const one = (await dd({ method: 'GET', url: `${path}?include%5Buser_data%5D=true` })).json().data;
      expect(one.attributes.author).toEqual({ id: expect.any(String), name: expect.any(String) });
      expect(one.attributes.author.name).not.toBe('');
      const listed = (await dd({ method: 'GET', url: `${PUBLIC}/${project.id}/datasets?include[user_data]=True` })).json().data;
      expect(listed[0].attributes.author).toEqual(one.attributes.author);
      expect((await dd({ method: 'GET', url: path })).json().data.attributes.author).toBeUndefined();
      const records = await dd({ method: 'GET', url: `${path}/records?include%5Buser_data%5D=true` });
      expect(records.statusCode).toBe(200);
      expect(records.json().data).toHaveLength(1);
    });
  });
}
