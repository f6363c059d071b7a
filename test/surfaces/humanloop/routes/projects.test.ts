import { Humanloop } from 'humanloop-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuidOf } from '../../../../src/surfaces/humanloop/ids.js';
import { DIALECTS } from '../../../support/databases.js';
import { startHumanloopServer, useHumanloopServer, type HumanloopTestServer } from '../helpers.js';

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

/** The v4 dataset flow from humanloop@0.5.36 alone: a project made, listed, read and renamed, a dataset and a datapoint in it. */
for (const dialect of DIALECTS) {
  describe(`${dialect}: humanloop@0.5.36 (v4) projects`, () => {
    const t = useHumanloopServer(dialect);
    let humanloop: Humanloop;

    beforeAll(() => {
      humanloop = new Humanloop({ apiKey: t.adminKey, basePath: `${t.url}/humanloop/v4`, useFetch: false });
    });

    it('creates a project, then a dataset and a datapoint in it, committing a version', async () => {
      const project = (await humanloop.projects.create({ name: 'v4-only' })).data;
      expect(project).toMatchObject({ id: expect.stringMatching(/^pr_/), name: 'v4-only', users: [], feedback_types: [] });
      const listed = (await humanloop.projects.list({ filter: 'v4-only' })).data;
      expect(listed).toMatchObject({ records: [{ id: project.id, name: 'v4-only' }], page: 1, size: 10, total: 1 });
      expect((await humanloop.projects.get({ id: project.id })).data).toMatchObject({ id: project.id, name: 'v4-only' });
      expect((await humanloop.projects.update({ id: project.id, name: 'v4-renamed' })).data).toMatchObject({ id: project.id, name: 'v4-renamed' });

      const dataset = (await humanloop.datasets.create({ projectId: project.id, name: 'questions', description: 'v4' })).data;
      expect(dataset).toMatchObject({ project_id: project.id, datapoint_count: 0 });
      const datapoints = (await humanloop.datasets.createDatapoint({ datasetId: dataset.id, requestBody: { inputs: { q: 'hi' }, target: { a: 'hello' } } }))
        .data;
      expect(datapoints).toMatchObject([{ dataset_id: dataset.id, inputs: { q: 'hi' }, target: { a: 'hello' } }]);
      // Natively, the dataset is in the project and the datapoint was committed as version 1.
      const native = await t.call({ method: 'GET', url: `/api/v1/datasets/${uuidOf('dataset', dataset.id)}/versions` });
      expect(native.json().data).toMatchObject([{ version: 1, record_count: 1 }]);

      // A project holding datasets is not deleted (409), nor is a project this key cannot see (404).
      await expect(humanloop.projects.delete({ id: project.id })).rejects.toMatchObject({ status: 409 });
      await expect(humanloop.projects.get({ id: 'pr_0000000000000000000001' })).rejects.toMatchObject({ status: 404 });
      await expect(humanloop.projects.create({ name: '' })).rejects.toMatchObject({ status: 422 });
      const empty = (await humanloop.projects.create({ name: 'to-delete' })).data;
      expect((await humanloop.projects.delete({ id: empty.id })).status).toBe(200);
    });
  });
}
