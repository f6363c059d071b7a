import { describe, expect, it } from 'vitest';
import { useTestApp } from '../../support/app.js';
import { DIALECTS } from '../../support/databases.js';

const JSON_BODY = { 'content-type': 'application/json' };

/** An OTLP/JSON export of a task span and its LLM call in one trace, as a tracer in a Phoenix project sends them. */
function taskTrace(traceId: string) {
  const span = (name: string, spanId: string, parentSpanId?: string) => ({
    traceId,
    spanId,
    ...(parentSpanId ? { parentSpanId } : {}),
    name,
    kind: 1,
    startTimeUnixNano: '1733300000000000000',
    endTimeUnixNano: '1733300000250000000',
    attributes: [{ key: 'openinference.span.kind', value: { stringValue: parentSpanId ? 'LLM' : 'CHAIN' } }],
  });
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'openinference.project.name', value: { stringValue: 'experiment-project' } }] },
        scopeSpans: [{ spans: [span('Task: answer', 'aaaa000000000001'), span('llm call', 'aaaa000000000002', 'aaaa000000000001')] }],
      },
    ],
  });
}

/** A Phoenix experiment's run and its task's trace, which tracers send apart from it, before or after it. */
for (const dialect of DIALECTS) {
  describe(`${dialect}: an experiment run's trace sent through the receiver`, () => {
    const t = useTestApp(dialect);

    async function experimentWithExample(name: string) {
      const upload = await t.call({
        method: 'POST',
        url: '/phoenix/v1/datasets/upload?sync=true',
        payload: { action: 'create', name, inputs: [{ q: 'one' }], outputs: [{ a: 'ONE' }] },
      });
      expect(upload.statusCode).toBe(200);
      const datasetId = upload.json().data.dataset_id;
      const example = (await t.call({ method: 'GET', url: `/phoenix/v1/datasets/${datasetId}/examples` })).json().data.examples[0];
      const experiment = (await t.call({ method: 'POST', url: `/phoenix/v1/datasets/${datasetId}/experiments`, payload: { name } })).json().data;
      const recordRun = async (traceId: string) => {
        const response = await t.call({
          method: 'POST',
          url: `/phoenix/v1/experiments/${experiment.id}/runs`,
          payload: {
            dataset_example_id: example.id,
            output: 'ONE',
            repetition_number: 1,
            start_time: '2024-12-04T08:13:20Z',
            end_time: '2024-12-04T08:13:21Z',
            trace_id: traceId,
          },
        });
        expect(response.statusCode).toBe(200);
      };
      return { experiment, recordRun };
    }

    async function traceInExperiment(traceId: string) {
      const run = await t.services.store.db
        .selectFrom('runs')
        .select(['id', 'experiment_id'])
        .where('trace_id', '=', traceId)
        .where('name', '=', 'task')
        .executeTakeFirstOrThrow();
      const trace = (await t.call({ method: 'GET', url: `/api/v1/experiments/${run.experiment_id}/runs?trace_id=${traceId}&limit=10` })).json().data as {
        id: string;
        name: string;
        parent_run_id: string | null;
      }[];
      const byName = new Map(trace.map((span) => [span.name, span]));
      return { run, trace, byName };
    }

    const exported = (traceId: string) => t.call({ method: 'POST', url: '/phoenix/v1/traces', headers: JSON_BODY, payload: taskTrace(traceId) });

    it('hangs spans sent after the run under it, in its experiment', async () => {
      const traceId = '1b8efff798038103d269b633813fc60c';
      const { recordRun } = await experimentWithExample('after');
      await recordRun(traceId);
      expect((await exported(traceId)).statusCode).toBe(200);
      const { run, trace, byName } = await traceInExperiment(traceId);
      expect(trace).toHaveLength(3);
      expect(byName.get('Task: answer')?.parent_run_id).toBe(run.id);
      expect(byName.get('llm call')?.parent_run_id).toBe(byName.get('Task: answer')?.id);
    });

    it('moves spans sent before the run out of their log stream and under it', async () => {
      const traceId = '2b8efff798038103d269b633813fc60c';
      const { recordRun } = await experimentWithExample('before');
      expect((await exported(traceId)).statusCode).toBe(200);
      const stream = await t.services.store.db.selectFrom('runs').select('experiment_id').where('trace_id', '=', traceId).execute();
      expect(stream).toHaveLength(2);
      await recordRun(traceId);
      const { run, trace, byName } = await traceInExperiment(traceId);
      expect(trace).toHaveLength(3);
      expect(byName.get('Task: answer')?.parent_run_id).toBe(run.id);
      expect(byName.get('llm call')?.parent_run_id).toBe(byName.get('Task: answer')?.id);
      // Nothing of the trace is left in the stream.
      const left = await t.services.store.db
        .selectFrom('runs')
        .select('id')
        .where('experiment_id', '=', stream[0]!.experiment_id)
        .where('trace_id', '=', traceId)
        .execute();
      expect(left).toEqual([]);
    });

    it('leaves spans of traces no run names in their log stream', async () => {
      const traceId = '3b8efff798038103d269b633813fc60c';
      expect((await exported(traceId)).statusCode).toBe(200);
      const rows = await t.services.store.db
        .selectFrom('runs')
        .innerJoin('experiments', 'experiments.id', 'runs.experiment_id')
        .select(['experiments.name', 'experiments.dataset_id', 'runs.parent_run_id'])
        .where('runs.trace_id', '=', traceId)
        .execute();
      expect(rows).toHaveLength(2);
      expect(rows.every((row) => row.name === 'experiment-project' && row.dataset_id === null)).toBe(true);
      expect(rows.filter((row) => row.parent_run_id === null)).toHaveLength(1);
    });
  });
}
