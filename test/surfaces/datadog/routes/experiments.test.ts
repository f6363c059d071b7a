import { afterAll, describe, expect, it } from 'vitest';
import { useTestApp, useTestServer } from '../../../support/app.js';
import { DIALECTS } from '../../../support/databases.js';
import { killAllChildren } from '../../../support/processes.js';
import { datadogCaller, datadogClient, envelope, eventually, makeDataset, PUBLIC, runDdTrace, UNSTABLE } from '../helpers.js';

/** Datadog experiments through the wire: create, list, update, delete, events push and lists, bad input. */
for (const dialect of DIALECTS) {
  describe(`${dialect}: the Datadog experiments API`, () => {
    const t = useTestApp(dialect);
    const dd = datadogCaller(() => t);

    /** A dataset of two records (ids r1, r2) at version 1, and an experiment on it. */
    const setUp = async (family = PUBLIC) => {
      const { project, dataset, path } = await makeDataset(dd, family);
      const added = await dd({
        method: 'POST',
        url: `${path}/records`,
        payload: envelope('records', {
          records: [
            { id: 'r1', input: { q: 1 }, expected_output: 'one' },
            { id: 'r2', input: { q: 2 }, expected_output: 'two' },
          ],
        }),
      });
      expect(added.statusCode).toBe(200);
      const created = await dd({
        method: 'POST',
        url: `${family}/experiments`,
        payload: envelope('experiments', {
          name: 'exp',
          project_id: project.id,
          dataset_id: dataset.id,
          dataset_version: 1,
          ensure_unique: true,
          run_count: 1,
          metadata: { tags: ['team:ml'], commit: 'abc' },
          config: { model: 'm' },
        }),
      });
      expect(created.statusCode).toBe(200);
      return { project, dataset, path, experiment: created.json().data };
    };

    const span = (spanId: string, recordId: string, extra: Record<string, unknown> = {}) => ({
      span_id: spanId,
      trace_id: `t-${spanId}`,
      project_id: 'p',
      dataset_id: 'd',
      name: 'task',
      start_ns: Date.now() * 1e6,
      duration: 2_000_000,
      status: 'ok',
      tags: [`dataset_record_id:${recordId}`, 'run_iteration:1', 'experiment_id:x'],
      meta: { input: { q: recordId }, output: `out ${recordId}`, expected_output: 'e' },
      ...extra,
    });
    const metric = (spanId: string, label: string, fields: Record<string, unknown>) => ({
      span_id: spanId,
      trace_id: `t-${spanId}`,
      label,
      timestamp_ms: Date.now(),
      metric_source: 'custom',
      ...fields,
    });

    it('creates with a unique run name, keeps the requested one, pins the version; lists with the filters; updates; soft-deletes', async () => {
      const { project, dataset, experiment } = await setUp();
      expect(experiment.type).toBe('experiments');
      expect(experiment.attributes).toMatchObject({
        experiment: 'exp',
        project_id: project.id,
        dataset_id: dataset.id,
        dataset_version: 1,
        config: { model: 'm' },
        metadata: { tags: ['team:ml'], commit: 'abc' },
        run_count: 1,
        status: 'running',
        description: '',
      });
      expect(experiment.attributes.name).toMatch(/^exp-\d{13}$/);
      const native = await t.call({ method: 'GET', url: `/api/v1/experiments/${experiment.id}` });
      expect(native.json()).toMatchObject({ dataset_id: dataset.id, dataset_version: 1, source: 'datadog' });

      // ensure_unique:false answers the existing experiment of that name unmodified.
      const again = await dd({
        method: 'POST',
        url: `${PUBLIC}/experiments`,
        payload: envelope('experiments', {
          name: experiment.attributes.name,
          project_id: project.id,
          dataset_id: dataset.id,
          ensure_unique: false,
          description: 'x',
        }),
      });
      expect(again.json().data).toEqual(experiment);

      const list = async (query: string) => ((await dd({ method: 'GET', url: `${PUBLIC}/experiments?${query}` })).json().data as any[]).map((e) => e.id);
      expect(await list(`filter[project_id]=${project.id}`)).toEqual([experiment.id]);
      expect(await list(`filter%5Bdataset_id%5D=${dataset.id}`)).toEqual([experiment.id]);
      expect(await list(`filter[project_id]=${project.id}&filter[experiment]=exp`)).toEqual([experiment.id]);
      expect(await list(`filter[project_id]=${project.id}&filter[experiment]=other`)).toEqual([]);
      expect(await list(`filter[project_id]=${project.id}&filter[metadata]=${encodeURIComponent('{"commit":"abc"}')}`)).toEqual([experiment.id]);
      expect(await list(`filter[project_id]=${project.id}&filter[metadata]=${encodeURIComponent('{"commit":"no"}')}`)).toEqual([]);
      expect(await list(`filter[id]=${experiment.id}`)).toEqual([experiment.id]);
      expect(await list(`filter[name]=${experiment.attributes.name}`)).toEqual([experiment.id]);

      const patched = await dd({
        method: 'PATCH',
        url: `${UNSTABLE}/experiments/${experiment.id}`,
        payload: envelope('experiments', { status: 'failed', error: 'one or more rows failed' }),
      });
      expect(patched.statusCode).toBe(200);
      expect(patched.json().data.attributes).toMatchObject({ status: 'failed', error: 'one or more rows failed', metadata: { commit: 'abc' } });
      const badStatus = await dd({ method: 'PATCH', url: `${PUBLIC}/experiments/${experiment.id}`, payload: envelope('experiments', { status: 'done' }) });
      expect(badStatus.statusCode).toBe(400);
      expect(badStatus.json().errors[0].source.pointer).toBe('/data/attributes/status');

      const deleted = await dd({ method: 'POST', url: `${PUBLIC}/experiments/delete`, payload: envelope('experiments', { experiment_ids: [experiment.id] }) });
      expect(deleted.statusCode).toBe(204);
      expect(await list(`filter[project_id]=${project.id}`)).toEqual([]);
      const listedDeleted = await dd({ method: 'GET', url: `${PUBLIC}/experiments?filter[project_id]=${project.id}&filter[is_deleted]=true` });
      expect(listedDeleted.json().data.map((e: any) => [e.id, typeof e.attributes.deleted_at])).toEqual([[experiment.id, 'string']]);
    });

    it('records spans as runs and metrics as scores (typed, any order), and answers them on every events list', async () => {
      const { experiment } = await setUp();
      const events = `${PUBLIC}/experiments/${experiment.id}/events`;
      // A metric before its span: kept, and applied when the span arrives.
      const early = await dd({
        method: 'POST',
        url: events,
        payload: envelope('experiments', {
          metrics: [metric('s1', 'exact', { metric_type: 'boolean', boolean_value: true, reasoning: 'same', assessment: 'pass' })],
        }),
      });
      expect(early.statusCode).toBe(202);
      const pushed = await dd({
        method: 'POST',
        url: events,
        payload: envelope('experiments', {
          spans: [
            span('s1', 'r1'),
            span('s2', 'r2', { status: 'error', meta: { input: { q: 2 }, output: null, error: { message: 'boom', type: 'Error', stack: '' } } }),
          ],
          metrics: [
            metric('s1', 'len', { metric_type: 'score', score_value: 0.5 }),
            metric('s2', 'label', { metric_type: 'categorical', categorical_value: 'bad' }),
            metric('s2', 'detail', { metric_type: 'json', json_value: { a: 1 } }),
            metric('', 'accuracy', { metric_type: 'score', score_value: 0.75, metric_source: 'summary', span_id: '', trace_id: '' }),
          ],
        }),
      });
      expect(pushed.statusCode).toBe(202);
      // The same span again is the same run: nothing is recorded twice.
      const repeated = await dd({ method: 'POST', url: events, payload: envelope('experiments', { spans: [span('s1', 'r1')] }) });
      expect(repeated.statusCode).toBe(202);
      const runs = await t.call({ method: 'GET', url: `/api/v1/experiments/${experiment.id}/runs` });
      const byName = runs.json().data;
      expect(byName).toHaveLength(2);
      const s1 = byName.find((run: any) => run.output === 'out r1');
      expect(s1).toMatchObject({ status: 'success', input: { q: 'r1' }, repetition: 1, latency_ms: 2 });
      expect(byName.find((run: any) => run.status === 'error')).toMatchObject({ error: 'boom' });
      const scores = (await t.call({ method: 'GET', url: `/api/v1/experiments/${experiment.id}/scores` })).json().data;
      expect(scores.map((s: any) => [s.key, s.run_id === null, s.score, s.value]).sort()).toEqual(
        [
          ['accuracy', true, 0.75, 0.75],
          ['detail', false, null, { a: 1 }],
          ['exact', false, 1, true],
          ['label', false, null, 'bad'],
          ['len', false, 0.5, 0.5],
        ].sort(),
      );

      const v1 = (await dd({ method: 'GET', url: events })).json();
      expect(v1.data).toHaveLength(2);
      const first = v1.data.find((item: any) => item.attributes.span_id === 's1');
      expect(first).toMatchObject({
        type: 'experiments',
        attributes: { dataset_record_id: 'r1', status: 'ok', duration: 2_000_000, meta: { output: 'out r1', expected_output: 'e' }, metrics: { len: 0.5 } },
      });
      expect(first.attributes.eval_metrics.map((m: any) => [m.label, m.metric_type, m.boolean_value ?? m.score_value]).sort()).toEqual(
        [
          ['exact', 'boolean', true],
          ['len', 'score', 0.5],
        ].sort(),
      );
      expect(first.attributes.eval_metrics.find((m: any) => m.label === 'exact')).toMatchObject({ reasoning: 'same', assessment: 'pass' });
      for (const url of [
        `/datadog/api/v2/llm-obs/v2/experiments/${experiment.id}/events`,
        `/datadog/api/v2/llm-obs/v3/experiments/${experiment.id}/events?page[limit]=5000`,
        `${UNSTABLE}/experiments/${experiment.id}/events?include[eval_metrics]=true`,
      ]) {
        const answer = (await dd({ method: 'GET', url })).json();
        expect(answer.data.type, url).toBe('experiment_events');
        expect(answer.data.attributes.spans, url).toHaveLength(2);
        expect(answer.data.attributes.summary_metrics, url).toMatchObject([
          { label: 'accuracy', metric_type: 'score', score_value: 0.75, metric_source: 'summary' },
        ]);
        expect(answer.meta.after, url).toBe('');
      }
      const paged = (await dd({ method: 'GET', url: `/datadog/api/v2/llm-obs/v3/experiments/${experiment.id}/events?page[limit]=1` })).json();
      expect(paged.data.attributes.spans).toHaveLength(1);
      expect(paged.meta.after).not.toBe('');
      const rest = (
        await dd({ method: 'GET', url: `/datadog/api/v2/llm-obs/v3/experiments/${experiment.id}/events?page[limit]=1&page[cursor]=${paged.meta.after}` })
      ).json();
      expect(rest.data.attributes.spans).toHaveLength(1);
      expect(rest.data.attributes.spans[0].span_id).not.toBe(paged.data.attributes.spans[0].span_id);
    });

    it('refuses bad events with a JSON:API 4xx naming the field, and writes nothing', async () => {
      const { experiment } = await setUp();
      const events = `${PUBLIC}/experiments/${experiment.id}/events`;
      const dayAgo = Date.now() - 25 * 60 * 60 * 1000;
      const { span_id: _dropped, ...noSpanId } = span('s9', 'r1');
      const cases: { name: string; url?: string; as?: string; attributes: Record<string, unknown>; status: number; pointer?: string }[] = [
        { name: 'a span without span_id', attributes: { spans: [noSpanId] }, status: 400, pointer: '/data/attributes/spans/0/span_id' },
        { name: 'a zero duration', attributes: { spans: [span('s9', 'r1', { duration: 0 })] }, status: 400, pointer: '/data/attributes/spans/0/duration' },
        { name: 'a record not in the version', attributes: { spans: [span('s9', 'nope')] }, status: 400, pointer: '/data/attributes/spans/0/tags' },
        {
          name: 'a metric type that does not match its value',
          attributes: { metrics: [metric('s9', 'x', { metric_type: 'score', categorical_value: 'a' })] },
          status: 400,
          pointer: '/data/attributes/metrics/0/score_value',
        },
        {
          name: 'a score that is not a number',
          attributes: { metrics: [metric('s9', 'x', { metric_type: 'score', score_value: 'high' })] },
          status: 400,
          pointer: '/data/attributes/metrics/0/score_value',
        },
        {
          name: 'a 25-hour-old timestamp',
          attributes: { metrics: [metric('s9', 'x', { metric_type: 'score', score_value: 1, timestamp_ms: dayAgo })] },
          status: 400,
          pointer: '/data/attributes/metrics/0/timestamp_ms',
        },
        {
          name: 'a bad label',
          attributes: { metrics: [metric('s9', 'has space', { metric_type: 'score', score_value: 1 })] },
          status: 400,
          pointer: '/data/attributes/metrics/0/label',
        },
        {
          name: 'an unknown experiment',
          url: `${PUBLIC}/experiments/0f8fad5b-d9cb-469f-a165-70867728950e/events`,
          attributes: { spans: [span('s9', 'r1')] },
          status: 404,
        },
      ];
      for (const bad of cases) {
        const answer = await dd({ method: 'POST', url: bad.url ?? events, payload: envelope('experiments', bad.attributes) });
        expect({ name: bad.name, status: answer.statusCode }).toEqual({ name: bad.name, status: bad.status });
        const [error] = answer.json().errors;
        expect(error.status, bad.name).toBe(String(bad.status));
        if (bad.pointer) expect(error.source, bad.name).toEqual({ pointer: bad.pointer });
      }
      // Another workspace's experiment is not found.
      const { admin } = await t.services.workspaces.create(`other-${dialect}`);
      const key = admin.key;
      const foreign = await dd({
        method: 'POST',
        url: events,
        as: key,
        payload: envelope('experiments', { metrics: [metric('s1', 'x', { metric_type: 'score', score_value: 1 })] }),
      });
      expect(foreign.statusCode).toBe(404);
      expect((await t.call({ method: 'GET', url: `/api/v1/experiments/${experiment.id}/runs` })).json().data).toEqual([]);
      expect((await t.call({ method: 'GET', url: `/api/v1/experiments/${experiment.id}/scores` })).json().data).toEqual([]);
    });
  });
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: dd-trace's experiments against a real server`, () => {
    const server = useTestServer(dialect);
    afterAll(() => killAllChildren());

    it('runs experiment().run() and startExperiment(): one run per record, every score, the summary, and the events list', async () => {
      const name = `dd-${dialect}`;
      const ran = await runDdTrace(server, 'run', name);
      expect(ran.rows).toBe(3);
      const native = (url: string) => server.call({ method: 'GET', url }).then((r) => r.json());
      const experiment = await native(`/api/v1/experiments/${ran.experimentId}`);
      expect(experiment).toMatchObject({ dataset_id: ran.datasetId, dataset_version: 1, source: 'datadog' });
      expect(experiment.name).toMatch(new RegExp(`^${name}-\\d{13}$`));
      // The task spans come through the span intake; the metrics through the events push.
      const runs = await eventually(
        () => native(`/api/v1/experiments/${ran.experimentId}/runs`),
        (page) => page.data.length === 3,
      );
      const records = (await native(`/api/v1/datasets/${ran.datasetId}/records`)).data;
      expect(runs.data.map((run: any) => run.record_id).sort()).toEqual(records.map((record: any) => record.id).sort());
      expect(runs.data.map((run: any) => run.output).sort()).toEqual(['A', 'B', 'C']);
      const scores = (await native(`/api/v1/experiments/${ran.experimentId}/scores?limit=100`)).data;
      for (const run of runs.data) {
        expect(
          scores
            .filter((score: any) => score.run_id === run.id)
            .map((score: any) => score.key)
            .sort(),
          run.output,
        ).toEqual(['exact', 'len']);
      }
      expect(scores.filter((score: any) => score.run_id === null).map((score: any) => [score.key, score.score])).toEqual([['accuracy', 2 / 3]]);
      const status = (
        await server.call({
          method: 'GET',
          url: `/datadog/api/v2/llm-obs/v1/experiments/${ran.experimentId}`,
          key: null,
          headers: { 'dd-api-key': server.adminKey },
        })
      ).json();
      expect(status.data.attributes).toMatchObject({ status: 'completed', experiment: name });
      const events = (
        await server.call({
          method: 'GET',
          url: `/datadog/api/v2/llm-obs/v3/experiments/${ran.experimentId}/events`,
          key: null,
          headers: { 'dd-api-key': server.adminKey },
        })
      ).json();
      expect(events.data.attributes.spans).toHaveLength(3);
      expect(events.data.attributes.summary_metrics).toMatchObject([{ label: 'accuracy', metric_type: 'score', score_value: 2 / 3 }]);
      for (const span of events.data.attributes.spans) {
        expect(span.eval_metrics.map((metric: any) => `${metric.label}:${metric.metric_type}`).sort()).toEqual(['exact:boolean', 'len:score']);
        expect(span.dataset_record_id).toEqual(expect.any(String));
        // Decimal ids: the span came through the LLM Obs span intake, as dd-trace sends task spans.
        expect(span.span_id).toMatch(/^\d+$/);
      }

      const external = await runDdTrace(server, 'external', `${name}-external`);
      expect(external.rows).toBe(3);
      const externalRuns = (await native(`/api/v1/experiments/${external.experimentId}/runs`)).data;
      expect(externalRuns.map((run: any) => run.output).sort()).toEqual(['a!', 'b!', 'c!']);
      expect(externalRuns.every((run: any) => run.record_id !== null)).toBe(true);
      const externalScores = (await native(`/api/v1/experiments/${external.experimentId}/scores?limit=100`)).data;
      expect(externalScores).toHaveLength(6);
      expect(externalScores.filter((score: any) => score.key === 'grade').map((score: any) => score.value)).toEqual(['ok', 'ok', 'ok']);
      const closed = (
        await server.call({
          method: 'GET',
          url: `/datadog/api/v2/llm-obs/v1/experiments/${external.experimentId}`,
          key: null,
          headers: { 'dd-api-key': server.adminKey },
        })
      ).json();
      expect(closed.data.attributes).toMatchObject({ status: 'completed', dataset_id: ran.datasetId });
    }, 120_000);

    it("serves every experiments operation of Datadog's own client (@datadog/datadog-api-client)", async () => {
      const api = datadogClient(server.url, server.adminKey);
      const project = await api.createLLMObsProject({ body: { data: { type: 'projects', attributes: { name: `client-${dialect}` } } } });
      const dataset = await api.createLLMObsDataset({ projectId: project.data.id, body: { data: { type: 'datasets', attributes: { name: 'client-ds' } } } });
      const created = await api.createLLMObsExperiment({
        body: {
          data: { type: 'experiments', attributes: { name: 'client-exp', projectId: project.data.id, datasetId: dataset.data.id, metadata: { k: 'v' } } },
        },
      });
      expect(created.data.attributes.name).toMatch(/^client-exp-\d{13}$/);
      const experimentId = created.data.id;
      const listed = await api.listLLMObsExperiments({ filterProjectId: project.data.id, filterExperiment: 'client-exp' });
      expect(listed.data.map((e) => e.id)).toEqual([experimentId]);
      const now = Date.now();
      await api.createLLMObsExperimentEvents({
        experimentId,
        body: {
          data: {
            type: 'events',
            attributes: {
              spans: [
                {
                  spanId: 'c1',
                  traceId: 'tc1',
                  projectId: project.data.id,
                  datasetId: dataset.data.id,
                  name: 'task',
                  startNs: now * 1e6,
                  duration: 1e6,
                  status: 'ok',
                  meta: { input: { q: 'x' }, output: { a: 'y' } },
                },
              ],
              metrics: [{ spanId: 'c1', label: 'exact', metricType: 'score', scoreValue: 1, timestampMs: now }],
            },
          },
        },
      });
      const v1 = await api.listLLMObsExperimentEventsV1({ experimentId });
      expect(v1.data.map((item) => item.attributes.spanId)).toEqual(['c1']);
      const v2list = await api.listLLMObsExperimentEventsV2({ experimentId });
      expect(v2list.data.attributes.spans[0]!.evalMetrics!.map((m) => [m.label, m.scoreValue])).toEqual([['exact', 1]]);
      const v3 = await api.listLLMObsExperimentEvents({ experimentId, pageLimit: 10 });
      expect(v3.data.attributes.spans).toHaveLength(1);
      const updated = await api.updateLLMObsExperiment({ experimentId, body: { data: { type: 'experiments', attributes: { status: 'completed' } } } });
      expect(updated.data.attributes).toMatchObject({ status: 'completed', metadata: { k: 'v' } });
      await api.deleteLLMObsExperiments({ body: { data: { type: 'experiments', attributes: { experimentIds: [experimentId] } } } });
      expect((await api.listLLMObsExperiments({ filterProjectId: project.data.id })).data).toEqual([]);
      expect((await api.listLLMObsExperiments({ filterProjectId: project.data.id, filterIsDeleted: true })).data.map((e) => e.id)).toEqual([experimentId]);
    });
  });
}
