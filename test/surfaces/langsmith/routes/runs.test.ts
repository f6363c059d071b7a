import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { describeLangSmith } from '../helpers.js';

/** LangSmith's run ingestion and reads (routes/runs.ts); bad runs answered as its Go routes answer them, writing nothing. */
describeLangSmith('LangSmith runs', ({ app, ls, ok, postMultipart, counts, makeDataset, goDetails }) => {
  it('takes runs with ISO and epoch times, patches before posts, feedback before runs, and attachments', async () => {
    const t = app();
    const dataset = await makeDataset('runs-ds');
    const exampleId = randomUUID();
    await postMultipart(`/v1/platform/datasets/${dataset.id}/examples`, [
      { name: exampleId, json: {} },
      { name: `${exampleId}.inputs`, json: { q: 'hi' } },
      { name: `${exampleId}.outputs`, json: { a: 'yo' } },
    ]);
    const session = await ok('POST', '/sessions', { name: 'runs-exp', reference_dataset_id: dataset.id });
    const [root, child, early] = [randomUUID(), randomUUID(), randomUUID()];

    // The end of the root run and feedback on it come first; the run itself later.
    await ok('PATCH', `/runs/${root}`, { end_time: 1795428164045, outputs: { a: 'yo' }, trace_id: root, dotted_order: `x${root}` }, 202);
    const feedback = await ok('POST', '/feedback', { id: early, run_id: root, key: 'correct', score: true, feedback_source: { type: 'model', metadata: {} } });
    expect(feedback).toMatchObject({ id: early, run_id: root, key: 'correct', score: 1 });
    await ok(
      'POST',
      '/runs',
      {
        id: root,
        name: 'target',
        run_type: 'chain',
        session_name: 'runs-exp',
        reference_example_id: exampleId,
        start_time: '2026-11-23T10:02:44.041001Z',
        inputs: { q: 'hi' },
        extra: { metadata: { m: 1 }, runtime: { sdk: 'x' } },
        trace_id: root,
        tags: ['t'],
      },
      202,
    );
    await ok(
      'POST',
      '/runs/batch',
      {
        post: [
          {
            id: child,
            name: 'llm',
            run_type: 'llm',
            parent_run_id: root,
            trace_id: root,
            session_id: session.id,
            start_time: 1795428164.042,
            end_time: '2026-11-23T10:02:44.044',
            outputs: { usage_metadata: { input_tokens: 5, output_tokens: 2 } },
            events: [{ name: 'new_token', time: '2026-11-23T10:02:44.043Z' }],
          },
        ],
        patch: [],
      },
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
    expect(await t.services.runs.get(actor, child)).toMatchObject({
      parent_run_id: root,
      trace_id: root,
      prompt_tokens: 5,
      completion_tokens: 2,
      total_tokens: 7,
      first_token_ms: 1,
      latency_ms: 2,
    });
    const [score] = (await t.services.scores.list(actor, session.id)).data;
    expect(score).toMatchObject({ id: early, run_id: root, key: 'correct', score: 1, source: 'model' });

    const query = await ok('POST', '/runs/query', { session: [session.id], is_root: true, select: ['id'] });
    expect(query).toEqual({ runs: [expect.objectContaining({ id: root })], cursors: { next: null } });
    expect((await ok('POST', '/runs/query', { trace: root, is_root: false })).runs.map((r: { id: string }) => r.id)).toEqual([child]);
    expect((await ok('POST', '/runs/query', { id: [child], select: ['id'] })).runs[0]).toMatchObject({
      parent_run_ids: [root],
      first_token_time: '2026-11-23T10:02:44.043000+00:00',
    });
    expect((await ok('POST', '/runs/query', { session: [session.id], filter: 'eq(name, "x")' })).runs).toEqual([]);
    expect((await ls('POST', '/runs/query', { session: [session.id], search_filter: 'x' })).statusCode).toBe(422);
    // Times as epoch seconds, as ISO strings.
    expect((await ok('POST', '/runs/query', { session: [session.id], is_root: true, start_time: 1795428164 })).runs).toHaveLength(1);
    expect((await ok('POST', '/runs/query', { session: [session.id], start_time: '2027-01-01T00:00:00Z' })).runs).toEqual([]);

    // Multipart: a post, its attachment, a patch of a run sent later, and feedback, in one body.
    const [traced, later] = [randomUUID(), randomUUID()];
    const body = await postMultipart('/runs/multipart', [
      {
        name: `post.${traced}`,
        json: {
          id: traced,
          name: 'log',
          run_type: 'tool',
          session_name: 'my-stream',
          start_time: '2026-11-23T10:00:00Z',
          trace_id: traced,
          dotted_order: `20261123T100000000000Z${traced}`,
          reference_example_id: exampleId,
        },
      },
      { name: `post.${traced}.inputs`, json: { x: 1 } },
      { name: `attachment.${traced}.image`, raw: 'PNG!', type: 'image/png; length=4' },
      { name: `patch.${later}`, json: { id: later, trace_id: later, dotted_order: `x${later}`, end_time: '2026-11-23T10:00:02Z' } },
      { name: `patch.${later}.outputs`, json: { done: true } },
      { name: `feedback.${randomUUID()}`, json: { run_id: traced, trace_id: traced, key: 'ok', value: 'fine' } },
    ]);
    expect(body.statusCode, body.body).toBe(202);
    const logged = await ok('GET', `/runs/${traced}`);
    expect(logged).toMatchObject({
      status: 'pending',
      inputs: { x: 1 },
      attachments: { image: { mime_type: 'image/png', data: Buffer.from('PNG!').toString('base64') } },
      reference_example_id: exampleId,
      feedback_stats: { ok: { n: 0, values: { fine: 1 } } },
    });
    const stream = await t.services.experiments.get(actor, logged.session_id);
    expect(stream).toMatchObject({ name: 'my-stream', dataset_id: null, source: 'langsmith' });
    await ok('POST', '/runs', { id: later, name: 'late', session_name: 'my-stream', start_time: '2026-11-23T10:00:00Z' }, 202);
    expect(await ok('GET', `/runs/${later}`)).toMatchObject({ status: 'success', outputs: { done: true }, end_time: '2026-11-23T10:00:02+00:00' });
    // Posting a run again changes nothing (the SDK retries).
    await ok('POST', '/runs', { id: later, name: 'late', session_name: 'my-stream', start_time: '2026-11-23T10:00:00Z' }, 202);
    expect((await t.services.runs.list(actor, stream.id)).data).toHaveLength(2);
  });
  it('never loses a change or feedback sent at the same moment as its run', async () => {
    const t = app();
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
    const badPart = await postMultipart('/runs/multipart', [
      { name: `post.${good}`, json: { id: good } },
      { name: `post.${good}.inputs`, raw: '[1,' },
    ]);
    expect(JSON.parse(badPart.json().details)[0].loc).toEqual(['body', `post.${good}.inputs`]);
    expect((await postMultipart('/runs/multipart', [{ name: 'upload.x', json: {} }])).statusCode).toBe(422);
    expect((await ls('POST', '/runs', { id: good, session_id: randomUUID() })).statusCode).toBe(404);
    const dataset = await makeDataset('bad-runs-ds');
    const session = await ok('POST', '/sessions', { name: 'bad-runs-exp', reference_dataset_id: dataset.id });
    const stranger = await ls('POST', '/runs', { id: good, session_id: session.id, reference_example_id: randomUUID() });
    expect(stranger.statusCode).toBe(422);
    expect(JSON.parse(stranger.json().details)[0].loc).toEqual(['body', 'reference_example_id']);
    expect(await counts()).toEqual({ ...before, experiments: before.experiments + 1 });
    expect(await ok('GET', '/sessions?name=never-made')).toEqual([]);
  });

  it('names, as each ingest route took them, the runs and feedback a service finds at fault', async () => {
    const [first, second, traced] = [randomUUID(), randomUUID(), randomUUID()];
    const start = '2026-01-01T00:00:00Z';
    const early = '2025-12-31T00:00:00Z';
    const batch = await ls('POST', '/runs/batch', {
      post: [
        { id: first, session_name: 'restated', start_time: start },
        { id: second, session_name: 'restated', start_time: start, end_time: early },
      ],
    });
    expect(batch.statusCode).toBe(422);
    expect(goDetails(batch)).toEqual([expect.objectContaining({ loc: ['body', 'post', 1, 'end_time'] })]);
    expect(batch.json().error).toContain('/post/1/end_time');
    await ok('POST', '/runs', { id: first, session_name: 'restated', start_time: start }, 202);
    const patched = await ls('POST', '/runs/batch', { patch: [{ id: first, end_time: early }] });
    expect(goDetails(patched)).toEqual([expect.objectContaining({ loc: ['body', 'patch', 0, 'end_time'] })]);
    const single = await ls('PATCH', `/runs/${first}`, { end_time: early });
    expect(single.statusCode).toBe(422);
    expect(goDetails(single)).toEqual([expect.objectContaining({ loc: ['body', 'end_time'] })]);
    const unnamed = await ls('POST', '/runs', { id: second, session_name: '', start_time: start });
    expect(unnamed.statusCode).toBe(422);
    expect(goDetails(unnamed)).toEqual([expect.objectContaining({ loc: ['body', 'session_name'] })]);

    const other = await ok('POST', '/sessions', { name: 'restated-other' });
    const feedbackPart = `feedback.${randomUUID()}`;
    const misplaced = await postMultipart('/runs/multipart', [
      { name: `post.${traced}`, json: { id: traced, session_name: 'restated', start_time: start } },
      { name: feedbackPart, json: { run_id: traced, session_id: other.id, key: 'k', score: 1 } },
    ]);
    expect(misplaced.statusCode).toBe(422);
    expect(goDetails(misplaced)).toEqual([expect.objectContaining({ loc: ['body', feedbackPart, 'session_id'] })]);
    expect((await ls('GET', `/runs/${traced}`)).statusCode).toBe(404);
  });
});
