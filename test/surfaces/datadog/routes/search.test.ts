import { ApiException } from '@datadog/datadog-api-client/dist/packages/datadog-api-client-common/exception.js';
import { describe, expect, it } from 'vitest';
import { type TestServer, useTestServer } from '../../../support/app.js';
import { DIALECTS } from '../../../support/databases.js';
import { datadogCaller, datadogClient, PUBLIC, UNSTABLE } from '../helpers.js';

type Api = ReturnType<typeof datadogClient>;

const search = (api: Api, scope: string[], query: string, page: { cursor?: string; limit?: number } = {}) =>
  api.searchLLMObsExperimentation({ body: { data: { type: 'experimentation', attributes: { filter: { scope, query }, page } } } });

const simple = (api: Api, scope: string[], query: string, page: { number: number; limit: number }) =>
  api.simpleSearchLLMObsExperimentation({
    body: { data: { type: 'experimentation', attributes: { filter: { scope, query }, page, sort: [{ field: 'name', direction: 'asc' }] } } },
  });

/** A project with two datasets (three records in the first) and an experiment of three runs on it. */
async function seed(api: Api, tag: string) {
  const project = await api.createLLMObsProject({ body: { data: { type: 'projects', attributes: { name: `search-alpha-${tag}` } } } });
  const projectId = project.data.id;
  const qa = await api.createLLMObsDataset({ projectId, body: { data: { type: 'datasets', attributes: { name: `alpha-qa-${tag}` } } } });
  await api.createLLMObsDataset({ projectId, body: { data: { type: 'datasets', attributes: { name: `gamma-${tag}` } } } });
  await api.batchUpdateLLMObsDataset({
    projectId,
    datasetId: qa.data.id,
    body: { data: { type: 'datasets', id: qa.data.id, attributes: { insertRecords: [1, 2, 3].map((q) => ({ id: `r${q}`, input: { q } })) } as never } },
  });
  const experiment = await api.createLLMObsExperiment({
    body: { data: { type: 'experiments', attributes: { name: `alpha-exp-${tag}`, projectId, datasetId: qa.data.id } } },
  });
  const now = Date.now();
  await api.createLLMObsExperimentEvents({
    experimentId: experiment.data.id,
    body: {
      data: {
        type: 'events',
        attributes: {
          spans: [1, 2, 3].map((n) => ({
            spanId: `s${n}`,
            traceId: `t${n}`,
            projectId,
            datasetId: qa.data.id,
            name: 'task',
            startNs: now * 1e6,
            duration: 1e6,
            status: 'ok',
            meta: { input: { q: n }, output: { a: n } },
          })),
          metrics: [1, 2, 3].map((n) => ({ spanId: `s${n}`, label: 'exact', metricType: 'score', scoreValue: n % 2, timestampMs: now })),
        },
      },
    },
  });
  return { projectId, datasetId: qa.data.id, experimentId: experiment.data.id };
}

