import {
  annotateDatasetExamples,
  annotateExperimentRuns,
  createClient,
  createDataset,
  createExperiment,
  listDatasetExamples,
  listDatasets,
  listExperimentRuns,
  listProjects,
  listSpans,
} from '@arizeai/ax-client';
import { beforeAll, describe, expect, it } from 'vitest';
import { uuidOf } from '../../../src/surfaces/arize/ids.js';
import { useTestServer } from '../../support/app.js';
import { DIALECTS } from '../../support/databases.js';

/**
 * @arizeai/ax-client 1.28.0 beyond datasets and experiments: human annotations of experiment runs
 * (kept as human scores, read back by the client and by the native API), projects (evalstore's) and
 * the name resolution `listSpans` does with them, and a space the user's code names.
 */
for (const dialect of DIALECTS) {
  describe(`${dialect}: ax-client annotations, projects and named spaces`, () => {
    const t = useTestServer(dialect);
    let baseUrl: string;

    beforeAll(() => {
      process.env.DISABLE_PRERELEASE_WARNING = 'true';
      baseUrl = `${t.url}/arize`;
    });

    it('annotates experiment runs, changes an annotation by name, and reads them back through the client and the native API', async () => {
      const client = createClient({ apiKey: t.adminKey, baseUrl });
      const space = 'default';
      const dataset = await createDataset({ client, space, name: `ann-${dialect}`, examples: [{ q: 'a' }, { q: 'b' }] });
      const examples = await listDatasetExamples({ client, dataset: dataset.id });
      const experiment = await createExperiment({
        client,
        experimentName: `ann-exp-${dialect}`,
        dataset: dataset.id,
        space,
        experimentRuns: [
          { output: 'A', 'eval.auto.score': 0.5, exampleId: examples.data[0]!.id as string },
          { output: 'B', exampleId: examples.data[1]!.id as string },
        ],
      });
      const runs = (await listExperimentRuns({ client, experiment: experiment.id })).data;
      const [first, second] = runs as { id: string; output: string }[];

      await annotateExperimentRuns({
        client,
        experiment: experiment.id,
        annotations: [
          {
            recordId: first!.id,
            values: [
              { name: 'quality', score: 0.9, text: 'close' },
              { name: 'topic', label: 'science' },
            ],
          },
          { recordId: second!.id, values: [{ name: 'quality', score: 0.1 }] },
        ],
      });
      // The same name again changes what it gives, and leaves the rest.
      await annotateExperimentRuns({ client, experiment: experiment.id, annotations: [{ recordId: first!.id, values: [{ name: 'quality', score: 1 }] }] });

      const back = (await listExperimentRuns({ client, experiment: experiment.id })).data as Record<string, any>[];
      const annotationsOf = (id: string) =>
        back.find((run) => run.id === id)!.annotations.map(({ updatedAt, ...rest }: any) => ({ ...rest, dated: updatedAt instanceof Date }));
      expect(annotationsOf(first!.id)).toEqual([
        { name: 'quality', score: 1, label: undefined, text: 'close', annotator: { id: expect.any(String), email: expect.any(String) }, dated: true },
        { name: 'topic', score: undefined, label: 'science', text: undefined, annotator: { id: expect.any(String), email: expect.any(String) }, dated: true },
      ]);
      expect(annotationsOf(second!.id)).toEqual([expect.objectContaining({ name: 'quality', score: 0.1 })]);
      // The automatic evaluation stays an evaluation column, not an annotation.
      expect(back.find((run) => run.id === first!.id)!['eval.auto.score']).toBe(0.5);

      const experimentUuid = uuidOf('Experiment', experiment.id, '/id', 'params');
      const native = await t.call({ method: 'GET', url: `/api/v1/experiments/${experimentUuid}/scores?limit=100` });
      expect(native.statusCode, native.body).toBe(200);
      const human = native.json().data.filter((score: any) => score.source === 'human');
      expect(
        human
          .map((score: any) => ({ run_id: score.run_id, key: score.key, score: score.score, value: score.value, comment: score.comment }))
          .sort((a: any, b: any) => `${a.run_id}${a.key}`.localeCompare(`${b.run_id}${b.key}`)),
      ).toEqual(
        [
          { run_id: first!.id, key: 'quality', score: 1, value: null, comment: 'close' },
          { run_id: first!.id, key: 'topic', score: null, value: 'science', comment: null },
          { run_id: second!.id, key: 'quality', score: 0.1, value: null, comment: null },
        ].sort((a, b) => `${a.run_id}${a.key}`.localeCompare(`${b.run_id}${b.key}`)),
      );
      expect(human.every((score: any) => typeof score.metadata.annotator === 'string')).toBe(true);

      // A run of no experiment of this key's: 404, nothing written.
      await expect(
        annotateExperimentRuns({
          client,
          experiment: experiment.id,
          annotations: [{ recordId: '00000000-0000-4000-8000-000000000000', values: [{ name: 'quality', score: 1 }] }],
        }),
      ).rejects.toThrow();
      const after = await t.call({ method: 'GET', url: `/api/v1/experiments/${experimentUuid}/scores?limit=100` });
      expect(after.json().data.filter((score: any) => score.source === 'human')).toHaveLength(3);
    });

    it('annotates dataset examples, changes an annotation by name, and reads them back through the client and the native API', async () => {
      const client = createClient({ apiKey: t.adminKey, baseUrl });
      const dataset = await createDataset({ client, space: 'default', name: `ex-ann-${dialect}`, examples: [{ q: 'a' }, { q: 'b' }] });
      const [first, second] = (await listDatasetExamples({ client, dataset: dataset.id })).data as { id: string }[];
      await annotateDatasetExamples({
        client,
        dataset: `ex-ann-${dialect}`,
        space: 'default',
        annotations: [
          {
            recordId: first!.id,
            values: [
              { name: 'difficulty', label: 'hard', text: 'needs context' },
              { name: 'quality', score: 0.4 },
            ],
          },
          { recordId: second!.id, values: [{ name: 'quality', score: 0.8 }] },
        ],
      });
      await annotateDatasetExamples({ client, dataset: dataset.id, annotations: [{ recordId: first!.id, values: [{ name: 'quality', score: 0.6 }] }] });

      const examples = (await listDatasetExamples({ client, dataset: dataset.id })).data as Record<string, any>[];
      const of = (id: string) =>
        examples.find((example) => example.id === id)!.annotations.map(({ name, score, label, text }: any) => ({ name, score, label, text }));
      expect(of(first!.id)).toEqual([
        { name: 'difficulty', score: undefined, label: 'hard', text: 'needs context' },
        { name: 'quality', score: 0.6, label: undefined, text: undefined },
      ]);
      expect(of(second!.id)).toEqual([{ name: 'quality', score: 0.8, label: undefined, text: undefined }]);

      const datasetUuid = uuidOf('Dataset', dataset.id, '/id', 'params');
      const native = await t.call({ method: 'GET', url: `/api/v1/datasets/${datasetUuid}/records/${first!.id}/scores` });
      expect(native.statusCode, native.body).toBe(200);
      expect(native.json().data.map(({ key, score, label, comment, source }: any) => ({ key, score, label, comment, source }))).toEqual([
        { key: 'difficulty', score: null, label: 'hard', comment: 'needs context', source: 'human' },
        { key: 'quality', score: 0.6, label: null, comment: null, source: 'human' },
      ]);
      expect(native.json().data[0].metadata.annotator).toEqual(expect.any(String));

      // An example of no dataset of this key's: 404, and nothing of the request written.
      await expect(
        annotateDatasetExamples({
          client,
          dataset: dataset.id,
          annotations: [
            { recordId: second!.id, values: [{ name: 'quality', score: 0 }] },
            { recordId: '00000000-0000-4000-8000-000000000000', values: [{ name: 'quality', score: 1 }] },
          ],
        }),
      ).rejects.toThrow();
      const unchanged = await t.call({ method: 'GET', url: `/api/v1/datasets/${datasetUuid}/records/${second!.id}/scores` });
      expect(unchanged.json().data.map((score: any) => score.score)).toEqual([0.8]);
    });

    it('lists projects, and resolves a project by name for listSpans', async () => {
      const client = createClient({ apiKey: t.adminKey, baseUrl });
      const projects = await listProjects({ client, space: 'default' });
      expect(projects.data.map((project) => project.name)).toContain('Default');
      expect(projects.data[0]).toMatchObject({ id: expect.any(String), spaceId: expect.any(String) });
      expect(projects.data[0]!.createdAt).toBeInstanceOf(Date);
      expect((await listProjects({ client, space: 'default', name: 'nope' })).data).toEqual([]);
      // The project resolves; the span query itself is not served (spans are not kept in AX projects).
      await expect(listSpans({ client, project: 'Default', space: 'default' })).rejects.toThrow(/not offered/);
      await expect(listSpans({ client, project: 'Nope', space: 'default' })).rejects.toThrow(/project 'Nope' not found|Nope/);
    });

    it("resolves the space a user names when it is the name of the key's workspace", async () => {
      const created = await t.services.workspaces.create('my-team');
      const client = createClient({ apiKey: created.admin.key, baseUrl });
      const dataset = await createDataset({ client, space: 'my-team', name: 'team-ds', examples: [{ q: 'x' }] });
      expect((await listDatasets({ client, space: 'my-team' })).data.map((d) => d.id)).toEqual([dataset.id]);
      expect((await listProjects({ client, space: 'my-team' })).data.map((p) => p.name)).toEqual(['Default']);
      // The default workspace's key does not see my-team.
      const other = createClient({ apiKey: t.adminKey, baseUrl });
      expect((await listDatasets({ client: other, space: 'my-team' })).data).toEqual([]);
      await expect(createDataset({ client: other, space: 'my-team', name: 'x', examples: [{ q: 'y' }] })).rejects.toThrow(/my-team/);
    });
  });
}
