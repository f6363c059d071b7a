import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../../support/databases.js';
import { startHumanloopServer, type HumanloopTestServer } from '../helpers.js';

/** v4 project routes: a project named in the path that this key cannot see is a 404 naming it as sent. */
for (const dialect of DIALECTS) {
  describe(`${dialect}: Humanloop v4 projects`, () => {
    let t: HumanloopTestServer;

    beforeAll(async () => {
      t = await startHumanloopServer(dialect);
    });
    afterAll(async () => {
      await t?.close();
    });

    it('answers 404 naming the project as sent for an unknown project, and for a value that is no project id', async () => {
      const unknown = 'pr_0000000000000000000001';
      expect(await t.humanloop({ method: 'POST', path: `/v4/projects/${unknown}/datasets`, body: { name: 'x', description: '' } })).toEqual({
        status: 404,
        body: { detail: `Project "${unknown}" not found` },
      });
      expect(await t.humanloop({ method: 'GET', path: `/v4/projects/${unknown}/datasets` })).toEqual({
        status: 404,
        body: { detail: `Project "${unknown}" not found` },
      });
      expect(await t.humanloop({ method: 'GET', path: '/v4/projects/qa-bot/datasets' })).toEqual({
        status: 404,
        body: { detail: 'Project "qa-bot" not found' },
      });
    });
  });
}
