import {
  appendExamples,
  appendExperimentRuns,
  BadRequestError,
  createClient,
  createDataset,
  createExperiment,
  deleteDatasetExamples,
  deleteExperiment,
  getDataset,
  getExperiment,
  getSpace,
  listDatasetExamples,
  listDatasets,
  listExperimentRuns,
  listExperiments,
  NotFoundError,
  updateExamples,
} from '@arizeai/ax-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestServer } from '../../support/app.js';
import { DIALECTS } from '../../support/databases.js';

/**
 * Arize's own npm client (@arizeai/ax-client, the version the spec recorded) against a real server on
 * 127.0.0.1, used as a user would: only the base URL differs from Arize's. The requests it sends are
 * recorded and compared with the sequence recorded against Arize's wire format (spec §2.10).
 */
for (const dialect of DIALECTS) {
  describe(`${dialect}: @arizeai/ax-client against the Arize surface`, () => {
    const t = useTestServer(dialect);
    let baseUrl: string;
    const sent: string[] = [];
    const realFetch = globalThis.fetch;

    beforeAll(async () => {
      process.env.DISABLE_PRERELEASE_WARNING = 'true';
      baseUrl = `${t.url}/arize`;
      // The client captures fetch when it is made: record what it sends, then pass it on unchanged.
      globalThis.fetch = async (input, init) => {
        const request = input instanceof Request ? input : new Request(input, init);
        const url = new URL(request.url);
        sent.push(`${request.method} ${url.pathname.replace(/^\/arize/, '')}${url.search}`);
        return realFetch(input, init);
      };
    });
    afterAll(async () => {
      globalThis.fetch = realFetch;
    });

    it('creates a dataset, an experiment, appends and lists runs, gets and deletes, as recorded against Arize', async () => {
      const client = createClient({ apiKey: t.adminKey, baseUrl });
      const space = 'default';
      const datasetName = `recording-ds-${dialect}`;
      const experimentName = `recording-exp-${dialect}`;
      sent.length = 0;

      const dataset = await createDataset({
        client,
        space,
        name: datasetName,
        examples: [
          { question: '2+2?', answer: '4' },
          { question: 'capital of spain?', answer: 'madrid' },
        ],
      });
      expect(dataset).toMatchObject({ name: datasetName, versions: [expect.objectContaining({ name: '1' })] });
      expect(dataset.createdAt).toBeInstanceOf(Date);

      const refused = createDataset({ client, space, name: `${datasetName}-bad`, examples: [{ id: 'ex_1', input: 'Hello' }] });
      await expect(refused).rejects.toBeInstanceOf(BadRequestError);
      await expect(refused).rejects.toThrow(/\/examples\/0\/id/);

      const examples = await listDatasetExamples({ client, dataset: datasetName, space });
      expect(examples.data.map(({ question, answer }) => ({ question, answer }))).toEqual([
        { question: '2+2?', answer: '4' },
        { question: 'capital of spain?', answer: 'madrid' },
      ]);
      expect(examples.pagination).toEqual({ hasMore: false, nextCursor: undefined });
      const [first, second] = examples.data;

      const experiment = await createExperiment({
        client,
        experimentName,
        dataset: datasetName,
        space,
        experimentRuns: [{ output: '4', model: 'm1', 'eval.correct.score': 1, exampleId: first!.id as string }],
      });
      expect(experiment).toMatchObject({ name: experimentName, datasetId: dataset.id, datasetVersionId: dataset.versions![0]!.id });

      const appended = await appendExperimentRuns({
        client,
        experiment: experimentName,
        dataset: datasetName,
        space,
        experimentRuns: [{ output: 'madrid', latency_ms: 12, exampleId: second!.id as string }],
      });
      expect(appended).toMatchObject({ id: experiment.id, runIds: [expect.stringMatching(/^[0-9a-f-]{36}$/)] });

      const runs = await listExperimentRuns({ client, experiment: experimentName, dataset: datasetName, space });
      expect(runs.data).toEqual([
        { id: expect.any(String), exampleId: first!.id, output: '4', error: null, model: 'm1', 'eval.correct.score': 1 },
        { id: appended.runIds[0], exampleId: second!.id, output: 'madrid', error: null, latency_ms: 12 },
      ]);

      const got = await getExperiment({ client, experiment: experiment.id });
      expect(got).toMatchObject({ id: experiment.id, name: experimentName, datasetId: dataset.id });
      await deleteExperiment({ client, experiment: experiment.id });
      await expect(getExperiment({ client, experiment: experiment.id })).rejects.toBeInstanceOf(NotFoundError);

      // The recorded sequence (spec §2.10), request for request; ids are this server's.
      const path = (id: string) => encodeURIComponent(id);
      expect(sent).toEqual([
        `GET /v2/spaces?name=${space}&limit=100`,
        'POST /v2/datasets',
        `GET /v2/spaces?name=${space}&limit=100`,
        'POST /v2/datasets',
        `GET /v2/datasets?space_name=${space}&name=${datasetName}&limit=100`,
        `GET /v2/datasets/${path(dataset.id)}/examples?limit=50`,
        `GET /v2/datasets?space_name=${space}&name=${datasetName}&limit=100`,
        'POST /v2/experiments',
        `GET /v2/datasets?space_name=${space}&name=${datasetName}&limit=100`,
        `GET /v2/experiments?dataset_id=${path(dataset.id)}&name=${experimentName}&limit=100`,
        `POST /v2/experiments/${path(experiment.id)}/runs`,
        `GET /v2/datasets?space_name=${space}&name=${datasetName}&limit=100`,
        `GET /v2/experiments?dataset_id=${path(dataset.id)}&name=${experimentName}&limit=100`,
        `GET /v2/experiments/${path(experiment.id)}/runs?limit=50`,
        `GET /v2/experiments/${path(experiment.id)}`,
        `DELETE /v2/experiments/${path(experiment.id)}`,
        `GET /v2/experiments/${path(experiment.id)}`,
      ]);
    });

    it('edits examples and lists datasets, experiments and the space through the client', async () => {
      const client = createClient({ apiKey: t.adminKey, baseUrl });
      const space = await getSpace({ client, space: 'default' });
      expect(space).toMatchObject({ name: 'default', isPrivate: false });
      const name = `edited-${dialect}`;
      const dataset = await createDataset({ client, space: space.id, name, examples: [{ q: 'a' }, { q: 'b' }] });
      const added = await appendExamples({ client, dataset: dataset.id, examples: [{ q: 'c' }] });
      expect(added.exampleIds).toHaveLength(1);
      const updated = await updateExamples({
        client,
        dataset: dataset.id,
        examples: [{ id: added.exampleIds[0]!, q: 'C', note: 'fixed' }],
        newVersion: 'fixed',
      });
      expect(updated.exampleIds).toEqual(added.exampleIds);
      const removed = await deleteDatasetExamples({
        client,
        dataset: dataset.id,
        datasetVersionId: updated.datasetVersionId,
        examples: [added.exampleIds[0]!, 'missing'],
      });
      expect(removed).toEqual({ completed: true, deletedExampleIds: added.exampleIds, notDeletedExampleIds: ['missing'] });

      const versions = (await getDataset({ client, dataset: name, space: 'default' })).versions!;
      expect(versions.map((version) => version.name)).toEqual(['4', 'fixed', '2', '1']);
      const atFixed = await listDatasetExamples({ client, dataset: dataset.id, datasetVersionId: updated.datasetVersionId });
      expect(atFixed.data.map((example) => [example.q, example.note])).toEqual([
        ['a', undefined],
        ['b', undefined],
        ['C', 'fixed'],
      ]);

      expect((await listDatasets({ client, space: 'default', name })).data.map((d) => d.id)).toEqual([dataset.id]);
      await createExperiment({ client, experimentName: 'free', space: 'default', experimentRuns: [{ output: 'x' }] });
      const experiments = await listExperiments({ client, space: 'default' });
      expect(experiments.data.map((e) => e.name)).toContain('free');
    });
  });
}
