import { randomUUID } from 'node:crypto';
import { evaluate, evaluateComparative } from 'langsmith/evaluation';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeLangSmithSdk } from '../helpers.js';

const QUESTIONS = [
  { inputs: { question: '2+2' }, outputs: { answer: '4' } },
  { inputs: { question: 'capital of France' }, outputs: { answer: 'Paris' } },
  { inputs: { question: 'colour of the sky' }, outputs: { answer: 'blue' } },
];
const GOOD: Record<string, string> = { '2+2': '4', 'capital of France': 'Paris', 'colour of the sky': 'blue' };
const POOR: Record<string, string> = { '2+2': '4', 'capital of France': 'Lyon', 'colour of the sky': 'green' };

/** Comparative experiments (routes/comparative.ts): `evaluateComparative()` of langsmith 0.12 over two `evaluate()` experiments. */
describeLangSmithSdk('LangSmith comparative experiments', ({ server, client }) => {
  const saved = process.env.LANGSMITH_TRACING;
  beforeAll(() => {
    process.env.LANGSMITH_TRACING = 'false';
  });
  afterAll(() => {
    process.env.LANGSMITH_TRACING = saved;
  });

  it('judges two experiments pairwise; the preferences are scores naming the comparative experiment', async () => {
    const c = client();
    const dataset = await c.createDataset(`pairwise-${randomUUID().slice(0, 6)}`);
    await c.createExamples({ inputs: QUESTIONS.map((q) => q.inputs), outputs: QUESTIONS.map((q) => q.outputs), datasetId: dataset.id });
    const run = (answers: Record<string, string>, prefix: string) =>
      evaluate(async (inputs: { question: string }) => ({ answer: answers[inputs.question] }), { data: dataset.name, experimentPrefix: prefix, client: c });
    const good = await run(GOOD, 'good');
    const poor = await run(POOR, 'poor');

    // The judge prefers the run whose answer is the reference answer; a tie scores both 0.5.
    const judge = ({ runs, example }: { runs: { id: string; outputs?: { answer?: string } }[]; example: { outputs?: { answer?: string } } }) => {
      const right = runs.map((r) => r.outputs?.answer === example.outputs?.answer);
      const ties = right.every((x) => x === right[0]);
      return { key: 'preferred', scores: Object.fromEntries(runs.map((r, i) => [r.id, ties ? 0.5 : right[i] ? 1 : 0])) };
    };
    const result = await evaluateComparative([good.experimentName, poor.experimentName], { evaluators: [judge], client: c, description: 'which is better' });
    expect(result.results).toHaveLength(3);
    const comparative = result.comparativeExperiment;
    expect(comparative).toMatchObject({ reference_dataset_id: dataset.id, description: 'which is better' });

    // Read back through LangSmith's routes.
    const t = server();
    const headers = { 'x-api-key': t.adminKey };
    const read = await fetch(`${t.url}/langsmith/datasets/comparative/${comparative.id}`, { headers });
    const body: any = await read.json();
    expect(body.experiments_info.map((e: { name: string }) => e.name)).toEqual([good.experimentName, poor.experimentName]);
    expect(body.feedback_stats).toEqual({ preferred: { n: 6, avg: 0.5 } });
    const listed: any = await (await fetch(`${t.url}/langsmith/datasets/${dataset.id}/comparative`, { headers })).json();
    expect(listed.map((item: { id: string }) => item.id)).toEqual([comparative.id]);

    // Through the native API: the comparative experiment, its two experiments, and the preference per record.
    const native: any = await (
      await fetch(`${t.url}/api/v1/comparative-experiments/${comparative.id}`, { headers: { authorization: `Bearer ${t.adminKey}` } })
    ).json();
    const [goodProject, poorProject] = await Promise.all([
      c.readProject({ projectName: good.experimentName }),
      c.readProject({ projectName: poor.experimentName }),
    ]);
    expect(native).toMatchObject({ id: comparative.id, dataset_id: dataset.id, experiment_ids: [goodProject.id, poorProject.id] });
    const byRecord = new Map<string, Record<string, number>>();
    for (const preference of native.preferences) {
      byRecord.set(preference.record_id, {
        ...byRecord.get(preference.record_id),
        [preference.experiment_id === goodProject.id ? 'good' : 'poor']: preference.score,
      });
    }
    expect([...byRecord.values()].sort((a, b) => (a.good ?? 0) - (b.good ?? 0))).toEqual([
      { good: 0.5, poor: 0.5 },
      { good: 1, poor: 0 },
      { good: 1, poor: 0 },
    ]);
  });

  it('refuses experiments of another dataset, fewer than two, an unknown dataset, and another workspace', async () => {
    const t = server();
    const c = client();
    const one = await c.createDataset(`one-${randomUUID().slice(0, 6)}`);
    const two = await c.createDataset(`two-${randomUUID().slice(0, 6)}`);
    const a = await c.createProject({ projectName: `a-${randomUUID().slice(0, 6)}`, referenceDatasetId: one.id });
    const b = await c.createProject({ projectName: `b-${randomUUID().slice(0, 6)}`, referenceDatasetId: two.id });
    const post = (body: object, key = t.adminKey) =>
      fetch(`${t.url}/langsmith/datasets/comparative`, {
        method: 'POST',
        headers: { 'x-api-key': key, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const other = await post({ name: 'x', experiment_ids: [a.id, b.id], reference_dataset_id: one.id });
    expect(other.status).toBe(422);
    expect(((await other.json()) as { detail: unknown }).detail).toEqual([
      { loc: ['body', 'experiment_ids', 1], msg: 'is an experiment of another dataset', type: 'value_error' },
    ]);
    const single = await post({ name: 'x', experiment_ids: [a.id], reference_dataset_id: one.id });
    expect(single.status).toBe(422);
    expect(((await single.json()) as { detail: { loc: unknown }[] }).detail[0]?.loc).toEqual(['body', 'experiment_ids']);
    const unknown = await post({ name: 'x', experiment_ids: [a.id, randomUUID()], reference_dataset_id: randomUUID() });
    expect(unknown.status).toBe(404);
    const ws = await t.services.workspaces.create(`other-${randomUUID().slice(0, 6)}`);
    expect((await post({ name: 'x', experiment_ids: [a.id, b.id], reference_dataset_id: one.id }, ws.admin.key)).status).toBe(404);
  });
});
