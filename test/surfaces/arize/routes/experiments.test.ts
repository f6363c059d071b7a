import { beforeEach, describe, expect, it } from 'vitest';
import { globalId, uuidOf } from '../../../../src/surfaces/arize/ids.js';
import { useTestApp } from '../../../support/app.js';
import { DIALECTS } from '../../../support/databases.js';
import { arizeClient, expectRefused, nativeExperimentId, seg } from '../helpers.js';

/** Experiments: on a dataset (pinned to its version) or in a space, with their first runs; listed, read, deleted. */
for (const dialect of DIALECTS) {
  describe(`${dialect}: Arize AX experiments`, () => {
    const t = useTestApp(dialect);
    const arize = arizeClient(t);
    let dataset: { id: string; versions: { id: string }[] };
    let exampleIds: string[];
    beforeEach(async () => {
      ({ dataset, exampleIds } = await arize.createQuestions());
    });

    const { call } = arize;
    const createExperiment = (runs: object[], name?: string) => arize.createExperiment(dataset.id, runs, name);
    const runsOf = (experimentId: string) => arize.runsOf(experimentId);
    const append = (experimentId: string, runs: object[]) => arize.append(experimentId, runs);

    it('creates an experiment with its runs, pinned to the latest dataset version', async () => {
      const experiment = await createExperiment(
        [
          { example_id: exampleIds[0], output: '4', model: 'gpt-4o-mini', temperature: 0.2, latency_ms: 118, prompt: 'Answer briefly.' },
          { example_id: exampleIds[1], output: 'Madrid', model: 'gpt-4o-mini', tool_calls: [{ name: 'search', args: { q: 'spain' } }] },
        ],
        'baseline',
      );
      expect(experiment).toEqual({
        id: expect.any(String),
        name: 'baseline',
        space_id: arize.spaceId(),
        dataset_id: dataset.id,
        dataset_version_id: dataset.versions[0]!.id,
        created_at: expect.any(String),
        updated_at: expect.any(String),
        experiment_traces_project_id: expect.any(String),
        integration_id: null,
      });
      expect(Buffer.from(experiment.id, 'base64').toString()).toMatch(/^Experiment:\d+$/);
      expect((await call('GET', `/v2/experiments/${seg(experiment.id)}`)).json()).toEqual(experiment);
      expect(await runsOf(experiment.id)).toEqual([
        {
          id: expect.any(String),
          example_id: exampleIds[0],
          output: '4',
          error: null,
          model: 'gpt-4o-mini',
          temperature: 0.2,
          latency_ms: 118,
          prompt: 'Answer briefly.',
        },
        {
          id: expect.any(String),
          example_id: exampleIds[1],
          output: 'Madrid',
          error: null,
          model: 'gpt-4o-mini',
          tool_calls: [{ name: 'search', args: { q: 'spain' } }],
        },
      ]);

      // A later version of the dataset does not move the experiment.
      await call('POST', `/v2/datasets/${seg(dataset.id)}/examples`, { examples: [{ question: 'new?' }] });
      expect((await call('GET', `/v2/experiments/${seg(experiment.id)}`)).json().dataset_version_id).toBe(dataset.versions[0]!.id);
    });

    it('creates an experiment in a space, without a dataset', async () => {
      const response = await call('POST', '/v2/experiments', {
        name: `free-${Math.random()}`,
        space_id: arize.spaceId(),
        experiment_runs: [{ output: 'hello' }],
      });
      expect(response.statusCode).toBe(201);
      const experiment = response.json();
      expect(experiment).toMatchObject({ dataset_id: null, dataset_version_id: null, space_id: arize.spaceId() });
      expect(await runsOf(experiment.id)).toEqual([{ id: expect.any(String), example_id: null, output: 'hello', error: null }]);
      await expectRefused(t, () => append(experiment.id, [{ output: 'x', example_id: exampleIds[0] }]), {
        status: 422,
        pointer: '/experiment_runs/0/example_id',
      });
      expect((await append(experiment.id, [{ output: 'second' }])).statusCode).toBe(201);
    });

    it('refuses bad experiments, naming the run or field, and writes nothing', async () => {
      await createExperiment([{ example_id: exampleIds[0], output: '4' }], 'taken');
      const post = (body: object) => () => call('POST', '/v2/experiments', body);
      const run = { example_id: exampleIds[0], output: '4' };
      const cases: [object, number, string][] = [
        [{ name: 'a', dataset_id: dataset.id, experiment_runs: [] }, 400, '/experiment_runs'],
        [{ name: 'a', dataset_id: dataset.id }, 400, '/experiment_runs'],
        [{ name: 'a', experiment_runs: [run] }, 400, '/dataset_id'],
        [{ name: 'a', dataset_id: null, space_id: null, experiment_runs: [run] }, 400, '/dataset_id'],
        [{ name: 'a', dataset_id: dataset.id, space_id: arize.spaceId(), experiment_runs: [run] }, 400, '/space_id'],
        [{ name: 'a', dataset_id: dataset.id, experiment_runs: [run, { example_id: exampleIds[1] }] }, 400, '/experiment_runs/1/output'],
        [{ name: 'a', dataset_id: dataset.id, experiment_runs: [run, { example_id: exampleIds[1], output: { text: 'x' } }] }, 400, '/experiment_runs/1/output'],
        [{ name: 'a', dataset_id: dataset.id, experiment_runs: [run, { output: 'x' }] }, 422, '/experiment_runs/1/example_id'],
        [
          { name: 'a', dataset_id: dataset.id, experiment_runs: [run, { output: 'x', example_id: '0f8fad5b-d9cb-469f-a165-70867728950e' }] },
          422,
          '/experiment_runs/1/example_id',
        ],
        [{ name: 'a', dataset_id: dataset.id, experiment_runs: [run, { output: 'x', example_id: 'example_001' }] }, 422, '/experiment_runs/1/example_id'],
        [{ name: 'a', dataset_id: dataset.id, experiment_runs: [run, { ...run, annotations: [] }] }, 400, '/experiment_runs/1/annotations'],
        [{ name: 'a', dataset_id: 'recording-ds', experiment_runs: [run] }, 400, '/dataset_id'],
        [{ name: '', dataset_id: dataset.id, experiment_runs: [run] }, 400, '/name'],
        [{ name: 'a', dataset_id: dataset.id, experiment_runs: [run], description: 'x' }, 400, '/description'],
      ];
      for (const [body, status, pointer] of cases) await expectRefused(t, post(body), { status, pointer });
      await expectRefused(t, post({ name: 'taken', dataset_id: dataset.id, experiment_runs: [run] }), { status: 409, pointer: '/name' });
      await expectRefused(t, post({ name: 'a', dataset_id: globalId('Dataset', '0f8fad5b-d9cb-469f-a165-70867728950e'), experiment_runs: [run] }), {
        status: 404,
      });
      const other = await t.services.workspaces.create(`other-${Math.random()}`);
      await expectRefused(t, post({ name: 'a', space_id: globalId('Space', other.workspace.id), experiment_runs: [{ output: 'x' }] }), {
        status: 404,
        pointer: '/space_id',
      });
    });

    it('lists experiments newest first by dataset, space and name', async () => {
      const prefix = `list-${Math.random().toString(36).slice(2)}`;
      const a = await createExperiment([{ example_id: exampleIds[0], output: '1' }], `${prefix}-Alpha`);
      const b = await createExperiment([{ example_id: exampleIds[0], output: '1' }], `${prefix}-beta`);
      const free = (await call('POST', '/v2/experiments', { name: `${prefix}-free`, space_id: arize.spaceId(), experiment_runs: [{ output: '1' }] })).json();
      const names = async (query: string) => (await call('GET', `/v2/experiments?${query}`)).json().experiments.map((e: { name: string }) => e.name);
      expect(await names(`dataset_id=${seg(dataset.id)}&name=${prefix}`)).toEqual([b.name, a.name]);
      expect(await names(`space_id=${seg(arize.spaceId())}&name=${prefix}`)).toEqual([free.name, b.name, a.name]);
      expect(await names(`name=${prefix.toUpperCase()}-AL`)).toEqual([a.name]);
      const other = await t.services.workspaces.create(`other-${Math.random()}`);
      expect(await names(`space_id=${seg(globalId('Space', other.workspace.id))}`)).toEqual([]);
      const page = (await call('GET', `/v2/experiments?name=${prefix}&limit=1`)).json();
      expect(page).toMatchObject({ experiments: [{ id: free.id }], pagination: { has_more: true } });
      const next = (await call('GET', `/v2/experiments?name=${prefix}&limit=1&cursor=${seg(page.pagination.next_cursor)}`)).json();
      expect(next.experiments[0].id).toBe(b.id);
      await expectRefused(t, () => call('GET', `/v2/experiments?dataset_id=${seg(dataset.id)}&space_id=${seg(arize.spaceId())}`), {
        status: 400,
        pointer: '/space_id',
      });
      await expectRefused(t, () => call('GET', '/v2/experiments?dataset_id=my-dataset'), { status: 400, pointer: '/dataset_id' });
      await expectRefused(t, () => call('GET', '/v2/experiments?limit=101'), { status: 400, pointer: '/limit' });
    });

    it('deletes an experiment with its runs; another workspace sees none of it', async () => {
      const experiment = await createExperiment([{ example_id: exampleIds[0], output: '4', 'eval.ok.score': 1 }]);
      const other = await t.services.workspaces.create(`other-${Math.random()}`);
      const as = (method: 'GET' | 'DELETE' | 'POST', url: string, payload?: object) =>
        t.call({ method, url: `/arize${url}`, key: other.admin.key, ...(payload ? { payload } : {}) });
      for (const [method, url] of [
        ['GET', ''],
        ['DELETE', ''],
        ['GET', '/runs'],
      ] as const) {
        await expectRefused(t, () => as(method, `/v2/experiments/${seg(experiment.id)}${url}`), { status: 404 });
      }
      await expectRefused(t, () => as('POST', `/v2/experiments/${seg(experiment.id)}/runs`, { experiment_runs: [{ output: 'x' }] }), { status: 404 });
      expect((await as('GET', `/v2/experiments?dataset_id=${seg(dataset.id)}`)).json().experiments).toEqual([]);

      expect((await call('DELETE', `/v2/experiments/${seg(experiment.id)}`)).statusCode).toBe(204);
      await expectRefused(t, () => call('GET', `/v2/experiments/${seg(experiment.id)}`), { status: 404 });
      const left = await t.testStore.store.db.selectFrom('runs').select('id').where('experiment_id', '=', nativeExperimentId(experiment.id)).execute();
      expect(left).toEqual([]);
    });

    it('is readable through the native API: the experiment, its runs with their extra fields, and their scores', async () => {
      const experiment = await createExperiment(
        [
          {
            example_id: exampleIds[0],
            output: '4',
            model: 'gpt-4o-mini',
            latency_ms: 118,
            'eval.correct.score': 1,
            'eval.correct.label': 'yes',
            'eval.correct.explanation': 'exact',
          },
        ],
        'seen natively',
      );
      const appended = (await append(experiment.id, [{ example_id: exampleIds[1], output: 'Barcelona', error: null, 'eval.correct.score': 0 }])).json();
      const id = nativeExperimentId(experiment.id);
      const native = (await t.call({ method: 'GET', url: `/api/v1/experiments/${id}` })).json();
      expect(native).toMatchObject({
        id,
        name: 'seen natively',
        dataset_id: uuidOf('Dataset', dataset.id, '', 'params'),
        dataset_version: 1,
        source: 'arize',
      });
      const runs = (await t.call({ method: 'GET', url: `/api/v1/experiments/${id}/runs?limit=100` })).json().data;
      expect(runs).toHaveLength(2);
      expect(runs[0]).toMatchObject({ record_id: exampleIds[0], output: '4', status: 'success', latency_ms: 118, repetition: 1, model: 'gpt-4o-mini' });
      expect(runs[1]).toMatchObject({ id: appended.run_ids[0], record_id: exampleIds[1], output: 'Barcelona', error: null });
      const scores = (await t.call({ method: 'GET', url: `/api/v1/experiments/${id}/scores` })).json().data;
      expect(scores).toEqual([
        expect.objectContaining({ run_id: runs[0].id, key: 'correct', score: 1, value: 'yes', comment: 'exact', source: 'api' }),
        expect.objectContaining({ run_id: appended.run_ids[0], key: 'correct', score: 0, value: null }),
      ]);
      const compared = await t.call({ method: 'GET', url: `/api/v1/experiments/${id}/export?format=jsonl` });
      expect(compared.statusCode).toBe(200);
      expect(compared.body.trim().split('\n')).toHaveLength(2);
    });

    it("names faults in the request's terms: ids as sent, runs as experiment_runs, records as example_id", async () => {
      const unknownDataset = globalId('Dataset', '0f8fad5b-d9cb-469f-a165-70867728950e');
      const onUnknown = await expectRefused(
        t,
        () => call('POST', '/v2/experiments', { name: 'a', dataset_id: unknownDataset, experiment_runs: [{ output: 'x' }] }),
        { status: 404 },
      );
      expect(onUnknown.detail).toBe(`Dataset "${unknownDataset}" not found`);
      const unknown = globalId('Experiment', '0f8fad5b-d9cb-469f-a165-70867728950e');
      for (const method of ['GET', 'DELETE'] as const) {
        expect((await expectRefused(t, () => call(method, `/v2/experiments/${seg(unknown)}`), { status: 404 })).detail).toBe(
          `Experiment "${unknown}" not found`,
        );
      }
      const missing = await expectRefused(
        t,
        () =>
          call('POST', '/v2/experiments', {
            name: 'a',
            dataset_id: dataset.id,
            experiment_runs: [{ example_id: exampleIds[0], output: '4' }, { output: 'x' }],
          }),
        {
          status: 422,
          pointer: '/experiment_runs/1/example_id',
          title: 'Unprocessable Entity',
        },
      );
      expect(missing).toMatchObject({
        detail: '/experiment_runs/1/example_id is required: the experiment is on a dataset, and each run is the result for one of its records',
        type: 'https://arize.com/docs/ax/rest-reference/errors#unprocessable-entity',
        error_code: 'validation_failed',
        errors: [
          {
            pointer: '/experiment_runs/1/example_id',
            detail: 'is required: the experiment is on a dataset, and each run is the result for one of its records',
          },
        ],
      });
    });
  });
}
