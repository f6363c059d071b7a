import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../../support/databases.js';
import { startHumanloopServer, type HumanloopTestServer } from '../helpers.js';
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
