import { beforeAll, describe, expect, it } from 'vitest';
import { evaluate, Evalstore, type EvaluateProgress, type Evaluator, type SummaryEvaluator, type Target } from '../../src/client/index.js';
import { useTestServer } from '../support/app.js';
import { DIALECTS } from '../support/databases.js';

const RECORDS = 200;

/** evaluate() against a real server on 127.0.0.1, once per database. */
describe.each(DIALECTS)('evaluate() on %s', (dialect) => {
  const t = useTestServer(dialect);
  let evalstore: Evalstore;
  let datasetId: string;

  beforeAll(async () => {
    evalstore = new Evalstore({ url: t.url, apiKey: t.adminKey });
    const dataset = await evalstore.datasets.create({
      name: 'arithmetic',
      records: Array.from({ length: RECORDS }, (_, n) => ({ input: { n }, expected_output: n * 2, metadata: { parity: n % 2 ? 'odd' : 'even' } })),
    });
    datasetId = dataset.id;
  });

  /**
   * Doubles n, except that it answers n + 1 for odd n (right only for n = 1) and fails for every n
   * ending in 7 below 40: 101 records right, 95 wrong, 4 failing.
   */
  function doubler() {
    let running = 0;
    let mostAtOnce = 0;
    const target: Target = async (input, context) => {
      running += 1;
      mostAtOnce = Math.max(mostAtOnce, running);
      try {
        await new Promise((resolve) => setTimeout(resolve, 2 + (context.repetition % 3)));
        const n = (input as { n: number }).n;
        if (n % 10 === 7 && n < 40) throw new Error(`cannot double ${n}`);
        context.report({ prompt_tokens: 3, completion_tokens: 2, total_tokens: 5, total_cost: '0.000125' });
        return n % 2 ? n + 1 : n * 2;
      } finally {
        running -= 1;
      }
    };
    return { target, mostAtOnce: () => mostAtOnce };
  }

  const exact: Evaluator = ({ output, expected }) => output === expected;
  const distance: Evaluator = ({ output, expected }) => ({
    key: 'distance',
    score: Math.abs(Number(output) - Number(expected)),
    comment: 'absolute difference',
  });
  const accuracy: SummaryEvaluator = (results) => ({
    key: 'accuracy',
    score: results.filter((result) => result.scores.some((score) => score.key === 'exact' && score.score === 1)).length / results.length,
  });

  it('runs every record twice with 8 calls at once, scores each run and the experiment, and answers the aggregates', async () => {
    const { target, mostAtOnce } = doubler();
    const updates: EvaluateProgress[] = [];
    const summary = await evaluate(target, {
      client: evalstore,
      dataset: 'arithmetic',
      evaluators: [exact, distance],
      summaryEvaluators: [accuracy],
      repetitions: 2,
      concurrency: 8,
      batchSize: 50,
      experiment: { name: 'doubler v1', metadata: { model: 'test' } },
      onProgress: (progress) => updates.push(progress),
    });

    const failing = 4 * 2; // n = 7, 17, 27, 37, two repetitions each
    expect(mostAtOnce()).toBe(8);
    expect(summary.progress).toEqual({ total: 400, done: 400, errors: failing, uploaded: 400, skipped: 0, retried: 0 });
    expect(updates.at(-1)).toMatchObject({ done: 400, uploaded: 400 });
    expect(updates.some((update) => update.uploaded > 0 && update.uploaded < 400)).toBe(true);
    expect(summary.stats).toMatchObject({
      run_count: 400,
      record_count: RECORDS,
      error_count: failing,
      total_tokens: (400 - failing) * 5,
      total_cost: '0.049',
    });
    expect(summary.stats.scores.exact).toMatchObject({ n: 400 - failing, mean: 202 / 392 });
    expect(summary.stats.scores.distance).toMatchObject({ n: 400 - failing, min: 0 });
    expect(summary.summary_scores).toEqual([{ key: 'accuracy', score: 202 / 400 }]);
    expect(summary.experiment.metadata).toEqual({ model: 'test' });
    expect(summary.experiment.end_time).not.toBeNull();

    // What the API holds: one run per record and repetition, the failures as errored runs without scores.
    const runs = [];
    for await (const run of evalstore.runs.iterate(summary.experiment.id, { limit: 1000 })) runs.push(run);
    expect(runs).toHaveLength(400);
    expect(new Set(runs.map((run) => `${run.record_id}#${run.repetition}`)).size).toBe(400);
    const failed = runs.filter((run) => run.status === 'error');
    expect(failed).toHaveLength(failing);
    expect(failed[0]!.error).toMatch(/cannot double/);
    expect(runs.every((run) => typeof run.latency_ms === 'number' && run.latency_ms >= 2)).toBe(true);
    const scores = [];
    for await (const score of evalstore.scores.iterate(summary.experiment.id, { limit: 1000 })) scores.push(score);
    expect(scores.filter((score) => score.run_id !== null)).toHaveLength((400 - failing) * 2);
    expect(scores.filter((score) => score.run_id === null)).toMatchObject([{ key: 'accuracy', score: 202 / 400, source: 'code' }]);
    expect(scores.find((score) => score.key === 'distance')?.comment).toBe('absolute difference');
  });

  it('resumes an experiment of the same name without running or recording anything twice', async () => {
    const calls: number[] = [];
    const partial = await evaluate(
      async (input) => {
        calls.push((input as { n: number }).n);
        return 0;
      },
      { client: evalstore, dataset: datasetId, experiment: { name: 'resumed' }, repetitions: 1, evaluators: [exact] },
    );
    expect(partial.progress.done).toBe(RECORDS);

    const again = await evaluate(
      async (input) => {
        calls.push((input as { n: number }).n);
        return 0;
      },
      { client: evalstore, dataset: datasetId, experiment: { name: 'resumed' }, repetitions: 2, evaluators: [exact], summaryEvaluators: [accuracy] },
    );
    expect(again.progress).toMatchObject({ total: RECORDS, done: RECORDS, skipped: RECORDS });
    expect(calls).toHaveLength(2 * RECORDS);
    expect(again.stats.run_count).toBe(2 * RECORDS);
    // The summary evaluator saw the runs of both sessions.
    expect(again.summary_scores).toEqual([{ key: 'accuracy', score: 2 / (2 * RECORDS) }]);
  });

  it('retries the calls that failed when asked, replacing their runs and scores instead of adding repetitions', async () => {
    const flaky = doubler();
    const first = await evaluate(flaky.target, { client: evalstore, dataset: datasetId, experiment: { name: 'flaky' }, evaluators: [exact] });
    expect(first.stats).toMatchObject({ run_count: RECORDS, error_count: 4 });

    // A resume without asking leaves the failures as they are.
    const calls: number[] = [];
    const steady: Target = async (input) => {
      calls.push((input as { n: number }).n);
      return (input as { n: number }).n * 2;
    };
    const resumed = await evaluate(steady, { client: evalstore, dataset: datasetId, experiment: { name: 'flaky' }, evaluators: [exact] });
    expect(resumed.progress).toMatchObject({ total: 0, skipped: RECORDS, retried: 0 });
    expect(calls).toEqual([]);

    const retried = await evaluate(steady, {
      client: evalstore,
      dataset: datasetId,
      experiment: { name: 'flaky' },
      evaluators: [exact],
      summaryEvaluators: [accuracy],
      retryErrors: true,
    });
    expect(retried.progress).toMatchObject({ total: 4, done: 4, errors: 0, skipped: RECORDS - 4, retried: 4 });
    expect(calls.sort((a, b) => a - b)).toEqual([7, 17, 27, 37]);
    expect(retried.stats).toMatchObject({ run_count: RECORDS, error_count: 0 });
    const runs = [];
    for await (const run of evalstore.runs.iterate(retried.experiment.id, { limit: 1000 })) runs.push(run);
    expect(runs).toHaveLength(RECORDS);
    expect(new Set(runs.map((run) => run.repetition))).toEqual(new Set([1]));
    const scores = [];
    for await (const score of evalstore.scores.iterate(retried.experiment.id, { level: 'run', limit: 1000 })) scores.push(score);
    // One `exact` score per run: a failed call has none, its retry adds one, nothing is left of the failure.
    expect(scores.filter((score) => score.key === 'exact')).toHaveLength(RECORDS);
    // 101 right in the first session (odd n answered n + 1, right for n = 1 only), the 4 retried now right as well.
    expect(retried.summary_scores).toEqual([{ key: 'accuracy', score: 105 / RECORDS }]);
  });

  it('compares against a baseline, and refuses what it cannot do', async () => {
    const better = await evaluate(async (input) => (input as { n: number }).n * 2, {
      client: evalstore,
      dataset: 'arithmetic',
      experiment: { name: 'doubler v2' },
      evaluators: [exact],
      repetitions: 2,
      baseline: 'doubler v1',
    });
    const change = better.changes?.find((entry) => entry.key === 'exact');
    expect(change).toMatchObject({ improved: 95, regressed: 0, unchanged: 101, n: 196 });
    expect(change?.test).toMatchObject({ method: 'paired t-test', significant: true });

    await expect(evaluate(async () => 1, { client: evalstore, dataset: 'no such dataset', experiment: { name: 'x' } })).rejects.toMatchObject({ status: 404 });
    await expect(evaluate(async () => 1, { client: evalstore, dataset: 'arithmetic', experiment: { name: 'doubler v2' }, version: 99 })).rejects.toMatchObject({
      status: 404,
    });
    await expect(evaluate(async () => 1, { client: evalstore, dataset: 'arithmetic', experiment: { name: 'y' }, concurrency: 0 })).rejects.toThrow(
      /concurrency/,
    );
    await expect(
      evaluate(async () => 1, { client: evalstore, dataset: 'arithmetic', experiment: { name: 'against nothing' }, baseline: 'no such experiment' }),
    ).rejects.toMatchObject({ status: 404 });
    expect((await evalstore.experiments.list({ name: 'against nothing' })).data, 'no empty experiment is left behind').toEqual([]);
  });
});
