import { Client as Client012 } from 'langsmith';
import { evaluate as evaluate012 } from 'langsmith/evaluation';
import { RunTree as RunTree012 } from 'langsmith/run_trees';
import { traceable as traceable012 } from 'langsmith/traceable';
import { Client as Client03 } from 'langsmith-legacy';
import { evaluate as evaluate03 } from 'langsmith-legacy/evaluation';
import { RunTree as RunTree03 } from 'langsmith-legacy/run_trees';
import { traceable as traceable03 } from 'langsmith-legacy/traceable';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LangSmithIngestion } from '../../../src/config.js';
import { useTestServer } from '../../support/app.js';
import { DIALECTS } from '../../support/databases.js';

/**
 * LangSmith's own SDK, unchanged, against a real server on 127.0.0.1: the oldest line the spec covers
 * (0.3.x, which sends runs to `/runs/batch` unless told otherwise) and the newest (multipart, with
 * feedback in the multipart body), each with the server advertising either ingestion in `/info`. The
 * SDK is pointed at the server the way a user does it, by LANGSMITH_ENDPOINT and LANGSMITH_API_KEY.
 * What it wrote is then checked through the native API.
 */

// The two SDK lines' entry points, typed loosely: their declarations differ in detail, not in what is used here.
/* eslint-disable @typescript-eslint/no-explicit-any */
interface Sdk {
  version: string;
  Client: new () => any;
  evaluate: (target: any, options: any) => Promise<any>;
  traceable: (fn: any, options: any) => any;
  RunTree: { sharedClient?: unknown };
}

const SDKS: Sdk[] = [
  { version: '0.12.0', Client: Client012, evaluate: evaluate012, traceable: traceable012, RunTree: RunTree012 as any },
  { version: '0.3.87', Client: Client03, evaluate: evaluate03, traceable: traceable03, RunTree: RunTree03 as any },
];
const MODES: LangSmithIngestion[] = ['multipart', 'batch'];
/** Both endpoints users set: the bare one (paths without /api/v1), and the self-hosted style one ending in /api/v1. */
const ENDPOINT_OF: Record<LangSmithIngestion, string> = { multipart: '/langsmith', batch: '/langsmith/api/v1' };

const QUESTIONS = [
  { inputs: { question: '2+2' }, outputs: { answer: '4' }, metadata: { level: 'easy' }, split: ['train'] },
  { inputs: { question: 'capital of France' }, outputs: { answer: 'Paris' }, metadata: { level: 'hard' }, split: ['test'] },
  { inputs: { question: 'colour of the sky' }, outputs: { answer: 'blue' }, metadata: { level: 'easy' }, split: ['train', 'test'] },
];
const ANSWERS: Record<string, string> = { '2+2': '4', 'capital of France': 'Paris', 'colour of the sky': 'green' };

