import { setTimeout as sleep } from 'node:timers/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestServer } from '../../../support/app.js';
import { DIALECTS } from '../../../support/databases.js';
import { experimentWithRuns, ok, request } from '../../../support/review.js';
import { countRows } from '../../../support/rows.js';

/**
 * Annotation queues (routes/annotation-queues.ts) over real HTTP: items added by id and by filters,
 * leases served to reviewers at once, reviews written as human scores, corrections committed as one
 * version, agreement against figures worked out by hand, and bad input refused with nothing written.
 */
for (const dialect of DIALECTS) {
  describe(`${dialect}: annotation queues`, () => {
    const t = useTestServer(dialect);
    const keys: Record<'alice' | 'bob' | 'carol', string> = { alice: '', bob: '', carol: '' };
    const configs: Record<'correct' | 'quality' | 'verdict', string> = { correct: '', quality: '', verdict: '' };

    beforeAll(async () => {
      for (const name of Object.keys(keys) as (keyof typeof keys)[]) {
        keys[name] = (await t.services.keys.create(t.workspaceId, { name, role: 'write' })).key;
      }
      configs.correct = (await ok(t, 'POST', '/api/v1/score-configs', { name: 'correct', type: 'boolean' }, 201)).id;
      configs.quality = (await ok(t, 'POST', '/api/v1/score-configs', { name: 'quality', type: 'numeric', min: 1, max: 5 }, 201)).id;
      configs.verdict = (await ok(t, 'POST', '/api/v1/score-configs', { name: 'verdict', type: 'categorical', categories: ['good', 'bad'] }, 201)).id;
    });

    const as = (who: keyof typeof keys) => ({ url: t.url, adminKey: keys[who] });
    const queueOf = (body: object) => ok(t, 'POST', '/api/v1/annotation-queues', { name: `q-${Math.random()}`, ...body }, 201);

    it('serves 30 runs needing 2 reviews to two reviewers at once: never twice to one, every item done exactly at 2 reviews; agreement as computed by hand', async () => {
      const { experimentId, runIds } = await experimentWithRuns(t, 30);
      const indexOf = new Map(runIds.map((id, i) => [id, i]));
      const queue = await queueOf({ score_config_ids: [configs.correct, configs.quality], reviews_needed: 2 });
      expect((await ok(t, 'POST', `/api/v1/annotation-queues/${queue.id}/items`, { run_ids: runIds }, 201)).added).toBe(30);
      // Sending the same runs again adds nothing.
      expect((await ok(t, 'POST', `/api/v1/annotation-queues/${queue.id}/items`, { run_ids: runIds.slice(0, 3) }, 201)).added).toBe(0);

      // Alice: correct on even runs, quality 1 + i % 5. Bob agrees but for six runs on `correct`
      // (0, 2, 4 false; 1, 3, 5 true) and run 0 on `quality` (3 instead of 1).
      const valuesOf = (who: 'alice' | 'bob', i: number) => {
        const correct = i % 2 === 0;
        const quality = 1 + (i % 5);
        if (who === 'alice') return { correct, quality };
        return { correct: i < 6 ? !correct : correct, quality: i === 0 ? 3 : quality };
      };
      const served: Record<'alice' | 'bob', string[]> = { alice: [], bob: [] };
      const review = async (who: 'alice' | 'bob') => {
        for (;;) {
          let { item } = await ok(as(who), 'POST', `/api/v1/annotation-queues/${queue.id}/next`);
          // Known race on PostgreSQL (see the closing note of stop 26): `next` can answer none while the other reviewer's
          // request holds the last rows; asked again it serves them. Bounded, so a queue that truly ends still ends the loop.
          for (let retry = 0; !item && served[who].length < 30 && retry < 5; retry++) {
            await sleep(100);
            ({ item } = await ok(as(who), 'POST', `/api/v1/annotation-queues/${queue.id}/next`));
          }
          if (!item) return;
          expect(served[who]).not.toContain(item.id);
          served[who].push(item.id);
          expect(item.run.id).toBe(item.run_id);
          expect(item.record.expected_output).toEqual({ a: indexOf.get(item.run_id) });
          expect(item.lease_expires_at).not.toBeNull();
          const answer = await ok(as(who), 'POST', `/api/v1/annotation-queues/${queue.id}/items/${item.id}/review`, {
            scores: valuesOf(who, indexOf.get(item.run_id)!),
            comment: `${who} was here`,
          });
          expect(answer.item.done).toBe(answer.item.reviews === 2);
          expect(answer.item.reviews).toBeLessThanOrEqual(2);
        }
      };
      await Promise.all([review('alice'), review('bob')]);
      expect(new Set(served.alice).size).toBe(30);
      expect(new Set(served.bob).size).toBe(30);
      const items = (await ok(t, 'GET', `/api/v1/annotation-queues/${queue.id}/items`)).data;
      expect(items).toHaveLength(30);
      expect(items.every((item: { reviews: number; done: boolean }) => item.reviews === 2 && item.done)).toBe(true);
      const progress = await ok(as('alice'), 'GET', `/api/v1/annotation-queues/${queue.id}/progress`);
      expect(progress).toMatchObject({ items: 30, done: 30, reviews: 60, mine: { reviewed: 30, skipped: 0, remaining: 0 } });
      expect(progress.reviewers.map((r: { reviewed: number }) => r.reviewed)).toEqual([30, 30]);
      // A third reviewer finds nothing left.
      expect((await ok(as('carol'), 'POST', `/api/v1/annotation-queues/${queue.id}/next`)).item).toBeNull();

      // The reviews are ordinary scores of the runs: source human, naming their reviewer.
      const scores = (await ok(t, 'GET', `/api/v1/experiments/${experimentId}/scores?run_id=${runIds[0]}`)).data;
      expect(scores).toHaveLength(4);
      expect(scores.every((s: { source: string }) => s.source === 'human')).toBe(true);
      expect(new Set(scores.map((s: { reviewer: { name: string } }) => s.reviewer.name))).toEqual(new Set(['alice', 'bob']));
      expect(scores.find((s: { key: string; reviewer: { name: string } }) => s.key === 'quality' && s.reviewer.name === 'bob').score).toBe(3);

      const agreement = await ok(t, 'GET', `/api/v1/annotation-queues/${queue.id}/agreement`);
      expect(agreement.items).toBe(30);
      const [correct, quality] = agreement.configs;
      // correct: 24 of 30 agree; each reviewer says true 15 times: p_e = 0.5, kappa = (0.8 - 0.5) / 0.5.
      // Alpha (nominal): 60 values, 30 true; D_o pairs: 6 items × 2 ordered pairs = 12; D_e: 2 × 30 × 30 = 1800.
      expect(correct).toMatchObject({ name: 'correct', level: 'nominal', items: 30, reviewers: 2 });
      expect(correct.percent_agreement).toBeCloseTo(0.8, 10);
      expect(correct.cohen_kappa).toBeCloseTo(0.6, 10);
      expect(correct.krippendorff_alpha).toBeCloseTo(1 - (59 * 12) / 1800, 10);
      expect(correct.disagreements).toHaveLength(6);
      expect(new Set(correct.disagreements.map((d: { run_id: string }) => indexOf.get(d.run_id)))).toEqual(new Set([0, 1, 2, 3, 4, 5]));
      // quality: 29 of 30 agree. Kappa: alice has 6 of each value, bob 5 ones and 7 threes: p_e = 6 × 30 / 900 = 0.2.
      // Alpha (interval): pooled counts 1:11 2:12 3:13 4:12 5:12, Σn·c = 182, Σn·c² = 668, so
      // Σ n_c n_k (c − k)² = 2 × 60 × 668 − 2 × 182² = 13912; D_o: one item (1, 3): 2 × 2² = 8.
      expect(quality).toMatchObject({ name: 'quality', level: 'interval', items: 30 });
      expect(quality.percent_agreement).toBeCloseTo(29 / 30, 10);
      expect(quality.cohen_kappa).toBeCloseTo((29 / 30 - 0.2) / 0.8, 10);
      expect(quality.krippendorff_alpha).toBeCloseTo(1 - (59 * 8) / 13912, 10);
      expect(quality.disagreements).toEqual([expect.objectContaining({ run_id: runIds[0], disagreement: 4 })]);
    });

    it('never serves one item needing one review to two reviewers at once; leases expire', async () => {
      const { runIds } = await experimentWithRuns(t, 30);
      const queue = await queueOf({ score_config_ids: [configs.correct], reviews_needed: 1 });
      await ok(t, 'POST', `/api/v1/annotation-queues/${queue.id}/items`, { run_ids: runIds }, 201);
      const served: Record<'alice' | 'bob' | 'carol', string[]> = { alice: [], bob: [], carol: [] };
      const review = async (who: 'alice' | 'bob' | 'carol') => {
        for (;;) {
          const { item } = await ok(as(who), 'POST', `/api/v1/annotation-queues/${queue.id}/next`);
          if (!item) return;
          served[who].push(item.id);
          await ok(as(who), 'POST', `/api/v1/annotation-queues/${queue.id}/items/${item.id}/review`, { scores: { correct: true } });
        }
      };
      await Promise.all([review('alice'), review('bob'), review('carol')]);
      const all = [...served.alice, ...served.bob, ...served.carol];
      expect(all).toHaveLength(30);
      expect(new Set(all).size).toBe(30);

      // Leases: an item taken is not served to another until its lease runs out.
      const short = await queueOf({ score_config_ids: [configs.correct], reviews_needed: 1, lease_seconds: 1 });
      await ok(t, 'POST', `/api/v1/annotation-queues/${short.id}/items`, { run_ids: runIds.slice(0, 2) }, 201);
      const first = (await ok(as('alice'), 'POST', `/api/v1/annotation-queues/${short.id}/next`)).item;
      // Asking again gives the item one holds, not another.
      expect((await ok(as('alice'), 'POST', `/api/v1/annotation-queues/${short.id}/next`)).item.id).toBe(first.id);
      const second = (await ok(as('bob'), 'POST', `/api/v1/annotation-queues/${short.id}/next`)).item;
      expect(second.id).not.toBe(first.id);
      expect((await ok(as('carol'), 'POST', `/api/v1/annotation-queues/${short.id}/next`)).item).toBeNull();
      const stolen = await request(as('bob'), 'POST', `/api/v1/annotation-queues/${short.id}/items/${first.id}/review`, { scores: { correct: false } });
      expect(stolen.status).toBe(409);
      expect(stolen.body.errors[0].pointer).toBe('/item_id');
      await sleep(1_100);
      // Alice's lease ran out: carol may take the item, and alice can no longer review it.
      expect((await ok(as('carol'), 'POST', `/api/v1/annotation-queues/${short.id}/next`)).item.id).toBe(first.id);
      expect((await request(as('alice'), 'POST', `/api/v1/annotation-queues/${short.id}/items/${first.id}/review`, { scores: { correct: true } })).status).toBe(
        409,
      );
      await ok(as('carol'), 'POST', `/api/v1/annotation-queues/${short.id}/items/${first.id}/review`, { scores: { correct: true } });
    });

    it('skips, goes back, and replaces a review; the queue can be changed and deleted', async () => {
      const { runIds } = await experimentWithRuns(t, 3);
      const queue = await queueOf({ score_config_ids: [configs.verdict], reviews_needed: 1 });
      await ok(t, 'POST', `/api/v1/annotation-queues/${queue.id}/items`, { run_ids: runIds }, 201);
      const path = `/api/v1/annotation-queues/${queue.id}`;
      const a = (await ok(as('alice'), 'POST', `${path}/next`)).item;
      expect((await ok(as('alice'), 'POST', `${path}/items/${a.id}/skip`)).status).toBe('skipped');
      const b = (await ok(as('alice'), 'POST', `${path}/next`)).item;
      expect(b.id).not.toBe(a.id);
      await ok(as('alice'), 'POST', `${path}/items/${b.id}/review`, { scores: { verdict: 'bad' }, comment: 'first thought' });
      // Back: b, then a (skipped), then nothing.
      const back = (await ok(as('alice'), 'GET', `${path}/previous`)).item;
      expect(back).toMatchObject({ id: b.id, review: { scores: { verdict: 'bad' }, comment: 'first thought' } });
      expect((await ok(as('alice'), 'GET', `${path}/previous?before=${b.id}`)).item).toMatchObject({ id: a.id, review: { status: 'skipped' } });
      expect((await ok(as('alice'), 'GET', `${path}/previous?before=${a.id}`)).item).toBeNull();
      // Changing one's mind replaces the review and its score; the item keeps one review.
      const changed = await ok(as('alice'), 'POST', `${path}/items/${b.id}/review`, { scores: { verdict: 'good' } });
      expect(changed.item.reviews).toBe(1);
      const run = await ok(t, 'GET', `/api/v1/runs/${b.run_id}`);
      const scores = (await ok(t, 'GET', `/api/v1/experiments/${run.experiment_id}/scores?run_id=${b.run_id}`)).data;
      expect(scores.map((s: { value: string }) => s.value)).toEqual(['good']);
      // A skipped item may still be reviewed while it has room; the skipper is not served it again.
      const c = (await ok(as('alice'), 'POST', `${path}/next`)).item;
      expect([a.id, b.id]).not.toContain(c.id);
      await ok(as('alice'), 'POST', `${path}/items/${c.id}/review`, { scores: { verdict: 'good' } });
      expect((await ok(as('alice'), 'POST', `${path}/next`)).item).toBeNull();
      await ok(as('alice'), 'POST', `${path}/items/${a.id}/review`, { scores: { verdict: 'good' } });
      expect((await ok(t, 'GET', `${path}/progress`)).done).toBe(3);

      const patched = await ok(t, 'PATCH', path, { reviews_needed: 2, description: 'twice' });
      expect(patched).toMatchObject({ reviews_needed: 2, description: 'twice' });
      expect((await ok(t, 'GET', `${path}/progress`)).done).toBe(0);
      expect((await ok(t, 'GET', `/api/v1/annotation-queues?name=${encodeURIComponent(queue.name)}`)).data.map((q: { id: string }) => q.id)).toEqual([
        queue.id,
      ]);
      await ok(t, 'DELETE', `${path}/items/${a.id}`, undefined, 204);
      expect((await ok(t, 'GET', `${path}/items`)).data).toHaveLength(2);
      await ok(t, 'DELETE', path, undefined, 204);
      expect((await request(t, 'GET', path)).status).toBe(404);
    });

    it('adds runs by run filters and by a comparison, and dataset records by id', async () => {
      const { datasetId, experimentId, runIds, recordIds } = await experimentWithRuns(t, 6);
      await ok(t, 'POST', `/api/v1/experiments/${experimentId}/scores`, { scores: runIds.map((run_id, i) => ({ run_id, key: 'judge', score: i / 10 })) }, 201);
      const queue = await queueOf({ score_config_ids: [configs.correct] });
      const path = `/api/v1/annotation-queues/${queue.id}`;
      // Runs a judge scored at most 0.25: runs 0, 1, 2.
      const judged = await ok(t, 'POST', `${path}/items`, { runs_where: { experiment_id: experimentId, score_key: 'judge', score_max: 0.25 } }, 201);
      expect(judged.added).toBe(3);
      // A candidate that regressed on `correct` against the baseline on records 4 and 5.
      const candidate = await ok(
        t,
        'POST',
        '/api/v1/experiments',
        {
          name: `candidate-${Math.random()}`,
          dataset_id: datasetId,
          runs: recordIds.map((record_id, i) => ({ record_id, output: i, scores: [{ key: 'correct', score: i >= 4 ? 0 : 1 }] })),
        },
        201,
      );
      await ok(t, 'POST', `/api/v1/experiments/${experimentId}/scores`, { scores: runIds.map((run_id) => ({ run_id, key: 'correct', score: true })) }, 201);
      const regressed = await ok(
        t,
        'POST',
        `${path}/items`,
        { comparison: { experiment_ids: [experimentId, candidate.id], baseline_id: experimentId, change: { kind: 'regressed', key: 'correct' } } },
        201,
      );
      expect(regressed.added).toBe(2);
      const items = (await ok(t, 'GET', `${path}/items`)).data;
      expect(items.filter((item: { run_id: string }) => candidate.run_ids.includes(item.run_id)).map((item: { run_id: string }) => item.run_id)).toEqual(
        candidate.run_ids.slice(4),
      );
      // Records: served with their expected output, no run.
      const records = await ok(t, 'POST', `${path}/items`, { record_ids: [recordIds[0]] }, 201);
      const recordItem = await ok(t, 'GET', `${path}/items/${records.item_ids[0]}`);
      expect(recordItem).toMatchObject({ kind: 'record', run: null, record: { id: recordIds[0], expected_output: { a: 0 } } });
    });

    it('commits corrections as one version of the dataset', async () => {
      const { datasetId, runIds } = await experimentWithRuns(t, 3);
      const before = (await ok(t, 'GET', `/api/v1/datasets/${datasetId}`)).latest_version;
      const queue = await queueOf({ score_config_ids: [configs.correct] });
      const path = `/api/v1/annotation-queues/${queue.id}`;
      await ok(t, 'POST', `${path}/items`, { run_ids: runIds }, 201);
      for (;;) {
        const { item } = await ok(as('bob'), 'POST', `${path}/next`);
        if (!item) break;
        await ok(as('bob'), 'POST', `${path}/items/${item.id}/review`, { scores: { correct: false }, correction: { a: `fixed ${item.record.input.q}` } });
      }
      // Nothing is committed until asked.
      expect((await ok(t, 'GET', `/api/v1/datasets/${datasetId}`)).latest_version).toBe(before);
      const committed = await ok(t, 'POST', `${path}/corrections/commit`, { message: 'reviewed' });
      expect(committed.versions).toEqual([{ dataset_id: datasetId, version: before + 1, records: 3 }]);
      expect((await ok(t, 'GET', `/api/v1/datasets/${datasetId}`)).latest_version).toBe(before + 1);
      const records = (await ok(t, 'GET', `/api/v1/datasets/${datasetId}/records`)).data;
      expect(records.map((r: { expected_output: { a: string } }) => r.expected_output.a).sort()).toEqual(['fixed 0', 'fixed 1', 'fixed 2']);
      // Committing again commits nothing new.
      expect((await ok(t, 'POST', `${path}/corrections/commit`, {})).versions).toEqual([]);
      // One review's correction committed at once: one version more.
      const one = await queueOf({ score_config_ids: [configs.correct] });
      await ok(t, 'POST', `/api/v1/annotation-queues/${one.id}/items`, { run_ids: [runIds[0]] }, 201);
      const { item } = await ok(as('bob'), 'POST', `/api/v1/annotation-queues/${one.id}/next`);
      const reviewed = await ok(as('bob'), 'POST', `/api/v1/annotation-queues/${one.id}/items/${item.id}/review`, {
        scores: { correct: true },
        correction: { a: 'again' },
        commit_correction: true,
      });
      expect(reviewed.review.correction_version).toBe(before + 2);
    });

    it('lets the review role take, review and skip items, but not commit corrections or change the dataset', async () => {
      const reviewer = { url: t.url, adminKey: (await t.services.keys.create(t.workspaceId, { name: 'reviewer', role: 'review' })).key };
      const { datasetId, runIds } = await experimentWithRuns(t, 2);
      const before = (await ok(t, 'GET', `/api/v1/datasets/${datasetId}`)).latest_version;
      const queue = await queueOf({ score_config_ids: [configs.correct] });
      const path = `/api/v1/annotation-queues/${queue.id}`;
      await ok(t, 'POST', `${path}/items`, { run_ids: runIds }, 201);
      const first = (await ok(reviewer, 'POST', `${path}/next`)).item;
      const refused = await request(reviewer, 'POST', `${path}/items/${first.id}/review`, {
        scores: { correct: false },
        correction: { a: 'fixed' },
        commit_correction: true,
      });
      expect(refused.status).toBe(403);
      expect(refused.body.errors).toEqual([{ pointer: '/commit_correction', detail: 'needs the write role' }]);
      await ok(reviewer, 'POST', `${path}/items/${first.id}/review`, { scores: { correct: false }, correction: { a: 'fixed' } });
      const second = (await ok(reviewer, 'POST', `${path}/next`)).item;
      await ok(reviewer, 'POST', `${path}/items/${second.id}/skip`);
      expect((await request(reviewer, 'POST', `${path}/corrections/commit`, {})).status).toBe(403);
      expect((await request(reviewer, 'POST', `/api/v1/datasets/${datasetId}/records`, { records: [{ input: 'x' }] })).status).toBe(403);
      expect((await ok(t, 'GET', `/api/v1/datasets/${datasetId}`)).latest_version).toBe(before);
    });

    it('refuses bad input with a 4xx naming the field and writes nothing; other workspaces answer 404', async () => {
      const { runIds } = await experimentWithRuns(t, 2);
      const db = t.services.store.db;
      const queues = await countRows(db, 'annotation_queues');
      const none = await request(t, 'POST', '/api/v1/annotation-queues', { name: 'empty', score_config_ids: [] });
      expect(none.status).toBe(400);
      expect(none.body.errors[0].pointer).toBe('/score_config_ids');
      const unknown = await request(t, 'POST', '/api/v1/annotation-queues', { name: 'unknown', score_config_ids: [runIds[0]] });
      expect(unknown.status).toBe(404);
      expect(unknown.body.errors[0].pointer).toBe('/score_config_ids/0');
      expect((await request(t, 'POST', '/api/v1/annotation-queues', { name: 'zero', score_config_ids: [configs.correct], reviews_needed: 0 })).status).toBe(
        400,
      );
      expect(await countRows(db, 'annotation_queues')).toBe(queues);

      const queue = await queueOf({ score_config_ids: [configs.quality, configs.verdict], reviews_needed: 1 });
      const path = `/api/v1/annotation-queues/${queue.id}`;
      await ok(t, 'POST', `${path}/items`, { run_ids: runIds }, 201);
      const { item } = await ok(as('alice'), 'POST', `${path}/next`);
      const state = async () => [await countRows(db, 'scores'), await countRows(db, 'annotation_reviews')];
      const at = await state();
      const bad = [
        [{ scores: { quality: 7, verdict: 'good' } }, '/scores/quality'],
        [{ scores: { quality: 0.5, verdict: 'good' } }, '/scores/quality'],
        [{ scores: { quality: 3, verdict: 'meh' } }, '/scores/verdict'],
        [{ scores: { quality: 3 } }, '/scores/verdict'],
        [{ scores: { quality: 3, verdict: 'good', extra: 1 } }, '/scores/extra'],
        [{ scores: { quality: 'high', verdict: 'good' } }, '/scores/quality'],
      ] as const;
      for (const [body, pointer] of bad) {
        const answer = await request(as('alice'), 'POST', `${path}/items/${item.id}/review`, body);
        expect(answer.status, JSON.stringify(body)).toBe(400);
        expect(answer.body.errors[0].pointer).toBe(pointer);
      }
      const notLeased = await request(as('bob'), 'POST', `${path}/items/${item.id}/review`, { scores: { quality: 3, verdict: 'good' } });
      expect(notLeased.status).toBe(409);
      expect(notLeased.body.errors[0].pointer).toBe('/item_id');
      expect(await state()).toEqual(at);

      const other = await t.services.workspaces.create(`other-${Math.random()}`);
      const stranger = { url: t.url, adminKey: other.admin.key };
      expect((await request(stranger, 'GET', path)).status).toBe(404);
      expect((await request(stranger, 'POST', `${path}/next`)).status).toBe(404);
      expect((await request(stranger, 'GET', `${path}/agreement`)).status).toBe(404);
      expect((await request(stranger, 'POST', `${path}/items/${item.id}/review`, { scores: { quality: 3, verdict: 'good' } })).status).toBe(404);
      expect((await request(stranger, 'POST', `${path}/items`, { run_ids: runIds })).status).toBe(404);
      // Their own queue cannot take this workspace's runs, nor be reached through another queue's path.
      const config = await ok(stranger, 'POST', '/api/v1/score-configs', { name: 'correct', type: 'boolean' }, 201);
      const theirs = await ok(stranger, 'POST', '/api/v1/annotation-queues', { name: 'theirs', score_config_ids: [config.id] }, 201);
      const foreign = await request(stranger, 'POST', `/api/v1/annotation-queues/${theirs.id}/items`, { run_ids: [runIds[0]] });
      expect(foreign.status).toBe(404);
      expect(foreign.body.errors[0].pointer).toBe('/run_ids/0');
      expect((await request(t, 'GET', `/api/v1/annotation-queues/${theirs.id}/items/${item.id}`)).status).toBe(404);
      // An assigned queue refuses others.
      const assigned = await queueOf({ score_config_ids: [configs.correct], reviewers: ['nobody'] });
      expect((await request(as('alice'), 'POST', `/api/v1/annotation-queues/${assigned.id}/next`)).status).toBe(403);
    });
  });
}
