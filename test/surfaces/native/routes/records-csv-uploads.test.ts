import { beforeEach, describe, expect, it } from 'vitest';
import { readEventStream } from '../../../../src/client/event-stream.js';
import type { Actor } from '../../../../src/domain/types.js';
import { useTestApp } from '../../../support/app.js';
import { DIALECTS } from '../../../support/databases.js';
import { lazyCsv } from '../../../support/lazy-body.js';

const CSV = { 'content-type': 'text/csv' };

function multipart(file: string, options: { name?: string; filename?: string; type?: string } = {}) {
  const boundary = 'native-csv-boundary';
  const payload =
    `--${boundary}\r\nContent-Disposition: form-data; name="${options.name ?? 'file'}"; filename="${options.filename ?? 'records.csv'}"\r\n` +
    `Content-Type: ${options.type ?? 'text/csv'}\r\n\r\n${file}\r\n--${boundary}--\r\n`;
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

async function events(body: string) {
  const found: { event: string; data: any }[] = [];
  for await (const { event, data } of readEventStream([body])) found.push({ event, data: JSON.parse(data) });
  return found;
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: CSV uploads on the native API`, () => {
    const t = useTestApp(dialect);
    let base: string;
    beforeEach(async () => {
      const dataset = (await t.call({ method: 'POST', url: '/api/v1/datasets', payload: { name: `csv-${Math.random()}` } })).json();
      base = `/api/v1/datasets/${dataset.id}`;
    });

    const records = async () =>
      ((await t.call({ method: 'GET', url: `${base}/records?limit=1000` })).json().data as any[]).map(
        ({ input, expected_output, metadata, tags, splits, external_id }) => ({ input, expected_output, metadata, tags, splits, external_id }),
      );

    it('reads cells by the default columns: JSON when JSON, text otherwise, lists as JSON or commas', async () => {
      const file =
        'input,expected_output,metadata,tags,splits,external_id,id,notes\n' +
        '"{""q"": 1}",Paris,"{""k"": true}","a, b",test,e1,ignored-uuid,x\n' +
        '42,"""42""",,"[""c""]","[]",,,\n' +
        'plain text,,"""""",,,,,\n';
      const response = await t.call({ method: 'POST', url: `${base}/uploads?filename=cells.csv`, payload: file, headers: CSV });
      expect(response.statusCode).toBe(201);
      expect(response.json()).toMatchObject({ records_created: 3, version: { version: 1, message: 'Uploaded cells.csv: 3 created' } });
      expect(await records()).toEqual([
        { input: { q: 1 }, expected_output: 'Paris', metadata: { k: true, notes: 'x' }, tags: ['a', 'b'], splits: ['test'], external_id: 'e1' },
        { input: 42, expected_output: '42', metadata: {}, tags: ['c'], splits: [], external_id: null },
        { input: 'plain text', expected_output: null, metadata: {}, tags: [], splits: [], external_id: null },
      ]);
    });

    it('keeps the columns no field uses as metadata, says where each column went, and ignores them or reads cells as text when asked', async () => {
      const file = 'question,answer,topic,zip,id\nCapital of France?,Paris,geo,40068,x\nLargest ocean?,Pacific,,,\n';
      const kept = await t.call({ method: 'POST', url: `${base}/uploads?input_column=question&expected_output_column=answer`, payload: file, headers: CSV });
      expect(kept.statusCode).toBe(201);
      expect(kept.json().columns).toEqual({ used: { input: 'question', expected_output: 'answer' }, metadata: ['topic', 'zip'], ignored: ['id'] });
      expect((await records()).map(({ metadata }) => metadata)).toEqual([{ topic: 'geo', zip: 40068 }, {}]);

      const asText = await t.call({
        method: 'POST',
        url: `${base}/uploads?input_column=question&expected_output_column=answer&ignore_column=topic&cells=text&deduplicate=true`,
        payload: 'question,answer,topic,zip\nWhat is 2+2?,4,math,00042\n',
        headers: CSV,
      });
      expect(asText.json().columns).toEqual({ used: { input: 'question', expected_output: 'answer' }, metadata: ['zip'], ignored: ['topic'] });
      expect((await records())[2]).toMatchObject({ input: 'What is 2+2?', expected_output: '4', metadata: { zip: '00042' } });

      const ignored = await t.call({
        method: 'POST',
        url: `${base}/uploads?input_column=question&other_columns=ignore`,
        payload: 'question,topic\nq,t\n',
        headers: { ...CSV, accept: 'text/event-stream' },
      });
      const stream = await events(ignored.body);
      expect(stream[0]).toMatchObject({ event: 'progress', data: { phase: 'header', metadata_columns: [], ignored_columns: ['topic'] } });
      expect(stream.at(-1)).toMatchObject({ event: 'completed', data: { columns: { metadata: [], ignored: ['topic'] } } });
      expect((await records())[3]).toMatchObject({ input: 'q', metadata: {} });

      const bad = await t.call({ method: 'POST', url: `${base}/uploads?other_columns=all`, payload: 'input\nx\n', headers: CSV });
      expect(bad.statusCode).toBe(400);
      expect(JSON.stringify(bad.json())).toContain('other_columns');
    });

    it('takes an explicit column mapping, and refuses a mapped column the header lacks', async () => {
      const file = 'question,answer,info,labels,key\nCapital of France?,Paris,"{""src"": 1}","geo,easy",fr\n';
      const query = '?input_column=question&expected_output_column=answer&metadata_column=info&tags_column=labels&external_id_column=key&tag=bulk&tag=geo';
      const response = await t.call({ method: 'POST', url: `${base}/uploads${query}`, payload: file, headers: CSV });
      expect(response.statusCode).toBe(201);
      expect(await records()).toEqual([
        { input: 'Capital of France?', expected_output: 'Paris', metadata: { src: 1 }, tags: ['geo', 'easy', 'bulk'], splits: [], external_id: 'fr' },
      ]);
      const missing = await t.call({ method: 'POST', url: `${base}/uploads?expected_output_column=nope`, payload: 'input\nx\n', headers: CSV });
      expect(missing.statusCode).toBe(400);
      expect(missing.json().errors[0]).toMatchObject({ in: 'line', line: 1, column: 'nope' });
      const noInput = await t.call({ method: 'POST', url: `${base}/uploads`, payload: 'question\nx\n', headers: CSV });
      expect(noInput.statusCode).toBe(400);
      expect(noInput.json().errors[0]).toMatchObject({ line: 1, column: 'input' });
    });

    it('applies overwrite and deduplicate to CSV as to JSONL, with their defaults', async () => {
      await t.call({ method: 'POST', url: `${base}/uploads`, payload: 'input,external_id\nold,a\n', headers: CSV });
      const defaults = await t.call({ method: 'POST', url: `${base}/uploads`, payload: 'input,external_id\nnew,a\nnew,\n', headers: CSV });
      expect(defaults.json()).toMatchObject({ records_created: 1, records_updated: 1, duplicates_skipped: 0 });
      const options = await t.call({
        method: 'POST',
        url: `${base}/uploads?overwrite=false&deduplicate=true`,
        payload: 'input,external_id\nkept?,a\nnew,\nfresh,\n',
        headers: CSV,
      });
      expect(options.json()).toMatchObject({ records_created: 1, existing_skipped: 1, duplicates_skipped: 1 });
    });

    it('streams progress and one terminal event when asked for text/event-stream', async () => {
      const rows = Array.from({ length: 1_500 }, (_, i) => `row ${i}`).join('\n');
      const file = `input\n${rows}\n`;
      const ok = await t.call({ method: 'POST', url: `${base}/uploads`, payload: file, headers: { ...CSV, accept: 'text/event-stream' } });
      expect(ok.statusCode).toBe(200);
      expect(ok.headers['content-type']).toMatch(/^text\/event-stream/);
      const seen = await events(ok.body);
      expect(seen.map((e) => e.event)).toEqual(['progress', 'progress', 'progress', 'progress', 'completed']);
      expect(seen.map((e) => e.data.phase).slice(0, 4)).toEqual(['header', 'staging', 'staging', 'committing']);
      expect(seen.at(-1)!.data).toMatchObject({ records_created: 1_500, version: { version: 1 } });
      // Bytes read so far, for a progress bar against the file's size: they grow to the whole file.
      const bytes = seen.slice(0, 4).map((e) => e.data.bytes_received as number);
      expect(bytes).toEqual([...bytes].sort((a, b) => a - b));
      expect(bytes.at(-1)).toBe(Buffer.byteLength(file));

      const bad = await t.call({
        method: 'POST',
        url: `${base}/uploads`,
        payload: 'input,metadata\na,{}\nb,3\n',
        headers: { ...CSV, accept: 'text/event-stream' },
      });
      const failed = await events(bad.body);
      expect(failed.at(-1)).toMatchObject({ event: 'error', data: { status: 400, errors: [{ line: 3, column: 'metadata', pointer: '/metadata' }] } });
      expect((await t.call({ method: 'GET', url: base })).json().latest_version).toBe(1);

      const jsonl = await t.call({
        method: 'POST',
        url: `${base}/uploads`,
        payload: '{"input": 1}\n{"input": }\n',
        headers: { 'content-type': 'application/x-ndjson', accept: 'text/event-stream' },
      });
      expect((await events(jsonl.body)).at(-1)).toMatchObject({ event: 'error', data: { errors: [{ line: 2 }] } });
      const missing = await t.call({
        method: 'POST',
        url: '/api/v1/datasets/0f8fad5b-d9cb-469f-a165-70867728950e/uploads',
        payload: 'input\nx\n',
        headers: { ...CSV, accept: 'text/event-stream' },
      });
      expect(missing.statusCode).toBe(404);
    });

    it('takes the file as a multipart part, CSV or JSONL by its type or name', async () => {
      const csv = multipart('input\nfrom a form\n');
      const response = await t.call({ method: 'POST', url: `${base}/uploads`, ...csv });
      expect(response.statusCode).toBe(201);
      expect(response.json()).toMatchObject({ records_created: 1, version: { message: 'Uploaded records.csv: 1 created' } });
      const jsonl = multipart('{"input": "as jsonl"}\n', { filename: 'r.jsonl', type: 'application/octet-stream' });
      expect((await t.call({ method: 'POST', url: `${base}/uploads`, ...jsonl })).json()).toMatchObject({ records_created: 1 });
      const unknown = multipart('input\nx\n', { filename: 'r.bin', type: 'application/octet-stream' });
      const refused = await t.call({ method: 'POST', url: `${base}/uploads`, ...unknown });
      expect(refused.statusCode).toBe(400);
      expect(refused.json().errors[0]).toMatchObject({ pointer: '/format', in: 'query' });
      expect((await t.call({ method: 'POST', url: `${base}/uploads?format=csv`, ...unknown })).statusCode).toBe(201);
      const misnamed = await t.call({ method: 'POST', url: `${base}/uploads`, ...multipart('input\nx\n', { name: 'data' }) });
      expect(misnamed.statusCode).toBe(400);
      expect(misnamed.json().errors[0]).toMatchObject({ pointer: '/file' });
    });

    it('round-trips a CSV export through a CSV upload', async () => {
      const written = [
        { input: { q: 'a' }, expected_output: '4', metadata: { k: 'v' }, tags: ['t1', 't2'], splits: ['s'], external_id: 'e1' },
        { input: 'plain, "quoted"', expected_output: 4, metadata: {}, tags: [], splits: [], external_id: null },
        { input: 'true', expected_output: null, metadata: {}, tags: [], splits: [], external_id: null },
      ];
      await t.call({ method: 'POST', url: `${base}/records`, payload: { records: written } });
      const exported = await t.call({ method: 'GET', url: `${base}/export?format=csv` });
      const copy = (await t.call({ method: 'POST', url: '/api/v1/datasets', payload: { name: `copy-${Math.random()}` } })).json();
      const imported = await t.call({ method: 'POST', url: `/api/v1/datasets/${copy.id}/uploads`, payload: exported.body, headers: CSV });
      expect(imported.json()).toMatchObject({ records_created: 3 });
      base = `/api/v1/datasets/${copy.id}`;
      expect(await records()).toEqual(written);
    });

    it('refuses an upload into an externally managed dataset with 409 before reading the body, streamed or not', async () => {
      const actor: Actor = { workspaceId: t.workspaceId, keyId: null, name: 'upload-experiment', role: 'admin' };
      const external = await t.services.datasets.create(actor, { name: `external-${Math.random()}`, managed_by: 'external' });
      const pieces = 50;
      for (const accept of ['application/json', 'text/event-stream']) {
        // 500,000 rows, made only as the server reads them.
        const body = lazyCsv({
          head: 'input,external_id\n',
          pieces,
        });
        const response = await t.call({ method: 'POST', url: `/api/v1/datasets/${external.id}/uploads`, payload: body.stream, headers: { ...CSV, accept } });
        expect({ accept, status: response.statusCode, type: response.headers['content-type'] }).toEqual({
          accept,
          status: 409,
          type: 'application/problem+json; charset=utf-8',
        });
        expect(response.json()).toMatchObject({ status: 409, detail: expect.stringMatching(/is managed externally/) });
        // The streams between the body and the route buffer a few pieces ahead of any reader; no more is read.
        expect(body.pulled(), accept).toBeLessThan(pieces / 4);
      }
      const db = t.testStore.store.db;
      expect(await db.selectFrom('uploads').select('id').where('dataset_id', '=', external.id).execute()).toEqual([]);
      expect(await db.selectFrom('upload_rows').select('seq').execute()).toEqual([]);
      expect(await t.services.datasets.get(actor, external.id)).toMatchObject({ latest_version: 0, record_count: 0 });
    });
  });
}
