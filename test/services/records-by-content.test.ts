import { beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/domain/types.js';
import type { Services } from '../../src/services/index.js';
import { DIALECTS } from '../support/databases.js';
import { useTestServices } from '../support/services.js';

/**
 * Records named by their content: `example` identity (input and expected output), `set` (a version's
 * whole content), removal by content, records made from runs, and upserts by dataset name.
 */
for (const dialect of DIALECTS) {
  describe(`${dialect}: records by content`, () => {
    const t = useTestServices(dialect);
    let services: Services;
    let actor: Actor;
    beforeAll(() => {
      ({ services, actor } = t);
    });

    const example = { deduplicate: true, identity: 'example' } as const;
    const contents = async (datasetId: string, version?: number) =>
      (await services.records.list(actor, datasetId, { version })).data.map((record) => [record.input, record.expected_output]);

    it('tells records apart by input and expected output under `example` identity', async () => {
      const dataset = await services.datasets.create(actor, { name: 'identity' });
      const first = await services.records.change(
        actor,
        dataset.id,
        {
          add: [
            { input: 'q', expected_output: 'a' },
            { input: 'q', expected_output: 'b' },
            { input: 'q', expected_output: 'a' },
          ],
        },
        example,
      );
      expect(first.skipped).toEqual([2]);
      expect(first.version?.records_added).toBe(2);
      // By input alone, both are the same as what is there.
      const byInput = await services.records.change(actor, dataset.id, { add: [{ input: 'q', expected_output: 'c' }] }, { deduplicate: true });
      expect(byInput.version).toBeNull();
      // Key order does not make a different record.
      const reordered = await services.records.change(actor, dataset.id, { add: [{ input: { a: 1, b: 2 } }, { input: { b: 2, a: 1 } }] }, example);
      expect(reordered.skipped).toEqual([1]);
    });

    it('sets a version to exactly the records given, keeping the ones already there', async () => {
      const dataset = await services.datasets.create(actor, {
        name: 'set',
        records: [
          { input: 'x', expected_output: 1 },
          { input: 'y', expected_output: 2 },
        ],
      });
      const kept = (await services.records.list(actor, dataset.id)).data.find((record) => record.input === 'x')!;
      const result = await services.records.change(actor, dataset.id, { set: [{ input: 'x', expected_output: 1 }, { input: 'z' }, { input: 'z' }] }, example);
      expect(result.version).toMatchObject({ version: 2, records_added: 1, records_removed: 1, record_count: 2 });
      expect(result.skipped).toEqual([0, 2]);
      expect(result.removed.map((record) => record.input)).toEqual(['y']);
      expect((await services.records.list(actor, dataset.id)).data.map((record) => record.id)).toContain(kept.id);
      expect(await contents(dataset.id, 1)).toEqual([
        ['x', 1],
        ['y', 2],
      ]);
      // The same set again changes nothing, and so commits nothing.
      expect((await services.records.change(actor, dataset.id, { set: [{ input: 'z' }, { input: 'x', expected_output: 1 }] }, example)).version).toBeNull();
      await expect(services.records.change(actor, dataset.id, { set: [], add: [{ input: 'w' }] })).rejects.toMatchObject({ status: 400 });
    });

    it('removes records named by content, ignoring contents no record has', async () => {
      const dataset = await services.datasets.create(actor, {
        name: 'matching',
        records: [
          { input: 'x', expected_output: 1 },
          { input: 'x', expected_output: 2 },
        ],
      });
      const result = await services.records.change(
        actor,
        dataset.id,
        { remove: { matching: [{ input: 'x', expected_output: 2 }, { input: 'nope' }] } },
        example,
      );
      expect(result.removed.map((record) => record.expected_output)).toEqual([2]);
      expect(await contents(dataset.id)).toEqual([['x', 1]]);
      expect((await services.records.change(actor, dataset.id, { remove: { matching: [{ input: 'nope' }] } }, example)).version).toBeNull();
    });

    it('makes records from runs of the workspace, naming each run as the source', async () => {
      const dataset = await services.datasets.create(actor, { name: 'from-runs' });
      const logged = await services.logs.record(actor, { stream_name: 'production' }, [
        { input: { q: 'a' }, output: 'A' },
        { input: { q: 'b' }, output: 'B' },
      ]);
      expect(logged.stream).toMatchObject({ name: 'production', dataset_id: null, source: 'native' });
      const result = await services.records.addFromRuns(actor, dataset.id, logged.run_ids);
      expect(result.added.map((record) => [record.input, record.expected_output, record.source])).toEqual([
        [{ q: 'a' }, 'A', { run_id: logged.run_ids[0], experiment_id: logged.stream.id }],
        [{ q: 'b' }, 'B', { run_id: logged.run_ids[1], experiment_id: logged.stream.id }],
      ]);
      const unknown = '00000000-0000-7000-8000-000000000000';
      await expect(services.records.addFromRuns(actor, dataset.id, [logged.run_ids[0]!, unknown])).rejects.toMatchObject({
        status: 404,
        issues: [{ pointer: '/run_ids/1', detail: 'is not a run of the workspace' }],
      });
      expect((await services.datasets.get(actor, dataset.id)).latest_version).toBe(1);
    });

    it('upserts by name: makes the dataset on first use, refuses a version name taken even when nothing changes', async () => {
      const made = await services.datasets.upsert(actor, { name: 'upserted', metadata: { team: 'ml' } }, { add: [] }, example);
      expect(made).toMatchObject({ created: true, dataset: { name: 'upserted', latest_version: 0, metadata: { team: 'ml' } }, change: { version: null } });
      const named = await services.datasets.upsert(actor, { name: 'upserted' }, { add: [{ input: 'q' }] }, { ...example, versionName: 'first' });
      expect(named).toMatchObject({ created: false, change: { version: { version: 1, name: 'first' } } });
      await expect(
        services.datasets.upsert(actor, { name: 'upserted' }, { add: [{ input: 'q' }] }, { ...example, versionName: 'first' }),
      ).rejects.toMatchObject({ status: 409 });
      // Racing upserts of one new name all land on one dataset.
      const raced = await Promise.all(
        Array.from({ length: 4 }, (_, index) => services.datasets.upsert(actor, { name: 'raced' }, { add: [{ input: index }] }, example)),
      );
      expect(new Set(raced.map((result) => result.dataset.id)).size).toBe(1);
      expect((await services.datasets.getByName(actor, 'raced')).record_count).toBe(4);
    });

    it("logs into a project's stream, made with the project on first use, all or nothing", async () => {
      const first = await services.logs.record(actor, { project_name: 'bot', source: 'humanloop' }, [{ output: 'one' }]);
      const project = (await services.projects.list(actor, { name: 'bot' })).data[0]!;
      expect(first.stream).toMatchObject({ name: 'bot', project_id: project.id, source: 'humanloop' });
      const again = await services.logs.record(actor, { project_id: project.id }, [{ output: 'two' }]);
      expect(again.stream.id).toBe(first.stream.id);
      await expect(services.logs.record(actor, { project_name: 'never-made' }, [{ output: 'x', start_time: 'not a time' }])).rejects.toMatchObject({
        status: 400,
      });
      expect((await services.projects.list(actor, { name: 'never-made' })).data).toEqual([]);
      await expect(services.logs.record(actor, {}, [{ output: 'x' }])).rejects.toMatchObject({ status: 400 });
    });
  });
}
