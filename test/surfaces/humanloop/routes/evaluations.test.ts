import { HumanloopClient } from 'humanloop-v5';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { DIALECTS } from '../../../support/databases.js';
import { useHumanloopServer } from '../helpers.js';
import { countRows } from '../../../support/rows.js';
import { uuidOf } from '../../../../src/surfaces/humanloop/ids.js';

/**
 * `evaluations.run()` of Humanloop's own v5 SDK (humanloop@0.8.20) against a real server on 127.0.0.1:
 * a local flow callable and two local evaluators over a 20-datapoint dataset, run twice under one
 * name; the runs are experiments, the judgments scores, read back through the native API.
 */
for (const dialect of DIALECTS) {
  describe(`${dialect}: Humanloop evaluations.run()`, () => {
    const t = useHumanloopServer(dialect);
    let client: HumanloopClient;
    const printed: string[] = [];

    beforeAll(async () => {
      client = new HumanloopClient({ apiKey: t.adminKey, baseUrl: `${t.url}/humanloop/v5` });
      const datapoints = Array.from({ length: 20 }, (_, index) => ({ inputs: { question: `What is ${index} + 1?` }, target: { answer: String(index + 1) } }));
      await client.datasets.upsert({ path: 'evals/arithmetic', datapoints });
    });

    const quiet = () => {
      printed.length = 0;
      const keep = (...args: unknown[]) => {
        printed.push(args.map(String).join(' '));
      };
      for (const method of ['log', 'info', 'warn', 'error'] as const) vi.spyOn(console, method).mockImplementation(keep);
      vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    };
    // The runner listens for SIGINT and SIGTERM to cancel its run, and never stops listening.
    const signals = ['SIGINT', 'SIGTERM'] as const;
    const before = new Map(signals.map((signal) => [signal, new Set(process.listeners(signal))]));
    afterEach(() => {
      vi.restoreAllMocks();
      for (const signal of signals) for (const listener of process.listeners(signal)) if (!before.get(signal)!.has(listener)) process.off(signal, listener);
    });

    type Log = { output?: string };
    type Datapoint = { target?: { answer?: string } };
    const evaluators = (threshold: number) => [
      {
        path: 'evals/exact',
        argsType: 'target_required' as const,
        returnType: 'boolean' as const,
        callable: ({ log, datapoint }: { log: Log; datapoint?: Datapoint }) => log.output === datapoint?.target?.answer,
        threshold,
      },
      {
        path: 'evals/length',
        argsType: 'target_free' as const,
        returnType: 'number' as const,
        callable: ({ log }: { log: Log }) => (log.output ?? '').length,
      },
    ];
    const run = (callable: (inputs: { question: string }) => string, threshold: number) =>
      client.evaluations.run({
        name: 'arithmetic check',
        file: { path: 'evals/adder', type: 'flow', callable: callable as never },
        dataset: { path: 'evals/arithmetic' },
        evaluators: evaluators(threshold) as never,
      });
    const answer = ({ question }: { question: string }) => String(Number(/What is (\d+)/.exec(question)![1]) + 1);

    it('runs to completion twice, its checks against the previous run, and the native API holds the runs and their scores', async () => {
      quiet();
      const first = await run(answer, 0.9);
      // The first run has no previous one to compare with: the SDK reports score and delta 0, and checks the threshold against the stats.
      expect(first).toEqual([
        expect.objectContaining({ path: 'evals/exact', score: 0, delta: 0, threshold: 0.9, thresholdCheck: true }),
        expect.objectContaining({ path: 'evals/length', delta: 0, thresholdCheck: undefined }),
      ]);
      expect(printed.join('\n')).toContain('Latest eval [1] above threshold [0.9] for Evaluator evals/exact');
      // Every answer parsed as the SDK's types (the SDK warns "Failed to validate" of any that does not).
      expect(printed.join('\n')).not.toContain('Failed to validate');

      // The second answers wrong for every even number: exact drops to 0.5, and the threshold fails.
      quiet();
      const second = await run(({ question }) => {
        const n = Number(/What is (\d+)/.exec(question)![1]);
        return n % 2 === 0 ? 'wrong' : String(n + 1);
      }, 0.9);
      expect(second[0]).toMatchObject({ path: 'evals/exact', score: 0.5, delta: -0.5, threshold: 0.9, thresholdCheck: false });
      const report = printed.join('\n');
      expect(report).toContain('Latest eval [0.5] below threshold [0.9] for Evaluator evals/exact');
      expect(report).toContain('Change of [-0.5] for Evaluator evals/exact');
      expect(report).toMatch(/Evaluation "arithmetic check": 2 run\(s\)/);
      expect(report).toMatch(/\(latest\)\s+completed\s+20\s+50% true/);
      expect(report).not.toContain('Failed to validate');

      // Natively: an evaluation's runs are experiments on the dataset, each with 20 runs and both scores on every run.
      const listed = await t.call({ method: 'GET', url: '/api/v1/experiments?limit=100' });
      const experiments = (listed.json().data as { id: string; name: string; source: string }[]).filter((experiment) => experiment.source === 'humanloop');
      expect(experiments.map((experiment) => experiment.name).sort()).toEqual([
        'evals/adder › arithmetic check · run 1',
        'evals/adder › arithmetic check · run 2',
      ]);
      for (const experiment of experiments) {
        const runs = (await t.call({ method: 'GET', url: `/api/v1/experiments/${experiment.id}/runs?limit=100` })).json().data as { id: string }[];
        expect(runs).toHaveLength(20);
        const scores = (await t.call({ method: 'GET', url: `/api/v1/experiments/${experiment.id}/scores?limit=100` })).json().data as {
          run_id: string;
          key: string;
        }[];
        for (const runRow of runs)
          expect(
            scores
              .filter((score) => score.run_id === runRow.id)
              .map((score) => score.key)
              .sort(),
          ).toEqual(['evals/exact', 'evals/length']);
      }
      // The native compare API sees the second run regress against the first.
      const [latest, previous] = experiments.sort((a, b) => b.name.localeCompare(a.name));
      const compared = await t.call({
        method: 'POST',
        url: '/api/v1/comparisons',
        payload: { experiment_ids: [previous!.id, latest!.id], baseline_id: previous!.id },
      });
      expect(compared.statusCode).toBe(200);
      const stats = compared.json().stats as { experiment_id: string; scores: Record<string, { mean: number }> }[];
      expect(stats.find((row) => row.experiment_id === previous!.id)!.scores['evals/exact']!.mean).toBe(1);
      expect(stats.find((row) => row.experiment_id === latest!.id)!.scores['evals/exact']!.mean).toBe(0.5);
      const change = (compared.json().baseline.changes as { experiment_id: string; key: string; regressed: number }[]).find(
        (row) => row.experiment_id === latest!.id && row.key === 'evals/exact',
      );
      expect(change).toMatchObject({ regressed: 10 });
    });

    it("reads a log with its judgments, lists a file's logs as Fern pages, and updates a prompt log", async () => {
      const [flow] = (await client.flows.list({ name: 'evals/adder', size: 1 })).data;
      expect(flow).toMatchObject({ path: 'evals/adder', type: 'flow', versionId: expect.stringMatching(/^flv_/) });
      const pages = [];
      for await (const log of await client.logs.list({ fileId: flow!.id, size: 15 })) pages.push(log);
      expect(pages).toHaveLength(40);
      const log = await client.logs.get(pages[0]!.id);
      expect(log).toMatchObject({ id: pages[0]!.id, flow: { id: flow!.id, path: 'evals/adder' }, sourceDatapointId: expect.stringMatching(/^dp_/) });
      expect((log as { evaluatorLogs: { evaluator: { path: string } }[] }).evaluatorLogs.map((judgment) => judgment.evaluator.path).sort()).toEqual([
        'evals/exact',
        'evals/length',
      ]);

      const prompt = await client.prompts.upsert({ path: 'evals/prompt', model: 'fake-1', template: 'Answer {{question}}' });
      expect(prompt).toMatchObject({ path: 'evals/prompt', model: 'fake-1', versionId: expect.stringMatching(/^prv_/) });
      expect((await client.prompts.list({ name: 'evals/prompt' })).data.map((file) => file.id)).toEqual([prompt.id]);
      const logged = await client.prompts.log({ id: prompt.id, inputs: { question: 'q' }, output: 'draft' });
      const updated = await client.prompts.updateLog(prompt.id, logged.id, { output: 'final', metadata: { reviewed: true } });
      expect(updated).toMatchObject({ id: logged.id, output: 'final', metadata: { reviewed: true }, prompt: { id: prompt.id } });
      await expect(client.prompts.updateLog(prompt.id, pages[0]!.id, { output: 'x' })).rejects.toMatchObject({ statusCode: 404 });
    });

    it("refuses bad input in Humanloop's shape, writing nothing", async () => {
      const db = t.testStore.store.db;
      const count = (table: 'runs' | 'scores' | 'projects' | 'experiments') => countRows(db, table);
      const snapshot = async () => [await count('runs'), await count('scores'), await count('projects'), await count('experiments')];
      const before = await snapshot();
      const missingPath = await t.humanloop({ method: 'POST', path: '/v5/flows', body: { attributes: {} } });
      expect(missingPath).toEqual({ status: 422, body: { detail: [{ loc: ['body'], msg: 'one of `path` or `id` is required', type: 'value_error' }] } });
      const [flow] = (await client.flows.list({ name: 'evals/adder', size: 1 })).data;
      const unknownRun = await t.humanloop({
        method: 'POST',
        path: '/v5/flows/log',
        body: { id: flow!.id, run_id: 'evrun_0000000000000000000001', output: 'x' },
      });
      expect(unknownRun).toEqual({ status: 422, body: { detail: [{ loc: ['body', 'run_id'], msg: 'is not a run of an evaluation', type: 'value_error' }] } });
      const unknownEvaluation = await t.humanloop({ method: 'GET', path: '/v5/evaluations/evr_0000000000000000000001/stats' });
      expect(unknownEvaluation).toEqual({ status: 404, body: { detail: 'Evaluation "evr_0000000000000000000001" not found' } });
      expect(await snapshot()).toEqual(before);

      const other = await t.services.workspaces.create(`other-${Math.random()}`);
      const theirs = await t.humanloop({ method: 'POST', path: '/v5/flows/log', body: { path: 'their-flow', output: 'x' }, key: other.admin.key });
      const afterTheirs = await snapshot();
      const foreign = await t.humanloop({
        method: 'POST',
        path: '/v5/evaluators/log',
        body: { path: 'evals/exact', parent_id: theirs.body.id, judgment: true },
      });
      expect(foreign).toEqual({ status: 422, body: { detail: [{ loc: ['body', 'parent_id'], msg: 'is not a run of this workspace', type: 'value_error' }] } });
      const [mine] = (await client.logs.list({ fileId: flow!.id, size: 1 })).data;
      const wrongType = await t.humanloop({ method: 'POST', path: '/v5/evaluators/log', body: { path: 'evals/exact', parent_id: mine!.id, judgment: 0.5 } });
      expect(wrongType).toEqual({
        status: 422,
        body: { detail: [{ loc: ['body', 'judgment'], msg: 'must be a boolean: the evaluator evals/exact returns boolean', type: 'value_error' }] },
      });
      const notEvaluator = await t.humanloop({
        method: 'POST',
        path: '/v5/evaluators/log',
        body: { path: 'evals/adder', parent_id: mine!.id, judgment: true },
      });
      expect(notEvaluator.body.detail[0]).toMatchObject({ loc: ['body', 'path'], msg: 'is a flow, not an evaluator' });
      expect(await snapshot()).toEqual(afterTheirs);
    });

    it('numbers repetitions of a datapoint in arrival order, and answers getStats of a select evaluator per option', async () => {
      const dataset = await client.datasets.upsert({ path: 'evals/pair', datapoints: [{ inputs: { q: 'one' } }, { inputs: { q: 'two' } }] });
      const { datapoints } = await client.datasets.get(dataset.id, { versionId: dataset.versionId, includeDatapoints: true });
      const [one, two] = [...datapoints!].sort((a, b) => a.inputs!.q!.localeCompare(b.inputs!.q!));
      const flow = await client.flows.upsert({ path: 'evals/repeater', attributes: {} });
      await client.evaluators.upsert({
        path: 'evals/grade',
        spec: { argumentsType: 'target_free', returnType: 'select', evaluatorType: 'external', options: [{ name: 'good' }, { name: 'bad' }] },
      });
      const evaluation = await client.evaluations.create({ file: { path: 'evals/repeater' }, name: 'repeats', evaluators: [{ path: 'evals/grade' }] });
      const run = await client.evaluations.createRun(evaluation.id, { dataset: { versionId: dataset.versionId } });
      const logged = [];
      for (const [datapoint, grade] of [
        [one!, 'good'],
        [one!, 'bad'],
        [two!, 'good'],
      ] as const) {
        const log = await client.flows.log({ id: flow.id, runId: run.id, sourceDatapointId: datapoint.id, inputs: datapoint.inputs, output: grade });
        await client.evaluators.log({ path: 'evals/grade', parentId: log.id, judgment: grade });
        logged.push(log.id);
      }
      // Natively: three runs of the experiment, the first datapoint's numbered 1 and 2 as they arrived.
      const runs = (await t.call({ method: 'GET', url: `/api/v1/experiments/${uuidOf('evaluationRun', run.id)}/runs?limit=100` })).json().data as {
        id: string;
        repetition: number;
      }[];
      const repetitionOf = (logId: string) => runs.find((row) => row.id === uuidOf('log', logId))!.repetition;
      expect(logged.map(repetitionOf)).toEqual([1, 2, 1]);

      const stats = await client.evaluations.getStats(evaluation.id);
      expect(stats.runStats).toHaveLength(1);
      expect(stats.runStats[0]!.evaluatorStats).toEqual([
        expect.objectContaining({ totalLogs: 3, numJudgments: 3, numNulls: 0, numErrors: 0, numJudgmentsPerOption: { good: 2, bad: 1 } }),
      ]);
    });

    it('refuses what evalstore does not keep: version deletion, environments, orchestrated runs', async () => {
      const dataset = await client.datasets.upsert({ path: 'evals/arithmetic', datapoints: [], action: 'add' });
      await expect(client.datasets.deleteDatasetVersion(dataset.id, dataset.versionId)).rejects.toMatchObject({
        statusCode: 409,
        body: { detail: expect.stringContaining('evalstore keeps every version forever') },
      });
      await expect(client.datasets.listEnvironments(dataset.id)).rejects.toMatchObject({
        statusCode: 409,
        body: { detail: expect.stringContaining('no environments') },
      });
      await expect(client.datasets.setDeployment(dataset.id, 'production', { versionId: dataset.versionId })).rejects.toMatchObject({ statusCode: 409 });
      const [evaluation] = (await client.evaluations.list({ fileId: (await client.flows.list({ name: 'evals/adder' })).data[0]!.id })).data;
      await expect(client.evaluations.createRun(evaluation!.id, { dataset: { versionId: dataset.versionId }, orchestrated: true })).rejects.toMatchObject({
        statusCode: 422,
      });
    });
  });
}
