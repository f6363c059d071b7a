import { beforeAll, describe, expect, it } from 'vitest';
import { Evalstore, EvalstoreError, type UploadProgress } from '../../src/client/index.js';
import { useTestServer } from '../support/app.js';
import { DIALECTS } from '../support/databases.js';

/** The TypeScript client against a real server on 127.0.0.1, once per database, for every resource. */
describe.each(DIALECTS)('the TypeScript client on %s', (dialect) => {
  const t = useTestServer(dialect);
  let evalstore: Evalstore;

  beforeAll(() => {
    evalstore = new Evalstore({ url: t.url, apiKey: t.adminKey });
  });

  const text = async (stream: ReadableStream<Uint8Array>) => new Response(stream).text();

  it('reads its workspace and manages keys; a revoked key answers 401 as an EvalstoreError', async () => {
    expect((await evalstore.workspace.get()).id).toBe(t.workspaceId);
    const created = await evalstore.keys.create({ name: 'reader', role: 'read' });
    expect(created.key).toMatch(/^es_/);
    expect((await evalstore.keys.get(created.api_key.id)).name).toBe('reader');
    const names: string[] = [];
    for await (const key of evalstore.keys.iterate({ limit: 1 })) names.push(key.name);
    expect(names).toContain('reader');

    const reader = new Evalstore({ url: t.url, apiKey: created.key });
    await expect(reader.datasets.create({ name: 'not allowed' })).rejects.toMatchObject({ name: 'EvalstoreError', status: 403 });
    await evalstore.keys.revoke(created.api_key.id);
    const refused = await reader.workspace.get().catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(EvalstoreError);
    expect(refused).toMatchObject({ status: 401, code: expect.any(String), detail: expect.any(String) });
  });

  it('creates, reads, lists, updates and deletes projects', async () => {
    const project = await evalstore.projects.create({ name: 'client-project' });
    expect((await evalstore.projects.get(project.id)).name).toBe('client-project');
    expect((await evalstore.projects.update(project.id, { description: 'described' })).description).toBe('described');
    expect((await evalstore.projects.list({ name: 'client-project' })).data.map((p) => p.id)).toEqual([project.id]);
    await evalstore.projects.delete(project.id);
    await expect(evalstore.projects.get(project.id)).rejects.toMatchObject({ status: 404, code: 'not_found' });
  });

  it('manages datasets, versions and records, iterating over cursor pages', async () => {
    const dataset = await evalstore.datasets.create({ name: 'client-records' });
    expect((await evalstore.datasets.findByName('client-records'))?.id).toBe(dataset.id);
    expect(await evalstore.datasets.findByName('no such dataset')).toBeUndefined();

    const added = await evalstore.records.add(
      dataset.id,
      Array.from({ length: 25 }, (_, i) => ({ input: { n: i }, expected_output: i * 2, external_id: `r${i}`, tags: i % 2 ? ['odd'] : [] })),
      { message: 'first 25' },
    );
    expect(added.version?.version).toBe(1);
    const seen: number[] = [];
    for await (const record of evalstore.records.iterate(dataset.id, { limit: 7 })) seen.push((record.input as { n: number }).n);
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 25 }, (_, i) => i));
    expect((await evalstore.records.list(dataset.id, { tag: ['odd'], limit: 100 })).data).toHaveLength(12);

    const first = (await evalstore.records.list(dataset.id, { limit: 1 })).data[0]!;
    expect((await evalstore.records.get(dataset.id, first.id)).id).toBe(first.id);
    await evalstore.records.updateOne(dataset.id, first.id, { expected_output: 'changed' });
    await evalstore.records.update(dataset.id, [{ external_id: 'r3', metadata: { checked: true } }]);
    await evalstore.records.delete(dataset.id, { external_ids: ['r4'] });
    const removed = await evalstore.records.deleteOne(dataset.id, first.id, { message: 'gone' });
    expect(removed.version?.version).toBe(5);

    const versions: number[] = [];
    for await (const version of evalstore.versions.iterate(dataset.id)) versions.push(version.version);
    expect(versions).toEqual([5, 4, 3, 2, 1]);
    expect((await evalstore.versions.get(dataset.id)).record_count).toBe(23);
    await evalstore.versions.name(dataset.id, 1, 'baseline');
    expect((await evalstore.versions.get(dataset.id, 'baseline')).version).toBe(1);
    expect((await evalstore.records.get(dataset.id, first.id, { version: 1 })).expected_output).not.toBe('changed');

    const changes = [];
    for await (const change of evalstore.datasets.iterateDiff(dataset.id, { from: '1', to: '5', limit: 1 })) changes.push(change);
    expect(changes).toHaveLength(3);

    const jsonl = await text(await evalstore.datasets.export(dataset.id, { version: 1 }));
    expect(jsonl.trim().split('\n')).toHaveLength(25);
    const csv = await text(await evalstore.datasets.export(dataset.id, { format: 'csv' }));
    expect(csv.split('\n')[0]).toContain('input');

    expect((await evalstore.datasets.update(dataset.id, { description: 'numbers' })).description).toBe('numbers');
    const listed = [];
    for await (const item of evalstore.datasets.iterate({ q: 'client-' })) listed.push(item.id);
    expect(listed).toContain(dataset.id);
    await evalstore.datasets.delete(dataset.id);
    await expect(evalstore.datasets.get(dataset.id)).rejects.toMatchObject({ status: 404 });
  });

  it('turns a refused request into an EvalstoreError naming the field', async () => {
    const dataset = await evalstore.datasets.create({ name: 'client-invalid' });
    const refused = (await evalstore.records.add(dataset.id, []).catch((error: unknown) => error)) as EvalstoreError;
    expect(refused).toBeInstanceOf(EvalstoreError);
    expect(refused.status).toBe(400);
    expect(refused.errors?.[0]?.pointer).toMatch(/records/);
    const unreachable = new Evalstore({ url: 'http://127.0.0.1:1', apiKey: t.adminKey });
    await expect(unreachable.workspace.get()).rejects.toMatchObject({ status: 0, code: 'connection_failed' });
  });

  it('uploads a CSV with progress callbacks, and reports a bad line', async () => {
    const dataset = await evalstore.datasets.create({ name: 'client-upload' });
    const rows = Array.from({ length: 2_500 }, (_, i) => `"question ${i}","answer ${i}",${i % 3 ? 'a' : 'b'}`);
    const progress: UploadProgress[] = [];
    const summary = await evalstore.uploads.create(dataset.id, ['q,a,kind', ...rows].join('\n'), {
      format: 'csv',
      columns: { input: 'q', expected_output: 'a' },
      tags: ['uploaded'],
      onProgress: (update) => progress.push(update),
    });
    expect(summary).toMatchObject({ records_created: 2_500, rows_received: 2_500, version: { version: 1 } });
    expect(progress.some((update) => update.phase !== 'sending' && update.rows_received >= 1_000)).toBe(true);
    expect(progress.at(-1)).toMatchObject({ phase: 'committed', rows_received: 2_500 });
    expect(progress.at(-1)!.bytes_sent).toBe(progress.at(-1)!.total_bytes);
    const record = (await evalstore.records.list(dataset.id, { limit: 1 })).data[0]!;
    expect(record.tags).toContain('uploaded');

    async function* lines() {
      yield '{"input": "fine"}\n';
      yield '{"input": "also fine"}\n{"input": \n';
    }
    const refused = await evalstore.uploads.create(dataset.id, lines(), { format: 'jsonl' }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(EvalstoreError);
    expect((refused as EvalstoreError).detail).toMatch(/line 3/);
    expect((await evalstore.versions.get(dataset.id)).version).toBe(1);
  });

  it('records experiments, runs and scores, compares them, exports them and logs', async () => {
    const dataset = await evalstore.datasets.create({ name: 'client-experiments', records: [{ input: 'a' }, { input: 'b' }] });
    const records = (await evalstore.records.list(dataset.id)).data;
    const runsOf = (scores: number[]) =>
      records.map((record, i) => ({
        record_id: record.id,
        output: `out ${i}`,
        latency_ms: 10 * (i + 1),
        total_tokens: 5,
        scores: [{ key: 'accuracy', score: scores[i]! }],
      }));

    const baseline = await evalstore.experiments.create({ name: 'baseline', dataset_id: dataset.id, runs: runsOf([0, 0]) });
    expect(baseline.run_ids).toHaveLength(2);
    const candidate = await evalstore.experiments.create({ name: 'candidate', dataset_id: dataset.id });
    const appended = await evalstore.runs.append(candidate.id, runsOf([1, 0]));
    expect(appended.inserted).toBe(2);
    const again = await evalstore.runs.append(candidate.id, [
      { id: '00000000-0000-4000-8000-000000000001', record_id: records[0]!.id, output: 'x', custom_field: 7 },
    ]);
    expect((await evalstore.runs.append(candidate.id, [{ id: '00000000-0000-4000-8000-000000000001', record_id: records[0]!.id, output: 'x' }])).inserted).toBe(
      0,
    );
    expect((await evalstore.runs.get(again.run_ids[0]!)).custom_field).toBe(7);

    const runs = [];
    for await (const run of evalstore.runs.iterate(candidate.id, { limit: 1 })) runs.push(run);
    expect(runs).toHaveLength(3);
    await evalstore.scores.create(candidate.id, [{ key: 'overall', score: 0.5 }]);
    const scores = [];
    for await (const score of evalstore.scores.iterate(candidate.id, { limit: 1 })) scores.push(score);
    expect(scores.map((score) => score.key).sort()).toEqual(['accuracy', 'accuracy', 'overall']);
    expect((await evalstore.scores.list(candidate.id, { level: 'experiment' })).data).toHaveLength(1);

    expect((await evalstore.experiments.update(candidate.id, { description: 'better' })).description).toBe('better');
    expect((await evalstore.experiments.list({ dataset_id: dataset.id })).data).toHaveLength(2);
    const comparison = await evalstore.comparisons.compare({ experiment_ids: [baseline.id, candidate.id], baseline_id: baseline.id });
    expect(comparison.stats.find((stats) => stats.experiment_id === baseline.id)).toMatchObject({ run_count: 2, total_tokens: 10 });
    expect(comparison.baseline?.changes[0]).toMatchObject({ key: 'accuracy', improved: 1, regressed: 0, unchanged: 1 });
    const rows = [];
    for await (const row of evalstore.comparisons.iterateRows({ experiment_ids: [baseline.id, candidate.id], limit: 1 })) rows.push(row);
    expect(rows).toHaveLength(2);
    expect(rows[0]!.runs[baseline.id]).toHaveLength(1);

    const exported = await text(await evalstore.experiments.export(baseline.id, { format: 'csv' }));
    expect(exported.split('\n')[0]).toContain('accuracy');

    const logged = await evalstore.logs.create({ stream_name: 'production', runs: [{ input: { q: 'hi' }, output: 'hello' }] });
    expect(logged.run_ids).toHaveLength(1);

    await evalstore.experiments.delete(candidate.id);
    await expect(evalstore.experiments.get(candidate.id)).rejects.toMatchObject({ status: 404 });
  });
});
