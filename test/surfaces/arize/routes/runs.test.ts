import { beforeEach, describe, expect, it } from 'vitest';
import { globalId } from '../../../../src/surfaces/arize/ids.js';
import { useTestApp } from '../../../support/app.js';
import { DIALECTS } from '../../../support/databases.js';
import { arizeClient, expectRefused, nativeExperimentId, seg } from '../helpers.js';

/** Experiment runs: appended (1 to 1,000, evaluations as scores, ids in input order) and listed. */
for (const dialect of DIALECTS) {
  describe(`${dialect}: Arize AX experiment runs`, () => {
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

    it('appends runs: 201 with the experiment and the run ids in input order, evaluations as scores', async () => {
      const experiment = await createExperiment([{ example_id: exampleIds[0], output: '4' }]);
      const runs = [
        {
          output: 'madrid',
          latency_ms: 12,
          example_id: exampleIds[1],
          'eval.correct.score': 1,
          'eval.correct.label': 'correct',
          'eval.correct.explanation': 'matches',
          'eval.correct.metadata.judge': 'gpt-4o',
          'eval.correct.trace.id': 'abc123',
        },
        {
          output: 'Jupiter',
          example_id: exampleIds[2],
          'eval.correct.score': 0.5,
          'eval.correct.label': null,
          'eval.tone.label': 'polite',
          'eval.my.evaluator.score': 3,
        },
        { output: '', error: 'rate limited', example_id: exampleIds[0], latency_ms: -1, 'eval.correct.score': 'n/a', nested: { deep: [1, { x: null }] } },
      ];
      const response = await append(experiment.id, runs);
      expect(response.statusCode).toBe(201);
      const body = response.json();
      expect(body).toEqual({ ...experiment, updated_at: expect.any(String), run_ids: [expect.any(String), expect.any(String), expect.any(String)] });
      expect(new Set(body.run_ids).size).toBe(3);

      const listed = await runsOf(experiment.id);
      expect(listed).toHaveLength(4);
      const byId = new Map(listed.map((r: { id: string }) => [r.id, r]));
      // Every column comes back exactly as sent, in each run the ids name, in input order.
      runs.forEach((run, index) => {
        const { id, error, ...columns } = byId.get(body.run_ids[index]) as Record<string, unknown>;
        expect(id).toBe(body.run_ids[index]);
        expect(error).toBe(run.error ?? null);
        expect(columns).toEqual(Object.fromEntries(Object.entries(run).filter(([key]) => key !== 'error')));
      });

      const scores = (await t.call({ method: 'GET', url: `/api/v1/experiments/${nativeExperimentId(experiment.id)}/scores?limit=1000` })).json().data;
      expect(scores.map((s: { key: string; run_id: string }) => [s.key, body.run_ids.indexOf(s.run_id)]).sort()).toEqual(
        [
          ['correct', 0],
          ['correct', 1],
          ['my.evaluator', 1],
          ['tone', 1],
        ].sort(),
      );
      expect(scores.find((s: { key: string; run_id: string }) => s.key === 'correct' && s.run_id === body.run_ids[0])).toMatchObject({
        score: 1,
        value: 'correct',
        comment: 'matches',
        metadata: { judge: 'gpt-4o' },
      });
    });

    it('refuses bad appends, naming the run, and writes nothing', async () => {
      const experiment = await createExperiment([{ example_id: exampleIds[0], output: '4' }]);
      const ok = { example_id: exampleIds[0], output: 'x' };
      await expectRefused(t, () => append(experiment.id, []), { status: 400, pointer: '/experiment_runs' });
      await expectRefused(
        t,
        () =>
          append(
            experiment.id,
            Array.from({ length: 1001 }, () => ok),
          ),
        { status: 400, pointer: '/experiment_runs' },
      );
      await expectRefused(t, () => append(experiment.id, [ok, { example_id: exampleIds[1] }]), { status: 400, pointer: '/experiment_runs/1/output' });
      await expectRefused(t, () => append(experiment.id, [ok, { example_id: exampleIds[1], output: 4 }]), {
        status: 400,
        pointer: '/experiment_runs/1/output',
      });
      await expectRefused(t, () => append(experiment.id, [ok, ok, { output: 'x' }]), { status: 422, pointer: '/experiment_runs/2/example_id' });
      await expectRefused(t, () => append(experiment.id, [ok, { output: 'x', example_id: null }]), { status: 422, pointer: '/experiment_runs/1/example_id' });
      await expectRefused(t, () => append(experiment.id, [ok, { output: 'x', example_id: '0f8fad5b-d9cb-469f-a165-70867728950e' }]), {
        status: 422,
        pointer: '/experiment_runs/1/example_id',
      });
      // An example added after the experiment's version is not one of its examples.
      const later = (await call('POST', `/v2/datasets/${seg(dataset.id)}/examples`, { examples: [{ question: 'later?' }] })).json().example_ids[0];
      await expectRefused(t, () => append(experiment.id, [ok, { output: 'x', example_id: later }]), { status: 422, pointer: '/experiment_runs/1/example_id' });
      await expectRefused(t, () => append(experiment.id, [ok, { output: 'x', example_id: 7 }]), { status: 400, pointer: '/experiment_runs/1/example_id' });
      await expectRefused(t, () => call('POST', `/v2/experiments/${seg(experiment.id)}/runs`, { runs: [ok] }), { status: 400, pointer: '/experiment_runs' });
      await expectRefused(t, () => append(globalId('Experiment', '0f8fad5b-d9cb-469f-a165-70867728950e'), [ok]), { status: 404 });
      await expectRefused(t, () => append(dataset.id, [ok]), { status: 400, pointer: '/experiment_id' });
    });

    it('takes 1,000 runs in one request, and a retried run with its own id once', async () => {
      const experiment = await createExperiment([{ example_id: exampleIds[0], output: '4' }]);
      const many = Array.from({ length: 1000 }, (_, i) => ({ example_id: exampleIds[i % 3], output: `answer ${i}`, i }));
      const response = await append(experiment.id, many);
      expect(response.statusCode).toBe(201);
      expect(response.json().run_ids).toHaveLength(1000);
      const id = '1f8fad5b-d9cb-469f-a165-70867728950e';
      const first = (await append(experiment.id, [{ id, example_id: exampleIds[0], output: 'once' }])).json();
      const retried = (await append(experiment.id, [{ id, example_id: exampleIds[0], output: 'once' }])).json();
      expect([first.run_ids, retried.run_ids]).toEqual([[id], [id]]);
      const native = (
        await t.call({ method: 'GET', url: `/api/v1/experiments/${nativeExperimentId(experiment.id)}/runs?limit=1000&record_id=${exampleIds[0]}` })
      ).json();
      expect(native.data.filter((run: { output: string }) => run.output === 'once')).toHaveLength(1);
    });

    it('lists runs page by page', async () => {
      const experiment = await createExperiment(exampleIds.map((exampleId, i) => ({ example_id: exampleId, output: `o${i}` })));
      const outputs: string[] = [];
      let cursor: string | undefined;
      do {
        const page = (await call('GET', `/v2/experiments/${seg(experiment.id)}/runs?limit=2${cursor ? `&cursor=${seg(cursor)}` : ''}`)).json();
        outputs.push(...page.experiment_runs.map((r: { output: string }) => r.output));
        cursor = page.pagination.next_cursor;
      } while (cursor);
      expect(outputs).toEqual(['o0', 'o1', 'o2']);
      await expectRefused(t, () => call('GET', `/v2/experiments/${seg(experiment.id)}/runs?limit=501`), { status: 400, pointer: '/limit' });
      await expectRefused(t, () => call('GET', `/v2/experiments/${seg(experiment.id)}/runs?cursor=nope`), { status: 400, pointer: '/cursor' });
    });

    it("names faults the runs service finds in the request's terms, as 422s; a malformed request stays 400", async () => {
      const experiment = await createExperiment([{ example_id: exampleIds[0], output: '4' }]);
      const notUuid = await expectRefused(t, () => append(experiment.id, [{ id: 'run-1', example_id: exampleIds[0], output: 'x' }]), {
        status: 422,
        pointer: '/experiment_runs/0/id',
      });
      expect(notUuid).toMatchObject({
        detail: '/experiment_runs/0/id must be a UUID',
        errors: [{ pointer: '/experiment_runs/0/id', detail: 'must be a UUID' }],
      });
      const id = '2f8fad5b-d9cb-469f-a165-70867728950e';
      const twice = await expectRefused(
        t,
        () =>
          append(experiment.id, [
            { id, example_id: exampleIds[0], output: 'x' },
            { id, example_id: exampleIds[1], output: 'y' },
          ]),
        {
          status: 422,
          pointer: '/experiment_runs/1/id',
        },
      );
      expect(twice.detail).toBe('/experiment_runs/1/id appears twice in the request');
      const serverColumn = await expectRefused(t, () => append(experiment.id, [{ example_id: exampleIds[0], output: 'x', annotations: [] }]), {
        status: 400,
        pointer: '/experiment_runs/0/annotations',
      });
      expect(serverColumn).toMatchObject({
        title: 'Invalid request parameters',
        errors: [{ pointer: '/experiment_runs/0/annotations', detail: 'is set by the server and may not be sent', in: 'body' }],
      });
      const unknown = globalId('Experiment', '0f8fad5b-d9cb-469f-a165-70867728950e');
      for (const request of [() => append(unknown, [{ output: 'x' }]), () => call('GET', `/v2/experiments/${seg(unknown)}/runs`)]) {
        expect((await expectRefused(t, request, { status: 404 })).detail).toBe(`Experiment "${unknown}" not found`);
      }
    });
  });
}