for (const dialect of DIALECTS) {
  for (const sdk of SDKS) {
    for (const mode of MODES) {
      describe(`${dialect}: langsmith ${sdk.version} with ${mode} ingestion advertised, at ${ENDPOINT_OF[mode]}`, () => {
        const t = useTestServer(dialect, { langsmithIngestion: mode });
        const saved = { endpoint: process.env.LANGSMITH_ENDPOINT, key: process.env.LANGSMITH_API_KEY, tracing: process.env.LANGSMITH_TRACING };
        const paths: string[] = [];

        beforeAll(async () => {
          t.app.server.prependListener('request', (request) => paths.push(`${request.method} ${request.url?.split('?')[0]}`));
          process.env.LANGSMITH_ENDPOINT = `${t.url}${ENDPOINT_OF[mode]}`;
          process.env.LANGSMITH_API_KEY = t.adminKey;
          process.env.LANGSMITH_TRACING = 'false';
          // Traces made outside a given client (the summary evaluator's) use one shared client per
          // process: made again here, it reads this server's address.
          sdk.RunTree.sharedClient = undefined;
        });
        afterAll(async () => {
          process.env.LANGSMITH_ENDPOINT = saved.endpoint;
          process.env.LANGSMITH_API_KEY = saved.key;
          process.env.LANGSMITH_TRACING = saved.tracing;
        });

        it('creates a dataset and examples, evaluates a target, reads the results back, and deletes the dataset', async () => {
          const client = new sdk.Client();
          const datasetName = `ds-${dialect}-${sdk.version}-${mode}`;
          const dataset = await client.createDataset(datasetName, { description: 'questions' });
          expect(dataset).toMatchObject({ name: datasetName, description: 'questions', example_count: 0 });

          const examples = await client.createExamples({
            inputs: QUESTIONS.map((q) => q.inputs),
            outputs: QUESTIONS.map((q) => q.outputs),
            metadata: QUESTIONS.map((q) => q.metadata),
            splits: QUESTIONS.map((q) => q.split),
            datasetId: dataset.id,
          });
          expect(examples).toHaveLength(3);
          expect(examples.map((e: any) => e.metadata)).toEqual(QUESTIONS.map((q) => ({ ...q.metadata, dataset_split: q.split })));

          const list = async (options: object) => {
            const found = [];
            for await (const example of client.listExamples({ datasetId: dataset.id, ...options })) found.push(example.inputs.question);
            return found.sort();
          };
          expect(await list({})).toEqual(['2+2', 'capital of France', 'colour of the sky']);
          expect(await list({ splits: ['train'] })).toEqual(['2+2', 'colour of the sky']);
          expect(await list({ metadata: { level: 'hard' } })).toEqual(['capital of France']);

          const sky = examples.find((e: any) => e.inputs.question === 'colour of the sky');
          await client.updateExample(sky.id, { inputs: sky.inputs, outputs: { answer: 'blue' }, metadata: { level: 'easy', reviewed: true } });
          expect((await client.readExample(sky.id)).metadata).toEqual({ level: 'easy', reviewed: true, dataset_split: ['train', 'test'] });
          expect(await list({ metadata: { reviewed: true } })).toEqual(['colour of the sky']);
          expect((await client.readDataset({ datasetName })).example_count).toBe(3);

          // The target calls a (fake) model, traced as its child run with token counts.
          const llm = sdk.traceable(
            async (messages: { role: string; content: string }[]) => ({
              role: 'assistant',
              content: ANSWERS[messages[0]!.content],
              usage_metadata: { input_tokens: 11, output_tokens: 3, total_tokens: 14 },
            }),
            { name: 'fake-llm', run_type: 'llm' },
          );
          const target = async (inputs: { question: string }) => {
            const reply = await llm([{ role: 'user', content: inputs.question }]);
            return { answer: reply.content };
          };
          const correct = (run: any, example: any) => ({ key: 'correct', score: run.outputs?.answer === example?.outputs?.answer ? 1 : 0 });
          const length = (run: any) => ({ key: 'length', score: String(run.outputs?.answer ?? '').length });
          const accuracy = (runs: any[], exampleList: any[]) => ({
            key: 'accuracy',
            score: runs.filter((run, i) => run.outputs?.answer === exampleList[i]?.outputs?.answer).length / runs.length,
          });
          const results = await sdk.evaluate(target, {
            data: datasetName,
            evaluators: [correct, length],
            summaryEvaluators: [accuracy],
            experimentPrefix: 'sdk-test',
            metadata: { model: 'fake-model', prompt_version: 'v1' },
            client,
          });
          const experimentName: string = results.experimentName;
          expect(experimentName).toMatch(/^sdk-test/);

          const project = await client.readProject({ projectName: experimentName, includeStats: true });
          expect(project).toMatchObject({
            name: experimentName,
            reference_dataset_id: dataset.id,
            tenant_id: t.workspaceId,
            run_count: 3,
            extra: { metadata: expect.objectContaining({ model: 'fake-model', prompt_version: 'v1' }) },
          });
          expect(project.feedback_stats.correct).toMatchObject({ n: 3, avg: 2 / 3 });
          expect(project.feedback_stats.length).toMatchObject({ n: 3 });
          expect(project.session_feedback_stats.accuracy).toMatchObject({ n: 1, avg: 0.6667 });
          expect(project.latency_p50).toBeGreaterThanOrEqual(0);

          const runs = [];
          for await (const run of client.listRuns({ projectId: project.id, isRoot: true })) runs.push(run);
          expect(runs).toHaveLength(3);
          expect(new Set(runs.map((run) => run.reference_example_id))).toEqual(new Set(examples.map((e: any) => e.id)));
          for (const run of runs) {
            expect(run).toMatchObject({ session_id: project.id, status: 'success', run_type: 'chain', parent_run_id: null });
            expect(run.outputs).toEqual({ answer: ANSWERS[run.inputs.question] });
            expect(run.feedback_stats.correct.n).toBe(1);
          }

          const feedback = [];
          for await (const item of client.listFeedback({ runIds: runs.map((run) => run.id) })) feedback.push(item);
          expect(feedback).toHaveLength(6);
          expect(
            feedback
              .filter((item) => item.key === 'correct')
              .map((item) => item.score)
              .sort(),
          ).toEqual([0, 1, 1]);
          expect(feedback.every((item) => item.session_id === project.id)).toBe(true);

          // Through the native API: an ordinary experiment, its results, their traces and scores.
          const native = async (url: string, body?: object) => {
            const response = await t.call({ method: body ? 'POST' : 'GET', url: `/api/v1${url}`, ...(body ? { payload: body } : {}) });
            expect(response.statusCode, response.body).toBe(200);
            return response.json();
          };
          const experiment = await native(`/experiments/${project.id}`);
          expect(experiment).toMatchObject({ name: experimentName, dataset_id: dataset.id, source: 'langsmith', dataset_version: 2 });
          const allRuns = (await native(`/experiments/${project.id}/runs?limit=100`)).data;
          const results3 = allRuns.filter((run: any) => run.parent_run_id === null);
          expect(results3).toHaveLength(3);
          for (const run of results3) {
            const example = examples.find((e: any) => e.id === run.record_id);
            expect(run).toMatchObject({ repetition: 1, status: 'success', output: { answer: ANSWERS[example.inputs.question] }, input: example.inputs });
            expect(run.latency_ms).toBeGreaterThanOrEqual(0);
            expect(run.metadata).toMatchObject({ model: 'fake-model' });
            const children = allRuns.filter((child: any) => child.parent_run_id === run.id);
            expect(children).toHaveLength(1);
            expect(children[0]).toMatchObject({
              name: 'fake-llm',
              run_type: 'llm',
              trace_id: run.id,
              prompt_tokens: 11,
              completion_tokens: 3,
              total_tokens: 14,
            });
          }
          const scores = (await native(`/experiments/${project.id}/scores?limit=100`)).data;
          expect(scores).toHaveLength(7);
          expect(scores.filter((score: any) => score.run_id === null)).toEqual([expect.objectContaining({ key: 'accuracy', score: 0.6667, source: 'api' })]);
          expect(scores.filter((score: any) => score.key === 'correct').every((score: any) => score.source === 'model')).toBe(true);
          const comparison = await native('/comparisons', { experiment_ids: [project.id] });
          expect(comparison.stats[0]).toMatchObject({ run_count: 3, record_count: 3, error_count: 0, scores: { correct: { n: 3 } } });

          await client.deleteDataset({ datasetId: dataset.id });
          await expect(client.readDataset({ datasetId: dataset.id })).rejects.toThrow(/404/);
          expect(paths).toContain(`POST ${ENDPOINT_OF[mode]}${mode === 'multipart' ? '/runs/multipart' : '/runs/batch'}`);
          // Platform routes: `/v1/platform/…` under the bare endpoint, `/platform/…` under one ending in /api/v1 (spec §1.1).
          expect(paths).toContain(`POST ${ENDPOINT_OF[mode]}${mode === 'multipart' ? '/v1' : ''}/platform/datasets/${dataset.id}/examples`);
        });
      });
    }
  }
}
