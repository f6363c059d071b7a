import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../support/app.js';
import { DIALECTS } from '../../../support/databases.js';

/**
 * record  topic  A: latency, correct, model     B: latency, correct, model
 * r1      math   1000 ms, 1, "gpt"              100 ms, 0, "claude"; and a second run 300 ms, 1
 * r2      math   2000 ms, 0, "gpt"              200 ms, 1, "claude"
 * r3      geo    3000 ms, 1, "gpt", error       (no run)
 * r4      (none) 4000 ms, 1 (no model)          400 ms, 1, "claude"
 */
for (const dialect of DIALECTS) {
  describe(`${dialect}: LangSmith group/runs`, () => {
    let t: TestApp;
    let datasetId: string;
    let records: string[];
    let a: string;
    let b: string;

    const post = (url: string, payload: object, key?: string) => t.app.inject({ method: 'POST', url, payload, headers: { 'x-api-key': key ?? t.adminKey } });
    const groupRuns = async (body: object, prefix = '/langsmith/api/v1') => {
      const response = await post(`${prefix}/datasets/${datasetId}/group/runs`, body);
      expect(response.statusCode, response.body).toBe(200);
      return response.json();
    };

    beforeAll(async () => {
      t = await createTestApp(dialect);
      const native = (url: string, payload: object) => t.call({ method: 'POST', url, payload });
      datasetId = (await native('/api/v1/datasets', { name: 'grouped' })).json().id;
      records = (
        await native(`/api/v1/datasets/${datasetId}/records`, {
          records: [{ topic: 'math' }, { topic: 'math' }, { topic: 'geo' }, {}].map((metadata, i) => ({
            input: { q: `q${i + 1}` },
            expected_output: { a: i + 1 },
            metadata,
          })),
        })
      )
        .json()
        .records.map((r: { id: string }) => r.id);
      a = (await native('/api/v1/experiments', { name: 'A', dataset_id: datasetId })).json().id;
      b = (await native('/api/v1/experiments', { name: 'B', dataset_id: datasetId })).json().id;
      const run = (record: number, latency: number, correct: number, model?: string, extra: object = {}) => ({
        record_id: records[record],
        input: { q: `q${record + 1}` },
        output: `out ${latency}`,
        latency_ms: latency,
        prompt_tokens: 10,
        completion_tokens: 2,
        total_cost: '0.01',
        metadata: model ? { model } : {},
        scores: [{ key: 'correct', score: correct }],
        ...extra,
      });
      await native(`/api/v1/experiments/${a}/runs`, {
        runs: [run(0, 1000, 1, 'gpt'), run(1, 2000, 0, 'gpt'), run(2, 3000, 1, 'gpt', { error: 'boom' }), run(3, 4000, 1)],
      });
      await native(`/api/v1/experiments/${b}/runs`, {
        runs: [run(0, 100, 0, 'claude'), run(0, 300, 1, 'claude'), run(1, 200, 1, 'claude'), run(3, 400, 1, 'claude')],
      });
    });
    afterAll(async () => t?.close());

    it('groups examples by an example metadata key, with per-session and pooled statistics', async () => {
      const { groups } = await groupRuns({ session_ids: [a, b], group_by: 'example_metadata', metadata_key: 'topic' });
      expect(groups.map((g: { group_key: unknown }) => g.group_key)).toEqual(['geo', 'math', null]);
      const math = groups[1];
      // math: A has r1, r2 (1000, 2000 ms); B has r1 twice and r2 (100, 300, 200 ms). Pooled: 5 runs over 2 examples.
      expect(math).toMatchObject({
        count: 5,
        example_count: 2,
        total_tokens: 60,
        prompt_tokens: 50,
        total_cost: '0.05',
        error_rate: 0,
        filter: "and(eq(is_root, true), and(eq(example_metadata_key, 'topic'), eq(example_metadata_value, 'math')))",
      });
      // pooled latencies 100, 200, 300, 1000, 2000 ms: p50 300 ms; p99 at rank 4.96 -> 1000 + .96 * 1000
      expect(math.latency_p50).toBeCloseTo(0.3, 9);
      expect(math.latency_p99).toBeCloseTo(1.96, 9);
      // correct over all 5 runs: 1, 0, 0, 1, 1 -> n 5, avg .6 (weighted by scores, not averaged per session)
      expect(math.feedback_stats.correct).toMatchObject({ n: 5, avg: 0.6, errors: 0, values: {} });
      const [sessionA, sessionB] = math.sessions;
      expect(sessionA).toMatchObject({ id: a, name: 'A', reference_dataset_id: datasetId, run_count: 2, example_count: 2, latency_p50: 1.5, error_rate: 0 });
      expect(sessionA.feedback_stats.correct).toMatchObject({ n: 2, avg: 0.5 });
      expect(sessionB).toMatchObject({ id: b, run_count: 3, example_count: 2, latency_p50: 0.2, total_cost: '0.03' });
      expect(sessionB.filter).toBe(
        `and(eq(is_root, true), eq(session_id, '${b}'), and(eq(example_metadata_key, 'topic'), eq(example_metadata_value, 'math')))`,
      );

      const examples = math.examples;
      expect(examples.map((e: { id: string }) => e.id)).toEqual([records[0], records[1]].sort());
      const r1 = examples.find((e: { id: string }) => e.id === records[0]);
      expect(r1).toMatchObject({ dataset_id: datasetId, inputs: { q: 'q1' }, outputs: { a: 1 }, metadata: { topic: 'math' } });
      expect(r1.runs).toHaveLength(3);
      expect(r1.runs.map((run: { session_id: string }) => run.session_id).sort()).toEqual([a, b, b].sort());
      const runOfA = r1.runs.find((run: { session_id: string }) => run.session_id === a);
      expect(runOfA).toMatchObject({
        reference_example_id: records[0],
        status: 'success',
        outputs: { output: 'out 1000' },
        extra: { metadata: { model: 'gpt' } },
        total_cost: '0.01',
      });
      expect(runOfA.feedback_stats).toEqual({ correct: { n: 1, avg: 1, stdev: null, errors: 0, min: 1, max: 1, values: {} } });

      const geo = groups[0];
      expect(geo).toMatchObject({ count: 1, example_count: 1, error_rate: 1 });
      expect(geo.sessions[1]).toMatchObject({ id: b, run_count: 0, example_count: 0 });
      expect(groups[2]).toMatchObject({ group_key: null, count: 2, example_count: 1 });
    });

    it('groups by a run metadata key: a record appears under each value its runs carry', async () => {
      const { groups } = await groupRuns({ session_ids: [a, b], group_by: 'run_metadata', metadata_key: 'model' });
      expect(groups.map((g: { group_key: unknown }) => g.group_key)).toEqual(['claude', 'gpt', null]);
      const [claude, gpt, none] = groups;
      expect(claude).toMatchObject({ count: 4, example_count: 3 });
      expect(claude.sessions.map((s: { run_count: number }) => s.run_count)).toEqual([0, 4]);
      expect(gpt).toMatchObject({ count: 3, example_count: 3, error_rate: 1 / 3 });
      expect(none).toMatchObject({ count: 1, example_count: 1 });
      expect(none.examples[0].runs).toHaveLength(1);
      expect(claude.examples.flatMap((e: { runs: { session_id: string }[] }) => e.runs.map((r) => r.session_id))).toEqual([b, b, b, b]);
    });

    it('pages through groups with offset and limit, caps examples per group, and previews', async () => {
      const first = await groupRuns({ session_ids: [a, b], group_by: 'example_metadata', metadata_key: 'topic', limit: 2 });
      const rest = await groupRuns({ session_ids: [a, b], group_by: 'example_metadata', metadata_key: 'topic', limit: 2, offset: 2 });
      expect([...first.groups, ...rest.groups].map((g: { group_key: unknown }) => g.group_key)).toEqual(['geo', 'math', null]);
      const capped = await groupRuns({ session_ids: [a, b], group_by: 'example_metadata', metadata_key: 'topic', per_group_limit: 1, preview: true });
      expect(capped.groups[1].examples).toHaveLength(1);
      expect(capped.groups[1].example_count).toBe(2);
      const run = capped.groups[1].examples[0].runs[0];
      expect(run.outputs).toBeNull();
      expect(run.outputs_preview).toMatch(/^\{"output":"out /);
      const none = await groupRuns({ session_ids: [a], group_by: 'example_metadata', metadata_key: 'no-such-key' });
      expect(none.groups.map((g: { group_key: unknown; example_count: number }) => [g.group_key, g.example_count])).toEqual([[null, 4]]);
    });

    it('answers on every path LangSmith clients use', async () => {
      for (const prefix of ['/langsmith', '/langsmith/api/v1', '/langsmith/v1/platform', '/langsmith/api/v1/platform']) {
        const body = await groupRuns({ session_ids: [a], group_by: 'example_metadata', metadata_key: 'topic' }, prefix);
        expect(body.groups).toHaveLength(3);
      }
    });

    it('refuses bad requests as FastAPI would', async () => {
      const url = `/langsmith/api/v1/datasets/${datasetId}/group/runs`;
      const body = { session_ids: [a], group_by: 'example_metadata', metadata_key: 'topic' };
      const invalid: object[] = [
        { ...body, session_ids: [] },
        { group_by: 'example_metadata', metadata_key: 'topic' },
        { ...body, per_group_limit: 11 },
        { ...body, per_group_limit: 0 },
        { ...body, group_by: 'session_metadata' },
        { ...body, metadata_key: undefined },
        { ...body, offset: -1 },
        { ...body, filters: { [a]: ['eq(error, true)'] } },
      ];
      for (const payload of invalid) {
        const response = await post(url, payload);
        expect({ payload, status: response.statusCode }).toEqual({ payload, status: 422 });
        expect(Array.isArray(response.json().detail)).toBe(true);
      }
      const unknown = await post(url, { ...body, session_ids: ['0f8fad5b-d9cb-469f-a165-70867728950e'] });
      expect(unknown.statusCode).toBe(404);
      expect(typeof unknown.json().detail).toBe('string');
      const otherDataset = (await t.call({ method: 'POST', url: '/api/v1/datasets', payload: { name: `other-${Math.random()}` } })).json().id;
      const stranger = (await t.call({ method: 'POST', url: '/api/v1/experiments', payload: { name: 's', dataset_id: otherDataset } })).json().id;
      expect((await post(url, { ...body, session_ids: [a, stranger] })).statusCode).toBe(404);
      const foreign = await t.services.workspaces.create(`foreign-${Math.random()}`);
      expect((await post(url, body, foreign.admin.key)).statusCode).toBe(404);
      expect((await post(`/langsmith/api/v1/datasets/${otherDataset}/group/runs`, body)).statusCode).toBe(404);
      expect((await t.app.inject({ method: 'POST', url, payload: body })).statusCode).toBe(401);
    });
  });
}
