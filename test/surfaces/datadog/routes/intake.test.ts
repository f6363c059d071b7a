import { afterAll, describe, expect, it } from 'vitest';
import { useTestApp, useTestServer } from '../../../support/app.js';
import { DIALECTS } from '../../../support/databases.js';
import { killAllChildren } from '../../../support/processes.js';
import { datadogCaller, envelope, eventually, makeDataset, PUBLIC, runDdTrace } from '../helpers.js';

const EVAL_METRIC = '/datadog/api/intake/llm-obs/v2/eval-metric';

/** The body dd-trace's evaluation writer posts (LLMObsEvalMetricsWriter.makePayload of submitEvaluation's events). */
const evalBody = (metrics: Record<string, unknown>[]) => ({ data: { type: 'evaluation_metric', attributes: { metrics } } });
const evaluation = (spanId: string, traceId: string, fields: Record<string, unknown>) => ({
  event_kind: 'evaluation',
  join_on: { span: { span_id: spanId, trace_id: traceId } },
  label: 'human',
  metric_type: 'score',
  ml_app: 'app',
  score_value: 0.5,
  timestamp_ms: Date.now(),
  tags: ['ddtrace.version:5.132.0', 'ml_app:app'],
  ...fields,
});

/** An intake span as dd-trace's span writer sends it: decimal ids, ns times, tags as key:value. */
const intakeSpan = (spanId: string, traceId: string, tags: string[], extra: Record<string, unknown> = {}) => ({
  span_id: spanId,
  trace_id: traceId,
  parent_id: 'undefined',
  name: 'task',
  start_ns: Date.now() * 1e6,
  duration: 3_000_000,
  status: 'ok',
  tags,
  meta: { 'span.kind': 'task', input: { value: 'in' }, output: { value: 'out' } },
  metrics: {},
  _dd: { span_id: spanId, trace_id: traceId },
  ...extra,
});

