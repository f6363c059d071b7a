import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { humanloopId } from '../../src/surfaces/humanloop/ids.js';
import { useTestApp } from '../support/app.js';
import { DIALECTS } from '../support/databases.js';
import { datadogCaller, makeDataset } from '../surfaces/datadog/helpers.js';
import { countRows } from '../support/rows.js';

/**
 * Issue 14: what a hostile or careless client sends is refused with a 400 naming the field, on every
 * surface and both databases, and nothing it manages to write makes a later read fail.
 */

const forged = (key: unknown) => Buffer.from(JSON.stringify(key)).toString('base64url');
const FORGED_CURSORS = [forged(['zz']), forged([0]), forged([-1]), forged(['NaN']), forged([]), forged(['a', 'b']), forged([{ a: 1 }]), 'not base64!', '%00'];

/** A JSON text nested `depth` deep: `{"a":{"a":...}}`. */
const deepText = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

for (const dialect of DIALECTS) {
  describe(`${dialect}: hostile input`, () => {
    const t = useTestApp(dialect);
    const dd = datadogCaller(() => t);

    const newDataset = async (records: unknown[] = [{ input: 'q' }]) => {
      const created = await t.call({ method: 'POST', url: '/api/v1/datasets', payload: { name: `d-${Math.random()}`, records } });
      expect(created.statusCode).toBe(201);
      return created.json().id as string;
    };
    const newExperiment = async (datasetId: string) => {
      const created = await t.call({ method: 'POST', url: '/api/v1/experiments', payload: { dataset_id: datasetId, name: `e-${Math.random()}` } });
      expect(created.statusCode).toBe(201);
      return created.json().id as string;
    };
    const count = async (table: 'datasets' | 'record_revisions' | 'runs' | 'scores') => countRows(t.testStore.store.db, table);

    describe('item 1: tampered cursors are a 400 naming the cursor', () => {
      it('on the native lists of records, versions, datasets, experiments, runs and scores', async () => {
        const ds = await newDataset();
        const e = await newExperiment(ds);
        const urls = [
          `/api/v1/datasets/${ds}/records`,
          `/api/v1/datasets/${ds}/versions`,
          '/api/v1/datasets',
          '/api/v1/experiments',
          `/api/v1/experiments/${e}/runs`,
        ];
        for (const url of urls) {
          for (const cursor of FORGED_CURSORS) {
            const answer = await t.call({ method: 'GET', url: `${url}?cursor=${encodeURIComponent(cursor)}` });
            expect({ url, cursor, status: answer.statusCode }).toEqual({ url, cursor, status: 400 });
            expect(answer.json().errors[0]).toMatchObject({ pointer: '/cursor' });
          }
        }
      });

      it('a cursor handed out still works', async () => {
        const ds = await newDataset([{ input: 1 }, { input: 2 }, { input: 3 }]);
        const first = (await t.call({ method: 'GET', url: `/api/v1/datasets/${ds}/records?limit=2` })).json();
        expect(first.next_cursor).toEqual(expect.any(String));
        const second = await t.call({ method: 'GET', url: `/api/v1/datasets/${ds}/records?limit=2&cursor=${first.next_cursor}` });
        expect(second.statusCode).toBe(200);
        expect(second.json().data).toHaveLength(1);
        for (const name of ['v2', 'v3']) {
          await t.call({ method: 'POST', url: `/api/v1/datasets/${ds}/records`, payload: { records: [{ input: name }] } });
        }
        const versions = (await t.call({ method: 'GET', url: `/api/v1/datasets/${ds}/versions?limit=1` })).json();
        const next = await t.call({ method: 'GET', url: `/api/v1/datasets/${ds}/versions?limit=1&cursor=${versions.next_cursor}` });
        expect(next.statusCode).toBe(200);
        expect(next.json().data).toHaveLength(1);
      });

      it('on Arize (?cursor=) and Datadog (page[cursor])', async () => {
        const ds = await newDataset();
        for (const cursor of FORGED_CURSORS) {
          const arize = await t.call({ method: 'GET', url: `/arize/v2/datasets/${ds}/examples?cursor=${encodeURIComponent(cursor)}` });
          expect({ cursor, status: arize.statusCode }).toEqual({ cursor, status: 400 });
          const arizeList = await t.call({ method: 'GET', url: `/arize/v2/datasets?cursor=${encodeURIComponent(cursor)}` });
          expect({ cursor, status: arizeList.statusCode }).toEqual({ cursor, status: 400 });
        }
        const { path } = await makeDataset(dd);
        for (const cursor of FORGED_CURSORS) {
          const answer = await dd({ method: 'GET', url: `${path}/records?page%5Bcursor%5D=${encodeURIComponent(cursor)}` });
          expect({ cursor, status: answer.statusCode }).toEqual({ cursor, status: 400 });
        }
      });
    });

    describe('item 2: NUL characters are a 400 naming the field, and never stored', () => {
      it('in a body, a query and a path', async () => {
        const before = await count('datasets');
        const body = await t.call({ method: 'POST', url: '/api/v1/datasets', payload: { name: 'a\u0000b' } });
        expect(body.statusCode).toBe(400);
        expect(body.json().errors[0]).toMatchObject({ pointer: '/name' });
        expect(await count('datasets')).toBe(before);
        const key = await t.call({ method: 'POST', url: '/api/v1/datasets', payload: { name: 'k', metadata: { 'a\u0000': 1 } } });
        expect(key.statusCode).toBe(400);
        expect(key.json().errors[0]).toMatchObject({ pointer: '/metadata' });
        const query = await t.call({ method: 'GET', url: '/api/v1/datasets?name=%00' });
        expect(query.statusCode).toBe(400);
        expect(query.json().errors[0]).toMatchObject({ pointer: '/name' });
        const path = await t.call({ method: 'GET', url: '/api/v1/datasets/%00' });
        expect(path.statusCode).toBe(400);
        expect(await count('datasets')).toBe(before);
      });

      it('in record metadata and tags (poison: the filters after it still answer)', async () => {
        const ds = await newDataset();
        const revisions = await count('record_revisions');
        const metadata = await t.call({
          method: 'POST',
          url: `/api/v1/datasets/${ds}/records`,
          payload: { records: [{ input: 'x', metadata: { k: 'a\u0000b' } }] },
        });
        expect(metadata.statusCode).toBe(400);
        expect(metadata.json().errors[0]).toMatchObject({ pointer: '/records/0/metadata/k' });
        const tag = await t.call({ method: 'POST', url: `/api/v1/datasets/${ds}/records`, payload: { records: [{ input: 'x', tags: ['t\u0000'] }] } });
        expect(tag.statusCode).toBe(400);
        expect(await count('record_revisions')).toBe(revisions);
        expect((await t.call({ method: 'GET', url: `/api/v1/datasets/${ds}/records?tag=t` })).statusCode).toBe(200);
        expect((await t.call({ method: 'GET', url: `/api/v1/datasets/${ds}/records?metadata=k%3Da` })).statusCode).toBe(200);
        // A filter whose JSON holds an escaped NUL is refused too, before it reaches SQL.
        const escaped = await t.call({ method: 'GET', url: `/api/v1/datasets/${ds}/records?metadata=${encodeURIComponent('k="a\\u0000b"')}` });
        expect(escaped.statusCode).toBe(400);
      });

      it('in run metadata', async () => {
        const e = await newExperiment(await newDataset());
        const before = await count('runs');
        const run = await t.call({ method: 'POST', url: `/api/v1/experiments/${e}/runs`, payload: { runs: [{ input: 'q', metadata: { 'k\u0000': 1 } }] } });
        expect(run.statusCode).toBe(400);
        expect(await count('runs')).toBe(before);
      });

      it('lone surrogates are refused rather than rewritten (two ids would collide)', async () => {
        const ds = await newDataset();
        const answer = await t.call({
          method: 'POST',
          url: `/api/v1/datasets/${ds}/records`,
          payload: `{"records":[{"input":"q","external_id":"x\\ud800y"}]}`,
          headers: { 'content-type': 'application/json' },
        });
        expect(answer.statusCode).toBe(400);
        expect(answer.json().errors[0]).toMatchObject({ pointer: '/records/0/external_id' });
      });
    });

    describe('item 3: JSON nested 10,000 deep is a 400, never a stack overflow', () => {
      it('in a JSON body, on every surface', async () => {
        const ds = await newDataset();
        const deep = deepText(10_000);
        const native = await t.call({
          method: 'POST',
          url: `/api/v1/datasets/${ds}/records`,
          payload: `{"records":[{"input":${deep}}]}`,
          headers: { 'content-type': 'application/json' },
        });
        expect(native.statusCode).toBe(400);
        expect(native.json().detail).toMatch(/nested deeper than/);
        const arize = await t.call({
          method: 'POST',
          url: `/arize/v2/datasets/${ds}/examples`,
          payload: `{"examples":[{"q":${deep}}]}`,
          headers: { 'content-type': 'application/json' },
        });
        expect(arize.statusCode).toBeGreaterThanOrEqual(400);
        expect(arize.statusCode).toBeLessThan(500);
        const { path } = await makeDataset(dd);
        const datadog = await dd({
          method: 'POST',
          url: `${path}/records`,
          payload: `{"data":{"type":"records","attributes":{"records":[{"input":${deep}}]}}}`,
          headers: { 'content-type': 'application/json' },
        });
        expect(datadog.statusCode).toBe(400);
        const langsmith = await t.call({
          method: 'POST',
          url: '/langsmith/datasets',
          payload: `{"name":"deep","extra":${deep}}`,
          headers: { 'content-type': 'application/json' },
        });
        expect(langsmith.statusCode).toBeGreaterThanOrEqual(400);
        expect(langsmith.statusCode).toBeLessThan(500);
      });

      it('JSON as deep as the limit allows is kept', async () => {
        const ds = await newDataset();
        const answer = await t.call({
          method: 'POST',
          url: `/api/v1/datasets/${ds}/records`,
          payload: `{"records":[{"input":${deepText(90)}}]}`,
          headers: { 'content-type': 'application/json' },
        });
        expect(answer.statusCode).toBe(201);
      });

      it('in JSONL and CSV uploads', async () => {
        const ds = await newDataset();
        const revisions = await count('record_revisions');
        const jsonl = await t.call({
          method: 'POST',
          url: `/api/v1/datasets/${ds}/uploads?format=jsonl`,
          payload: `{"input":"fine"}\n{"input":${deepText(10_000)}}\n`,
          headers: { 'content-type': 'application/x-ndjson' },
        });
        expect(jsonl.statusCode).toBe(400);
        expect(jsonl.json().errors[0]).toMatchObject({ line: 2 });
        const csv = await t.call({
          method: 'POST',
          url: `/api/v1/datasets/${ds}/uploads?format=csv`,
          payload: `input\n"${deepText(10_000).replace(/"/g, '""')}"\n`,
          headers: { 'content-type': 'text/csv' },
        });
        expect(csv.statusCode).toBe(400);
        const nul = await t.call({
          method: 'POST',
          url: `/api/v1/datasets/${ds}/uploads?format=jsonl`,
          payload: '{"input":"a\\u0000b"}\n',
          headers: { 'content-type': 'application/x-ndjson' },
        });
        expect(nul.statusCode).toBe(400);
        expect(await count('record_revisions')).toBe(revisions);
      });
    });
  });
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: hostile numbers`, () => {
    const t = useTestApp(dialect);

    it('item 5: 1e400 in a body or a JSONL line is a 400, not Infinity stored', async () => {
      const created = await t.call({ method: 'POST', url: '/api/v1/datasets', payload: { name: `d-${Math.random()}`, records: [{ input: 'q' }] } });
      const ds = created.json().id as string;
      const body = await t.call({
        method: 'POST',
        url: `/api/v1/datasets/${ds}/records`,
        payload: '{"records":[{"input":"q","metadata":{"a":1e400}}]}',
        headers: { 'content-type': 'application/json' },
      });
      expect(body.statusCode).toBe(400);
      expect(body.json().errors[0]).toMatchObject({ pointer: '/records/0/metadata/a' });
      const line = await t.call({
        method: 'POST',
        url: `/api/v1/datasets/${ds}/uploads?format=jsonl`,
        payload: '{"input":1e400}\n',
        headers: { 'content-type': 'application/x-ndjson' },
      });
      expect(line.statusCode).toBe(400);
      expect((await t.call({ method: 'GET', url: `/api/v1/datasets/${ds}/records` })).statusCode).toBe(200);
    });

    it('item 12: a cost of 64,000 digits and a letter is refused at once (the pattern does not backtrack)', async () => {
      const created = await t.call({ method: 'POST', url: '/api/v1/datasets', payload: { name: `d-${Math.random()}`, records: [{ input: 'q' }] } });
      const e = await t.call({ method: 'POST', url: '/api/v1/experiments', payload: { dataset_id: created.json().id, name: 'stall' } });
      const started = performance.now();
      const answer = await t.call({
        method: 'POST',
        url: `/api/v1/experiments/${e.json().id}/runs`,
        payload: { runs: [{ input: 'q', prompt_cost: `${'1'.repeat(64_000)}x` }] },
      });
      expect(answer.statusCode).toBe(400);
      expect(performance.now() - started).toBeLessThan(500);
    });
  });
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: hostile input, items 4 to 11`, () => {
    const t = useTestApp(dialect);
    const ls = (method: 'GET' | 'POST', url: string, payload?: unknown) =>
      t.call({
        method,
        url: `/langsmith${url}`,
        ...(payload === undefined ? {} : { payload: payload as object }),
        key: null,
        headers: { 'x-api-key': t.adminKey },
      });
    const hl = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: unknown, key = t.adminKey) =>
      t.call({ method, url: `/humanloop${url}`, ...(payload === undefined ? {} : { payload: payload as object }), key: null, headers: { 'x-api-key': key } });
    const newDataset = async () => {
      const created = await t.call({ method: 'POST', url: '/api/v1/datasets', payload: { name: `d-${Math.random()}`, records: [{ input: 'q' }] } });
      expect(created.statusCode).toBe(201);
      return created.json().id as string;
    };
    const newExperiment = async (datasetId: string) => {
      const created = await t.call({ method: 'POST', url: '/api/v1/experiments', payload: { dataset_id: datasetId, name: `e-${Math.random()}` } });
      expect(created.statusCode).toBe(201);
      return created.json().id as string;
    };
    const count = async (table: 'datasets' | 'experiments' | 'record_revisions' | 'runs' | 'scores') => countRows(t.testStore.store.db, table);
    /** The reads the issue found poisoned: they must still answer 200 after whatever was written. */
    const readsStillAnswer = async (experimentId: string) => {
      expect((await t.call({ method: 'GET', url: `/api/v1/experiments/${experimentId}/runs` })).statusCode).toBe(200);
      expect((await t.call({ method: 'POST', url: '/api/v1/comparisons', payload: { experiment_ids: [experimentId] } })).statusCode).toBe(200);
      expect((await ls('GET', `/sessions/${experimentId}?include_stats=true`)).statusCode).toBe(200);
      expect((await t.call({ method: 'GET', url: '/api/v1/datasets' })).statusCode).toBe(200);
      expect((await t.call({ method: 'GET', url: '/api/v1/experiments' })).statusCode).toBe(200);
    };

    it('item 4: an upload with no body, no Content-Type or a JSON body is a 415 in the problem format, never a 500', async () => {
      const ds = await newDataset();
      const revisions = await count('record_revisions');
      const answers = [
        await t.call({ method: 'POST', url: `/api/v1/datasets/${ds}/uploads` }),
        await t.call({ method: 'POST', url: `/api/v1/datasets/${ds}/uploads`, payload: { input: 'q' } }),
        await t.call({
          method: 'POST',
          url: `/api/v1/datasets/${ds}/uploads?format=jsonl`,
          payload: '{"input":"q"}',
          headers: { 'content-type': 'application/json' },
        }),
      ];
      for (const answer of answers) {
        expect(answer.statusCode).toBe(415);
        expect(answer.json()).toMatchObject({ code: 'unsupported_media_type', errors: [{ pointer: '/content-type', in: 'headers' }] });
      }
      expect(await count('record_revisions')).toBe(revisions);
    });

    it('items 5 and 8: measures and scores beyond their bounds are a 400 naming the field on every surface, and the reads after still answer', async () => {
      const ds = await newDataset();
      const e = await newExperiment(ds);
      const record = (await t.call({ method: 'GET', url: `/api/v1/datasets/${ds}/records` })).json().data[0].id as string;
      const [runs, scores] = [await count('runs'), await count('scores')];
      const native = async (run: string) =>
        t.call({
          method: 'POST',
          url: `/api/v1/experiments/${e}/runs`,
          payload: `{"runs":[{"record_id":"${record}",${run}}]}`,
          headers: { 'content-type': 'application/json' },
        });
      for (const [field, value] of [
        ['latency_ms', '1e308'],
        ['latency_ms', '-5'],
        ['first_token_ms', '1e300'],
        ['prompt_tokens', '1e308'],
        ['completion_tokens', '1.5'],
        ['total_tokens', '9007199254740993'],
        ['prompt_cost', '"1000000"'],
        ['total_cost', '-1e6'],
      ] as const) {
        const answer = await native(`"${field}":${value}`);
        expect({ field, value, status: answer.statusCode }).toEqual({ field, value, status: 400 });
        expect(answer.json().errors[0].pointer).toBe(`/runs/0/${field}`);
      }
      const score = await native('"scores":[{"key":"s","score":1e308}]');
      expect(score.statusCode).toBe(400);
      expect(score.json().errors[0].pointer).toBe('/runs/0/scores/0/score');
      // What a run can hold still goes in: the bounds are far beyond any real value.
      expect(
        (await native('"latency_ms":120000.5,"prompt_tokens":1000000,"completion_tokens":2,"prompt_cost":"999.5","scores":[{"key":"s","score":1e12}]'))
          .statusCode,
      ).toBe(201);
      expect([await count('runs'), await count('scores')]).toEqual([runs + 1, scores + 1]);
      const run = (await t.call({ method: 'GET', url: `/api/v1/experiments/${e}/runs` })).json().data[0].id as string;
      // The same bounds on the vendor surfaces: LangSmith feedback, Humanloop v4 duration and v5 tokens.
      const feedback = await ls('POST', '/feedback', { run_id: run, key: 'k', score: 1e308 });
      expect(feedback.statusCode).toBe(422);
      const v4 = await hl('POST', '/v4/logs', { project: 'p', output: 'x', duration: 1e306 });
      expect(v4.statusCode).toBe(422);
      const v5 = await hl('POST', '/v5/prompts/log', { path: 'p', output: 'x', prompt_tokens: 1e308 });
      expect(v5.statusCode).toBe(422);
      expect(JSON.stringify(v5.json())).toMatch(/prompt_tokens/);
      expect(await count('scores')).toBe(scores + 1);
      await readsStillAnswer(e);
    });

    it('item 6: one length limit per field on every way in, and presenters that do not fail on longer stored text', async () => {
      const before = [await count('datasets'), await count('experiments')];
      const long = 'y'.repeat(10_001);
      expect((await ls('POST', '/datasets', { name: `x-${Math.random()}`, description: long })).statusCode).toBe(422);
      expect((await ls('POST', '/sessions', { name: `s-${Math.random()}`, description: long })).statusCode).toBe(422);
      expect(
        (await hl('POST', '/v5/datasets', { path: `h-${Math.random()}`, datapoints: [{ inputs: { q: 'a' } }], description: long })).statusCode,
      ).toBeLessThan(500);
      const native = await t.call({ method: 'POST', url: '/api/v1/datasets', payload: { name: 'n', description: long } });
      expect(native.statusCode).toBe(400);
      expect([await count('datasets'), await count('experiments')]).toEqual(before);
      // A description as long as the limit is kept, through LangSmith too.
      expect((await ls('POST', '/datasets', { name: `x-${Math.random()}`, description: 'y'.repeat(10_000) })).statusCode).toBe(200);
      // Text stored before the limit (or by any other way) still reads back.
      const ds = await newDataset();
      const e = await newExperiment(ds);
      await t.testStore.store.db
        .updateTable('datasets')
        .set({ description: 'z'.repeat(20_000) })
        .where('id', '=', ds)
        .execute();
      await t.testStore.store.db
        .updateTable('experiments')
        .set({ description: 'z'.repeat(20_000) })
        .where('id', '=', e)
        .execute();
      expect((await t.call({ method: 'GET', url: `/api/v1/datasets/${ds}` })).statusCode).toBe(200);
      expect((await t.call({ method: 'GET', url: `/api/v1/experiments/${e}` })).statusCode).toBe(200);
      await readsStillAnswer(e);
      // And another field of it can still change.
      expect((await t.call({ method: 'PATCH', url: `/api/v1/datasets/${ds}`, payload: { name: `renamed-${Math.random()}` } })).statusCode).toBe(200);
    });

    it('item 7: huge offsets and pages are a 4xx in the surface format, never a 500', async () => {
      const ds = await newDataset();
      const e = await newExperiment(ds);
      const lists = ['/datasets?', `/examples?dataset=${ds}&`, '/sessions?', `/feedback?session=${e}&`, `/datasets/${ds}/versions?`];
      for (const offset of ['100000000000000000000', '9223372036854775808', 'Infinity', '1e20', '-1']) {
        for (const list of lists) {
          const answer = await ls('GET', `${list}offset=${offset}`);
          expect({ list, offset, status: answer.statusCode }).toEqual({ list, offset, status: 422 });
          expect(answer.json().detail[0].loc).toEqual(['query', 'offset']);
        }
      }
      for (const page of ['1e20', '100000000000000000000', 'Infinity']) {
        for (const list of ['/v5/datasets', '/v5/prompts', '/v4/projects']) {
          const answer = await hl('GET', `${list}?page=${page}`);
          expect({ list, page, status: answer.statusCode }).toEqual({ list, page, status: 422 });
        }
      }
      // Other numeric parameters are held to safe numbers too, on every surface.
      expect((await t.call({ method: 'GET', url: `/api/v1/experiments/${e}/runs?min_latency_ms=Infinity` })).statusCode).toBe(400);
      expect((await ls('GET', '/datasets?offset=0')).statusCode).toBe(200);
    });

    it('item 11: Humanloop v4 DELETE of an unknown or another workspace dataset is a 404', async () => {
      const ds = await newDataset();
      const id = humanloopId('dataset', ds, 'evts');
      const other = await t.services.workspaces.create(`other-${Math.random()}`);
      const datasets = await count('datasets');
      const foreign = await hl('DELETE', `/v4/datasets/${id}`, undefined, other.admin.key);
      expect(foreign.statusCode).toBe(404);
      const unknown = await hl('DELETE', `/v4/datasets/${humanloopId('dataset', randomUUID(), 'evts')}`);
      expect(unknown.statusCode).toBe(404);
      expect((await hl('DELETE', '/v4/datasets/evts_0000000000000000000000')).statusCode).toBe(404);
      expect(await count('datasets')).toBe(datasets);
      expect((await hl('DELETE', `/v4/datasets/${id}`)).statusCode).toBe(200);
    });

    it('minor: JSONL uploads refuse invalid UTF-8 and an empty file, as CSV uploads do', async () => {
      const ds = await newDataset();
      const revisions = await count('record_revisions');
      const invalid = await t.call({
        method: 'POST',
        url: `/api/v1/datasets/${ds}/uploads`,
        payload: Buffer.concat([Buffer.from('{"input":"ok"}\n{"input":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}\n')]),
        headers: { 'content-type': 'application/x-ndjson' },
      });
      expect(invalid.statusCode).toBe(400);
      expect(invalid.json().errors[0]).toMatchObject({ in: 'line', line: 2 });
      for (const payload of ['', '\n\n']) {
        const empty = await t.call({ method: 'POST', url: `/api/v1/datasets/${ds}/uploads`, payload, headers: { 'content-type': 'application/x-ndjson' } });
        expect(empty.statusCode).toBe(400);
        expect(empty.json().detail).toMatch(/empty/);
      }
      expect(await count('record_revisions')).toBe(revisions);
    });
  });
}
