import { randomUUID } from 'node:crypto';
import { Client } from 'langsmith';
import { describe, expect, it } from 'vitest';
import { useTestServer } from '../../../support/app.js';
import { DIALECTS } from '../../../support/databases.js';
import { experimentWithRuns, ok, request } from '../../../support/review.js';
import { countRows } from '../../../support/rows.js';

/** Score configs (routes/score-configs.ts): made, listed, changed, and enforced on scores of every surface. */
for (const dialect of DIALECTS) {
  describe(`${dialect}: score configs`, () => {
    const t = useTestServer(dialect);

    it('creates, lists, updates and deletes configs; names are unique; bad configs name their field', async () => {
      const made = await ok(t, 'POST', '/api/v1/score-configs', { name: 'helpful', type: 'numeric', min: 1, max: 5, description: '1 to 5' }, 201);
      expect(made).toMatchObject({ name: 'helpful', type: 'numeric', min: 1, max: 5, categories: null, comment_required: false });
      expect((await request(t, 'POST', '/api/v1/score-configs', { name: 'helpful', type: 'boolean' })).status).toBe(409);
      const bad = [
        [{ name: 'c', type: 'categorical' }, '/categories'],
        [{ name: 'c', type: 'categorical', categories: ['a', 'a'] }, '/categories'],
        [{ name: 'b', type: 'boolean', min: 0 }, '/min'],
        [{ name: 'n', type: 'numeric', min: 3, max: 1 }, '/max'],
        [{ name: 'n', type: 'ordinal' }, '/type'],
      ] as const;
      for (const [body, pointer] of bad) {
        const answer = await request(t, 'POST', '/api/v1/score-configs', body);
        expect(answer.status, JSON.stringify(body)).toBe(400);
        expect(answer.body.errors[0].pointer).toBe(pointer);
      }
      const changed = await ok(t, 'PATCH', `/api/v1/score-configs/${made.id}`, { comment_required: true, max: 10 });
      expect(changed).toMatchObject({ max: 10, comment_required: true, min: 1 });
      expect((await ok(t, 'GET', '/api/v1/score-configs')).data.map((c: { name: string }) => c.name)).toContain('helpful');
      await ok(t, 'DELETE', `/api/v1/score-configs/${made.id}`, undefined, 204);
      expect((await request(t, 'GET', `/api/v1/score-configs/${made.id}`)).status).toBe(404);
    });

    it('refuses scores outside their config on the native API, in runs, and through LangSmith, writing nothing', async () => {
      await ok(t, 'POST', '/api/v1/score-configs', { name: 'quality', type: 'numeric', min: 0, max: 1 }, 201);
      await ok(t, 'POST', '/api/v1/score-configs', { name: 'verdict', type: 'categorical', categories: ['good', 'bad'], comment_required: true }, 201);
      await ok(t, 'POST', '/api/v1/score-configs', { name: 'ok', type: 'boolean' }, 201);
      const { experimentId, runIds, recordIds } = await experimentWithRuns(t, 2);
      const scores = async () => countRows(t.services.store.db, 'scores');
      const before = await scores();
      const cases = [
        [{ run_id: runIds[0], key: 'quality', score: 1.5 }, '/scores/1/score'],
        [{ run_id: runIds[0], key: 'quality', value: 'high' }, '/scores/1/score'],
        [{ run_id: runIds[0], key: 'verdict', value: 'meh', comment: 'why' }, '/scores/1/value'],
        [{ run_id: runIds[0], key: 'verdict', value: 'good' }, '/scores/1/comment'],
        [{ run_id: runIds[0], key: 'ok', score: 0.5 }, '/scores/1/score'],
      ] as const;
      for (const [score, pointer] of cases) {
        const answer = await request(t, 'POST', `/api/v1/experiments/${experimentId}/scores`, {
          scores: [{ run_id: runIds[1], key: 'quality', score: 0.5 }, score],
        });
        expect(answer.status, JSON.stringify(score)).toBe(400);
        expect(answer.body.errors[0].pointer).toBe(pointer);
      }
      expect(await scores()).toBe(before);
      // Scores that fit are recorded; a key with no config is free.
      await ok(
        t,
        'POST',
        `/api/v1/experiments/${experimentId}/scores`,
        {
          scores: [
            { run_id: runIds[0], key: 'quality', score: 1 },
            { run_id: runIds[0], key: 'verdict', value: 'bad', comment: 'wrong' },
            { run_id: runIds[0], key: 'ok', score: true },
            { run_id: runIds[0], key: 'free', score: 42 },
          ],
        },
        201,
      );
      expect(await scores()).toBe(before + 4);

      // Runs appended with their scores.
      const run = await request(t, 'POST', `/api/v1/experiments/${experimentId}/runs`, {
        runs: [{ record_id: recordIds[1], output: 1, scores: [{ key: 'quality', score: -1 }] }],
      });
      expect(run.status).toBe(400);
      expect(run.body.errors[0].pointer).toBe('/runs/0/scores/0/score');
      expect(await scores()).toBe(before + 4);

      // LangSmith's feedback, through its SDK: 422 in FastAPI's format, naming the field.
      const client = new Client({ apiUrl: `${t.url}/langsmith`, apiKey: t.adminKey, autoBatchTracing: false });
      await expect(client.createFeedback(runIds[1]!, 'quality', { score: 3, feedbackId: randomUUID() })).rejects.toThrow(/422|score/);
      const raw = await fetch(`${t.url}/langsmith/feedback`, {
        method: 'POST',
        headers: { 'x-api-key': t.adminKey, 'content-type': 'application/json' },
        body: JSON.stringify({ run_id: runIds[1], key: 'verdict', value: 'meh', comment: 'x' }),
      });
      expect(raw.status).toBe(422);
      expect(JSON.stringify(await raw.json())).toContain('value');
      await client.createFeedback(runIds[1]!, 'quality', { score: 0.25, feedbackId: randomUUID() });
      expect(await scores()).toBe(before + 5);
      // A score changed outside its config is refused too.
      const listed = (await ok(t, 'GET', `/api/v1/experiments/${experimentId}/scores?key=quality&run_id=${runIds[1]}`)).data;
      const patch = await fetch(`${t.url}/langsmith/feedback/${listed[0].id}`, {
        method: 'PATCH',
        headers: { 'x-api-key': t.adminKey, 'content-type': 'application/json' },
        body: JSON.stringify({ score: 7 }),
      });
      expect(patch.status).toBe(422);
    });
  });
}
