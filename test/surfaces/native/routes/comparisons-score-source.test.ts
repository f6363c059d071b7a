import { describe, expect, it } from 'vitest';
import { useTestServer } from '../../../support/app.js';
import { DIALECTS } from '../../../support/databases.js';
import { experimentWithRuns, ok } from '../../../support/review.js';

/** Comparisons restricted to the scores of one source (filters.score_source): people's scores apart from programs'. */
for (const dialect of DIALECTS) {
  describe(`${dialect}: comparisons by score source`, () => {
    const t = useTestServer(dialect);

    it('counts only the scores of the source asked for, in statistics and in rows', async () => {
      const { experimentId, runIds } = await experimentWithRuns(t, 4);
      await ok(
        t,
        'POST',
        `/api/v1/experiments/${experimentId}/scores`,
        {
          scores: [
            ...runIds.map((run_id) => ({ run_id, key: 'correct', score: 1, source: 'code' })),
            ...runIds.map((run_id, i) => ({ run_id, key: 'correct', score: i === 0 ? 1 : 0, source: 'human' })),
          ],
        },
        201,
      );
      const mean = async (filters: object) => (await ok(t, 'POST', '/api/v1/comparisons', { experiment_ids: [experimentId], filters })).stats[0].scores.correct;
      expect(await mean({})).toMatchObject({ n: 8, mean: 5 / 8 });
      expect(await mean({ score_source: 'human' })).toMatchObject({ n: 4, mean: 0.25 });
      expect(await mean({ score_source: 'code' })).toMatchObject({ n: 4, mean: 1 });
      const rows = await ok(t, 'POST', '/api/v1/comparisons/rows', { experiment_ids: [experimentId], filters: { score_source: 'human' } });
      const scores = rows.data.flatMap((row: { runs: Record<string, { scores: { source: string; reviewer: { id: string } | null }[] }[]> }) =>
        row.runs[experimentId]!.flatMap((run) => run.scores),
      );
      expect(scores).toHaveLength(4);
      expect(scores.every((score: { source: string; reviewer: { id: string } | null }) => score.source === 'human' && score.reviewer !== null)).toBe(true);
      // Runs filtered by a score of one source: only runs people scored 1.
      const filtered = await ok(t, 'POST', '/api/v1/comparisons', {
        experiment_ids: [experimentId],
        filters: { score_source: 'human', scores: [{ key: 'correct', min: 1 }] },
      });
      expect(filtered.stats[0].run_count).toBe(1);
    });
  });
}
