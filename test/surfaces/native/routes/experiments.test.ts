import { parse } from 'csv-parse/sync';
import { beforeEach, describe, expect, it } from 'vitest';
import { useTestApp } from '../../../support/app.js';
import { DIALECTS } from '../../../support/databases.js';
import { countRows } from '../../../support/rows.js';

for (const dialect of DIALECTS) {
  describe(`${dialect}: experiments, runs and scores`, () => {
    const t = useTestApp(dialect);
    let datasetId: string;
    let records: { id: string }[];
    beforeEach(async () => {
      const dataset = (await t.call({ method: 'POST', url: '/api/v1/datasets', payload: { name: `e-${Math.random()}` } })).json();
      datasetId = dataset.id;
      records = (
        await t.call({
          method: 'POST',
          url: `/api/v1/datasets/${datasetId}/records`,
          payload: { records: [{ input: 'q1', expected_output: 'a1' }, { input: 'q2', expected_output: 'a2' }, { input: 'q3' }] },
        })
      ).json().records;
    });

    const createExperiment = async (body: Record<string, unknown> = {}) => {
      const response = await t.call({ method: 'POST', url: '/api/v1/experiments', payload: { name: `x-${Math.random()}`, dataset_id: datasetId, ...body } });
      expect(response.statusCode).toBe(201);
      return response.json();
    };
    const append = (experimentId: string, runs: unknown[]) => t.call({ method: 'POST', url: `/api/v1/experiments/${experimentId}/runs`, payload: { runs } });
    const runsOf = async (experimentId: string, query = '') =>
      (await t.call({ method: 'GET', url: `/api/v1/experiments/${experimentId}/runs?limit=1000${query}` })).json().data;
    const counts = async () => {
      const db = t.testStore.store.db;
      const count = async (table: 'runs' | 'scores' | 'experiments') => countRows(db, table);
      return { runs: await count('runs'), scores: await count('scores'), experiments: await count('experiments') };
    };

    it('creates an experiment pinned to the dataset version, and reads, lists, updates and deletes it', async () => {
      const experiment = await createExperiment({ name: 'gpt-4o baseline', metadata: { model: 'gpt-4o' }, start_time: 1_700_000_000_000 });
      expect(experiment).toMatchObject({
        dataset_id: datasetId,
        dataset_version: 1,
        source: 'native',
        metadata: { model: 'gpt-4o' },
        start_time: '2023-11-14T22:13:20.000Z',
      });
      await t.call({ method: 'POST', url: `/api/v1/datasets/${datasetId}/records`, payload: { records: [{ input: 'q4' }] } });
      expect((await createExperiment()).dataset_version).toBe(2);
      expect((await createExperiment({ dataset_version: '1' })).dataset_version).toBe(1);

      expect((await t.call({ method: 'GET', url: `/api/v1/experiments/${experiment.id}` })).json()).toEqual(experiment);
      const listed = (await t.call({ method: 'GET', url: `/api/v1/experiments?dataset_id=${datasetId}` })).json().data;
      expect(listed).toHaveLength(3);
      const renamed = await t.call({
        method: 'PATCH',
        url: `/api/v1/experiments/${experiment.id}`,
        payload: { name: 'renamed', end_time: '2023-11-15T00:00:00Z' },
      });
      expect(renamed.json()).toMatchObject({ name: 'renamed', end_time: '2023-11-15T00:00:00.000Z' });
      const duplicate = await t.call({ method: 'POST', url: '/api/v1/experiments', payload: { name: 'renamed', dataset_id: datasetId } });
      expect(duplicate.statusCode).toBe(409);
      expect((await t.call({ method: 'DELETE', url: `/api/v1/experiments/${experiment.id}` })).statusCode).toBe(204);
      expect((await t.call({ method: 'GET', url: `/api/v1/experiments/${experiment.id}` })).statusCode).toBe(404);
    });

    it('records runs with every field, derives latency, totals and status, and keeps extra fields', async () => {
      const experiment = await createExperiment();
      const response = await append(experiment.id, [
        {
          record_id: records[0]!.id,
          input: { q: 'q1' },
          output: { answer: 'a1' },
          start_time: '2026-01-01T00:00:00.000Z',
          end_time: '2026-01-01T00:00:01.250Z',
          first_token_ms: 300,
          prompt_tokens: 100,
          completion_tokens: 20,
          prompt_cost: '0.0001',
          completion_cost: 0.00002,
          metadata: { model: 'gpt-4o' },
          trace_id: 'trace-1',
          temperature: 0.2,
          tool_calls: [{ name: 'search' }],
        },
        { record_id: records[1]!.id, output: null, error: 'timeout', latency_ms: 30_000 },
      ]);
      expect(response.statusCode).toBe(201);
      const { run_ids: ids, inserted } = response.json();
      expect(inserted).toBe(2);
      const run = (await t.call({ method: 'GET', url: `/api/v1/runs/${ids[0]}` })).json();
      expect(run).toMatchObject({
        id: ids[0],
        experiment_id: experiment.id,
        record_id: records[0]!.id,
        repetition: 1,
        status: 'success',
        latency_ms: 1250,
        first_token_ms: 300,
        total_tokens: 120,
        prompt_cost: '0.0001',
        completion_cost: '0.00002',
        total_cost: '0.00012',
        metadata: { model: 'gpt-4o' },
        trace_id: 'trace-1',
        temperature: 0.2,
        tool_calls: [{ name: 'search' }],
      });
      const failed = (await t.call({ method: 'GET', url: `/api/v1/runs/${ids[1]}` })).json();
      expect(failed).toMatchObject({ status: 'error', error: 'timeout', latency_ms: 30_000, output: null });
    });

    it('numbers repetitions per record, and takes retries of the same run id once', async () => {
      const experiment = await createExperiment();
      const id = '0f8fad5b-d9cb-469f-a165-70867728950e';
      const first = await append(experiment.id, [
        { id, record_id: records[0]!.id, output: 'x' },
        { record_id: records[0]!.id, output: 'y' },
      ]);
      expect(first.json().inserted).toBe(2);
      const retry = await append(experiment.id, [
        { id, record_id: records[0]!.id, output: 'x' },
        { record_id: records[0]!.id, output: 'z' },
      ]);
      expect(retry.json()).toMatchObject({ inserted: 1, run_ids: [id, expect.any(String)] });
      const runs = await runsOf(experiment.id, `&record_id=${records[0]!.id}`);
      expect(runs.map((r: { repetition: number; output: string }) => [r.repetition, r.output]).sort()).toEqual([
        [1, 'x'],
        [2, 'y'],
        [3, 'z'],
      ]);

      const other = await createExperiment();
      const stolen = await append(other.id, [{ id, output: 'x' }]);
      expect(stolen.statusCode).toBe(409);
      expect(stolen.json().errors[0].pointer).toBe('/runs/0/id');
    });

    it('replaces failed runs with their scores and spans when asked, and only failed ones', async () => {
      const experiment = await createExperiment();
      const failedId = '0f8fad5b-d9cb-469f-a165-70867728950f';
      const goodId = '0f8fad5b-d9cb-469f-a165-708677289510';
      const spanId = '0f8fad5b-d9cb-469f-a165-708677289511';
      const first = await append(experiment.id, [
        { id: failedId, record_id: records[0]!.id, repetition: 1, error: 'timeout', scores: [{ key: 'judged', score: 0 }] },
        { id: spanId, trace_id: failedId, parent_run_id: failedId, name: 'llm call', error: 'timeout' },
        { id: goodId, record_id: records[1]!.id, repetition: 1, output: 'a2', scores: [{ key: 'exact', score: 1 }] },
      ]);
      expect(first.statusCode).toBe(201);
      const before = await counts();

      // Without asking, a run sent again is skipped, failed or not.
      const skipped = await append(experiment.id, [{ id: failedId, record_id: records[0]!.id, repetition: 1, output: 'a1' }]);
      expect(skipped.json()).toMatchObject({ inserted: 0 });
      expect(await counts()).toEqual(before);

      const replaced = await t.call({
        method: 'POST',
        url: `/api/v1/experiments/${experiment.id}/runs`,
        payload: {
          replace_failed: true,
          runs: [
            { id: failedId, record_id: records[0]!.id, repetition: 1, output: 'a1', scores: [{ key: 'exact', score: 1 }] },
            { id: goodId, record_id: records[1]!.id, repetition: 1, output: 'changed' },
          ],
        },
      });
      expect(replaced.statusCode).toBe(201);
      expect(replaced.json()).toMatchObject({ inserted: 1, run_ids: [failedId, goodId] });
      const runs = await runsOf(experiment.id);
      expect(
        runs.map((run: { id: string; status: string; output: unknown; repetition: number }) => [run.id, run.status, run.output, run.repetition]).sort(),
      ).toEqual([
        [failedId, 'success', 'a1', 1],
        [goodId, 'success', 'a2', 1],
      ]);
      const scores = (await t.call({ method: 'GET', url: `/api/v1/experiments/${experiment.id}/scores?limit=100` })).json().data;
      expect(scores.map((score: { run_id: string; key: string }) => `${score.run_id}:${score.key}`).sort()).toEqual(
        [`${failedId}:exact`, `${goodId}:exact`].sort(),
      );
      // The failure's span and score are gone; the replacement brought one run and one score.
      expect(await counts()).toEqual({ ...before, runs: before.runs - 1, scores: before.scores });
    });

    it("refuses runs whose record is not in the experiment's version, naming the run, and records nothing", async () => {
      const experiment = await createExperiment();
      const later = (await t.call({ method: 'POST', url: `/api/v1/datasets/${datasetId}/records`, payload: { records: [{ input: 'new' }] } })).json()
        .records[0];
      const before = await counts();
      const cases: [unknown[], number, string][] = [
        [
          [
            { record_id: records[0]!.id, output: 1 },
            { record_id: later.id, output: 2 },
          ],
          400,
          '/runs/1/record_id',
        ],
        [[{ output: 1 }, { record_id: '0f8fad5b-d9cb-469f-a165-70867728950e', output: 2 }], 400, '/runs/1/record_id'],
        [[{ output: 1, prompt_cost: 'cheap' }], 400, '/runs/0/prompt_cost'],
        [[{ output: 1, start_time: 'yesterday' }], 400, '/runs/0/start_time'],
        [[{ output: 1, start_time: '2026-01-02T00:00:00Z', end_time: '2026-01-01T00:00:00Z' }], 400, '/runs/0/end_time'],
        [[{ output: 1, prompt_tokens: -1 }], 400, '/runs/0/prompt_tokens'],
        [[{ output: 1, status: 'done' }], 400, '/runs/0/status'],
        [[{ output: 1, scores: [{ key: 'x', colour: 1 }] }], 400, '/runs/0/scores/0/colour'],
        [[], 400, '/runs'],
      ];
      for (const [runs, status, pointer] of cases) {
        const response = await append(experiment.id, runs);
        expect({ pointer, status: response.statusCode }).toEqual({ pointer, status });
        expect(response.json().errors.map((e: { pointer: string }) => e.pointer)).toContain(pointer);
      }
      const tooMany = await append(
        experiment.id,
        Array.from({ length: 10_001 }, () => ({ output: 1 })),
      );
      expect(tooMany.statusCode).toBe(400);
      const stream = (await t.call({ method: 'POST', url: '/api/v1/experiments', payload: { name: `stream-${Math.random()}` } })).json();
      const noDataset = await append(stream.id, [{ record_id: records[0]!.id, output: 1 }]);
      expect(noDataset.statusCode).toBe(400);
      expect(await counts()).toEqual({ ...before, experiments: before.experiments + 1 });
    });

    it('takes 10,000 runs in one request', async () => {
      const experiment = await createExperiment();
      const response = await append(
        experiment.id,
        Array.from({ length: 10_000 }, (_, i) => ({ record_id: records[i % 3]!.id, output: i, latency_ms: i })),
      );
      expect(response.statusCode).toBe(201);
      expect(response.json().inserted).toBe(10_000);
      const slow = await runsOf(experiment.id, '&min_latency_ms=9990');
      expect(slow).toHaveLength(10);
    });

    it('records scores of runs and of the whole experiment, idempotently, and lists them', async () => {
      const experiment = await createExperiment();
      const { run_ids: ids } = (
        await append(experiment.id, [
          { record_id: records[0]!.id, output: 'a1', scores: [{ key: 'exact', score: 1, source: 'code' }] },
          { record_id: records[1]!.id, output: 'no' },
        ])
      ).json();
      const id = '1f8fad5b-d9cb-469f-a165-70867728950e';
      const scores = [
        { id, run_id: ids[1], key: 'exact', score: false, comment: 'wrong' },
        { run_id: ids[1], key: 'tone', value: 'polite', source: 'human' },
        { key: 'accuracy', score: 0.5 },
      ];
      const created = await t.call({ method: 'POST', url: `/api/v1/experiments/${experiment.id}/scores`, payload: { scores } });
      expect(created.statusCode).toBe(201);
      expect(created.json().inserted).toBe(3);
      const again = await t.call({ method: 'POST', url: `/api/v1/experiments/${experiment.id}/scores`, payload: { scores: [scores[0]] } });
      expect(again.json()).toEqual({ score_ids: [id], inserted: 0 });

      const all = (await t.call({ method: 'GET', url: `/api/v1/experiments/${experiment.id}/scores` })).json().data;
      expect(all).toHaveLength(4);
      const summary = (await t.call({ method: 'GET', url: `/api/v1/experiments/${experiment.id}/scores?level=experiment` })).json().data;
      expect(summary).toMatchObject([{ key: 'accuracy', score: 0.5, run_id: null, source: 'api' }]);
      const ofRun = (await t.call({ method: 'GET', url: `/api/v1/experiments/${experiment.id}/scores?run_id=${ids[1]}&key=exact` })).json().data;
      expect(ofRun).toMatchObject([{ id, score: 0, comment: 'wrong' }]);

      const stranger = await createExperiment();
      const foreignRun = (await append(stranger.id, [{ output: 1 }])).json().run_ids[0];
      const before = await counts();
      const wrong = await t.call({
        method: 'POST',
        url: `/api/v1/experiments/${experiment.id}/scores`,
        payload: {
          scores: [
            { key: 'ok', score: 1 },
            { run_id: foreignRun, key: 'x', score: 1 },
          ],
        },
      });
      expect(wrong.statusCode).toBe(404);
      expect(wrong.json().errors[0].pointer).toBe('/scores/1/run_id');
      expect(await counts()).toEqual(before);
    });

    it('lists runs with filters and pages', async () => {
      const experiment = await createExperiment();
      const { run_ids: ids } = (
        await append(experiment.id, [
          { record_id: records[0]!.id, output: 1, trace_id: 't1', name: 'root' },
          { output: 2, trace_id: 't1', parent_run_id: 'placeholder', name: 'child' },
          { record_id: records[1]!.id, error: 'boom' },
        ])
      ).json();
      expect((await runsOf(experiment.id, '&root_only=true')).map((r: { id: string }) => r.id).sort()).toEqual([ids[0], ids[2]].sort());
      expect((await runsOf(experiment.id, '&status=error')).map((r: { id: string }) => r.id)).toEqual([ids[2]]);
      expect((await runsOf(experiment.id, '&trace_id=t1&name=child')).map((r: { id: string }) => r.id)).toEqual([ids[1]]);
      const page = (await t.call({ method: 'GET', url: `/api/v1/experiments/${experiment.id}/runs?limit=2` })).json();
      const next = (await t.call({ method: 'GET', url: `/api/v1/experiments/${experiment.id}/runs?limit=2&cursor=${page.next_cursor}` })).json();
      expect(new Set([...page.data, ...next.data].map((r: { id: string }) => r.id)).size).toBe(3);
      expect(next.next_cursor).toBeNull();
    });

    it('exports results as JSONL and CSV with scores as columns', async () => {
      const experiment = await createExperiment();
      await append(experiment.id, [
        {
          record_id: records[0]!.id,
          output: 'a1',
          total_cost: '0.5',
          scores: [
            { key: 'exact', score: 1 },
            { key: 'tone', value: 'polite' },
          ],
        },
        { record_id: records[1]!.id, output: 'wrong', scores: [{ key: 'exact', score: 0 }] },
        { output: 'child', parent_run_id: 'x' },
      ]);
      const jsonl = await t.call({ method: 'GET', url: `/api/v1/experiments/${experiment.id}/export` });
      const lines = jsonl.body
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line));
      expect(lines).toHaveLength(2);
      const byInput = Object.fromEntries(lines.map((l) => [l.input, l]));
      expect(byInput.q1).toMatchObject({ expected_output: 'a1', output: 'a1', total_cost: '0.5', scores: { exact: { score: 1 }, tone: { value: 'polite' } } });

      const csv = await t.call({ method: 'GET', url: `/api/v1/experiments/${experiment.id}/export?format=csv` });
      const [header, ...rows] = parse(csv.body) as string[][];
      expect(header!.slice(-2)).toEqual(['score.exact', 'score.tone']);
      const cells = rows.map((row) => Object.fromEntries(header!.map((h, i) => [h, row[i]])));
      expect(cells.map((c) => [c.input, c.output, c['score.exact'], c['score.tone']]).sort()).toEqual([
        ['q1', 'a1', '1', 'polite'],
        ['q2', 'wrong', '0', ''],
      ]);
    });

    it("keeps another workspace's experiments out of reach", async () => {
      const experiment = await createExperiment();
      const other = await t.services.workspaces.create(`other-${Math.random()}`);
      const key = other.admin.key;
      for (const [method, url] of [
        ['GET', `/api/v1/experiments/${experiment.id}`],
        ['GET', `/api/v1/experiments/${experiment.id}/runs`],
        ['POST', `/api/v1/experiments/${experiment.id}/runs`],
        ['GET', `/api/v1/experiments/${experiment.id}/export`],
      ] as const) {
        const response = await t.call({ method, url, key, ...(method === 'POST' ? { payload: { runs: [{ output: 1 }] } } : {}) });
        expect({ url, status: response.statusCode }).toEqual({ url, status: 404 });
      }
      const ours = await t.call({ method: 'POST', url: '/api/v1/experiments', key, payload: { name: 'x', dataset_id: datasetId } });
      expect(ours.statusCode).toBe(404);
    });

    it('creates an experiment with its runs and answers their ids, or nothing at all', async () => {
      const dataset = (
        await t.call({ method: 'POST', url: '/api/v1/datasets', payload: { name: 'for runs', records: [{ input: 'q1' }, { input: 'q2' }] } })
      ).json();
      const records = (await t.call({ method: 'GET', url: `/api/v1/datasets/${dataset.id}/records` })).json().data;
      const response = await t.call({
        method: 'POST',
        url: '/api/v1/experiments',
        payload: {
          name: 'with runs',
          dataset_id: dataset.id,
          runs: [
            { record_id: records[0].id, output: 'a1', scores: [{ key: 'exact', score: 1 }], model: 'm' },
            { record_id: records[1].id, output: 'a2' },
          ],
        },
      });
      expect(response.statusCode).toBe(201);
      const created = response.json();
      expect(created).toMatchObject({ name: 'with runs', dataset_version: 1, run_ids: [expect.any(String), expect.any(String)] });
      const run = (await t.call({ method: 'GET', url: `/api/v1/runs/${created.run_ids[0]}` })).json();
      expect(run).toMatchObject({ experiment_id: created.id, record_id: records[0].id, output: 'a1', model: 'm', repetition: 1 });

      const before = await counts();
      const refused = await t.call({
        method: 'POST',
        url: '/api/v1/experiments',
        payload: {
          name: 'half',
          dataset_id: dataset.id,
          runs: [
            { record_id: records[0].id, output: 1 },
            { record_id: '0f8fad5b-d9cb-469f-a165-70867728950e', output: 2 },
          ],
        },
      });
      expect(refused.statusCode).toBe(400);
      expect(refused.json().errors[0].pointer).toBe('/runs/1/record_id');
      expect(await counts()).toEqual(before);
      const plain = await t.call({ method: 'POST', url: '/api/v1/experiments', payload: { name: 'plain', dataset_id: dataset.id } });
      expect(plain.json().run_ids).toBeUndefined();
    });
  });
}
