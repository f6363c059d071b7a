import { HumanloopClient } from 'humanloop-v5';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../../support/databases.js';
import { startHumanloopServer, useHumanloopServer, type HumanloopTestServer } from '../helpers.js';
import { uuidOf } from '../../../../src/surfaces/humanloop/ids.js';
import { countRows } from '../../../support/rows.js';

/**
 * Logs of both APIs refused as Humanloop refuses: a fault the logs service finds points at the field
 * of the request as sent (a v4 log or list of logs, a v5 prompt log), as a 422 with its `loc`.
 */
for (const dialect of DIALECTS) {
  describe(`${dialect}: Humanloop logs, refused`, () => {
    let t: HumanloopTestServer;

    beforeAll(async () => {
      t = await startHumanloopServer(dialect);
    });
    afterAll(async () => {
      await t?.close();
    });

    const runCount = () => countRows(t.testStore.store.db, 'runs');
    const unknownProject = 'pr_0000000000000000000001';

    it('refuses a v4 log to a project this key cannot see, naming project_id in the log or in the list', async () => {
      const before = await runCount();
      const fault = (loc: (string | number)[]) => ({ status: 422, body: { detail: [{ loc, msg: 'is not a project of the workspace', type: 'value_error' }] } });
      expect(await t.humanloop({ method: 'POST', path: '/v4/logs', body: { project_id: unknownProject, output: 'x' } })).toEqual(fault(['body', 'project_id']));
      const list = [
        { project_id: unknownProject, output: 'x' },
        { project_id: unknownProject, output: 'y' },
      ];
      expect(await t.humanloop({ method: 'POST', path: '/v4/logs', body: list })).toEqual(fault(['body', 0, 'project_id']));
      expect(await t.humanloop({ method: 'POST', path: '/v4/logs', body: [{ output: 'x' }] })).toEqual({
        status: 422,
        body: { detail: [{ loc: ['body', 0, 'project'], msg: 'or project_id is required', type: 'value_error' }] },
      });
      expect(await runCount()).toBe(before);
    });

    it("refuses a v5 prompt log naming the prompt log's own fields: id, end_time, log_id", async () => {
      const before = await runCount();
      expect(await t.humanloop({ method: 'POST', path: '/v5/prompts/log', body: { id: unknownProject, output: 'x' } })).toEqual({
        status: 422,
        body: { detail: [{ loc: ['body', 'id'], msg: 'is not a project of the workspace', type: 'value_error' }] },
      });
      const backwards = { path: 'timed', output: 'x', start_time: '2024-01-02T00:00:00Z', end_time: '2024-01-01T00:00:00Z' };
      expect(await t.humanloop({ method: 'POST', path: '/v5/prompts/log', body: backwards })).toEqual({
        status: 422,
        body: { detail: [{ loc: ['body', 'end_time'], msg: 'must not be before start_time', type: 'value_error' }] },
      });
      expect(await t.humanloop({ method: 'POST', path: '/v5/prompts/log', body: { path: 'timed', output: 'x', log_id: 'log-1' } })).toEqual({
        status: 422,
        body: { detail: [{ loc: ['body', 'log_id'], msg: 'is not a log id this API hands out (data_…)', type: 'value_error' }] },
      });
      const logged = await t.humanloop({ method: 'POST', path: '/v5/prompts/log', body: { path: 'timed', output: 'x' } });
      const elsewhere = await t.humanloop({ method: 'POST', path: '/v5/prompts/log', body: { path: 'other', output: 'x', log_id: logged.body.id } });
      expect(elsewhere).toEqual({ status: 409, body: { detail: `Run ${logged.body.id} belongs to another experiment` } });
      expect(await runCount()).toBe(before + 1);
    });
  });
}

/**
 * Logs outside any evaluation (humanloop@0.8.20): `flows.log` without a run id is a run of the flow's
 * log stream, and `evaluators.log` judges it with select, multi-select and text evaluators, each
 * judgment a score of that run holding the judgment as its value.
 */
