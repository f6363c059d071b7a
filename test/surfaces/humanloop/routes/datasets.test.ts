import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../../support/databases.js';
import { startHumanloopServer, type HumanloopTestServer } from '../helpers.js';

/**
 * Datasets of both APIs refused as Humanloop refuses: an unknown dataset in the path is a 404 naming
 * it as the client sent it; a fault of the body is a 422 whose `loc` names the field as sent.
 */
for (const dialect of DIALECTS) {
  describe(`${dialect}: Humanloop datasets, refused`, () => {
    let t: HumanloopTestServer;

    beforeAll(async () => {
      t = await startHumanloopServer(dialect);
    });
    afterAll(async () => {
      await t?.close();
    });

    const upsert = (body: object, query = '') => t.humanloop({ method: 'POST', path: `/v5/datasets${query}`, body });

    it('answers 404 naming an unknown dataset of the path as sent, by either API and either prefix', async () => {
      const taken = await upsert({ path: 'taken', datapoints: [] });
      const mine = await upsert({ path: 'mine', datapoints: [] });
      for (const unknown of ['evts_0000000000000000000001', 'ds_0000000000000000000001']) {
        const notFound = { status: 404, body: { detail: `Dataset "${unknown}" not found` } };
        expect(await t.humanloop({ method: 'GET', path: `/v4/datasets/${unknown}` })).toEqual(notFound);
        expect(await t.humanloop({ method: 'PATCH', path: `/v4/datasets/${unknown}`, body: { name: 'y' } })).toEqual(notFound);
        expect(await t.humanloop({ method: 'GET', path: `/v5/datasets/${unknown}` })).toEqual(notFound);
        expect(await t.humanloop({ method: 'PATCH', path: `/v5/datasets/${unknown}`, body: { name: 'y' } })).toEqual(notFound);
        expect(await t.humanloop({ method: 'DELETE', path: `/v5/datasets/${unknown}` })).toEqual(notFound);
        // The v4 delete reads the dataset in its deleting transaction; its fault is about the path, so a 404 too.
        expect(await t.humanloop({ method: 'DELETE', path: `/v4/datasets/${unknown}` })).toEqual(notFound);
      }
      expect(await t.humanloop({ method: 'DELETE', path: '/v4/datasets/capitals' })).toEqual({ status: 404, body: { detail: 'Dataset "capitals" not found' } });
      const renamed = await t.humanloop({ method: 'PATCH', path: `/v5/datasets/${mine.body.id}`, body: { path: 'taken' } });
      expect(renamed).toEqual({ status: 409, body: { detail: 'A dataset named "taken" already exists' } });
      expect((await t.humanloop({ method: 'GET', path: `/v5/datasets/${taken.body.id}` })).status).toBe(200);
    });

    it('refuses upserts naming the field as sent: 404 for an unknown id, 422 for a fault of the body, 409 for a stale version', async () => {
      const unknown = 'ds_0000000000000000000001';
      expect(await upsert({ id: unknown, datapoints: [] })).toEqual({ status: 404, body: { detail: `Dataset "${unknown}" not found` } });
      // A body id that is no dataset id at all is a fault of the body (docs/surfaces/humanloop.md, Ids).
      expect(await upsert({ id: 'refusals', datapoints: [] })).toEqual({
        status: 422,
        body: { detail: [{ loc: ['body', 'id'], msg: 'is not a dataset id (ds_…)', type: 'value_error' }] },
      });
      const created = await upsert({ path: 'refusals', datapoints: [{ inputs: { question: 'Capital of France?' } }] });
      expect(await upsert({ id: created.body.id, datapoints: [{ inputs: { question: 'Capital of Peru?' } }], action: 'add', version_name: '7' })).toEqual({
        status: 422,
        body: { detail: [{ loc: ['body', 'version_name'], msg: 'must not be a number (numbers name versions already)', type: 'value_error' }] },
      });
      const moved = await upsert({ id: created.body.id, datapoints: [{ inputs: { question: 'Capital of Peru?' } }], action: 'add' });
      const stale = await upsert(
        { id: created.body.id, datapoints: [{ inputs: { question: 'Capital of Chile?' } }], action: 'add' },
        `?version_id=${created.body.version_id}`,
      );
      expect(stale).toEqual({
        status: 409,
        body: {
          detail:
            'The change was made against version 1, but the dataset is at version 2: versions never change once committed, so changes apply only on top of the latest',
        },
      });
      expect((await t.humanloop({ method: 'GET', path: `/v5/datasets/${created.body.id}` })).body.version_id).toBe(moved.body.version_id);
    });
  });
}
