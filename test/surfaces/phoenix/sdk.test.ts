import { createClient } from '@arizeai/phoenix-client';
import { appendDatasetExamples, createDataset, getDataset } from '@arizeai/phoenix-client/datasets';
import { asExperimentEvaluator, deleteExperiment, getExperiment, listExperiments, runExperiment } from '@arizeai/phoenix-client/experiments';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestServer } from '../../support/app.js';
import { DIALECTS } from '../../support/databases.js';

/**
 * @arizeai/phoenix-client (6.14.2) against a real server on 127.0.0.1, as a user runs it: only
 * PHOENIX_HOST (the base URL) and the key differ from Phoenix's. Its task and evaluator traces go to
 * the OTLP receiver under /phoenix/v1/traces through the client's own tracer setup.
 */
for (const dialect of DIALECTS) {
  describe(`${dialect}: @arizeai/phoenix-client against the Phoenix surface`, () => {
    const t = useTestServer(dialect);
    const sent: string[] = [];
    const realFetch = globalThis.fetch;
    let client: ReturnType<typeof createClient>;

    beforeAll(() => {
      globalThis.fetch = async (input, init) => {
        const request = input instanceof Request ? input : new Request(input, init);
        const url = new URL(request.url);
        sent.push(`${request.method} ${url.pathname.replace(/^\/phoenix/, '')}${url.search}`);
        return realFetch(input, init);
      };
      client = createClient({ options: { baseUrl: `${t.url}/phoenix`, headers: { Authorization: `Bearer ${t.adminKey}` } } });
    });
    afterAll(() => {
      globalThis.fetch = realFetch;
    });

    it('creates and appends to a dataset, and reads it back', async () => {
      const { datasetId } = await createDataset({
        client,
        name: `qa-${dialect}`,
        description: 'questions',
        examples: [
          { input: { question: '2+2?' }, output: { answer: '4' }, metadata: { topic: 'math' } },
          { input: { question: 'capital of France?' }, output: { answer: 'Paris' }, metadata: {} },
        ],
      });
      await appendDatasetExamples({
        client,
        dataset: { datasetName: `qa-${dialect}` },
        examples: [{ input: { question: 'largest planet?' }, output: { answer: 'Jupiter' } }],
      });
      const dataset = await getDataset({ client, dataset: { datasetId } });
      expect(dataset).toMatchObject({ id: datasetId, name: `qa-${dialect}`, description: 'questions' });
      expect(dataset.examples.map((example) => example.input)).toEqual([
        { question: '2+2?' },
        { question: 'capital of France?' },
        { question: 'largest planet?' },
      ]);
      expect(dataset.examples[0]).toMatchObject({ output: { answer: '4' }, metadata: { topic: 'math' } });
    });

    it('runs an experiment with a task and two evaluators over 10 examples, its traces exported to the receiver', async () => {
      const name = `ten-${dialect}`;
      const examples = Array.from({ length: 10 }, (_, i) => ({ input: { question: `q${i}` }, output: { answer: `Q${i}` }, metadata: { i } }));
      const { datasetId } = await createDataset({ client, name, description: 'ten', examples });
      sent.length = 0;
      const ran = await runExperiment({
        client,
        dataset: { datasetId },
        experimentName: `upper-${dialect}`,
        experimentMetadata: { model: 'upper-v1' },
        task: async (example) => {
          const question = String((example.input as { question: string }).question);
          if (question === 'q3') throw new Error('task failed on purpose');
          return question.toUpperCase();
        },
        evaluators: [
          asExperimentEvaluator({
            name: 'matches',
            kind: 'CODE',
            evaluate: async ({ output, expected }) => ({ score: output === (expected as { answer: string }).answer ? 1 : 0, label: 'checked' }),
          }),
          asExperimentEvaluator({ name: 'non-empty', kind: 'LLM', evaluate: async ({ output }) => ({ score: output ? 1 : 0, explanation: 'has output' }) }),
        ],
        concurrency: 2,
        logger: { info: () => {}, error: () => {}, warn: () => {}, debug: () => {}, log: () => {}, table: () => {} } as never,
      });
      expect(ran.id).toBeTruthy();

      // Read back through the native API: the experiment pinned to the version, 10 runs with their traces, both scores.
      const experiments = (await t.call({ method: 'GET', url: `/api/v1/experiments?q=${encodeURIComponent(`upper-${dialect}`)}` })).json() as {
        data: { id: string; dataset_version: number; metadata: Record<string, unknown> }[];
      };
      const experiment = experiments.data[0]!;
      expect(experiment).toMatchObject({ dataset_version: 1, metadata: { model: 'upper-v1' } });
      const runs = (await t.call({ method: 'GET', url: `/api/v1/experiments/${experiment.id}/runs?root_only=true&limit=100` })).json() as {
        data: { id: string; output: unknown; error: string | null; trace_id: string | null; record_id: string }[];
      };
      expect(runs.data).toHaveLength(10);
      expect(runs.data.filter((run) => run.error === 'task failed on purpose')).toHaveLength(1);
      expect(runs.data.every((run) => /^[0-9a-f]{32}$/.test(run.trace_id ?? ''))).toBe(true);
      const scores = (await t.call({ method: 'GET', url: `/api/v1/experiments/${experiment.id}/scores?limit=100` })).json() as {
        data: { key: string; score: number; source: string; run_id: string }[];
      };
      const byKey = (key: string) => scores.data.filter((score) => score.key === key);
      expect(byKey('matches')).toHaveLength(10);
      expect(byKey('non-empty')).toHaveLength(10);
      expect(byKey('matches').reduce((sum, score) => sum + score.score, 0)).toBe(9);
      expect(new Set(byKey('matches').map((score) => score.source))).toEqual(new Set(['code']));
      expect(new Set(byKey('non-empty').map((score) => score.source))).toEqual(new Set(['model']));
      // The task spans arrived at the receiver and hang under their runs, in the experiment: each run's trace reads back whole.
      for (const run of runs.data) {
        const trace = (await t.call({ method: 'GET', url: `/api/v1/experiments/${experiment.id}/runs?trace_id=${run.trace_id}&limit=100` })).json() as {
          data: { id: string; name: string; parent_run_id: string | null }[];
        };
        expect(trace.data.map((span) => [span.name, span.parent_run_id === run.id])).toEqual(
          expect.arrayContaining([
            ['task', false],
            [expect.stringMatching(/^Task: /), true],
          ]),
        );
      }

      const info = await getExperiment({ client, experimentId: ran.id });
      expect(info).toMatchObject({ id: ran.id, successfulRunCount: 9, failedRunCount: 1, missingRunCount: 0, exampleCount: 10 });
      expect(Object.keys(info.runs)).toHaveLength(10);
      const listed = await listExperiments({ client, datasetId });
      expect(listed.map((e) => e.id)).toEqual([ran.id]);
      await deleteExperiment({ client, experimentId: ran.id });
      expect(await listExperiments({ client, datasetId })).toEqual([]);
    });
  });
}
