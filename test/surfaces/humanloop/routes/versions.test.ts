import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../../support/databases.js';
import { startHumanloopServer, type HumanloopTestServer } from '../helpers.js';

/** v5 dataset versions: naming one is refused as Humanloop refuses, the field named as sent. */
for (const dialect of DIALECTS) {
  describe(`${dialect}: Humanloop v5 versions`, () => {
    let t: HumanloopTestServer;

    beforeAll(async () => {
      t = await startHumanloopServer(dialect);
    });
    afterAll(async () => {
      await t?.close();
    });

    it('refuses a version name that is a number (422) or taken (409), and a version of a dataset this key cannot see (404)', async () => {
      const first = (
        await t.humanloop({ method: 'POST', path: '/v5/datasets', body: { path: 'named', datapoints: [{ inputs: { q: 'a' } }], version_name: 'first' } })
      ).body;
      const second = (await t.humanloop({ method: 'POST', path: '/v5/datasets', body: { path: 'named', datapoints: [{ inputs: { q: 'b' } }], action: 'add' } }))
        .body;
      const rename = (versionId: string, body: object, datasetId = first.id) =>
        t.humanloop({ method: 'PATCH', path: `/v5/datasets/${datasetId}/versions/${versionId}`, body });
      expect(await rename(second.version_id, { name: '7' })).toEqual({
        status: 422,
        body: { detail: [{ loc: ['body', 'name'], msg: 'must not be a number (numbers name versions already)', type: 'value_error' }] },
      });
      expect(await rename(second.version_id, { name: 'first' })).toEqual({ status: 409, body: { detail: 'Another version is already named "first"' } });
      const unknown = 'ds_0000000000000000000001';
      expect(await rename(second.version_id, { name: 'second' }, unknown)).toEqual({
        status: 404,
        body: { detail: `Dataset version "${second.version_id}" not found` },
      });
      expect(await t.humanloop({ method: 'GET', path: `/v5/datasets/${unknown}/versions` })).toEqual({
        status: 404,
        body: { detail: `Dataset "${unknown}" not found` },
      });
      expect((await rename(second.version_id, { name: 'second' })).body).toMatchObject({ version_id: second.version_id, version_name: 'second' });
    });
  });
}
