import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { describeLangSmith } from '../helpers.js';

/** LangSmith's feedback (routes/feedback.ts): the scores of runs and sessions. */
describeLangSmith('LangSmith feedback', ({ app, ls, ok, makeDataset }) => {
  it("records, reads, lists, updates and deletes feedback; summary feedback is the session's own", async () => {
    const t = app();
    const dataset = await makeDataset('feedback-ds');
    const session = await ok('POST', '/sessions', { name: 'feedback-exp', reference_dataset_id: dataset.id });
    const summary = await ok('POST', '/feedback', {
      id: randomUUID(),
      run_id: null,
      key: 'accuracy',
      score: 0.6667,
      feedback_source: { type: 'api', metadata: {} },
      session_id: session.id,
    });
    expect(summary).toMatchObject({ run_id: null, session_id: session.id, key: 'accuracy', score: 0.6667, feedback_source: { type: 'api' } });
    const stats = await ok('GET', `/sessions/${session.id}?include_stats=true`);
    expect(stats.session_feedback_stats).toEqual({ accuracy: expect.objectContaining({ n: 1, avg: 0.6667 }) });
    const revision = async () =>
      (await t.services.store.db.selectFrom('experiments').select('revision').where('id', '=', session.id).executeTakeFirstOrThrow()).revision;
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
