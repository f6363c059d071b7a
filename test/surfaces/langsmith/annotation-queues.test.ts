import { randomUUID } from 'node:crypto';
import { Client } from 'langsmith';
import { describe, expect, it } from 'vitest';
import { useTestServer } from '../../support/app.js';
import { DIALECTS } from '../../support/databases.js';
import { experimentWithRuns, ok } from '../../support/review.js';

/**
 * LangSmith's annotation queue methods of its SDK (0.12.0), unchanged, against a real server: queues
 * made, read, listed, changed and deleted; runs added by id and by key, read by index, counted and
 * removed; feedback on a queued run recorded as a person's score. Checked through the native API.
 */
for (const dialect of DIALECTS) {
  describe(`${dialect}: langsmith 0.12.0 annotation queues`, () => {
    const t = useTestServer(dialect);
    const client = () => new Client({ apiUrl: `${t.url}/langsmith`, apiKey: t.adminKey, autoBatchTracing: false });

    it('creates, reads, lists, updates and deletes queues; their rubric is score configs', async () => {
      const ls = client();
      const queueId = randomUUID();
      const created = await ls.createAnnotationQueue({
        name: 'ls-review',
        description: 'checked by people',
        queueId,
        rubricItems: [
          { feedback_key: 'tone', value_descriptions: { polite: 'Polite', rude: 'Rude' } },
          { feedback_key: 'accuracy', score_descriptions: { '0': 'wrong', '1': 'right' } },
        ],
      });
      expect(created).toMatchObject({ id: queueId, name: 'ls-review', description: 'checked by people', tenant_id: t.workspaceId });
      const read = await ls.readAnnotationQueue(queueId);
      expect(read.rubric_items?.map((item) => item.feedback_key)).toEqual(['tone', 'accuracy']);
      const configs = (await ok(t, 'GET', '/api/v1/score-configs')).data;
      expect(configs.find((c: { name: string }) => c.name === 'tone')).toMatchObject({ type: 'categorical', categories: ['polite', 'rude'] });
      expect(configs.find((c: { name: string }) => c.name === 'accuracy')).toMatchObject({ type: 'numeric', min: 0, max: 1 });
      // A queue without a rubric asks for `score`.
      const plain = await ls.createAnnotationQueue({ name: 'ls-plain' });
      expect((await ls.readAnnotationQueue(plain.id)).rubric_items?.map((item) => item.feedback_key)).toEqual(['score']);

      await ls.updateAnnotationQueue(queueId, { name: 'ls-review-2', description: 'changed', rubricItems: [{ feedback_key: 'tone' }] });
      const updated = await ok(t, 'GET', `/api/v1/annotation-queues/${queueId}`);
      expect(updated).toMatchObject({ name: 'ls-review-2', description: 'changed' });
      expect(updated.score_configs.map((c: { name: string }) => c.name)).toEqual(['tone']);

      const listed = [];
      for await (const queue of ls.listAnnotationQueues({ nameContains: 'ls-' })) listed.push(queue.name);
      expect(listed.sort()).toEqual(['ls-plain', 'ls-review-2']);
      const byId = [];
      for await (const queue of ls.listAnnotationQueues({ queueIds: [plain.id] })) byId.push(queue.id);
      expect(byId).toEqual([plain.id]);
      await ls.deleteAnnotationQueue(plain.id);
      await expect(ls.readAnnotationQueue(plain.id)).rejects.toThrow(/404|not found/i);
    });

    it('adds runs by id and by key, reads them by index, counts and removes them; feedback on them is a human score', async () => {
      const ls = client();
      const { experimentId, runIds } = await experimentWithRuns(t, 4);
      const queue = await ls.createAnnotationQueue({
        name: 'ls-runs',
        rubricItems: [{ feedback_key: 'helpful', score_descriptions: { '0': 'no', '1': 'yes' } }],
      });
      await ls.addRunsToAnnotationQueue(queue.id, runIds.slice(0, 2));
      const run2 = await ok(t, 'GET', `/api/v1/runs/${runIds[2]}`);
      await ls.addRunsToAnnotationQueue(queue.id, [
        { runId: runIds[2]!, sessionId: experimentId, startTime: run2.start_time ?? run2.created_at },
        { runId: runIds[3]!, sessionId: experimentId, startTime: new Date() },
      ]);
      expect(await ls.getSizeFromAnnotationQueue(queue.id)).toEqual({ size: 4 });
      const first = await ls.getRunFromAnnotationQueue(queue.id, 0);
      expect(first.id).toBe(runIds[0]);
      expect(first.added_at).toEqual(expect.any(String));
      expect((await ls.getRunFromAnnotationQueue(queue.id, 3)).id).toBe(runIds[3]);
      await expect(ls.getRunFromAnnotationQueue(queue.id, 4)).rejects.toThrow(/404|not found/i);
      const listed = [];
      for await (const run of ls.listRunsFromAnnotationQueue(queue.id)) listed.push(run.id);
      expect(listed).toEqual(runIds);

      // Feedback made through the SDK on a queued run is a person's score, naming them.
      await ls.createFeedback(runIds[0]!, 'helpful', { score: 1, comment: 'good answer' });
      const scores = (await ok(t, 'GET', `/api/v1/experiments/${experimentId}/scores?run_id=${runIds[0]}`)).data;
      expect(scores).toEqual([
        expect.objectContaining({ key: 'helpful', score: 1, source: 'human', reviewer: expect.objectContaining({ id: expect.any(String) }) }),
      ]);
      // ...and is held to the rubric's config.
      await expect(ls.createFeedback(runIds[1]!, 'helpful', { score: 2 })).rejects.toThrow(/422|score/);
      // A run in no queue keeps the API source.
      const other = await experimentWithRuns(t, 1);
      await ls.createFeedback(other.runIds[0]!, 'helpful', { score: 0 });
      expect((await ok(t, 'GET', `/api/v1/experiments/${other.experimentId}/scores`)).data[0].source).toBe('api');

      // Removed by the queue run's id (or the run's): the queue shrinks.
      await ls.deleteRunFromAnnotationQueue(queue.id, (first as unknown as { queue_run_id: string }).queue_run_id);
      await ls.deleteRunFromAnnotationQueue(queue.id, runIds[1]!);
      expect(await ls.getSizeFromAnnotationQueue(queue.id)).toEqual({ size: 2 });
      // Another workspace's queue is not found.
      const stranger = await t.services.workspaces.create(`ls-other-${Math.random()}`);
      const theirs = new Client({ apiUrl: `${t.url}/langsmith`, apiKey: stranger.admin.key, autoBatchTracing: false });
      await expect(theirs.getSizeFromAnnotationQueue(queue.id)).rejects.toThrow(/404|not found/i);
      await expect(theirs.addRunsToAnnotationQueue(queue.id, [runIds[0]!])).rejects.toThrow(/404|not found/i);
    });
  });
}