for (const dialect of DIALECTS) {
  describe(`${dialect}: the LLM Observability span and eval-metric intake`, () => {
    const t = useTestApp(dialect);
    const dd = datadogCaller(() => t);

    /** An experiment on a one-record dataset (record id r1), its task span sent through the span intake. */
    const setUp = async () => {
      const { project, dataset, path } = await makeDataset(dd);
      await dd({ method: 'POST', url: `${path}/records`, payload: envelope('records', { records: [{ id: 'r1', input: { q: 1 } }] }) });
      const experiment = (
        await dd({
          method: 'POST',
          url: `${PUBLIC}/experiments`,
          payload: envelope('experiments', { name: 'intake', project_id: project.id, dataset_id: dataset.id, ensure_unique: true }),
        })
      ).json().data;
      const tags = [`experiment_id:${experiment.id}`, 'dataset_record_id:r1', 'run_iteration:1', 'ml_app:app'];
      const spans = await dd({
        method: 'POST',
        url: '/datadog/api/v2/llmobs',
        payload: [{ _dd: { stage: 'raw' }, event_type: 'span', spans: [intakeSpan('111', '999', tags, { _dd: { scope: 'experiments' } })] }],
      });
      expect(spans.statusCode).toBe(202);
      return { experiment };
    };
    const scoresOf = async (experimentId: string) => (await t.call({ method: 'GET', url: `/api/v1/experiments/${experimentId}/scores?limit=100` })).json().data;

    it('turns metrics of an experiment span into typed scores of its run (v2, v1 and the agent path); sent twice, kept once', async () => {
      const { experiment } = await setUp();
      const [run] = (await t.call({ method: 'GET', url: `/api/v1/experiments/${experiment.id}/runs` })).json().data;
      expect(run.record_id).not.toBeNull();
      const body = evalBody([
        evaluation('111', '999', { reasoning: 'fine', assessment: 'pass', metadata: { by: 'ann' } }),
        evaluation('111', '999', { label: 'tone', metric_type: 'categorical', score_value: undefined, categorical_value: 'polite' }),
      ]);
      for (let i = 0; i < 2; i++) expect((await dd({ method: 'POST', url: EVAL_METRIC, payload: body })).statusCode).toBe(202);
      const v1 = await dd({
        method: 'POST',
        url: '/datadog/api/intake/llm-obs/v1/eval-metric',
        payload: evalBody([{ span_id: '111', trace_id: '999', label: 'ok', metric_type: 'boolean', boolean_value: true, timestamp_ms: Date.now() }]),
      });
      expect(v1.statusCode).toBe(202);
      const agent = await dd({
        method: 'POST',
        url: '/datadog/evp_proxy/v2/api/intake/llm-obs/v2/eval-metric',
        headers: { 'x-datadog-evp-subdomain': 'api' },
        payload: evalBody([evaluation('111', '999', { label: 'json', metric_type: 'json', score_value: undefined, json_value: { a: 1 } })]),
      });
      expect(agent.statusCode).toBe(202);
      const scores = await scoresOf(experiment.id);
      expect(scores.map((score: any) => [score.key, score.run_id, score.value]).sort()).toEqual([
        ['human', run.id, 0.5],
        ['json', run.id, { a: 1 }],
        ['ok', run.id, true],
        ['tone', run.id, 'polite'],
      ]);
      expect(scores.find((score: any) => score.key === 'human').comment).toBe('fine');
      // The events list answers them back in Datadog's shape.
      const events = (await dd({ method: 'GET', url: `/datadog/api/v2/llm-obs/v3/experiments/${experiment.id}/events` })).json();
      const metrics = events.data.attributes.spans[0].eval_metrics;
      expect(metrics.map((m: any) => `${m.label}:${m.metric_type}`).sort()).toEqual(['human:score', 'json:json', 'ok:boolean', 'tone:categorical']);
      expect(metrics.find((m: any) => m.label === 'human')).toMatchObject({ score_value: 0.5, reasoning: 'fine', assessment: 'pass', span_id: '111' });
    });

    it('refuses bad metrics with a JSON:API 4xx naming the field, and writes nothing', async () => {
      const { experiment } = await setUp();
      const dayAgo = Date.now() - 25 * 60 * 60 * 1000;
      const good = evaluation('111', '999', {});
      const cases: { name: string; metric: Record<string, unknown>; pointer: string }[] = [
        { name: 'an unknown span', metric: evaluation('112', '999', {}), pointer: '/data/attributes/metrics/1/join_on/span/span_id' },
        { name: 'an unknown trace', metric: evaluation('111', '998', {}), pointer: '/data/attributes/metrics/1/join_on/span/span_id' },
        {
          name: 'a type that does not match its value',
          metric: evaluation('111', '999', { metric_type: 'boolean', score_value: 1 }),
          pointer: '/data/attributes/metrics/1/boolean_value',
        },
        { name: 'a score that is text', metric: evaluation('111', '999', { score_value: 'high' }), pointer: '/data/attributes/metrics/1/score_value' },
        { name: 'a 25-hour-old timestamp', metric: evaluation('111', '999', { timestamp_ms: dayAgo }), pointer: '/data/attributes/metrics/1/timestamp_ms' },
        {
          name: 'a timestamp 25 hours ahead',
          metric: evaluation('111', '999', { timestamp_ms: Date.now() + 25 * 3600_000 }),
          pointer: '/data/attributes/metrics/1/timestamp_ms',
        },
        {
          name: 'no span to join on',
          metric: { ...evaluation('111', '999', {}), join_on: undefined },
          pointer: '/data/attributes/metrics/1/join_on/span/span_id',
        },
        { name: 'a bad label', metric: evaluation('111', '999', { label: 'two words' }), pointer: '/data/attributes/metrics/1/label' },
        { name: 'an unknown type', metric: evaluation('111', '999', { metric_type: 'text' }), pointer: '/data/attributes/metrics/1/metric_type' },
      ];
      for (const bad of cases) {
        // A good metric first: the whole request is refused, so it is not written either.
        const answer = await dd({ method: 'POST', url: EVAL_METRIC, payload: evalBody([good, bad.metric]) });
        expect({ name: bad.name, status: answer.statusCode }).toEqual({ name: bad.name, status: 400 });
        const [error] = answer.json().errors;
        expect(error.status, bad.name).toBe('400');
        expect(error.source, bad.name).toEqual({ pointer: bad.pointer });
      }
      expect(await scoresOf(experiment.id)).toEqual([]);

      // Another workspace's span is unknown to its key: refused the same way, nothing written.
      const { admin } = await t.services.workspaces.create(`other-${dialect}`);
      const foreign = await dd({ method: 'POST', url: EVAL_METRIC, as: admin.key, payload: evalBody([good]) });
      expect(foreign.statusCode).toBe(400);
      expect(foreign.json().errors[0].source).toEqual({ pointer: '/data/attributes/metrics/0/join_on/span/span_id' });
      expect(await scoresOf(experiment.id)).toEqual([]);
    });

    it('refuses bad intake spans with a JSON:API 4xx naming the field, and writes nothing', async () => {
      const { experiment } = await setUp();
      const tags = [`experiment_id:${experiment.id}`, 'dataset_record_id:r1'];
      const { span_id: _s, ...noSpanId } = intakeSpan('120', '920', tags);
      const { start_ns: _n, ...noStart } = intakeSpan('121', '921', tags);
      const cases: { name: string; span: Record<string, unknown>; status: number; pointer?: string }[] = [
        { name: 'a span without span_id', span: noSpanId, status: 400, pointer: '/0/spans/1/span_id' },
        { name: 'a span without start_ns', span: noStart, status: 400, pointer: '/0/spans/1/start_ns' },
        { name: 'a negative duration', span: intakeSpan('122', '922', tags, { duration: -1 }), status: 400, pointer: '/0/spans/1/duration' },
        { name: 'a record not in the version', span: intakeSpan('123', '923', [`experiment_id:${experiment.id}`, 'dataset_record_id:nope']), status: 400 },
        { name: 'an unknown experiment', span: intakeSpan('124', '924', ['experiment_id:0f8fad5b-d9cb-469f-a165-70867728950e']), status: 404 },
      ];
      for (const bad of cases) {
        const answer = await dd({ method: 'POST', url: '/datadog/api/v2/llmobs', payload: [{ spans: [intakeSpan('130', '930', tags), bad.span] }] });
        expect({ name: bad.name, status: answer.statusCode }).toEqual({ name: bad.name, status: bad.status });
        const [error] = answer.json().errors;
        expect(error.status, bad.name).toBe(String(bad.status));
        if (bad.pointer) expect(error.source, bad.name).toEqual({ pointer: bad.pointer });
      }
      const runs = (await t.call({ method: 'GET', url: `/api/v1/experiments/${experiment.id}/runs` })).json().data;
      expect(runs).toHaveLength(1);
    });
  });

  describe(`${dialect}: dd-trace's llmobs.submitEvaluation() against a real server`, () => {
    const server = useTestServer(dialect);
    afterAll(() => killAllChildren());

    it("scores an experiment's runs from evaluations submitted after the run, through the eval-metric intake", async () => {
      const ran = await runDdTrace(server, 'evaluate', `eval-${dialect}`);
      expect(ran.rows).toBe(3);
      const native = (url: string) => server.call({ method: 'GET', url }).then((r) => r.json());
      const runs = (await native(`/api/v1/experiments/${ran.experimentId}/runs`)).data;
      expect(runs).toHaveLength(3);
      const scores = await eventually(
        () => native(`/api/v1/experiments/${ran.experimentId}/scores?limit=100`).then((page) => page.data),
        (data: any[]) => data.length === 6,
      );
      for (const run of runs) {
        const mine = scores.filter((score: any) => score.run_id === run.id);
        expect(mine.map((score: any) => [score.key, typeof score.value]).sort(), run.output).toEqual([
          ['human', 'number'],
          ['tone', 'string'],
        ]);
      }
      expect(
        scores
          .filter((score: any) => score.key === 'human')
          .map((score: any) => score.value)
          .sort(),
      ).toEqual([0, 0.5, 1]);
      expect(scores.find((score: any) => score.key === 'human').comment).toBe('reviewed');
    }, 120_000);
  });
}
