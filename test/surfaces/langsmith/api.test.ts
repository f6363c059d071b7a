import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { useTestApp } from '../../support/app.js';
import { DIALECTS } from '../../support/databases.js';

/**
 * The LangSmith surface over HTTP, request by request: what the SDK test (sdk.test.ts) does not reach,
 * and bad input, answered as LangSmith answers it and leaving nothing written.
 */

const LS = '/langsmith';

/** A multipart/form-data body as the SDK builds one: JSON parts with a `length` parameter, or raw bytes. */
function multipart(parts: { name: string; json?: unknown; raw?: string; type?: string; filename?: string }[]) {
  const boundary = `----LangSmithFormBoundary${randomUUID().slice(0, 8)}`;
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const data = Buffer.from(part.raw ?? JSON.stringify(part.json));
    const disposition = `form-data; name="${part.name}"${part.filename ? `; filename="${part.filename}"` : ''}`;
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\nContent-Type: ${part.type ?? `application/json; length=${data.length}`}\r\n\r\n`), data, Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: LangSmith surface routes`, () => {
    const t = useTestApp(dialect);
    const ls = (method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, payload?: unknown, key?: string | null) =>
      t.call({ method, url: `${LS}${url}`, ...(payload === undefined ? {} : { payload: payload as object }), key: null, headers: key === null ? {} : { 'x-api-key': key ?? t.adminKey } });
    const ok = async (method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, payload?: unknown, status = 200) => {
      const response = await ls(method, url, payload);
      expect(response.statusCode, response.body).toBe(status);
      return response.json();
    };
    const postMultipart = (url: string, parts: Parameters<typeof multipart>[0], method: 'POST' | 'PATCH' = 'POST') =>
      t.call({ method, url: `${LS}${url}`, ...multipart(parts), key: t.adminKey });
    /** How many rows the tables a run request writes to hold. */
    const counts = async () => {
      const count = async (table: 'runs' | 'experiments' | 'scores' | 'deferred_run_changes') =>
        Number((await t.services.store.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
      return { runs: await count('runs'), experiments: await count('experiments'), scores: await count('scores'), deferred: await count('deferred_run_changes') };
    };
    const makeDataset = async (name: string) => ok('POST', '/datasets', { name, description: 'd', extra: { source: 'sdk', metadata: { team: 'a' } } });

    it('answers /info without a key, and 401 {"detail"} for a missing or wrong key', async () => {
      const info = await ls('GET', '/info', undefined, null);
      expect(info.statusCode).toBe(200);
      expect(info.json()).toMatchObject({ batch_ingest_config: { use_multipart_endpoint: true }, instance_flags: { dataset_examples_multipart_enabled: true } });
      expect((await t.call({ method: 'GET', url: '/langsmith/api/v1/info', key: null })).statusCode).toBe(200);
      for (const key of [null, 'es_not_a_key']) {
        const response = await ls('GET', '/datasets', undefined, key);
        expect(response.statusCode).toBe(401);
        expect(response.json()).toEqual({ detail: 'Invalid token' });
      }
      const readKey = (await t.services.keys.create(t.workspaceId, { name: 'reader', role: 'read' })).key;
      const refused = await ls('POST', '/datasets', { name: 'nope' }, readKey);
      expect(refused.statusCode).toBe(403);
      expect(refused.json()).toEqual({ detail: expect.any(String) });
    });

    it('creates, finds, lists, updates and deletes datasets; refuses duplicates, unknown fields and what it cannot keep', async () => {
      const dataset = await makeDataset('routes-ds');
      expect(dataset).toMatchObject({ name: 'routes-ds', metadata: { team: 'a' }, data_type: 'kv', example_count: 0, session_count: 0, tenant_id: t.workspaceId });
      expect((await ls('POST', '/datasets', { name: 'routes-ds' })).statusCode).toBe(409);
      const unknown = await ls('POST', '/datasets', { name: 'x', expected_output: 1 });
      expect(unknown.statusCode).toBe(422);
      expect(unknown.json().detail).toEqual([{ loc: ['body', 'expected_output'], msg: 'Extra inputs are not permitted', type: 'extra_forbidden' }]);
      const chat = await ls('POST', '/datasets', { name: 'chat', data_type: 'chat' });
      expect(chat.statusCode).toBe(422);
      expect(chat.json().detail[0].loc).toEqual(['body', 'data_type']);

      expect(await ok('GET', `/datasets?limit=1&name=routes-ds`)).toEqual([dataset]);
      expect(await ok('GET', `/datasets?name_contains=utes-d&metadata=${encodeURIComponent('{"team":"a"}')}`)).toHaveLength(1);
      expect(await ok('GET', `/datasets?metadata=${encodeURIComponent('{"team":"b"}')}`)).toHaveLength(0);
      expect((await ls('GET', '/datasets?metadata=notjson')).json().detail[0].loc).toEqual(['query', 'metadata']);
      expect(await ok('GET', `/datasets/${dataset.id}?limit=1`)).toEqual(dataset);
      const renamed = await ok('PATCH', `/datasets/${dataset.id}`, { name: 'routes-ds-2', description: null });
      expect(renamed).toMatchObject({ name: 'routes-ds-2', description: 'd' });

      const missing = await ls('GET', `/datasets/${randomUUID()}`);
      expect(missing.statusCode).toBe(404);
      expect(missing.json()).toEqual({ detail: expect.stringContaining('not found') });
      const other = await t.services.workspaces.create('other-ws');
      const otherKey = other.admin.key;
      expect((await ls('GET', `/datasets/${dataset.id}`, undefined, otherKey)).statusCode).toBe(404);
      expect((await ls('DELETE', `/datasets/${dataset.id}`, undefined, otherKey)).statusCode).toBe(404);

      await ok('DELETE', `/datasets/${dataset.id}`);
      expect((await ls('GET', `/datasets/${dataset.id}`)).statusCode).toBe(404);
    });

    it('writes examples through multipart parts, as one version each request, and refuses bad parts writing nothing', async () => {
      const dataset = await makeDataset('examples-ds');
      const [a, b] = [randomUUID(), randomUUID()];
      const bad = await postMultipart(`/v1/platform/datasets/${dataset.id}/examples`, [
        { name: a, json: {}, filename: 'blob', type: 'application/json' },
        { name: `${a}.inputs`, json: { q: 1 } },
        { name: b, json: { split: 'train' } },
        { name: `${b}.inputs`, raw: '{not json' },
      ]);
      expect(bad.statusCode).toBe(422);
      expect(bad.json()).toEqual({ error: expect.any(String), details: expect.stringContaining(`${b}.inputs`) });
      const noInputs = await postMultipart(`/v1/platform/datasets/${dataset.id}/examples`, [{ name: a, json: {} }]);
      expect(JSON.parse(noInputs.json().details)[0].loc).toEqual(['body', `${a}.inputs`]);
      const attachment = await postMultipart(`/v1/platform/datasets/${dataset.id}/examples`, [
        { name: a, json: {} },
        { name: `${a}.inputs`, json: { q: 1 } },
        { name: `${a}.attachment.image`, raw: 'bytes', type: 'image/png; length=5' },
      ]);
      expect(attachment.statusCode).toBe(422);
      expect((await ok('GET', `/datasets/${dataset.id}`)).example_count).toBe(0);
      expect(await t.services.versions.list(await t.services.keys.authenticate(t.adminKey), dataset.id)).toMatchObject({ data: [] });

      const created = await postMultipart(`/v1/platform/datasets/${dataset.id}/examples`, [
        { name: a, json: { metadata: { level: 'easy' } }, filename: 'blob', type: 'application/json' },
        { name: `${a}.inputs`, json: { q: 'one' }, filename: 'blob', type: 'application/json' },
        { name: `${a}.outputs`, json: { answer: 1 }, filename: 'blob', type: 'application/json' },
        { name: b, json: { split: ['train', 'test'] } },
        { name: `${b}.inputs`, json: { q: 'two' } },
      ]);
      expect(created.statusCode, created.body).toBe(201);
      const first = created.json();
      expect(first).toMatchObject({ example_ids: [a, b], count: 2, as_of: expect.stringMatching(/\+00:00$/) });
      expect(await ok('GET', `/examples/${a}`)).toMatchObject({ id: a, dataset_id: dataset.id, inputs: { q: 'one' }, outputs: { answer: 1 }, metadata: { level: 'easy', dataset_split: ['base'] } });
      expect((await ok('GET', `/examples/${b}`)).metadata).toEqual({ dataset_split: ['train', 'test'] });
      expect((await postMultipart(`/v1/platform/datasets/${dataset.id}/examples`, [{ name: a, json: {} }, { name: `${a}.inputs`, json: {} }])).statusCode).toBe(409);

      const updated = await postMultipart(
        `/v1/platform/datasets/${dataset.id}/examples`,
        [
          { name: a, json: { metadata: { level: 'hard' } } },
          { name: `${a}.outputs`, json: { answer: 2 } },
        ],
        'PATCH',
      );
      expect(updated.statusCode).toBe(201);
      expect(updated.json().as_of > first.as_of).toBe(true);
      expect(await ok('GET', `/examples/${a}`)).toMatchObject({ inputs: { q: 'one' }, outputs: { answer: 2 }, metadata: { level: 'hard', dataset_split: ['base'] } });
      // Reads pinned to the first version see the example as it was.
      const asOf = encodeURIComponent(first.as_of);
      const before = await ok('GET', `/examples?dataset=${dataset.id}&as_of=${asOf}&inline_s3_urls=true&offset=0&limit=100`);
      expect(before.find((e: { id: string }) => e.id === a).outputs).toEqual({ answer: 1 });
      expect((await ok('GET', `/examples?dataset=${dataset.id}&splits=train`)).map((e: { id: string }) => e.id)).toEqual([b]);
      expect(await ok('GET', `/examples?dataset=${dataset.id}&metadata=${encodeURIComponent('{"level":"hard"}')}`)).toHaveLength(1);
      expect(await ok('GET', `/examples?dataset=${dataset.id}&offset=1&limit=1`)).toHaveLength(1);
      expect((await ls('GET', `/examples?dataset=${dataset.id}&filter=${encodeURIComponent('eq(x, 1)')}`)).statusCode).toBe(422);

      // Versions are named by time; tags are their names.
      const versions = await ok('GET', `/datasets/${dataset.id}/versions`);
      expect(versions).toHaveLength(2);
      await ok('PUT', `/datasets/${dataset.id}/tags`, { as_of: first.as_of, tag: 'prod' });
      expect(await ok('GET', `/datasets/${dataset.id}/version?tag=prod`)).toEqual({ as_of: first.as_of, tags: ['prod'] });
      await ok('PUT', `/datasets/${dataset.id}/tags`, { as_of: updated.json().as_of, tag: 'prod' });
      expect(await ok('GET', `/datasets/${dataset.id}/version?as_of=${asOf}`)).toEqual({ as_of: first.as_of, tags: null });
      expect((await ok('GET', `/examples?dataset=${dataset.id}&as_of=prod`)).find((e: { id: string }) => e.id === a).outputs).toEqual({ answer: 2 });
      expect(await ok('GET', `/datasets/${dataset.id}/versions/diff?from_version=${asOf}&to_version=latest`)).toEqual({ examples_modified: [a], examples_added: [], examples_removed: [] });

      expect(await ok('GET', `/datasets/${dataset.id}/splits`)).toEqual(['base', 'test', 'train']);
      await ok('PATCH', `/v1/platform/datasets/${dataset.id}/examples/metadata`, { example_ids: [a], operations: [{ key: 'dataset_split', operation: 'array_add', values: ['train'] }] });
      await ok('PUT', `/datasets/${dataset.id}/splits`, { split_name: 'test', examples: [b], remove: true });
      expect((await ok('GET', `/examples?dataset=${dataset.id}&splits=train`)).map((e: { id: string }) => e.id).sort()).toEqual([a, b].sort());
      expect((await ok('GET', `/examples/${b}`)).metadata.dataset_split).toEqual(['train']);
    });

    it('serves the JSON example routes other clients use', async () => {
      const one = await makeDataset('json-ds');
      const two = await makeDataset('json-ds-2');
      const example = await ok('POST', '/examples', { dataset_id: one.id, inputs: { q: 'x' }, outputs: { a: 'y' }, split: 'dev', metadata: { m: 1 } });
      expect(example).toMatchObject({ dataset_id: one.id, inputs: { q: 'x' }, outputs: { a: 'y' }, metadata: { m: 1, dataset_split: ['dev'] } });
      const bulk = await ok('POST', '/examples/bulk', [
        { dataset_id: one.id, inputs: { q: 'p' } },
        { dataset_id: one.id, inputs: { q: 'r' }, outputs: { a: 's' } },
      ]);
      expect(bulk).toHaveLength(2);
      const mixed = await ls('POST', '/examples/bulk', [
        { dataset_id: one.id, inputs: { q: 'p' } },
        { dataset_id: two.id, inputs: { q: 'r' } },
      ]);
      expect(mixed.statusCode).toBe(422);
      expect(mixed.json().detail[0].loc).toEqual(['body', 1, 'dataset_id']);
      expect(await ok('PATCH', `/examples/${example.id}`, { outputs: { a: 'z' } })).toMatchObject({ inputs: { q: 'x' }, outputs: { a: 'z' } });
      await ok('PATCH', '/examples/bulk', bulk.map((e: { id: string }) => ({ id: e.id, metadata: { seen: true } })));
      expect((await ok('GET', `/examples?dataset=${one.id}&metadata=${encodeURIComponent('{"seen":true}')}`)).length).toBe(2);
      await ok('DELETE', `/examples/${example.id}`);
      expect((await ls('GET', `/examples/${example.id}`)).statusCode).toBe(404);
      await ok('DELETE', `/examples?example_ids=${bulk[0].id}&example_ids=${bulk[1].id}`);
      expect((await ok('GET', `/datasets/${one.id}`)).example_count).toBe(0);
      expect((await ls('DELETE', `/examples/${randomUUID()}`)).statusCode).toBe(404);
    });

    it('creates sessions (409 on a name taken, unless upsert), reads and lists them, and treats nulls in updates as unchanged', async () => {
      const dataset = await makeDataset('sessions-ds');
      const session = await ok('POST', '/sessions', { name: 'exp-1', description: 'first', extra: { metadata: { model: 'm' } }, reference_dataset_id: dataset.id, num_examples: 2, evaluator_keys: ['c'] });
      expect(session).toMatchObject({ name: 'exp-1', description: 'first', reference_dataset_id: dataset.id, extra: { metadata: { model: 'm' } }, tenant_id: t.workspaceId, test_run_number: 1 });
      const duplicate = await ls('POST', '/sessions', { name: 'exp-1' });
      expect(duplicate.statusCode).toBe(409);
      expect(duplicate.json()).toEqual({ detail: expect.any(String) });
      expect((await ok('POST', '/sessions?upsert=true', { name: 'exp-1', extra: {} })).id).toBe(session.id);
      expect((await ls('POST', '/sessions', { name: 'exp-2', extra: { other: 1 } })).json().detail[0].loc).toEqual(['body', 'extra', 'other']);
      expect((await ls('POST', '/sessions', { name: 'exp-2', reference_dataset_id: randomUUID() })).statusCode).toBe(404);

      const patched = await ok('PATCH', `/sessions/${session.id}`, { name: null, description: null, extra: { metadata: { model: 'm', dataset_version: 'v' } }, end_time: null });
      expect(patched).toMatchObject({ name: 'exp-1', description: 'first', extra: { metadata: { model: 'm', dataset_version: 'v' } }, end_time: null });
      expect(await ok('GET', `/sessions?name=exp-1&include_stats=true`)).toEqual([expect.objectContaining({ id: session.id, run_count: 0, session_feedback_stats: {} })]);
      expect((await ok('GET', `/sessions?reference_dataset=${dataset.id}`)).map((s: { id: string }) => s.id)).toEqual([session.id]);
      expect(await ok('GET', '/sessions?reference_free=true&name=exp-1')).toEqual([]);
      expect(await ok('GET', '/sessions?limit=1&offset=0')).toHaveLength(1);
      expect((await ok('GET', `/sessions/${session.id}?include_stats=true`)).feedback_stats).toEqual({});
      expect((await ls('GET', `/sessions/${randomUUID()}`)).statusCode).toBe(404);
      await ok('DELETE', `/sessions/${session.id}`);
      expect((await ls('GET', `/sessions/${session.id}`)).statusCode).toBe(404);
    });

    it('takes runs with ISO and epoch times, patches before posts, feedback before runs, and attachments', async () => {
      const dataset = await makeDataset('runs-ds');
      const exampleId = randomUUID();
      await postMultipart(`/v1/platform/datasets/${dataset.id}/examples`, [{ name: exampleId, json: {} }, { name: `${exampleId}.inputs`, json: { q: 'hi' } }, { name: `${exampleId}.outputs`, json: { a: 'yo' } }]);
      const session = await ok('POST', '/sessions', { name: 'runs-exp', reference_dataset_id: dataset.id });
      const [root, child, early] = [randomUUID(), randomUUID(), randomUUID()];

      // The end of the root run and feedback on it come first; the run itself later.
      await ok('PATCH', `/runs/${root}`, { end_time: 1795428164045, outputs: { a: 'yo' }, trace_id: root, dotted_order: `x${root}` }, 202);
      const feedback = await ok('POST', '/feedback', { id: early, run_id: root, key: 'correct', score: true, feedback_source: { type: 'model', metadata: {} } });
      expect(feedback).toMatchObject({ id: early, run_id: root, key: 'correct', score: 1 });
      await ok('POST', '/runs', { id: root, name: 'target', run_type: 'chain', session_name: 'runs-exp', reference_example_id: exampleId, start_time: '2026-11-23T10:02:44.041001Z', inputs: { q: 'hi' }, extra: { metadata: { m: 1 }, runtime: { sdk: 'x' } }, trace_id: root, tags: ['t'] }, 202);
      await ok(
        'POST',
        '/runs/batch',
        { post: [{ id: child, name: 'llm', run_type: 'llm', parent_run_id: root, trace_id: root, session_id: session.id, start_time: 1795428164.042, end_time: '2026-11-23T10:02:44.044', outputs: { usage_metadata: { input_tokens: 5, output_tokens: 2 } }, events: [{ name: 'new_token', time: '2026-11-23T10:02:44.043Z' }] }], patch: [] },
        202,
      );

      const run = await ok('GET', `/runs/${root}`);
      expect(run).toMatchObject({
        id: root,
        session_id: session.id,
        reference_example_id: exampleId,
        status: 'success',
        start_time: '2026-11-23T10:02:44.041000+00:00',
        end_time: '2026-11-23T10:02:44.045000+00:00',
        outputs: { a: 'yo' },
        extra: { metadata: { m: 1 }, runtime: { sdk: 'x' } },
        tags: ['t'],
        feedback_stats: { correct: { n: 1, avg: 1 } },
      });
      const actor = await t.services.keys.authenticate(t.adminKey);
      const native = await t.services.runs.get(actor, root);
      expect(native).toMatchObject({ record_id: exampleId, latency_ms: 4, repetition: 1, metadata: { m: 1 } });
      expect(await t.services.runs.get(actor, child)).toMatchObject({ parent_run_id: root, trace_id: root, prompt_tokens: 5, completion_tokens: 2, total_tokens: 7, first_token_ms: 1, latency_ms: 2 });
      const [score] = (await t.services.scores.list(actor, session.id)).data;
      expect(score).toMatchObject({ id: early, run_id: root, key: 'correct', score: 1, source: 'model' });

      const query = await ok('POST', '/runs/query', { session: [session.id], is_root: true, select: ['id'] });
      expect(query).toEqual({ runs: [expect.objectContaining({ id: root })], cursors: { next: null } });
      expect((await ok('POST', '/runs/query', { trace: root, is_root: false })).runs.map((r: { id: string }) => r.id)).toEqual([child]);
      expect((await ok('POST', '/runs/query', { id: [child], select: ['id'] })).runs[0]).toMatchObject({ parent_run_ids: [root], first_token_time: '2026-11-23T10:02:44.043000+00:00' });
      expect((await ls('POST', '/runs/query', { session: [session.id], filter: 'eq(name, "x")' })).statusCode).toBe(422);
      // Times as epoch seconds, as ISO strings.
      expect((await ok('POST', '/runs/query', { session: [session.id], is_root: true, start_time: 1795428164 })).runs).toHaveLength(1);
      expect((await ok('POST', '/runs/query', { session: [session.id], start_time: '2027-01-01T00:00:00Z' })).runs).toEqual([]);

      // Multipart: a post, its attachment, a patch of a run sent later, and feedback, in one body.
      const [traced, later] = [randomUUID(), randomUUID()];
      const body = await postMultipart('/runs/multipart', [
        { name: `post.${traced}`, json: { id: traced, name: 'log', run_type: 'tool', session_name: 'my-stream', start_time: '2026-11-23T10:00:00Z', trace_id: traced, dotted_order: `20261123T100000000000Z${traced}`, reference_example_id: exampleId } },
        { name: `post.${traced}.inputs`, json: { x: 1 } },
        { name: `attachment.${traced}.image`, raw: 'PNG!', type: 'image/png; length=4' },
        { name: `patch.${later}`, json: { id: later, trace_id: later, dotted_order: `x${later}`, end_time: '2026-11-23T10:00:02Z' } },
        { name: `patch.${later}.outputs`, json: { done: true } },
        { name: `feedback.${randomUUID()}`, json: { run_id: traced, trace_id: traced, key: 'ok', value: 'fine' } },
      ]);
      expect(body.statusCode, body.body).toBe(202);
      const logged = await ok('GET', `/runs/${traced}`);
      expect(logged).toMatchObject({ status: 'pending', inputs: { x: 1 }, attachments: { image: { mime_type: 'image/png', data: Buffer.from('PNG!').toString('base64') } }, reference_example_id: exampleId, feedback_stats: { ok: { n: 0, values: { fine: 1 } } } });
      const stream = await t.services.experiments.get(actor, logged.session_id);
      expect(stream).toMatchObject({ name: 'my-stream', dataset_id: null, source: 'langsmith' });
      await ok('POST', '/runs', { id: later, name: 'late', session_name: 'my-stream', start_time: '2026-11-23T10:00:00Z' }, 202);
      expect(await ok('GET', `/runs/${later}`)).toMatchObject({ status: 'success', outputs: { done: true }, end_time: '2026-11-23T10:00:02+00:00' });
      // Posting a run again changes nothing (the SDK retries).
      await ok('POST', '/runs', { id: later, name: 'late', session_name: 'my-stream', start_time: '2026-11-23T10:00:00Z' }, 202);
      expect((await t.services.runs.list(actor, stream.id)).data).toHaveLength(2);
    });

    it('never loses a change or feedback sent at the same moment as its run', async () => {
      const before = await counts();
      const ids = Array.from({ length: 40 }, () => randomUUID());
      await Promise.all(
        ids.flatMap((id) => [
          ls('POST', '/runs', { id, session_name: 'racing', start_time: '2026-01-01T00:00:00Z', trace_id: id }),
          ls('PATCH', `/runs/${id}`, { end_time: '2026-01-01T00:00:01Z', outputs: { done: true } }),
          ls('POST', '/feedback', { run_id: id, key: 'raced', score: 1 }),
        ]),
      );
      const after = await counts();
      expect(after.deferred).toBe(before.deferred);
      expect(after.runs - before.runs).toBe(ids.length);
      expect(after.scores - before.scores).toBe(ids.length);
      const actor = await t.services.keys.authenticate(t.adminKey);
      const runs = await t.services.runs.search(actor, { ids });
      expect(runs.data.every((run) => run.status === 'success' && run.latency_ms === 1000)).toBe(true);
    });

    it('refuses bad runs with 422 naming the field, writing nothing of the request', async () => {
      const before = await counts();
      const [good, bad] = [randomUUID(), randomUUID()];
      const batch = await ls('POST', '/runs/batch', {
        post: [
          { id: good, name: 'a', session_name: 'never-made', start_time: '2026-01-01T00:00:00Z' },
          { id: bad, name: 'b', session_name: 'never-made', start_time: 'yesterday' },
        ],
      });
      expect(batch.statusCode).toBe(422);
      expect(JSON.parse(batch.json().details)).toEqual([expect.objectContaining({ loc: ['body', 'post', 1, 'start_time'] })]);
      const parts = await postMultipart('/runs/multipart', [
        { name: `post.${good}`, json: { id: good, session_name: 'never-made', start_time: '2026-01-01T00:00:00Z' } },
        { name: `post.${bad}`, json: { id: bad, session_name: 'never-made', start_time: '2026-01-01T00:00:00Z', end_time: '2025-01-01T00:00:00Z' } },
      ]);
      expect(parts.statusCode).toBe(422);
      expect(JSON.parse(parts.json().details)).toEqual([expect.objectContaining({ loc: ['body', `post.${bad}`, 'end_time'] })]);
      const badPart = await postMultipart('/runs/multipart', [{ name: `post.${good}`, json: { id: good } }, { name: `post.${good}.inputs`, raw: '[1,' }]);
      expect(JSON.parse(badPart.json().details)[0].loc).toEqual(['body', `post.${good}.inputs`]);
      expect((await postMultipart('/runs/multipart', [{ name: 'upload.x', json: {} }])).statusCode).toBe(422);
      expect((await ls('POST', '/runs', { id: good, session_id: randomUUID() })).statusCode).toBe(404);
      const dataset = await makeDataset('bad-runs-ds');
      const session = await ok('POST', '/sessions', { name: 'bad-runs-exp', reference_dataset_id: dataset.id });
      const stranger = await ls('POST', '/runs', { id: good, session_id: session.id, reference_example_id: randomUUID() });
      expect(stranger.statusCode).toBe(422);
      expect(JSON.parse(stranger.json().details)[0].loc).toEqual(['body', 'reference_example_id']);
      expect(await counts()).toEqual({ ...before, experiments: before.experiments + 1 });
      expect((await ok('GET', '/sessions?name=never-made'))).toEqual([]);
    });

    it("answers 404 for another workspace's sessions, runs and feedback, and keeps its own apart", async () => {
      const dataset = await makeDataset('private-ds');
      const session = await ok('POST', '/sessions', { name: 'private-exp', reference_dataset_id: dataset.id });
      const runId = randomUUID();
      await ok('POST', '/runs', { id: runId, session_id: session.id, start_time: '2026-01-01T00:00:00Z' }, 202);
      const feedback = await ok('POST', '/feedback', { run_id: runId, key: 'k', score: 1 });
      const otherKey = (await t.services.workspaces.create('other-ws-2')).admin.key;
      for (const url of [`/sessions/${session.id}`, `/runs/${runId}`, `/feedback/${feedback.id}`, `/examples/${randomUUID()}`]) {
        expect((await ls('GET', url, undefined, otherKey)).statusCode, url).toBe(404);
      }
      expect((await ls('PATCH', `/sessions/${session.id}`, { name: 'taken' }, otherKey)).statusCode).toBe(404);
      expect((await ls('POST', '/runs', { id: randomUUID(), session_id: session.id }, otherKey)).statusCode).toBe(404);
      expect((await ls('POST', '/runs/query', { session: [session.id] }, otherKey)).statusCode).toBe(404);
      expect((await ls('POST', '/feedback', { run_id: null, session_id: session.id, key: 'k' }, otherKey)).statusCode).toBe(404);
      // The other workspace's names are its own: it may have a session of the same name.
      expect((await ls('POST', '/sessions', { name: 'private-exp' }, otherKey)).statusCode).toBe(200);
      expect(await ok('GET', `/sessions?name=private-exp`)).toEqual([expect.objectContaining({ id: session.id })]);
    });

    it('records, reads, lists, updates and deletes feedback; summary feedback is the session\'s own', async () => {
      const dataset = await makeDataset('feedback-ds');
      const session = await ok('POST', '/sessions', { name: 'feedback-exp', reference_dataset_id: dataset.id });
      const summary = await ok('POST', '/feedback', { id: randomUUID(), run_id: null, key: 'accuracy', score: 0.6667, feedback_source: { type: 'api', metadata: {} }, session_id: session.id });
      expect(summary).toMatchObject({ run_id: null, session_id: session.id, key: 'accuracy', score: 0.6667, feedback_source: { type: 'api' } });
      const stats = await ok('GET', `/sessions/${session.id}?include_stats=true`);
      expect(stats.session_feedback_stats).toEqual({ accuracy: expect.objectContaining({ n: 1, avg: 0.6667 }) });
      const revision = async () => (await t.services.store.db.selectFrom('experiments').select('revision').where('id', '=', session.id).executeTakeFirstOrThrow()).revision;
      const at = await revision();
      const patched = await ok('PATCH', `/feedback/${summary.id}`, { score: 0.7, comment: 'checked' });
      expect(patched).toMatchObject({ score: 0.7, comment: 'checked', key: 'accuracy' });
      expect(await revision()).toBe(at + 1);
      expect(await ok('GET', `/feedback/${summary.id}`)).toEqual({ ...patched, modified_at: expect.any(String) });
      expect((await ok('GET', `/feedback?session=${session.id}&level=session`)).map((f: { id: string }) => f.id)).toEqual([summary.id]);
      expect(await ok('GET', `/feedback?session=${session.id}&key=other`)).toEqual([]);
      const missingKey = await ls('POST', '/feedback', { run_id: null, session_id: session.id, score: 1 });
      expect(missingKey.statusCode).toBe(422);
      expect(missingKey.json().detail).toEqual([{ loc: ['body', 'key'], msg: 'Field required', type: 'missing' }]);
      const placeless = await ls('POST', '/feedback', { key: 'x', score: 1 });
      expect(placeless.statusCode).toBe(422);
      expect(placeless.json().detail[0].loc).toEqual(['body', 'session_id']);
      await ok('DELETE', `/feedback/${summary.id}`);
      expect((await ls('GET', `/feedback/${summary.id}`)).statusCode).toBe(404);
      expect(await revision()).toBe(at + 2);
    });
  });
}
