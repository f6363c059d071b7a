import { Humanloop } from 'humanloop-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../../support/databases.js';
import { startHumanloopServer, type HumanloopTestServer } from '../helpers.js';

/**
 * `POST /v4/datasets/{id}/datapoints` refused as Humanloop refuses (FastAPI's 422 with `loc`, 404 for
 * an unknown dataset), each refusal leaving the dataset as it was; and concurrent additions each
 * committing their own version.
 */
for (const dialect of DIALECTS) {
  describe(`${dialect}: Humanloop datapoints, refused and concurrent`, () => {
    let t: HumanloopTestServer;
    let datasetId: string;
    let datasetUuid: string;

    beforeAll(async () => {
      t = await startHumanloopServer(dialect);
      const created = await t.humanloop({
        method: 'POST',
        path: '/v5/datasets',
        body: { path: 'refusals', datapoints: [{ inputs: { question: 'Capital of France?' }, target: { answer: 'Paris' } }] },
      });
      expect(created.status).toBe(200);
      datasetId = created.body.id.replace(/^ds_/, 'evts_');
      datasetUuid = (await t.call({ method: 'GET', url: '/api/v1/datasets?name=refusals' })).json().data[0].id;
    });
    afterAll(async () => {
      await t?.close();
    });

    /** The dataset as the native API sees it: nothing may have changed after a refusal. */
    const snapshot = async () => {
      const dataset = (await t.call({ method: 'GET', url: `/api/v1/datasets/${datasetUuid}` })).json();
      const records = (await t.call({ method: 'GET', url: `/api/v1/datasets/${datasetUuid}/records` })).json().data;
      return { version: dataset.latest_version, records };
    };
    const addDatapoints = (body: unknown, options: { dataset?: string; key?: string } = {}) =>
      t.humanloop({ method: 'POST', path: `/v4/datasets/${options.dataset ?? datasetId}/datapoints`, body, ...(options.key ? { key: options.key } : {}) });

    it('refuses input values that are not strings, naming the field', async () => {
      const before = await snapshot();
      const refused = await addDatapoints({ inputs: { question: 42 } });
      expect(refused).toEqual({ status: 422, body: { detail: [{ loc: ['body', 'inputs', 'question'], msg: 'str type expected', type: 'type_error.str' }] } });
      const inList = await addDatapoints([{ inputs: { question: 'fine' } }, { inputs: { question: ['not', 'a', 'string'] } }]);
      expect(inList).toEqual({ status: 422, body: { detail: [{ loc: ['body', 1, 'inputs', 'question'], msg: 'str type expected', type: 'type_error.str' }] } });
      const role = await addDatapoints({ messages: [{ role: 'robot', content: 'beep' }] });
      expect(role.status).toBe(422);
      expect(role.body.detail).toEqual([expect.objectContaining({ loc: ['body', 'messages', 0, 'role'], type: 'type_error.enum' })]);
      expect(await snapshot()).toEqual(before);
    });

    it('refuses an empty list, and a body of no known shape', async () => {
      const before = await snapshot();
      expect(await addDatapoints([])).toEqual({
        status: 422,
        body: { detail: [{ loc: ['body'], msg: 'ensure this value has at least 1 items', type: 'value_error.list.min_items' }] },
      });
      expect(await addDatapoints({ log_ids: [] })).toEqual({
        status: 422,
        body: { detail: [{ loc: ['body', 'log_ids'], msg: 'ensure this value has at least 1 items', type: 'value_error.list.min_items' }] },
      });
      expect(await addDatapoints({ input: { question: 'misspelt' } })).toEqual({
        status: 422,
        body: { detail: [{ loc: ['body', 'input'], msg: 'extra fields not permitted', type: 'value_error.extra' }] },
      });
      expect(await snapshot()).toEqual(before);
    });

    it('refuses unknown log ids, naming the one at fault, and adds none of the others', async () => {
      const logged = await t.humanloop({
        method: 'POST',
        path: '/v4/logs',
        body: { project: 'refusals-bot', inputs: { question: 'Capital of Chile?' }, output: 'Santiago' },
      });
      expect(logged.status).toBe(200);
      const before = await snapshot();
      const unknown = 'data_0000000000000000000000';
      const refused = await addDatapoints({ log_ids: [logged.body.id, unknown] });
      expect(refused.status).toBe(422);
      expect(refused.body.detail).toEqual([{ loc: ['body', 'log_ids', 1], msg: 'is not a log of the workspace', type: 'value_error' }]);
      const malformed = await addDatapoints({ log_ids: ['log-123'] });
      expect(malformed.body.detail).toEqual([{ loc: ['body', 'log_ids', 0], msg: 'is not a log id (data_…)', type: 'value_error' }]);
      expect(await snapshot()).toEqual(before);
    });

    it("answers 404 for an unknown dataset and for another workspace's, and 401 without a key", async () => {
      const unknown = await addDatapoints({ inputs: { question: 'q' } }, { dataset: 'evts_0000000000000000000000' });
      expect(unknown.status).toBe(404);
      expect(unknown.body.detail).toMatch(/Dataset "evts_0000000000000000000000" not found/);
      expect((await addDatapoints({ inputs: { question: 'q' } }, { dataset: 'not-an-id' })).status).toBe(404);

      const other = await t.services.workspaces.create(`other-${Math.random()}`);
      const before = await snapshot();
      const foreign = await addDatapoints({ inputs: { question: 'q' } }, { key: other.admin.key });
      expect(foreign).toEqual({ status: 404, body: { detail: `Dataset "${datasetId}" not found` } });
      expect((await t.humanloop({ method: 'GET', path: `/v4/datasets/${datasetId}`, key: other.admin.key })).status).toBe(404);
      // Logs of another workspace are not logs this key can use either.
      const theirLog = await t.humanloop({ method: 'POST', path: '/v4/logs', body: { project: 'theirs', output: 'x' }, key: other.admin.key });
      expect((await addDatapoints({ log_ids: [theirLog.body.id] })).body.detail[0].loc).toEqual(['body', 'log_ids', 0]);
      expect(await snapshot()).toEqual(before);

      const anonymous = await t.humanloop({ method: 'POST', path: `/v4/datasets/${datasetId}/datapoints`, body: { inputs: { question: 'q' } }, key: null });
      expect(anonymous).toEqual({ status: 401, body: { detail: 'An API key is required' } });
      expect((await t.humanloop({ method: 'GET', path: `/v5/datasets`, key: 'es_not-a-key' })).status).toBe(401);
    });

    it('gives 20 concurrent additions to one dataset 20 consecutive versions, losing nothing', async () => {
      const humanloop = new Humanloop({ apiKey: t.adminKey, basePath: `${t.url}/humanloop/v4`, useFetch: false });
      const before = await snapshot();
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, index) =>
          humanloop.datasets.createDatapoint({ datasetId, requestBody: { inputs: { question: `Question ${index}` }, target: { answer: `Answer ${index}` } } }),
        ),
      );
      expect(answers.every((answer) => answer.data.length === 1)).toBe(true);
      const after = await snapshot();
      expect(after.version).toBe(before.version + 20);
      const versions = (await t.call({ method: 'GET', url: `/api/v1/datasets/${datasetUuid}/versions?limit=20` })).json().data;
      expect(versions.map((version: { version: number }) => version.version)).toEqual(Array.from({ length: 20 }, (_, index) => after.version - index));
      expect(versions.map((version: { record_count: number }) => version.record_count)).toEqual(
        Array.from({ length: 20 }, (_, index) => after.records.length - index),
      );
      const questions = after.records.map((record: { input: { inputs: { question: string } } }) => record.input.inputs.question);
      for (let index = 0; index < 20; index += 1) expect(questions).toContain(`Question ${index}`);
      expect(after.records).toHaveLength(before.records.length + 20);
    });
  });
}