for (const dialect of DIALECTS) {
  describe(`${dialect}: humanloop@0.8.20 standalone logs and judgments`, () => {
    const t = useHumanloopServer(dialect);
    let client: HumanloopClient;

    beforeAll(() => {
      client = new HumanloopClient({ apiKey: t.adminKey, baseUrl: `${t.url}/humanloop/v5` });
    });

    const external = (returnType: 'select' | 'multi_select' | 'text', options?: string[]) => ({
      argumentsType: 'target_free' as const,
      returnType,
      evaluatorType: 'external' as const,
      ...(options ? { options: options.map((name) => ({ name })) } : {}),
    });

    it("records a flow log in the flow's log stream and its select, multi-select and text judgments as scores of it", async () => {
      const logged = await client.flows.log({ path: 'standalone/flow', inputs: { question: 'q' }, output: 'an answer' });
      expect(logged.id).toMatch(/^data_/);
      await client.evaluators.upsert({ path: 'standalone/tone', spec: external('select', ['polite', 'rude']) });
      await client.evaluators.upsert({ path: 'standalone/topics', spec: external('multi_select', ['math', 'geography']) });
      await client.evaluators.upsert({ path: 'standalone/note', spec: external('text') });
      await client.evaluators.log({ path: 'standalone/tone', parentId: logged.id, judgment: 'polite' });
      await client.evaluators.log({ path: 'standalone/topics', parentId: logged.id, judgment: ['math', 'geography'] });
      await client.evaluators.log({ path: 'standalone/note', parentId: logged.id, judgment: 'short but right' });

      const log = (await client.logs.get(logged.id)) as unknown as { output: string; evaluatorLogs: { evaluator: { path: string }; judgment: unknown }[] };
      expect(log.output).toBe('an answer');
      expect(Object.fromEntries(log.evaluatorLogs.map((judgment) => [judgment.evaluator.path, judgment.judgment]))).toEqual({
        'standalone/tone': 'polite',
        'standalone/topics': ['math', 'geography'],
        'standalone/note': 'short but right',
      });

      // Natively: a run of the flow's log stream, with the judgments as scores holding values.
      const runId = uuidOf('log', logged.id)!;
      const run = (await t.call({ method: 'GET', url: `/api/v1/runs/${runId}` })).json();
      const streams = (await t.call({ method: 'GET', url: '/api/v1/experiments?kind=log_stream&limit=100' })).json().data as { id: string; name: string }[];
      expect(streams.find((stream) => stream.id === run.experiment_id)).toMatchObject({ name: 'standalone/flow' });
      const scores = (await t.call({ method: 'GET', url: `/api/v1/experiments/${run.experiment_id}/scores?run_id=${runId}` })).json().data as {
        key: string;
        score: number | null;
        value: unknown;
      }[];
      expect(Object.fromEntries(scores.map((score) => [score.key, [score.score, score.value]]))).toEqual({
        'standalone/tone': [null, 'polite'],
        'standalone/topics': [null, ['math', 'geography']],
        'standalone/note': [null, 'short but right'],
      });
    });

    it("refuses a judgment that is not one of the evaluator's options, or not of its type, writing nothing", async () => {
      const logged = await client.flows.log({ path: 'standalone/flow', inputs: { question: 'q2' }, output: 'x' });
      const scoreCount = () => countRows(t.testStore.store.db, 'scores');
      const before = await scoreCount();
      // The SDK's evaluators.log wraps the server's answer in an error of its own: the wire shows it as sent.
      const judge = (body: object) => t.humanloop({ method: 'POST', path: '/v5/evaluators/log', body: { parent_id: logged.id, ...body } });
      expect(await judge({ path: 'standalone/tone', judgment: 'sarcastic' })).toEqual({
        status: 422,
        body: {
          detail: [{ loc: ['body', 'judgment'], msg: 'must be one of polite, rude: the evaluator standalone/tone returns select', type: 'type_error.enum' }],
        },
      });
      expect(await judge({ path: 'standalone/topics', judgment: ['math', 'art'] })).toMatchObject({
        status: 422,
        body: { detail: [{ loc: ['body', 'judgment'] }] },
      });
      expect(await judge({ path: 'standalone/note', judgment: 3 })).toEqual({
        status: 422,
        body: { detail: [{ loc: ['body', 'judgment'], msg: 'must be a string: the evaluator standalone/note returns text', type: 'value_error' }] },
      });
      expect(await judge({ path: 'standalone/tone', parent_id: 'data_0000000000000000000001', judgment: 'polite' })).toMatchObject({
        status: 422,
        body: { detail: [{ loc: ['body', 'parent_id'] }] },
      });
      await expect(client.evaluators.log({ path: 'standalone/tone', parentId: logged.id, judgment: 'sarcastic' })).rejects.toThrow(/Status code: 422/);
      expect(await scoreCount()).toBe(before);
    });
  });
}
