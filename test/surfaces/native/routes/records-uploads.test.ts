import { parse } from 'csv-parse/sync';
import { beforeEach, describe, expect, it } from 'vitest';
import { useTestApp } from '../../../support/app.js';
import { DIALECTS } from '../../../support/databases.js';
import { countRows } from '../../../support/rows.js';

const NDJSON = { 'content-type': 'application/x-ndjson' };

for (const dialect of DIALECTS) {
  describe(`${dialect}: JSONL uploads and exports`, () => {
    const t = useTestApp(dialect);
    let base: string;
    beforeEach(async () => {
      const dataset = (await t.call({ method: 'POST', url: '/api/v1/datasets', payload: { name: `u-${Math.random()}` } })).json();
      base = `/api/v1/datasets/${dataset.id}`;
    });

    const upload = (body: string, query = '') => t.call({ method: 'POST', url: `${base}/uploads${query}`, payload: body, headers: NDJSON });
    const jsonl = (rows: unknown[]) => `${rows.map((row) => JSON.stringify(row)).join('\n')}\n`;
    const state = async () => {
      const ds = (await t.call({ method: 'GET', url: base })).json();
      const records = (await t.call({ method: 'GET', url: `${base}/records?limit=1000` })).json().data;
      return { latest_version: ds.latest_version, record_count: ds.record_count, records };
    };
    const stagedRows = async () => countRows(t.testStore.store.db, 'upload_rows');

    it('imports thousands of lines as one version', async () => {
      const rows = Array.from({ length: 2_500 }, (_, i) => ({ input: { i }, expected_output: `out ${i}`, tags: ['bulk'], metadata: { i } }));
      const response = await upload(jsonl(rows), '?filename=bulk.jsonl');
      expect(response.statusCode).toBe(201);
      expect(response.json()).toMatchObject({
        rows_received: 2_500,
        records_created: 2_500,
        version: { version: 1, records_added: 2_500, message: 'Uploaded bulk.jsonl: 2,500 created' },
      });
      const ds = (await t.call({ method: 'GET', url: base })).json();
      expect(ds).toMatchObject({ latest_version: 1, record_count: 2_500 });
      expect(await stagedRows()).toBe(0);
    });

    it('matches rows to records by external_id: overwrite, skip, unchanged, and last-row-wins in the file', async () => {
      await t.call({
        method: 'POST',
        url: `${base}/records`,
        payload: {
          records: [
            { input: 'old', external_id: 'a' },
            { input: 'same', external_id: 'b' },
          ],
        },
      });
      const overwrite = await upload(
        jsonl([
          { input: 'first', external_id: 'c' },
          { input: 'new', external_id: 'a' },
          { input: 'same', external_id: 'b' },
          { input: 'second', external_id: 'c' },
          { input: 'plain' },
        ]),
      );
      expect(overwrite.json()).toMatchObject({
        records_created: 2,
        records_updated: 1,
        records_unchanged: 1,
        superseded: 1,
        version: { version: 2, record_count: 4 },
      });
      const byExternal = Object.fromEntries(
        (await state()).records.map((r: { external_id: string | null; input: string }) => [r.external_id ?? r.input, r.input]),
      );
      expect(byExternal).toEqual({ a: 'new', b: 'same', c: 'second', plain: 'plain' });

      const keep = await upload(
        jsonl([
          { input: 'ignored', external_id: 'a' },
          { input: 'x1', external_id: 'd' },
          { input: 'x2', external_id: 'd' },
        ]),
        '?overwrite=false',
      );
      expect(keep.json()).toMatchObject({ records_created: 1, existing_skipped: 2 });
      const after = Object.fromEntries((await state()).records.map((r: { external_id: string | null; input: string }) => [r.external_id ?? r.input, r.input]));
      expect(after).toMatchObject({ a: 'new', d: 'x1' });
    });

    it('de-duplicates by input against the dataset and within the file when asked', async () => {
      await t.call({ method: 'POST', url: `${base}/records`, payload: { records: [{ input: { q: 1, lang: 'en' } }] } });
      const response = await upload(
        jsonl([{ input: { lang: 'en', q: 1 } }, { input: { q: 2 } }, { input: { q: 2 } }, { input: { q: 3 } }]),
        '?deduplicate=true',
      );
      expect(response.json()).toMatchObject({ records_created: 2, duplicates_skipped: 2 });
      const plain = await upload(jsonl([{ input: { q: 3 } }]));
      expect(plain.json()).toMatchObject({ records_created: 1 });
    });

    it('commits no version when nothing changes', async () => {
      await upload(jsonl([{ input: 1, external_id: 'one' }]));
      const again = await upload(jsonl([{ input: 1, external_id: 'one' }]));
      expect(again.statusCode).toBe(201);
      expect(again.json()).toMatchObject({ version: null, records_unchanged: 1 });
      expect((await state()).latest_version).toBe(1);
    });

    it('refuses a broken line, naming it, and leaves no trace', async () => {
      await upload(jsonl([{ input: 'seed' }]));
      const before = await state();
      const rows = Array.from({ length: 1_700 }, (_, i) => JSON.stringify({ input: i }));
      const cases: [string, number, string][] = [
        [[...rows.slice(0, 1_599), '{"input": 1', ...rows.slice(1_600)].join('\n'), 1_600, ''],
        [[...rows.slice(0, 1_199), '{"inptu": 1}', ...rows.slice(1_200)].join('\n'), 1_200, '/input'],
        [[...rows.slice(0, 9), '{"input": 1, "tags": "x"}'].join('\n'), 10, '/tags'],
        [[...rows.slice(0, 1_099), '{"input": 1, "colour": "red"}'].join('\n'), 1_100, '/colour'],
        [['[1,2]'].join('\n'), 1, ''],
      ];
      for (const [body, line, pointer] of cases) {
        const response = await upload(body);
        expect({ line, status: response.statusCode }).toEqual({ line, status: 400 });
        expect(response.json().errors[0]).toMatchObject({ in: 'line', line, pointer });
        expect(response.json().detail).toContain(`line ${line}`);
      }
      expect(await state()).toEqual(before);
      expect(await stagedRows()).toBe(0);
      const failed = await t.testStore.store.db.selectFrom('uploads').select('status').where('status', '=', 'failed').execute();
      expect(failed.length).toBeGreaterThanOrEqual(cases.length);
    });

    it('leaves no trace when the connection drops mid-upload', async () => {
      await upload(jsonl([{ input: 'seed' }]));
      const before = await state();
      const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
      try {
        const { request } = await import('node:http');
        const url = new URL(`${base}/uploads`, address);
        await new Promise<void>((resolve) => {
          const req = request(url, { method: 'POST', headers: { ...NDJSON, authorization: `Bearer ${t.adminKey}` } });
          req.on('error', () => resolve());
          req.write(jsonl(Array.from({ length: 3_000 }, (_, i) => ({ input: i }))));
          setTimeout(() => {
            req.destroy();
            resolve();
          }, 300);
        });
        const deadline = Date.now() + 10_000;
        let statuses: string[] = [];
        while (Date.now() < deadline) {
          statuses = (await t.testStore.store.db.selectFrom('uploads').select('status').orderBy('created_at', 'desc').limit(1).execute()).map((r) => r.status);
          if (statuses[0] === 'failed') break;
          await new Promise((r) => setTimeout(r, 50));
        }
        expect(statuses).toEqual(['failed']);
      } finally {
        await t.app.server.close();
      }
      expect(await state()).toEqual(before);
      expect(await stagedRows()).toBe(0);
    });

    it('frees the staged rows of an upload whose process died', async () => {
      const before = await state();
      const db = t.testStore.store.db;
      const dataset = base.split('/').pop()!;
      const id = '0f8fad5b-d9cb-469f-a165-70867728950e';
      const longAgo = new Date(Date.now() - 3 * 3600_000).toISOString();
      await db
        .insertInto('uploads')
        .values({
          id,
          workspace_id: t.workspaceId,
          dataset_id: dataset,
          status: 'receiving',
          format: 'jsonl',
          filename: null,
          rows_received: 1,
          summary: null,
          error: null,
          version: null,
          created_at: longAgo,
          updated_at: longAgo,
        })
        .execute();
      await db
        .insertInto('upload_rows')
        .values({
          upload_id: id,
          seq: 1,
          record_id: id,
          external_id: null,
          input: '1',
          expected_output: 'null',
          metadata: '{}',
          tags: '[]',
          splits: '[]',
          source: null,
          input_hash: 'h',
          content_hash: 'h',
          created_at: null,
          disposition: null,
        })
        .execute();
      expect(await t.services.uploads.sweepAbandoned()).toBe(1);
      expect(await stagedRows()).toBe(0);
      expect((await db.selectFrom('uploads').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status).toBe('failed');
      expect(await state()).toEqual(before);
    });

    it('takes blank lines, CRLF and a byte-order mark; refuses other media types', async () => {
      const response = await upload('\ufeff{"input":1}\r\n\r\n{"input":2}\r\n');
      expect(response.json()).toMatchObject({ records_created: 2 });
      const wrong = await t.call({ method: 'POST', url: `${base}/uploads`, payload: '<input>1</input>', headers: { 'content-type': 'application/xml' } });
      expect(wrong.statusCode).toBe(415);
    });

    it('exports any version as JSONL that imports back as the same records', async () => {
      const records = [
        { input: { q: 'a', n: [1, 2] }, expected_output: 'A', metadata: { k: 'v' }, tags: ['t'], splits: ['s'], external_id: 'e1' },
        { input: 'text', expected_output: null, metadata: {}, tags: [], splits: [], external_id: null },
      ];
      await t.call({ method: 'POST', url: `${base}/records`, payload: { records } });
      await t.call({ method: 'POST', url: `${base}/records`, payload: { records: [{ input: 'later' }] } });

      const exported = await t.call({ method: 'GET', url: `${base}/export?version=1` });
      expect(exported.statusCode).toBe(200);
      expect(exported.headers['content-type']).toContain('application/x-ndjson');
      expect(exported.headers['x-evalstore-version']).toBe('1');
      const lines = exported.body
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line));
      expect(lines).toHaveLength(2);
      expect(
        lines.map(({ input, expected_output, metadata, tags, splits, external_id }) => ({ input, expected_output, metadata, tags, splits, external_id })),
      ).toEqual(records);

      const copy = (await t.call({ method: 'POST', url: '/api/v1/datasets', payload: { name: `copy-${Math.random()}` } })).json();
      const imported = await t.call({ method: 'POST', url: `/api/v1/datasets/${copy.id}/uploads`, payload: exported.body, headers: NDJSON });
      expect(imported.json()).toMatchObject({ records_created: 2 });
      const copied = (await t.call({ method: 'GET', url: `/api/v1/datasets/${copy.id}/records` })).json().data;
      expect(
        copied.map(({ input, expected_output, metadata, tags, splits, external_id }: Record<string, unknown>) => ({
          input,
          expected_output,
          metadata,
          tags,
          splits,
          external_id,
        })),
      ).toEqual(records);
    });

    it('exports CSV with JSON cells that keep strings and values apart', async () => {
      await t.call({
        method: 'POST',
        url: `${base}/records`,
        payload: {
          records: [
            { input: { q: 1 }, expected_output: '4', tags: ['x'] },
            { input: 'plain, "quoted"', expected_output: 4 },
          ],
        },
      });
      const exported = await t.call({ method: 'GET', url: `${base}/export?format=csv` });
      expect(exported.headers['content-type']).toContain('text/csv');
      const [header, ...rows] = parse(exported.body) as string[][];
      expect(header).toEqual(['id', 'external_id', 'input', 'expected_output', 'metadata', 'tags', 'splits', 'created_at', 'updated_at']);
      expect(rows.map((row) => [row[2], row[3], row[5]])).toEqual([
        ['{"q":1}', '"4"', '["x"]'],
        ['plain, "quoted"', '4', '[]'],
      ]);
    });

    it('exports an empty dataset as an empty file, and a large one whole', async () => {
      expect((await t.call({ method: 'GET', url: `${base}/export` })).body).toBe('');
      await t.call({ method: 'POST', url: `${base}/records`, payload: { records: Array.from({ length: 2_345 }, (_, i) => ({ input: i })) } });
      const exported = await t.call({ method: 'GET', url: `${base}/export` });
      const inputs = exported.body
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line).input);
      expect(inputs.sort((a: number, b: number) => a - b)).toEqual(Array.from({ length: 2_345 }, (_, i) => i));
    });
  });
}