/** The client's error body, or the call's failure if it did not fail. */
async function refusal(call: Promise<unknown>) {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApiException);
  return error as ApiException<{ errors: { status: string; source?: { pointer?: string }; detail: string }[] }>;
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: experimentation search with Datadog's own client`, () => {
    const server = useTestServer(dialect);
    const clientOf = (s: TestServer, key = s.adminKey) => datadogClient(s.url, key);

    it('answers each scope from its own entities, and never another workspace’s', async () => {
      const api = clientOf(server);
      const mine = await seed(api, 'mine');
      const { admin } = await server.services.workspaces.create(`other-${dialect}`);
      const theirs = await seed(clientOf(server, admin.key), 'theirs');

      const projects = await search(api, ['projects'], 'search-alpha');
      expect(projects.data.type).toBe('experimentation');
      expect(projects.data.attributes.projects!.map((p) => [p.id, p.attributes.name])).toEqual([[mine.projectId, 'search-alpha-mine']]);
      expect(projects.meta?.after).toBe('');

      const datasets = await search(api, ['datasets'], `project_id:${mine.projectId}`);
      expect(datasets.data.attributes.datasets!.map((d) => d.attributes.name).sort()).toEqual(['alpha-qa-mine', 'gamma-mine']);
      expect((await search(api, ['datasets'], 'alpha qa')).data.attributes.datasets!.map((d) => d.id)).toEqual([mine.datasetId]);
      expect((await search(api, ['datasets'], `id:${theirs.datasetId}`)).data.attributes.datasets).toEqual([]);

      const records = await search(api, ['dataset_records'], `dataset_id:${mine.datasetId}`);
      expect(records.data.attributes.datasetRecords!.map((r) => r.id).sort()).toEqual(['r1', 'r2', 'r3']);
      expect((await search(api, ['dataset_records'], `dataset_id:${mine.datasetId} id:r2`)).data.attributes.datasetRecords!.map((r) => r.id)).toEqual(['r2']);

      expect((await search(api, ['experiments'], 'name:alpha-exp-mine')).data.attributes.experiments).toHaveLength(1);
      const experiments = await search(api, ['experiments'], `experiment_id:${mine.experimentId}`);
      const [experiment] = experiments.data.attributes.experiments!;
      expect(experiment!.name).toMatch(/^alpha-exp-mine-\d{13}$/);
      expect(experiment!.datasetId).toBe(mine.datasetId);
      expect((experiment as unknown as { additionalProperties: { id: string } }).additionalProperties.id).toBe(mine.experimentId);
      expect((await search(api, ['experiments'], `dataset_id:${theirs.datasetId}`)).data.attributes.experiments).toEqual([]);

      const runs = await search(api, ['experiment_runs'], `experiment_id:${mine.experimentId}`);
      expect(runs.data.attributes.experimentRuns).toHaveLength(3);
      expect(runs.data.attributes.experimentRuns!.every((run) => run.experimentId === mine.experimentId && run.runNumber === 1)).toBe(true);
      // Every run of the workspace: only its own three.
      expect((await search(api, ['experiment_runs'], '')).data.attributes.experimentRuns).toHaveLength(3);

      // Several scopes in one answer, each in its own list.
      const all = await search(api, ['projects', 'datasets', 'experiments'], 'alpha');
      expect(all.data.attributes.projects).toHaveLength(1);
      expect(all.data.attributes.datasets).toHaveLength(1);
      expect(all.data.attributes.experiments).toHaveLength(1);
      expect(all.data.attributes.experimentRuns).toBeUndefined();

      // Another workspace's dataset is not found, here as everywhere.
      const unknown = await refusal(search(api, ['dataset_records'], `dataset_id:${theirs.datasetId}`));
      expect(unknown.code).toBe(404);
    });

    it('walks pages with a cursor: 206 while more follow, 200 on the last page; simple search numbers pages', async () => {
      const api = clientOf(server);
      const mine = await seed(api, 'paged');
      const dd = datadogCaller(() => server);
      const body = (page: { cursor?: string; limit: number }) => ({
        data: { type: 'experimentation', attributes: { filter: { scope: ['dataset_records', 'experiments'], query: `dataset_id:${mine.datasetId}` }, page } },
      });
      const first = await dd({ method: 'POST', url: `${PUBLIC}/experimentation/search`, payload: body({ limit: 2 }) });
      expect(first.statusCode).toBe(206);
      const after = first.json().meta.after as string;
      expect(after).not.toBe('');
      expect(first.json().data.attributes.dataset_records).toHaveLength(2);

      // The client reads a 206 as an answer, and follows the cursor.
      const second = await search(api, ['dataset_records', 'experiments'], `dataset_id:${mine.datasetId}`, { cursor: after, limit: 2 });
      expect(second.data.attributes.datasetRecords).toHaveLength(1);
      expect(second.data.attributes.experiments).toHaveLength(1);
      const last = await dd({ method: 'POST', url: `${UNSTABLE}/experimentation/search`, payload: body({ limit: 5 }) });
      expect(last.statusCode).toBe(200);
      expect(last.json().meta.after).toBe('');
      expect(
        last
          .json()
          .data.attributes.dataset_records.map((r: { id: string }) => r.id)
          .sort(),
      ).toEqual(['r1', 'r2', 'r3']);

      const pages = await Promise.all(
        [1, 2, 3].map((number) => simple(api, ['datasets', 'experiments'], `project_id:${mine.projectId}`, { number, limit: 1 })),
      );
      expect(pages.map((p) => p.meta?.page)).toEqual([1, 2, 3].map((current) => ({ current, limit: 1, totalCount: 3, totalPages: 3 })));
      const names = pages.map((p) => [
        ...(p.data.attributes.datasets ?? []).map((d) => d.attributes.name),
        ...(p.data.attributes.experiments ?? []).map((e) => e.name),
      ]);
      // Sorted by name over both scopes, one item a page.
      expect(names).toEqual([[expect.stringMatching(/^alpha-exp-paged-\d{13}$/)], ['alpha-qa-paged'], ['gamma-paged']]);
      const beyond = await simple(api, ['datasets'], `project_id:${mine.projectId}`, { number: 9, limit: 1 });
      expect(beyond.data.attributes.datasets).toEqual([]);
    });

    it('aggregates an experiment’s metrics over experiment-evals, grouped by experiment or span', async () => {
      const api = clientOf(server);
      const mine = await seed(api, 'analytics');
      const aggregate = (attributes: Record<string, unknown>) =>
        api.aggregateLLMObsExperimentation({
          body: {
            data: {
              type: 'experimentation',
              attributes: { aggregate: { indexes: ['experiment-evals'], search: { query: `experiment_id:${mine.experimentId}` }, ...attributes } as never },
            },
          },
        });
      const byExperiment = await aggregate({
        compute: [{ metric: 'count', name: 'n' }, { metric: 'avg:@score_value', name: 'mean' }, { metric: 'max' }],
        groupBy: [{ field: 'experiment_id' }],
      });
      expect(byExperiment.data.attributes.hitCount).toBe(3);
      expect(byExperiment.data.attributes.result.values).toEqual([{ by: { experiment_id: mine.experimentId }, metrics: { n: 3, mean: 2 / 3, max: 1 } }]);
      const bySpan = await aggregate({ compute: [{ metric: 'sum', name: 'total' }], groupBy: [{ field: 'span_id' }] });
      expect(bySpan.data.attributes.result.values.map((v) => [v.by?.span_id, v.metrics.total]).sort()).toEqual([
        ['s1', 1],
        ['s2', 0],
        ['s3', 1],
      ]);
      const other = await aggregate({ compute: [{ metric: 'count' }], search: { query: 'name:len' } });
      expect(other.data.attributes.hitCount).toBe(0);

      const index = await refusal(aggregate({ compute: [{ metric: 'count' }], indexes: ['spans'] }));
      expect([index.code, index.body.errors[0]!.source?.pointer]).toEqual([400, '/data/attributes/aggregate/indexes']);
      const metric = await refusal(aggregate({ compute: [{ metric: 'p99:@duration' }] }));
      expect(metric.body.errors[0]!.source?.pointer).toBe('/data/attributes/aggregate/compute/0/metric');
      const query = await refusal(aggregate({ compute: [{ metric: 'count' }], search: { query: 'status:ok' } }));
      expect(query.body.errors[0]!.source?.pointer).toBe('/data/attributes/aggregate/search/query');
    });

    it('refuses what its query subset does not support with a 400 naming filter.query', async () => {
      const api = clientOf(server);
      for (const query of ['name:a OR name:b', 'tags:env:prod', 'name:al*', '-name:x', '(alpha)', 'name:a name:b']) {
        const error = await refusal(search(api, ['datasets'], query));
        expect(error.code, query).toBe(400);
        expect(error.body.errors[0]!.source?.pointer, query).toBe('/data/attributes/filter/query');
      }
      const records = await refusal(search(api, ['dataset_records'], 'alpha'));
      expect(records.body.errors[0]!.source?.pointer).toBe('/data/attributes/filter/query');
      const scope = await refusal(search(api, ['spans'], ''));
      expect(scope.body.errors[0]!.source?.pointer).toBe('/data/attributes/filter/scope');
      const cursor = await refusal(search(api, ['datasets'], '', { cursor: 'not-a-cursor' }));
      expect(cursor.body.errors[0]!.source?.pointer).toBe('/data/attributes/page/cursor');
      const limit = await refusal(search(api, ['datasets'], '', { limit: 1001 }));
      expect(limit.code).toBe(400);
    });
  });
}
