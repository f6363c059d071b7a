import { spawn } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { client, v2 } from '@datadog/datadog-api-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEventStream } from '../../../src/client/event-stream.js';
import { openStore } from '../../../src/store/database.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../../support/databases.js';
import {
  ChildHandle,
  findFreePort,
  killAllChildren,
  REPO_ROOT,
  startServerProcess,
  storeFlags,
  withTimeout,
  type ServerProcess,
} from '../../support/processes.js';
import { countRows } from '../../support/rows.js';

/**
 * The CSV upload as clients use it: real multipart requests to a real server process on 127.0.0.1, on
 * both databases, with the answer read as a client reads a Server-Sent Events stream.
 */

const KEY = 'datadog-upload-test-admin-key-0123456789';

interface Event {
  event: string;
  data: any;
}

interface Answer {
  status: number;
  type: string;
  events: Event[];
  body: any;
}

async function readAnswer(response: Response): Promise<Answer> {
  const type = response.headers.get('content-type') ?? '';
  if (type.startsWith('text/event-stream') && response.body) {
    const events: Event[] = [];
    for await (const { event, data } of readEventStream(response.body as AsyncIterable<Uint8Array>)) events.push({ event, data: JSON.parse(data) });
    return { status: response.status, type, events, body: null };
  }
  const text = await response.text();
  return { status: response.status, type, events: [], body: text ? JSON.parse(text) : null };
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: Datadog CSV upload against a running server`, () => {
    let database: TestDatabase;
    let server: ServerProcess;
    let projectId: string;

    const dd = async (method: string, path: string, payload?: unknown) => {
      const response = await fetch(`${server.baseUrl}/datadog${path}`, {
        method,
        headers: { 'DD-API-KEY': KEY, 'DD-APPLICATION-KEY': 'any', ...(payload === undefined ? {} : { 'content-type': 'application/json' }) },
        body: payload === undefined ? undefined : JSON.stringify(payload),
        signal: AbortSignal.timeout(30_000),
      });
      return readAnswer(response);
    };

    const newDataset = async (): Promise<{ id: string; path: string }> => {
      const name = `ds-${Math.random().toString(36).slice(2)}`;
      const created = await dd('POST', `/api/v2/llm-obs/v1/${projectId}/datasets`, { data: { type: 'datasets', attributes: { name } } });
      expect(created.status).toBe(200);
      return { id: created.body.data.id, path: `/api/v2/llm-obs/v1/${projectId}/datasets/${created.body.data.id}` };
    };

    const upload = async (
      datasetId: string,
      file: string | Buffer,
      query = '',
      options: { field?: string; route?: 'v2' | 'unstable'; accept?: string } = {},
    ) => {
      const form = new FormData();
      form.append(options.field ?? 'file', new Blob([file], { type: 'text/csv' }), 'records.csv');
      const path =
        options.route === 'unstable'
          ? `/api/unstable/llm-obs/v1/datasets/${datasetId}/records/upload`
          : `/api/v2/llm-obs/v2/${projectId}/datasets/${datasetId}/records/upload`;
      const response = await fetch(`${server.baseUrl}/datadog${path}${query}`, {
        method: 'POST',
        headers: { 'DD-API-KEY': KEY, ...(options.accept ? { accept: options.accept } : {}) },
        body: form,
        signal: AbortSignal.timeout(60_000),
      });
      return readAnswer(response);
    };

    /** Every record of the current version, by Datadog id. */
    const records = async (path: string) => {
      const answer = await dd('GET', `${path}/records`);
      expect(answer.status).toBe(200);
      return Object.fromEntries(
        (answer.body.data as any[]).map((r) => [r.id, { input: r.input, expected_output: r.expected_output, metadata: r.metadata, tags: r.tags }]),
      );
    };
    const state = async (path: string) => {
      const dataset = (await dd('GET', path)).body.data.attributes;
      return { version: dataset.current_version, count: dataset.record_count, records: await records(path) };
    };

    beforeAll(async () => {
      database = await createTestDatabase(dialect);
      server = await startServerProcess(storeFlags(database), { port: await findFreePort(), env: { EVALSTORE_ADMIN_KEY: KEY }, healthTimeoutMs: 45_000 });
      const project = await dd('POST', '/api/v2/llm-obs/v1/projects', { data: { type: 'projects', attributes: { name: 'uploads' } } });
      expect(project.status).toBe(200);
      projectId = project.body.data.id;
    }, 60_000);

    afterAll(async () => {
      try {
        await server?.handle.stop('SIGTERM', 10_000).catch(() => undefined);
      } finally {
        await killAllChildren();
        await database?.drop();
      }
    }, 30_000);

    it('streams progress, then one completed event, and commits one version', async () => {
      const dataset = await newDataset();
      const rows = Array.from({ length: 2_500 }, (_, i) => `"{""q"": ${i}}",answer ${i},"{""i"": ${i}}",id-${i},"topic:t${i % 3}"`);
      const answer = await upload(dataset.id, `${['input,expected_output,metadata,id,tags', ...rows].join('\n')}\n`);
      expect(answer.status).toBe(200);
      expect(answer.type).toMatch(/^text\/event-stream/);
      const names = answer.events.map((e) => e.event);
      expect(names.at(-1)).toBe('completed');
      expect(names.filter((n) => n === 'completed' || n === 'error')).toEqual(['completed']);
      const progress = answer.events.filter((e) => e.event === 'progress').map((e) => e.data);
      expect(progress[0]).toMatchObject({
        rows_read: 0,
        phase: 'header',
        columns: ['input', 'expected_output', 'metadata', 'id', 'tags'],
        ignored_columns: [],
      });
      expect(progress.map((p) => p.rows_read)).toEqual([0, 1_000, 2_000, 2_500, 2_500]);
      expect(answer.events.at(-1)!.data).toMatchObject({
        records_created: 2_500,
        records_updated: 0,
        records_skipped: 0,
        dataset_id: dataset.id,
        dataset_version: 1,
      });
      const all = await records(dataset.path);
      expect(Object.keys(all)).toHaveLength(2_500);
      expect(all['id-7']).toEqual({ input: { q: 7 }, expected_output: 'answer 7', metadata: { i: 7 }, tags: ['topic:t1'] });
      expect((await state(dataset.path)).version).toBe(1);
    });

    it('applies the options: defaults (no dedupe, overwrite), deduplicate, overwrite=false, tags, include[user_data]', async () => {
      const dataset = await newDataset();
      const seed = await upload(dataset.id, 'input,id,tags\nsame,a,\nother,b,"kind:seed"\n');
      expect(seed.events.at(-1)).toMatchObject({ event: 'completed', data: { records_created: 2, dataset_version: 1 } });

      // Defaults: duplicate inputs are kept (deduplicate=false); a known id replaces its record (overwrite=true).
      const defaults = await upload(dataset.id, 'input,id\nsame,c\nsame,d\nreplaced,a\n');
      expect(defaults.events.at(-1)!.data).toMatchObject({ records_created: 2, records_updated: 1, records_skipped: 0, dataset_version: 2 });
      expect((await records(dataset.path)).a!.input).toBe('replaced');

      // deduplicate=true: inputs already in the dataset, or earlier in the file, are skipped.
      const deduplicated = await upload(dataset.id, 'input\nsame\nfresh\nfresh\nother\n', '?deduplicate=True');
      expect(deduplicated.events.at(-1)!.data).toMatchObject({ records_created: 1, records_skipped: 3, records_skipped_as_duplicates: 3, dataset_version: 3 });

      // overwrite=false: a known id is skipped; within the file the first row with an id wins.
      const kept = await upload(dataset.id, 'input,id\nignored,a\nfirst,e\nsecond,e\n', '?overwrite=false');
      expect(kept.events.at(-1)!.data).toMatchObject({ records_created: 1, records_skipped: 2, records_skipped_as_existing: 2 });
      const afterKeep = await records(dataset.path);
      expect(afterKeep.a!.input).toBe('replaced');
      expect(afterKeep.e!.input).toBe('first');

      // overwrite (default): within the file the last row with an id wins.
      const last = await upload(dataset.id, 'input,id\nfirst,f\nlast,f\n');
      expect(last.events.at(-1)!.data).toMatchObject({ records_created: 1, records_superseded: 1 });
      expect((await records(dataset.path)).f!.input).toBe('last');

      // tags (repeatable) are added to every record, with the row's own; include[user_data] names the key.
      const tagged = await upload(dataset.id, 'input,id,tags\ntagged,g,"[""own:1""]"\n', '?tags=env%3Aprod&tags=team%3Aai&include%5Buser_data%5D=true');
      expect(tagged.events.at(-1)!.data).toMatchObject({ records_created: 1, user: { name: 'admin' } });
      expect((await records(dataset.path)).g!.tags).toEqual(['own:1', 'env:prod', 'team:ai']);
      const noUser = await upload(dataset.id, 'input\nplain user\n');
      expect(noUser.events.at(-1)!.data.user).toBeUndefined();

      // A tag that is not key:value is refused before the stream opens (query) or as an error event (cell).
      const badQuery = await upload(dataset.id, 'input\nx\n', '?tags=nocolon');
      expect(badQuery.status).toBe(400);
      expect(badQuery.body.errors[0].source).toEqual({ parameter: 'tags' });
      const badCell = await upload(dataset.id, 'input,tags\nx,nocolon\n');
      expect(badCell.events.at(-1)).toMatchObject({ event: 'error', data: { line: 2, column: 'tags' } });
    });

    it('answers dd-trace-py on the unstable route with the dataset version, de-duplicating within the file only', async () => {
      const dataset = await newDataset();
      await upload(dataset.id, 'input\n"""r0"""\n');
      // The cassette's request: JSON-encoded cells, `""` for missing ones, Python's boolean spelling.
      const file =
        'input,expected_output,metadata,id\n"{""in0"": ""r0v1"", ""in1"": ""r0v2""}","{""out0"": ""r0v3""}",{},user-id-0\n"""r0""",,"""""",user-id-1\n"""r0""",,,user-id-2\n';
      const answer = await upload(dataset.id, file, '?deduplicate=True', { route: 'unstable' });
      expect(answer.status).toBe(200);
      expect(answer.body.data).toMatchObject({ type: 'dataset_version', attributes: { dataset_id: dataset.id, version_number: 2 } });
      const all = await records(dataset.path);
      expect(all['user-id-0']).toEqual({ input: { in0: 'r0v1', in1: 'r0v2' }, expected_output: { out0: 'r0v3' }, metadata: {}, tags: [] });
      expect(all['user-id-1']).toEqual({ input: 'r0', expected_output: null, metadata: {}, tags: [] });
      expect(all['user-id-2']).toBeUndefined();
      const streamed = await upload(dataset.id, 'input\nmore\n', '', { route: 'unstable', accept: 'text/event-stream' });
      expect(streamed.events.at(-1)).toMatchObject({ event: 'completed', data: { records_created: 1, dataset_version: 3 } });
    });

    it('refuses bad files with a 4xx or an error event naming the line or column, leaving the dataset as it was', async () => {
      const dataset = await newDataset();
      await upload(dataset.id, 'input,id\nseed,s1\n');
      const before = await state(dataset.path);
      const big = 'x'.repeat(10 * 1024 * 1024 + 1);
      const cases: { name: string; file: string | Buffer; status?: number; line?: number; column?: string; pointer?: string }[] = [
        { name: 'no input column', file: 'question,id\nx,1\n', status: 400, line: 1, column: 'input' },
        { name: 'an empty file', file: '', status: 400, line: 1 },
        { name: 'unbalanced quotes', file: 'input,id\na,1\n"b,2\nc,3\n', line: 3 },
        { name: 'a row with too many cells', file: 'input,id\na,1\nb,2,3\n', line: 3 },
        { name: 'a row with too few cells', file: 'input,id\na,1\nb\n', line: 3 },
        // Checked as the bytes arrive: in a file this small, before the header is read (so a 400).
        {
          name: 'invalid UTF-8',
          file: Buffer.concat([Buffer.from('input,id\na,1\n"b'), Buffer.from([0xff, 0xfe]), Buffer.from('",2\n')]),
          status: 400,
          line: 3,
        },
        { name: 'an empty input', file: 'input,id\na,1\n,2\n', line: 3, column: 'input' },
        { name: 'metadata that is not an object', file: 'input,metadata\na,{}\nb,[1]\n', line: 3, column: 'metadata' },
        { name: 'a multi-line cell, then a bad row', file: 'input,id\n"a\nb\nc",1\nd,2,3\n', line: 5 },
        { name: 'a 10 MB cell', file: `input,id\na,1\n${big},2\n`, line: 3, column: 'input', status: undefined },
      ];
      for (const bad of cases) {
        const answer = await upload(dataset.id, bad.file);
        if (bad.status) {
          expect({ name: bad.name, status: answer.status }).toEqual({ name: bad.name, status: bad.status });
          const [error] = answer.body.errors;
          expect(error.source, bad.name).toEqual({ pointer: '/file' });
          expect(error.meta, bad.name).toMatchObject({ line: bad.line, ...(bad.column ? { column: bad.column } : {}) });
          expect(error.detail, bad.name).toContain(`line ${bad.line}`);
        } else {
          expect({ name: bad.name, status: answer.status }).toEqual({ name: bad.name, status: 200 });
          const terminal = answer.events.filter((e) => e.event === 'completed' || e.event === 'error');
          expect(
            terminal.map((e) => e.event),
            bad.name,
          ).toEqual(['error']);
          expect(terminal[0]!.data, bad.name).toMatchObject({ line: bad.line, ...(bad.column ? { column: bad.column } : {}) });
          expect(terminal[0]!.data.message, bad.name).toContain(`line ${bad.line}`);
        }
        expect(await state(dataset.path), bad.name).toEqual(before);
      }
      // No `file` part: 400 pointing at /file.
      const misnamed = await upload(dataset.id, 'input\nx\n', '', { field: 'upload' });
      expect(misnamed.status).toBe(400);
      expect(misnamed.body.errors[0].source).toEqual({ pointer: '/file' });
      expect(await state(dataset.path)).toEqual(before);
    }, 60_000);

    it('takes a byte-order mark, CRLF line ends, a header-only file and a cell just under 10 MB', async () => {
      const dataset = await newDataset();
      const bom = await upload(dataset.id, '\ufeffinput,id\r\nwith bom,b1\r\n"multi\r\nline",b2\r\n');
      expect(bom.events.at(-1)).toMatchObject({ event: 'completed', data: { records_created: 2, dataset_version: 1 } });
      const all = await records(dataset.path);
      expect(all.b1!.input).toBe('with bom');
      expect(all.b2!.input).toBe('multi\r\nline');
      const headerOnly = await upload(dataset.id, 'input,id\n');
      expect(headerOnly.events.at(-1)).toMatchObject({ event: 'completed', data: { records_created: 0, dataset_version: null, version_created: false } });
      const large = await upload(dataset.id, `input,id\n${'y'.repeat(10 * 1024 * 1024 - 16)},big\n`);
      expect(large.events.at(-1)).toMatchObject({ event: 'completed', data: { records_created: 1, dataset_version: 2 } });
    }, 60_000);

    it('leaves no trace when the client disconnects half way', async () => {
      const dataset = await newDataset();
      await upload(dataset.id, 'input\nseed\n');
      const before = await state(dataset.path);
      const boundary = 'halfway-boundary';
      const url = new URL(`/datadog/api/v2/llm-obs/v2/${projectId}/datasets/${dataset.id}/records/upload`, server.baseUrl);
      await new Promise<void>((resolve) => {
        const req = httpRequest(url, { method: 'POST', headers: { 'DD-API-KEY': KEY, 'content-type': `multipart/form-data; boundary=${boundary}` } });
        req.on('error', () => resolve());
        req.on('response', (response) => {
          response.on('data', () => undefined);
          response.on('error', () => resolve());
        });
        req.write(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="half.csv"\r\nContent-Type: text/csv\r\n\r\ninput\n`);
        req.write(Array.from({ length: 3_000 }, (_, i) => `row ${i}\n`).join(''));
        setTimeout(() => {
          req.destroy();
          resolve();
        }, 500);
      });
      // The server notices, discards what it staged, and the dataset is as it was.
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(await state(dataset.path)).toEqual(before);
      const after = await upload(dataset.id, 'input\nstill works\n');
      expect(after.events.at(-1)).toMatchObject({ event: 'completed', data: { records_created: 1 } });
    });

    it('keeps every row of a file whose uploader exits as soon as the call returns (a real child process)', async () => {
      const dataset = await newDataset();
      // The client resolves on the 200 status line without reading the stream; the script then exits at once.
      const script = `
        import { client, v2 } from '@datadog/datadog-api-client';
        const configuration = client.createConfiguration({
          baseServer: new client.BaseServerConfiguration(process.env.DD_BASE, {}),
          authMethods: { apiKeyAuth: process.env.DD_KEY, appKeyAuth: 'unused' },
          enableRetry: false,
        });
        configuration.unstableOperations['v2.uploadLLMObsDatasetRecordsFile'] = true;
        const rows = Array.from({ length: 20000 }, (_, i) => 'question ' + i + ',answer ' + i + ',row-' + i);
        const data = Buffer.from(['input,expected_output,id', ...rows].join('\\n') + '\\n');
        await new v2.AgentObservabilityApi(configuration).uploadLLMObsDatasetRecordsFile({
          projectId: process.env.DD_PROJECT, datasetId: process.env.DD_DATASET, file: { data, name: 'big.csv' },
        });
        console.log('resolved');
        process.exit(0);
      `;
      const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
        cwd: REPO_ROOT,
        env: { ...process.env, DD_BASE: `${server.baseUrl}/datadog`, DD_KEY: KEY, DD_PROJECT: projectId, DD_DATASET: dataset.id },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const uploader = new ChildHandle(child, 'the uploading script');
      const exit = await uploader.waitForExit(60_000);
      expect({ exit, stdout: uploader.stdout.trim() }, uploader.describeOutput()).toEqual({ exit: { code: 0, signal: null }, stdout: 'resolved' });
      // The server goes on to commit after its client has gone: all rows land, in one version.
      const deadline = Date.now() + 60_000;
      let attributes = (await dd('GET', dataset.path)).body.data.attributes;
      while (attributes.record_count < 20_000 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        attributes = (await dd('GET', dataset.path)).body.data.attributes;
      }
      expect({ count: attributes.record_count, version: attributes.current_version }).toEqual({ count: 20_000, version: 1 });
    }, 120_000);

    it("works with Datadog's own client (@datadog/datadog-api-client) pointed at the server", async () => {
      const configuration = client.createConfiguration({
        baseServer: new client.BaseServerConfiguration(`${server.baseUrl}/datadog`, {}),
        authMethods: { apiKeyAuth: KEY, appKeyAuth: 'unused-application-key' },
        enableRetry: false,
      });
      for (const operation of Object.keys(configuration.unstableOperations)) {
        if (/LLMObs/.test(operation)) configuration.unstableOperations[operation] = true;
      }
      const api = new v2.AgentObservabilityApi(configuration);
      const project = await api.createLLMObsProject({ body: { data: { type: 'projects', attributes: { name: 'client-project' } } } });
      expect(project.data.attributes.name).toBe('client-project');
      const again = await api.createLLMObsProject({ body: { data: { type: 'projects', attributes: { name: 'client-project' } } } });
      expect(again.data.id).toBe(project.data.id);
      const projectIdOfClient = project.data.id;
      const dataset = await api.createLLMObsDataset({
        projectId: projectIdOfClient,
        body: { data: { type: 'datasets', attributes: { name: 'client-dataset', description: 'made by the client' } } },
      });
      expect(dataset.data.attributes.currentVersion).toBe(0);
      const datasetId = dataset.data.id;

      await api.uploadLLMObsDatasetRecordsFile({
        projectId: projectIdOfClient,
        datasetId,
        deduplicate: true,
        overwrite: false,
        tags: ['env:prod', 'team:ai'],
        includeUserData: true,
        file: { data: Buffer.from('input,expected_output,id\n"{""q"": 1}",one,r1\ntwo,2,r2\n'), name: 'records.csv' },
      });
      // The client returns on the 200 without reading the stream; the commit follows at the stream's end.
      const deadline = Date.now() + 10_000;
      let listed = await api.listLLMObsDatasetRecords({ projectId: projectIdOfClient, datasetId });
      while (listed.data.length < 2 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        listed = await api.listLLMObsDatasetRecords({ projectId: projectIdOfClient, datasetId });
      }
      const byId = Object.fromEntries(listed.data.map((record) => [record.id, record]));
      // The client's own AnyValue bug (spec A.6 #4): a string or number value matches several of its
      // types, so it hands it back wrapped as UnparsedObject {_data}; objects come back plain.
      const plain = (value: unknown) => (value && typeof value === 'object' && '_data' in value ? (value as { _data: unknown })._data : value);
      expect(byId.r1).toMatchObject({ input: { q: 1 }, datasetId, metadata: {} });
      expect(plain(byId.r1!.expectedOutput)).toBe('one');
      expect([plain(byId.r2!.input), plain(byId.r2!.expectedOutput)]).toEqual(['two', 2]);
      expect(byId.r1!.createdAt).toBeInstanceOf(Date);

      const appended = await api.createLLMObsDatasetRecords({
        projectId: projectIdOfClient,
        datasetId,
        body: { data: { type: 'records', attributes: { records: [{ input: { q: 'extra' }, expectedOutput: { a: 'x' }, metadata: { k: 1 } }] } } },
      });
      expect(appended.data).toHaveLength(1);
      expect(appended.data[0]!.records[0]).toMatchObject({ input: { q: 'extra' }, expectedOutput: { a: 'x' }, metadata: { k: 1 } });

      const batch = await api.batchUpdateLLMObsDataset({
        projectId: projectIdOfClient,
        datasetId,
        body: {
          data: {
            type: 'datasets',
            id: datasetId,
            attributes: {
              insertRecords: [{ id: 'r3', input: { q: 3 }, expectedOutput: { a: 3 }, tags: ['k:v'] }],
              updateRecords: [{ id: 'r1', metadata: { reviewed: true }, tagOperations: { add: ['state:reviewed'], remove: ['team:ai'] } }],
              deleteRecords: ['r2'],
              createNewVersion: true,
            },
          },
        },
      });
      expect(batch.data.map((item) => item.records[0]!.id).sort()).toEqual(['r1', 'r2', 'r3']);

      const updated = await api.updateLLMObsDatasetRecords({
        projectId: projectIdOfClient,
        datasetId,
        body: { data: { type: 'records', attributes: { records: [{ id: 'r3', expectedOutput: { a: 'three' } }] } } },
      });
      expect(updated.data[0]!.records[0]).toMatchObject({ id: 'r3', expectedOutput: { a: 'three' } });

      const versions = await api.listLLMObsDatasetVersions({ projectId: projectIdOfClient, datasetId });
      expect(versions.data.map((v) => v.attributes.versionNumber)).toEqual([4, 3, 2, 1]);
      const firstVersion = await api.listLLMObsDatasetRecords({ projectId: projectIdOfClient, datasetId, filterVersion: 1, pageLimit: 1 });
      expect(firstVersion.data).toHaveLength(1);
      expect(firstVersion.meta?.after).not.toBe('');

      await api.deleteLLMObsDatasetRecords({ projectId: projectIdOfClient, datasetId, body: { data: { type: 'records', attributes: { recordIds: ['r3'] } } } });
      const current = await api.listLLMObsDatasetRecords({ projectId: projectIdOfClient, datasetId });
      expect(current.data.map((record) => record.id).sort()).toEqual([expect.any(String), 'r1'].sort());
      expect(current.data.find((record) => record.id === 'r1')).toMatchObject({ metadata: { reviewed: true } });

      const found = await api.listLLMObsDatasets({ projectId: projectIdOfClient, filterName: 'client-dataset' });
      expect(found.data.map((d) => d.id)).toEqual([datasetId]);
      const renamed = await api.updateLLMObsDataset({
        projectId: projectIdOfClient,
        datasetId,
        body: { data: { type: 'datasets', attributes: { description: 'renamed', metadata: { owner: 'ml' } } } },
      });
      expect(renamed.data.attributes).toMatchObject({ description: 'renamed', metadata: { owner: 'ml' }, currentVersion: 5 });

      const missing = await api.listLLMObsDatasetRecords({ projectId: projectIdOfClient, datasetId: '0f8fad5b-d9cb-469f-a165-70867728950e' }).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(missing).toBeInstanceOf(client.ApiException);
      expect((missing as client.ApiException<any>).code).toBe(404);
      expect((missing as client.ApiException<any>).body.errors[0]).toMatchObject({ status: '404', title: 'Not found' });

      await api.deleteLLMObsDatasets({ projectId: projectIdOfClient, body: { data: { type: 'datasets', attributes: { datasetIds: [datasetId] } } } });
      expect((await api.listLLMObsDatasets({ projectId: projectIdOfClient })).data).toEqual([]);
      const projects = await api.listLLMObsProjects({ filterName: 'client-project' });
      expect(projects.data.map((p) => p.id)).toEqual([projectIdOfClient]);
    }, 60_000);

    it('keeps the dataset at its previous version when the server is killed mid-upload and restarted', async () => {
      const dataset = await newDataset();
      await upload(dataset.id, 'input,id\nseed,s1\n');
      const before = await state(dataset.path);
      const boundary = 'kill-boundary';
      const url = new URL(`/datadog/api/v2/llm-obs/v2/${projectId}/datasets/${dataset.id}/records/upload`, server.baseUrl);
      // The answer's status line waits for the whole body, so the rows staged so far are read from the database.
      const req = httpRequest(url, { method: 'POST', headers: { 'DD-API-KEY': KEY, 'content-type': `multipart/form-data; boundary=${boundary}` } });
      req.on('error', () => undefined);
      req.write(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\nContent-Type: text/csv\r\n\r\ninput,id\n`);
      let sent = 0;
      const pump = () => {
        if (req.destroyed || sent >= 200) return;
        req.write(Array.from({ length: 500 }, (_, i) => `row ${sent * 500 + i},k${sent * 500 + i}\n`).join(''));
        sent += 1;
        setTimeout(pump, 20);
      };
      pump();
      const store = openStore(database.config);
      try {
        const stagedRows = async () => countRows(store.db, 'upload_rows');
        const staged = (async () => {
          for (;;) {
            const n = await stagedRows();
            if (n >= 3_000) return n;
            await new Promise((resolve) => setTimeout(resolve, 50));
          }
        })();
        expect(await withTimeout(staged, 30_000, 'rows to be staged')).toBeGreaterThanOrEqual(3_000);
      } finally {
        await store.close();
      }
      await server.handle.kill();
      req.destroy();
      server = await startServerProcess(storeFlags(database), { port: server.port, env: { EVALSTORE_ADMIN_KEY: KEY }, healthTimeoutMs: 45_000 });
      // The restarted server knows the upload was its own: it failed it and freed its staged rows as it started, not an hour later.
      const restarted = openStore(database.config);
      try {
        expect(await countRows(restarted.db, 'upload_rows')).toBe(0);
        const unfinished = await restarted.db.selectFrom('uploads').select(['status', 'error']).where('status', '=', 'receiving').execute();
        expect(unfinished).toEqual([]);
        const abandoned = await restarted.db
          .selectFrom('uploads')
          .select('status')
          .where('error', '=', 'abandoned: the server receiving the upload stopped before it finished')
          .execute();
        expect(abandoned).toEqual([{ status: 'failed' }]);
      } finally {
        await restarted.close();
      }
      expect(await state(dataset.path)).toEqual(before);
      const after = await upload(dataset.id, 'input,id\nafter restart,r1\n');
      expect(after.events.at(-1)).toMatchObject({ event: 'completed', data: { records_created: 1, dataset_version: before.version + 1 } });
    }, 90_000);
  });
}
