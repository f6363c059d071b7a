import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../support/app.js';
import { DIALECTS } from '../../../support/databases.js';

/**
 * Five records and three experiments with hand-picked values, so every expected figure below can be
 * worked out on paper (the working is in the comments).
 *
 * record  topic   A (baseline)                 B                                  C
 * r1      math    lat 100, correct 1, polite   2 runs: correct 1 and 0 (mean .5)  correct 1, lat 1000, ttft 100
 * r2      math    lat 200, correct 0, rude     correct 1                          correct 1, lat 1000, ttft 200
 * r3      geo     lat 300, correct 1           correct 1                          correct 1, lat 1000
 * r4      geo     lat 400, correct 0           correct 1, status error            correct 1, lat 1000, no model
 * r5      (none)  lat 500, correct 1           (no run)                           correct 0, lat 1000, no model
 */
for (const dialect of DIALECTS) {
  describe(`${dialect}: comparing experiments`, () => {
    let t: TestApp;
    let records: string[];
    let a: string;
    let b: string;
    let c: string;

    const post = (url: string, payload: object) => t.call({ method: 'POST', url, payload });
    const compare = async (body: object) => {
      const response = await post('/api/v1/comparisons', body);
      expect(response.statusCode, response.body).toBe(200);
      return response.json();
    };

    beforeAll(async () => {
      t = await createTestApp(dialect);
      const dataset = (await post('/api/v1/datasets', { name: 'cmp' })).json();
      const topics = ['math', 'math', 'geo', 'geo', undefined];
      records = (
        await post(`/api/v1/datasets/${dataset.id}/records`, {
          records: topics.map((topic, i) => ({ input: `q${i + 1}`, expected_output: `a${i + 1}`, metadata: topic ? { topic } : {} })),
        })
      )
        .json()
        .records.map((r: { id: string }) => r.id);
      const experiment = async (name: string) => (await post('/api/v1/experiments', { name, dataset_id: dataset.id })).json().id;
      [a, b, c] = [await experiment('A'), await experiment('B'), await experiment('C')];
      const correct = (score: number) => [{ key: 'correctness', score }];
      await post(`/api/v1/experiments/${a}/runs`, {
        runs: [1, 0, 1, 0, 1].map((score, i) => ({
          record_id: records[i],
          output: `a${i + 1}`,
          latency_ms: (i + 1) * 100,
          prompt_tokens: 10,
          completion_tokens: 5,
          prompt_cost: '0.1',
          completion_cost: '0.2',
          metadata: { model: 'a' },
          start_time: `2026-01-01T00:00:0${i}.000Z`,
          scores: [...correct(score), ...(i === 0 ? [{ key: 'tone', value: 'polite' }] : i === 1 ? [{ key: 'tone', value: 'rude' }] : [])],
        })),
      });
      await post(`/api/v1/experiments/${b}/runs`, {
        runs: [
          { record_id: records[0], output: 'x', latency_ms: 10, metadata: { model: 'b' }, scores: correct(1) },
          { record_id: records[0], output: 'y', latency_ms: 20, metadata: { model: 'b' }, scores: correct(0) },
          { record_id: records[1], output: 'x', latency_ms: 30, metadata: { model: 'b' }, scores: correct(1) },
          { record_id: records[2], output: 'x', latency_ms: 40, metadata: { model: 'b' }, scores: correct(1) },
          { record_id: records[3], error: 'boom', latency_ms: 50, metadata: { model: 'b' }, scores: correct(1) },
        ],
      });
      await post(`/api/v1/experiments/${c}/runs`, {
        runs: [1, 1, 1, 1, 0].map((score, i) => ({
          record_id: records[i],
          output: 'c',
          latency_ms: 1000,
          ...(i < 2 ? { first_token_ms: (i + 1) * 100 } : {}),
          metadata: i < 3 ? { model: 'c' } : {},
          scores: correct(score),
        })),
      });
    });
    afterAll(async () => t?.close());

    it('aggregates each experiment: counts, exact percentiles, token and cost sums, score statistics', async () => {
      const result = await compare({ experiment_ids: [a, b, c] });
      expect(result.experiments.map((e: { name: string }) => e.name)).toEqual(['A', 'B', 'C']);
      const [statsA, statsB, statsC] = result.stats;
      expect(statsA).toMatchObject({
        experiment_id: a,
        run_count: 5,
        record_count: 5,
        error_count: 0,
        error_rate: 0,
        streaming_rate: 0,
        // sorted 100..500; p50 at rank 1 + .5*4 = 3 -> 300; p99 at rank 1 + .99*4 = 4.96 -> 400 + .96*100
        latency_ms: { p50: 300, p99: 496 },
        first_token_ms: { p50: null, p99: null },
        prompt_tokens: 50,
        completion_tokens: 25,
        total_tokens: 75,
        // five times 0.1 and 0.2, exactly (floats would give 0.5000000000000001 and 1.0000000000000002)
        prompt_cost: '0.5',
        completion_cost: '1',
        total_cost: '1.5',
        min_start_time: '2026-01-01T00:00:00.000Z',
        max_start_time: '2026-01-01T00:00:04.000Z',
      });
      // correctness 1,0,1,0,1: mean .6; squared deviations .16+.36+.16+.36+.16 = 1.2; /4 = .3
      expect(statsA.scores.correctness).toMatchObject({ n: 5, mean: 0.6, min: 0, max: 1, values: {} });
      expect(statsA.scores.correctness.stdev).toBeCloseTo(Math.sqrt(0.3), 12);
      expect(statsA.scores.tone).toEqual({ n: 0, mean: null, stdev: null, min: null, max: null, values: { polite: 1, rude: 1 } });
      // B: 5 runs over 4 records (r1 twice, r5 none), one error; latencies 10..50 -> p50 30, p99 49.6
      expect(statsB).toMatchObject({ run_count: 5, record_count: 4, error_count: 1, error_rate: 0.2, latency_ms: { p50: 30 } });
      expect(statsB.latency_ms.p99).toBeCloseTo(49.6, 9);
      expect(statsB.scores.correctness).toMatchObject({ n: 5, mean: 0.8 });
      // C: two of five runs streamed; first-token 100, 200 -> p50 150, p99 199
      expect(statsC).toMatchObject({ run_count: 5, streaming_rate: 0.4, first_token_ms: { p50: 150, p99: 199 }, latency_ms: { p50: 1000, p99: 1000 } });
    });

    it('counts improvements and regressions against a baseline and tests them', async () => {
      const result = await compare({ experiment_ids: [a, b, c], baseline_id: a });
      const [vsB, vsC] = result.baseline.changes;
      // B per record (repetitions averaged): r1 .5 vs 1 regressed, r2 1 vs 0 improved, r3 1 vs 1 same, r4 1 vs 0 improved
      // d = -.5, 1, 0, 1: n 4, mean .375, sample sd .75, se .375, t 1, df 3 -> two-sided p = .391002 (closed form for df 3)
      expect(vsB).toMatchObject({
        experiment_id: b,
        key: 'correctness',
        improved: 2,
        regressed: 1,
        unchanged: 1,
        n: 4,
        baseline_mean: 0.5,
        experiment_mean: 0.875,
      });
      expect(vsB.test).toMatchObject({ method: 'paired t-test', n: 4, mean_difference: 0.375, t: 1, degrees_of_freedom: 3, significant: false, alpha: 0.05 });
      expect(vsB.test.p_value).toBeCloseTo(0.391002, 5);
      // 95% interval: .375 -/+ t(.975, 3) = 3.182446 times .375
      expect(vsB.test.ci95[0]).toBeCloseTo(0.375 - 3.182446 * 0.375, 5);
      expect(vsB.test.ci95[1]).toBeCloseTo(0.375 + 3.182446 * 0.375, 5);
      // C: d = 0, 1, 0, 1, -1: n 5, mean .2, var (3 - .2)/4 = .7, se sqrt(.7/5), t = .534522, df 4
      expect(vsC).toMatchObject({ experiment_id: c, improved: 2, regressed: 1, unchanged: 2, n: 5 });
      expect(vsC.test.t).toBeCloseTo(0.534522, 5);
      expect(vsC.test.p_value).toBeCloseTo(0.62128, 4);

      const lowerBetter = await compare({ experiment_ids: [a, b], baseline_id: a, lower_is_better: ['correctness'] });
      expect(lowerBetter.baseline.changes[0]).toMatchObject({ improved: 1, regressed: 2 });
    });

    it('finds a clear difference significant', async () => {
      const dataset = (await post('/api/v1/datasets', { name: 'sig' })).json();
      const ids = (await post(`/api/v1/datasets/${dataset.id}/records`, { records: Array.from({ length: 30 }, (_, i) => ({ input: i })) })).json().records;
      const run = async (name: string, score: (i: number) => number) => {
        const id = (await post('/api/v1/experiments', { name, dataset_id: dataset.id })).json().id;
        await post(`/api/v1/experiments/${id}/runs`, {
          runs: ids.map((r: { id: string }, i: number) => ({ record_id: r.id, output: i, scores: [{ key: 's', score: score(i) }] })),
        });
        return id;
      };
      const base = await run('base', (i) => (i % 3 === 0 ? 1 : 0));
      const better = await run('better', (i) => (i % 3 === 0 || i % 2 === 0 ? 1 : 0));
      const result = await compare({ experiment_ids: [base, better], baseline_id: base });
      // 10 of 30 records go from 0 to 1, none back: d has n 30, mean 1/3, sd .4795 -> t 3.808, p < .001
      expect(result.baseline.changes[0]).toMatchObject({ improved: 10, regressed: 0, unchanged: 20 });
      expect(result.baseline.changes[0].test.p_value).toBeLessThan(0.001);
      expect(result.baseline.changes[0].test.significant).toBe(true);
    });

    it('groups by a record metadata key, records without it in their own group', async () => {
      const result = await compare({ experiment_ids: [a, b], group_by: { source: 'record', key: 'topic' } });
      expect(result.groups.map((g: { group: unknown }) => g.group)).toEqual(['geo', 'math', null]);
      const [geo, math, none] = result.groups;
      expect(math.experiments.map((s: { experiment_id: string; run_count: number }) => [s.experiment_id, s.run_count])).toEqual([
        [a, 2],
        [b, 3],
      ]);
      // A in math: latencies 100, 200 -> p50 at rank 1.5 -> 150
      expect(math.experiments[0]).toMatchObject({ latency_ms: { p50: 150, p99: 199 }, scores: { correctness: { n: 2, mean: 0.5 } } });
      expect(geo.experiments[1]).toMatchObject({ experiment_id: b, run_count: 2, error_count: 1, error_rate: 0.5 });
      expect(none.experiments.map((s: { experiment_id: string }) => s.experiment_id)).toEqual([a]);
      expect(result.stats).toHaveLength(2);
    });

    it('groups by a run metadata key', async () => {
      const result = await compare({ experiment_ids: [a, b, c], group_by: { source: 'run', key: 'model' } });
      expect(result.groups.map((g: { group: unknown }) => g.group)).toEqual(['a', 'b', 'c', null]);
      expect(result.groups[2].experiments).toMatchObject([{ experiment_id: c, run_count: 3 }]);
      expect(result.groups[3].experiments).toMatchObject([{ experiment_id: c, run_count: 2, scores: { correctness: { n: 2, mean: 0.5 } } }]);
      const missing = await compare({ experiment_ids: [a, b], group_by: { source: 'run', key: 'no-such-key' } });
      expect(missing.groups.map((g: { group: unknown }) => g.group)).toEqual([null]);
    });

    it('filters runs before counting', async () => {
      const errors = await compare({ experiment_ids: [a, b], filters: { errors_only: true } });
      expect(errors.stats.map((s: { run_count: number }) => s.run_count)).toEqual([0, 1]);
      const slow = await compare({ experiment_ids: [a], filters: { latency_ms: { min: 250 } } });
      expect(slow.stats[0]).toMatchObject({ run_count: 3, latency_ms: { p50: 400 } });
      const scored = await compare({ experiment_ids: [a, b], filters: { scores: [{ key: 'correctness', min: 1 }] } });
      expect(scored.stats.map((s: { run_count: number }) => s.run_count)).toEqual([3, 4]);
      const byRecord = await compare({ experiment_ids: [a], filters: { record_metadata: { topic: 'geo' } } });
      expect(byRecord.stats[0]).toMatchObject({ run_count: 2, record_count: 2 });
      const byRun = await compare({ experiment_ids: [c], filters: { run_metadata: { model: 'c' } } });
      expect(byRun.stats[0].run_count).toBe(3);
    });

    it('shows records side by side, page by page, with every repetition and each change against the baseline', async () => {
      const rows = [];
      let cursor: string | null = null;
      do {
        const page: {
          data: { record: { id: string }; runs: Record<string, unknown[]>; changes: Record<string, Record<string, { change: string }>> }[];
          next_cursor: string | null;
        } = (await post('/api/v1/comparisons/rows', { experiment_ids: [a, b, c], baseline_id: a, limit: 2, ...(cursor ? { cursor } : {}) })).json();
        rows.push(...page.data);
        cursor = page.next_cursor;
      } while (cursor);
      expect(rows.map((row) => row.record.id)).toEqual([...records].sort());
      const r1 = rows.find((row) => row.record.id === records[0])!;
      expect(r1.runs[b]).toHaveLength(2);
      expect(r1.changes[b]!.correctness).toMatchObject({ baseline: 1, value: 0.5, delta: -0.5, change: 'regressed' });
      const r5 = rows.find((row) => row.record.id === records[4])!;
      expect(r5.runs[b]).toEqual([]);
      expect(r5.changes[c]!.correctness).toMatchObject({ change: 'regressed' });

      const regressions = (
        await post('/api/v1/comparisons/rows', { experiment_ids: [a, b, c], baseline_id: a, change: { kind: 'regressed', key: 'correctness' } })
      ).json();
      expect(regressions.data.map((row: { record: { id: string } }) => row.record.id).sort()).toEqual([records[0], records[4]].sort());
      const improvedInB = (
        await post('/api/v1/comparisons/rows', {
          experiment_ids: [a, b, c],
          baseline_id: a,
          change: { kind: 'improved', key: 'correctness', experiment_id: b },
        })
      ).json();
      expect(improvedInB.data.map((row: { record: { id: string } }) => row.record.id).sort()).toEqual([records[1], records[3]].sort());
      const errorsOnly = (await post('/api/v1/comparisons/rows', { experiment_ids: [a, b], filters: { errors_only: true } })).json();
      expect(errorsOnly.data.map((row: { record: { id: string } }) => row.record.id)).toEqual([records[3]]);
    });

    it('sorts records by a change against the baseline or by a score, finds text, and counts what matches, across pages', async () => {
      /** The record ids of every page of the rows asked for, with the total of each page. */
      const ids = async (body: object, limit = 2) => {
        const found: string[] = [];
        const totals = new Set<number | undefined>();
        let cursor: string | null = null;
        do {
          const response = await post('/api/v1/comparisons/rows', { experiment_ids: [a, b, c], baseline_id: a, limit, ...body, ...(cursor ? { cursor } : {}) });
          expect(response.statusCode, response.body).toBe(200);
          const page = response.json();
          totals.add(page.total);
          found.push(...page.data.map((row: { record: { id: string } }) => row.record.id));
          cursor = page.next_cursor;
        } while (cursor);
        return { found, totals: [...totals] };
      };
      /** Records with equal values come in id order (descending when the sort is). */
      const tie = (desc: boolean, ...indexes: number[]) => {
        const sorted = indexes.map((i) => records[i]!).sort();
        return desc ? sorted.reverse() : sorted;
      };
      // B against A (correctness): r1 -0.5, r2 +1, r3 0, r4 +1, r5 no run of B: the largest regression first, r5 last.
      expect((await ids({ sort: { by: 'change', key: 'correctness', experiment_id: b } })).found).toEqual([
        records[0],
        records[2],
        ...tie(false, 1, 3),
        records[4],
      ]);
      // C against A, the default experiment after the baseline being B, so named: r1 0, r2 +1, r3 0, r4 +1, r5 -1.
      expect((await ids({ sort: { by: 'change', key: 'correctness', experiment_id: c, order: 'desc' } }, 1)).found).toEqual([
        ...tie(true, 1, 3),
        ...tie(true, 0, 2),
        records[4],
      ]);
      // C's scores: r1..r4 1, r5 0.
      expect((await ids({ sort: { by: 'score', key: 'correctness', experiment_id: c, order: 'desc' } }, 3)).found).toEqual([
        ...tie(true, 0, 1, 2, 3),
        records[4],
      ]);
      // B's first experiment is the default: B regressed only on r1.
      expect(
        await ids({ sort: { by: 'change', key: 'correctness' }, change: { kind: 'regressed', key: 'correctness', experiment_id: b }, count: true }),
      ).toEqual({
        found: [records[0]],
        totals: [1],
      });
      expect(await ids({ q: 'A3', count: true })).toEqual({ found: [records[2]], totals: [1] });
      expect(await ids({ q: 'q2' })).toEqual({ found: [records[1]], totals: [undefined] });
      expect((await ids({ count: true }, 2)).totals).toEqual([5]);

      const refused = async (body: object) => {
        const response = await post('/api/v1/comparisons/rows', { experiment_ids: [a, b, c], ...body });
        expect(response.statusCode, response.body).toBe(400);
        return JSON.stringify(response.json());
      };
      expect(await refused({ sort: { by: 'change', key: 'correctness' } })).toContain('baseline');
      expect(await refused({ baseline_id: a, sort: { by: 'change', key: 'correctness', experiment_id: a } })).toContain('sort');
      const plain = (await post('/api/v1/comparisons/rows', { experiment_ids: [a, b, c], limit: 1 })).json().next_cursor;
      expect(await refused({ baseline_id: a, cursor: plain, sort: { by: 'score', key: 'correctness' } })).toContain('cursor');
    });

    it('says the same of what improved and regressed under filters: in the counts, the rows filter and the cells', async () => {
      const dataset = (await post('/api/v1/datasets', { name: `filtered-changes-${Math.random()}` })).json();
      const [r1, r2, r3] = (await post(`/api/v1/datasets/${dataset.id}/records`, { records: [{ input: 1 }, { input: 2 }, { input: 3 }] }))
        .json()
        .records.map((r: { id: string }) => r.id);
      const experiment = async (name: string, runs: [string, string, number][]) => {
        const id = (await post('/api/v1/experiments', { name, dataset_id: dataset.id })).json().id;
        await post(`/api/v1/experiments/${id}/runs`, {
          runs: runs.map(([record_id, prompt, s]) => ({ record_id, output: s, metadata: { prompt }, scores: [{ key: 's', score: s }] })),
        });
        return id;
      };
      // record  base           candidate      all runs           prompt v1 only     s <= .5 only
      // r1      v1 .5          v1 .2, v2 .9   .55 vs .5 better   .2 vs .5 worse     .2 vs .5 worse
      // r2      v1 .5, v2 0    v1 .4          .4 vs .25 better   .4 vs .5 worse     .4 vs .25 better
      // r3      v1 .3          v1 .6          .6 vs .3 better    .6 vs .3 better    (no candidate run)
      const base = await experiment('base', [
        [r1, 'v1', 0.5],
        [r2, 'v1', 0.5],
        [r2, 'v2', 0],
        [r3, 'v1', 0.3],
      ]);
      const candidate = await experiment('candidate', [
        [r1, 'v1', 0.2],
        [r1, 'v2', 0.9],
        [r2, 'v1', 0.4],
        [r3, 'v1', 0.6],
      ]);
      /** `expected` names records r1..r3, in order. */
      const agree = async (scope: object, expected: { improved: string[]; regressed: string[] }) => {
        const query = { experiment_ids: [base, candidate], baseline_id: base, ...scope };
        const [counts] = (await compare(query)).baseline.changes;
        for (const kind of ['improved', 'regressed'] as const) {
          const response = await post('/api/v1/comparisons/rows', { ...query, change: { kind, key: 's' } });
          const rows: { record: { id: string }; changes: Record<string, Record<string, { change: string }>> }[] = response.json().data;
          const names = rows.map((row) => [r1, r2, r3].indexOf(row.record.id) + 1).map((n) => `r${n}`);
          expect({ scope, kind, records: names.sort() }).toEqual({ scope, kind, records: expected[kind] });
          expect({ scope, kind, cells: rows.map((row) => row.changes[candidate]!.s!.change) }).toEqual({ scope, kind, cells: rows.map(() => kind) });
          expect({ scope, kind, count: counts[kind] }).toEqual({ scope, kind, count: expected[kind].length });
        }
      };
      await agree({}, { improved: ['r1', 'r2', 'r3'], regressed: [] });
      await agree({ filters: { run_metadata: { prompt: 'v1' } } }, { improved: ['r3'], regressed: ['r1', 'r2'] });
      await agree({ filters: { run_metadata: { prompt: 'v1' } }, lower_is_better: ['s'] }, { improved: ['r1', 'r2'], regressed: ['r3'] });
      await agree({ filters: { scores: [{ key: 's', max: 0.5 }] } }, { improved: ['r2'], regressed: ['r1'] });
    });

    it("counts a trace's tokens and costs once: the result's own, else its spans'", async () => {
      const dataset = (await post('/api/v1/datasets', { name: `traces-${Math.random()}` })).json();
      const [first, second] = (await post(`/api/v1/datasets/${dataset.id}/records`, { records: [{ input: 1 }, { input: 2 }] })).json().records;
      const experiment = (await post('/api/v1/experiments', { name: 'traced', dataset_id: dataset.id })).json().id;
      await post(`/api/v1/experiments/${experiment}/runs`, {
        runs: [
          // A target without usage of its own, and the two LLM calls under it.
          { id: '11111111-1111-4111-8111-111111111111', record_id: first.id, output: 1, trace_id: 't1' },
          { parent_run_id: '11111111-1111-4111-8111-111111111111', trace_id: 't1', prompt_tokens: 10, completion_tokens: 5, total_cost: '0.001' },
          { parent_run_id: '11111111-1111-4111-8111-111111111111', trace_id: 't1', prompt_tokens: 20, completion_tokens: 5, total_cost: '0.002' },
          // A target that reports the usage of its trace itself: its spans are not counted again.
          {
            id: '22222222-2222-4222-8222-222222222222',
            record_id: second.id,
            output: 2,
            trace_id: 't2',
            prompt_tokens: 7,
            completion_tokens: 3,
            total_cost: '0.01',
          },
          { parent_run_id: '22222222-2222-4222-8222-222222222222', trace_id: 't2', prompt_tokens: 7, completion_tokens: 3, total_cost: '0.01' },
        ],
      });
      const stats = (await compare({ experiment_ids: [experiment] })).stats[0];
      expect(stats).toMatchObject({ run_count: 2, prompt_tokens: 37, completion_tokens: 13, total_tokens: 50, total_cost: '0.013' });
    });

    it('never serves a remembered result once runs or scores have changed', async () => {
      const dataset = (await post('/api/v1/datasets', { name: `fresh-${Math.random()}` })).json();
      const [record] = (await post(`/api/v1/datasets/${dataset.id}/records`, { records: [{ input: 1 }] })).json().records;
      const experiment = (await post('/api/v1/experiments', { name: 'x', dataset_id: dataset.id })).json().id;
      const first = (await post(`/api/v1/experiments/${experiment}/runs`, { runs: [{ record_id: record.id, output: 1 }] })).json().run_ids[0];
      expect((await compare({ experiment_ids: [experiment] })).stats[0].run_count).toBe(1);
      await post(`/api/v1/experiments/${experiment}/runs`, { runs: [{ record_id: record.id, output: 2 }] });
      expect((await compare({ experiment_ids: [experiment] })).stats[0].run_count).toBe(2);
      await post(`/api/v1/experiments/${experiment}/scores`, { scores: [{ run_id: first, key: 'k', score: 1 }] });
      expect((await compare({ experiment_ids: [experiment] })).stats[0].scores.k.n).toBe(1);
    });

    it('answers bad requests with a 4xx naming the problem', async () => {
      const other = await t.services.workspaces.create(`other-${Math.random()}`);
      const theirs = (await t.call({ method: 'POST', url: '/api/v1/experiments', key: other.admin.key, payload: { name: 'x' } })).json().id;
      const elsewhere = (await post('/api/v1/experiments', { name: `stream-${Math.random()}` })).json().id;
      const cases: [object, number, string][] = [
        [{ experiment_ids: [] }, 400, '/experiment_ids'],
        [{}, 400, '/experiment_ids'],
        [{ experiment_ids: [a, '0f8fad5b-d9cb-469f-a165-70867728950e'] }, 404, '/experiment_ids/1'],
        [{ experiment_ids: [a, theirs] }, 404, '/experiment_ids/1'],
        [{ experiment_ids: [a, elsewhere] }, 400, '/experiment_ids'],
        [{ experiment_ids: [a, a] }, 400, '/experiment_ids'],
        [{ experiment_ids: [a, b], baseline_id: c }, 400, '/baseline_id'],
        [{ experiment_ids: [a], group_by: { source: 'trace', key: 'x' } }, 400, '/group_by/source'],
      ];
      for (const [body, status, pointer] of cases) {
        const response = await post('/api/v1/comparisons', body);
        expect({ body, status: response.statusCode }).toEqual({ body, status });
        expect(response.json().errors.map((e: { pointer: string }) => e.pointer)).toContain(pointer);
      }
      const noBaseline = await post('/api/v1/comparisons/rows', { experiment_ids: [a, b], change: { kind: 'regressed', key: 'correctness' } });
      expect(noBaseline.statusCode).toBe(400);
      const tooMany = await post('/api/v1/comparisons', { experiment_ids: Array.from({ length: 21 }, () => a) });
      expect(tooMany.statusCode).toBe(400);
    });
  });
}
