import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../../../support/app.js';
import { DIALECTS } from '../../../support/databases.js';

/**
 * Twelve records and a run of each, built so that every filter's count can be worked out by hand:
 * record i has metadata topic geo (i % 3 == 0) or math, tag `even` for even i, split test (i < 4) or train;
 * run i has latency 100(i+1) ms, 10i tokens, model a (i < 6) or b, and fails for i = 3 (timeout) and
 * i = 7 (rate limited); the others have scores correct (0 when i % 4 == 0, else 1) and quality i/11,
 * and runs 0 and 1 a tone of `polite`.
 */
const COUNT = 12;
const FAILED = new Set([3, 7]);

for (const dialect of DIALECTS) {
  describe(`${dialect}: finding an experiment's runs`, () => {
    const t = useTestApp(dialect);
    let experimentId: string;
    /** The record index of each run id. */
    const indexOf = new Map<string, number>();

    beforeAll(async () => {
      const dataset = (await t.call({ method: 'POST', url: '/api/v1/datasets', payload: { name: 'findable' } })).json();
      const records = (
        await t.call({
          method: 'POST',
          url: `/api/v1/datasets/${dataset.id}/records`,
          payload: {
            records: Array.from({ length: COUNT }, (_, i) => ({
              input: `question ${i}`,
              expected_output: `answer ${i}`,
              metadata: { topic: i % 3 === 0 ? 'geo' : 'math' },
              tags: i % 2 === 0 ? ['even'] : [],
              splits: [i < 4 ? 'test' : 'train'],
            })),
          },
        })
      ).json().records as { id: string }[];
      experimentId = (await t.call({ method: 'POST', url: '/api/v1/experiments', payload: { name: 'findable run', dataset_id: dataset.id } })).json().id;
      const runs = records.map((record, i) => ({
        record_id: record.id,
        latency_ms: 100 * (i + 1),
        total_tokens: 10 * i,
        metadata: { model: i < 6 ? 'a' : 'b' },
        ...(FAILED.has(i)
          ? { error: i === 3 ? 'timeout' : 'Rate limited by the provider' }
          : {
              output: `out ${i}`,
              scores: [{ key: 'correct', score: i % 4 === 0 ? 0 : 1 }, { key: 'quality', score: i / 11 }, ...(i < 2 ? [{ key: 'tone', value: 'polite' }] : [])],
            }),
      }));
      const appended = await t.call({ method: 'POST', url: `/api/v1/experiments/${experimentId}/runs`, payload: { runs } });
      expect(appended.statusCode, appended.body).toBe(201);
      for (const [i, id] of (appended.json().run_ids as string[]).entries()) indexOf.set(id, i);
    });

    const list = (query: string) => t.call({ method: 'GET', url: `/api/v1/experiments/${experimentId}/runs?${query}` });
    /** The record indexes of the runs matching `query`, read page by page, with the total every page gave. */
    const found = async (query: string, pageSize = 5) => {
      const indexes: number[] = [];
      const totals = new Set<number>();
      let cursor: string | null = null;
      do {
        const response = await list(`${query}&limit=${pageSize}${cursor ? `&cursor=${cursor}` : ''}`);
        expect(response.statusCode, response.body).toBe(200);
        const page = response.json();
        totals.add(page.total);
        indexes.push(...page.data.map((run: { id: string }) => indexOf.get(run.id)!));
        cursor = page.next_cursor;
      } while (cursor);
      expect([...totals], `every page of ${query} tells the same total`).toEqual([indexes.length]);
      return indexes;
    };

    it('filters by status, latency, tokens and score ranges, values and absence, with the total of what matches', async () => {
      expect(await found('status=error')).toEqual([3, 7]);
      expect(await found('min_latency_ms=500&max_latency_ms=800')).toEqual([4, 5, 6, 7]);
      expect(await found('min_total_tokens=100')).toEqual([10, 11]);
      expect(await found('score_key=correct&score_max=0')).toEqual([0, 4, 8]);
      expect(await found('score_key=quality&score_min=0.5')).toEqual([6, 8, 9, 10, 11]);
      expect(await found('score_key=tone&score_value=polite')).toEqual([0, 1]);
      expect(await found('score_key=correct&score_value=1')).toEqual([1, 2, 5, 6, 9, 10, 11]);
      expect(await found('missing_score_key=correct')).toEqual([3, 7]);
      expect(await found('score_key=tone')).toEqual([0, 1]);
    });

    it('filters by text in the run or its record, by metadata of either, and by the record’s tags and splits', async () => {
      expect(await found('q=RATE%20LIMITED')).toEqual([7]);
      expect(await found('q=answer%201')).toEqual([1, 10, 11]);
      expect(await found('q=out%201')).toEqual([1, 10, 11]);
      expect(await found('q=100%25')).toEqual([]);
      expect(await found('metadata=model=b&score_key=quality&score_min=0.5')).toEqual([6, 8, 9, 10, 11]);
      expect(await found('metadata=model=b&score_key=quality&score_min=0.5&record_metadata=topic=geo')).toEqual([6, 9]);
      expect(await found('tag=even&status=success')).toEqual([0, 2, 4, 6, 8, 10]);
      expect(await found('split=test')).toEqual([0, 1, 2, 3]);
      expect(await found('split=test&split=train')).toHaveLength(COUNT);
    });

    it('sorts by a score, latency or tokens either way, runs without a value last, across pages', async () => {
      expect(await found('sort=score:quality&order=desc', 3)).toEqual([11, 10, 9, 8, 6, 5, 4, 2, 1, 0, 7, 3]);
      expect(await found('sort=score:quality', 4)).toEqual([0, 1, 2, 4, 5, 6, 8, 9, 10, 11, 3, 7]);
      expect(await found('sort=latency_ms&order=desc', 5)).toEqual([11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
      expect(await found('sort=total_tokens&status=error', 1)).toEqual([3, 7]);
      expect(await found('sort=total_cost&order=desc', 5)).toEqual([11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
      expect(await found('sort=score:correct&order=desc&score_key=quality&score_min=0.5', 2)).toEqual([11, 10, 9, 6, 8]);
    });

    it('refuses filters and sorts it cannot apply, naming the parameter', async () => {
      const problem = async (query: string) => {
        const response = await list(query);
        expect(response.statusCode, response.body).toBe(400);
        return JSON.stringify(response.json());
      };
      expect(await problem('score_min=1')).toContain('score_key');
      expect(await problem('sort=bogus')).toContain('sort');
      expect(await problem(`metadata=${encodeURIComponent('model="a\\u0000b"')}`)).toContain('metadata');
      expect(await problem(`record_metadata=${encodeURIComponent('topic="\\u0000"')}`)).toContain('record_metadata');
      expect(await problem('sort=score:')).toContain('sort');
      const byId = (await list('limit=2')).json().next_cursor;
      expect(await problem(`sort=latency_ms&cursor=${byId}`)).toContain('cursor');
      expect(await problem(`cursor=${Buffer.from('[0,1,"zz"]').toString('base64url')}&sort=latency_ms`)).toContain('cursor');
    });
  });
}
