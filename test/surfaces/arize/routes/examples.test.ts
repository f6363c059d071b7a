import { describe, expect, it } from 'vitest';
import { datasetVersionId, globalId } from '../../../../src/surfaces/arize/ids.js';
import { type TestApp, useTestApp } from '../../../support/app.js';
import { DIALECTS } from '../../../support/databases.js';
import { arizeClient, EXAMPLES, expectRefused, nativeId, seg, storeSnapshot, strip } from '../helpers.js';

/**
 * Examples: every write commits a new version (evalstore never changes a committed one), which the
 * response names; older versions keep what they held.
 */
for (const dialect of DIALECTS) {
  describe(`${dialect}: Arize AX examples`, () => {
    const t = useTestApp(dialect);
    const arize = arizeClient(t);
    const { call, createDataset, examplesOf } = arize;

    it('appends examples as a new version; older versions keep what they held', async () => {
      const dataset = await createDataset();
      const v1 = dataset.versions[0].id;
      const appended = await call('POST', `/v2/datasets/${seg(dataset.id)}/examples?dataset_version_id=${seg(v1)}`, { examples: [{ question: 'new?' }] });
      expect(appended.statusCode).toBe(201);
      const written = appended.json();
      expect(written).toEqual({
        id: dataset.id,
        name: dataset.name,
        space_id: arize.spaceId(),
        created_at: dataset.created_at,
        updated_at: expect.any(String),
        dataset_version_id: expect.any(String),
        example_ids: [expect.stringMatching(/^[0-9a-f-]{36}$/)],
      });
      expect(written.dataset_version_id).not.toBe(v1);
      expect((await examplesOf(dataset.id)).examples).toHaveLength(3);
      expect((await examplesOf(dataset.id, `&dataset_version_id=${seg(v1)}`)).examples.map(strip)).toEqual(EXAMPLES);
      expect((await examplesOf(dataset.id, `&dataset_version_id=${seg(written.dataset_version_id)}`)).examples).toHaveLength(3);
      const versions = (await call('GET', `/v2/datasets/${seg(dataset.id)}`)).json().versions;
      expect(versions.map((v: { id: string }) => v.id)).toEqual([written.dataset_version_id, v1]);

      const at = `/v2/datasets/${seg(dataset.id)}/examples`;
      await expectRefused(t, () => call('POST', `${at}?dataset_version_id=${seg(v1)}`, { examples: [{ q: 1 }] }), {
        status: 409,
        pointer: '/dataset_version_id',
      });
      await expectRefused(t, () => call('POST', at, { examples: [] }), { status: 400, pointer: '/examples' });
      await expectRefused(t, () => call('POST', at, { examples: Array.from({ length: 1001 }, () => ({ q: 1 })) }), { status: 400, pointer: '/examples' });
      await expectRefused(t, () => call('POST', at, { examples: [{ q: 1 }, { id: 'x', q: 2 }] }), { status: 400, pointer: '/examples/1/id' });
      const otherDataset = await createDataset();
      const foreignVersion = otherDataset.versions[0].id;
      await expectRefused(t, () => call('POST', `${at}?dataset_version_id=${seg(foreignVersion)}`, { examples: [{ q: 1 }] }), {
        status: 404,
        pointer: '/dataset_version_id',
      });
      await expectRefused(t, () => call('GET', `${at}?dataset_version_id=${seg(foreignVersion)}`), { status: 404, pointer: '/dataset_version_id' });
      await expectRefused(t, () => call('GET', `${at}?dataset_version_id=${seg(dataset.id)}`), { status: 400, pointer: '/dataset_version_id' });
      await expectRefused(t, () => call('GET', `${at}?limit=501`), { status: 400, pointer: '/limit' });
    });

    it('pages through examples in a stable order', async () => {
      const dataset = await createDataset(
        undefined,
        Array.from({ length: 7 }, (_, i) => ({ n: i })),
      );
      const seen: number[] = [];
      let cursor: string | undefined;
      do {
        const page = (await call('GET', `/v2/datasets/${seg(dataset.id)}/examples?limit=3${cursor ? `&cursor=${seg(cursor)}` : ''}`)).json();
        seen.push(...page.examples.map((e: { n: number }) => e.n));
        cursor = page.pagination.next_cursor;
        expect(page.pagination.has_more).toBe(cursor !== undefined);
      } while (cursor);
      expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6]);
    });

    it('updates examples by merging columns into a new version, ignoring unknown ids, naming it with new_version', async () => {
      const dataset = await createDataset();
      const [first, second] = (await examplesOf(dataset.id)).examples;
      const at = `/v2/datasets/${seg(dataset.id)}/examples`;
      const updated = await call('PATCH', at, {
        examples: [
          { id: first.id, answer: 'four', extra: [1, 2] },
          { id: '0f8fad5b-d9cb-469f-a165-70867728950e', answer: 'ghost' },
          { id: 'example_001', answer: 'ghost' },
        ],
        new_version: 'fixed answers',
      });
      expect(updated.statusCode).toBe(200);
      expect(updated.json().example_ids).toEqual([first.id]);
      const versions = (await call('GET', `/v2/datasets/${seg(dataset.id)}`)).json().versions;
      expect(versions.map((v: { name: string }) => v.name)).toEqual(['fixed answers', '1']);
      expect(updated.json().dataset_version_id).toBe(versions[0].id);
      const now = (await examplesOf(dataset.id)).examples;
      expect(strip(now[0])).toEqual({ ...EXAMPLES[0], answer: 'four', extra: [1, 2] });
      expect(now[0].created_at).toBe(first.created_at);
      expect(strip(now[1])).toEqual(EXAMPLES[1]);
      expect((await examplesOf(dataset.id, `&dataset_version_id=${seg(versions[1].id)}`)).examples.map(strip)).toEqual(EXAMPLES);

      // The same update again changes nothing: no version, the latest named.
      const again = await call('PATCH', at, { examples: [{ id: first.id, answer: 'four' }] });
      expect(again.json()).toMatchObject({ dataset_version_id: versions[0].id, example_ids: [first.id] });
      expect((await call('GET', `/v2/datasets/${seg(dataset.id)}`)).json().versions).toHaveLength(2);

      await expectRefused(t, () => call('PATCH', at, { examples: [{ id: second.id, answer: 'x' }], new_version: 'fixed answers' }), {
        status: 409,
        pointer: '/new_version',
      });
      await expectRefused(t, () => call('PATCH', at, { examples: [{ id: second.id, answer: 'x' }], new_version: '7' }), {
        status: 422,
        pointer: '/new_version',
      });
      await expectRefused(t, () => call('PATCH', at, { examples: [{ id: second.id, answer: 'x', updated_at: 'now' }] }), {
        status: 400,
        pointer: '/examples/0/updated_at',
      });
      await expectRefused(t, () => call('PATCH', at, { examples: [{ answer: 'x' }] }), { status: 400, pointer: '/examples/0/id' });
      await expectRefused(t, () => call('PATCH', at, { examples: [] }), { status: 400, pointer: '/examples' });
      await expectRefused(t, () => call('PATCH', `${at}?dataset_version_id=${seg(versions[1].id)}`, { examples: [{ id: second.id, answer: 'x' }] }), {
        status: 409,
        pointer: '/dataset_version_id',
      });
      await expectRefused(
        t,
        () =>
          call('PATCH', at, {
            examples: [
              { id: first.id, a: 1 },
              { id: first.id, a: 2 },
            ],
          }),
        { status: 422, pointer: '/examples/1' },
      );
    });

    it('shows records written another way as their fields, and updates those fields', async () => {
      const native = (await t.call({ method: 'POST', url: '/api/v1/datasets', payload: { name: `native-${Math.random()}` } })).json();
      const added = await t.call({
        method: 'POST',
        url: `/api/v1/datasets/${native.id}/records`,
        payload: {
          records: [{ input: { q: 'flat' } }, { input: 'What is 2+2?', expected_output: '4', metadata: { level: 1 }, tags: ['math'], external_id: 'm-1' }],
        },
      });
      const [flatId, richId] = added.json().records.map((r: { id: string }) => r.id);
      const datasetId = globalId('Dataset', native.id);
      const examples = (await examplesOf(datasetId)).examples;
      expect(examples.find((e: { id: string }) => e.id === flatId)).toMatchObject({ q: 'flat' });
      expect(strip(examples.find((e: { id: string }) => e.id === richId))).toEqual({
        input: 'What is 2+2?',
        expected_output: '4',
        metadata: { level: 1 },
        tags: ['math'],
        external_id: 'm-1',
      });
      const at = `/v2/datasets/${seg(datasetId)}/examples`;
      const patched = await call('PATCH', at, { examples: [{ id: richId, expected_output: 'four', tags: ['math', 'easy'] }] });
      expect(patched.statusCode).toBe(200);
      const record = (await t.call({ method: 'GET', url: `/api/v1/datasets/${native.id}/records/${richId}` })).json();
      expect(record).toMatchObject({ input: 'What is 2+2?', expected_output: 'four', tags: ['math', 'easy'], metadata: { level: 1 }, external_id: 'm-1' });
      await expectRefused(
        t,
        () =>
          call('PATCH', at, {
            examples: [
              { id: flatId, q: 'ok' },
              { id: richId, colour: 'red' },
            ],
          }),
        { status: 422, pointer: '/examples/1/colour' },
      );
      await expectRefused(t, () => call('PATCH', at, { examples: [{ id: richId, external_id: 'm-2' }] }), { status: 422, pointer: '/examples/0/external_id' });
      await expectRefused(t, () => call('PATCH', at, { examples: [{ id: richId, metadata: 'not an object' }] }), {
        status: 422,
        pointer: '/examples/0/metadata',
      });
    });

    it('deletes examples partially and idempotently, reporting the ids it could not delete', async () => {
      const dataset = await createDataset();
      const [first, second] = (await examplesOf(dataset.id)).examples;
      const at = `/v2/datasets/${seg(dataset.id)}/examples`;
      const v1 = dataset.versions[0].id;
      const body = { dataset_version_id: v1, example_ids: [first.id, 'never-there'] };
      const deleted = await call('DELETE', at, body);
      expect(deleted.statusCode).toBe(200);
      expect(deleted.json()).toEqual({ completed: true, deleted_example_ids: [first.id], not_deleted_example_ids: ['never-there'] });
      // A retry of the same request deletes nothing more and still succeeds.
      const retried = await expectNoChange(() => call('DELETE', at, body));
      expect(retried).toEqual({ completed: true, deleted_example_ids: [], not_deleted_example_ids: [first.id, 'never-there'] });
      expect((await examplesOf(dataset.id)).examples.map((e: { id: string }) => e.id)).toEqual([second.id]);
      expect((await examplesOf(dataset.id, `&dataset_version_id=${seg(v1)}`)).examples).toHaveLength(2);

      await expectRefused(t, () => call('DELETE', at, { dataset_version_id: v1, example_ids: [second.id] }), { status: 409, pointer: '/dataset_version_id' });
      const latest = (await call('GET', `/v2/datasets/${seg(dataset.id)}`)).json().versions[0].id;
      await expectRefused(t, () => call('DELETE', at, { example_ids: [second.id] }), { status: 400, pointer: '/dataset_version_id' });
      await expectRefused(t, () => call('DELETE', at, { dataset_version_id: latest, example_ids: [] }), { status: 400, pointer: '/example_ids' });
      await expectRefused(t, () => call('DELETE', at, { dataset_version_id: latest, example_ids: [second.id, second.id] }), {
        status: 400,
        pointer: '/example_ids',
      });
      await expectRefused(t, () => call('DELETE', at, { dataset_version_id: latest, example_ids: [''] }), { status: 400, pointer: '/example_ids/0' });
      await expectRefused(t, () => call('DELETE', at, { dataset_version_id: latest, example_ids: Array.from({ length: 1001 }, (_, i) => `id-${i}`) }), {
        status: 400,
        pointer: '/example_ids',
      });
    });

    /** A request that must succeed without changing anything; answers its body. */
    async function expectNoChange(request: () => ReturnType<TestApp['call']>) {
      const before = await storeSnapshot(t);
      const response = await request();
      expect(response.statusCode).toBe(200);
      expect(await storeSnapshot(t)).toEqual(before);
      return response.json();
    }

    it('names faults of the examples service as the request named them: the dataset as sent, dataset_version_id', async () => {
      const dataset = await createDataset();
      const at = `/v2/datasets/${seg(dataset.id)}/examples`;
      // A version id of this dataset that no version has yet: the service names its own query's `version`.
      const future = datasetVersionId(nativeId(dataset.id), 99);
      const body = await expectRefused(t, () => call('GET', `${at}?dataset_version_id=${seg(future)}`), { status: 404, pointer: '/dataset_version_id' });
      expect(body).toMatchObject({
        detail: 'Version "99" not found',
        errors: [{ pointer: '/dataset_version_id', detail: 'is not a version of the dataset (latest is 1)', in: 'query' }],
      });
      const stale = await expectRefused(t, () => call('POST', `${at}?dataset_version_id=${seg(future)}`, { examples: [{ q: 1 }] }), { status: 409 });
      expect(stale.errors).toEqual([{ pointer: '/dataset_version_id', detail: 'is not the latest version (1)' }]);
      // A column of the server's is the request's own fault, found as sent: 400.
      const serverColumn = await expectRefused(t, () => call('POST', at, { examples: [{ q: 1 }, { q: 2, created_at: 'now' }] }), {
        status: 400,
        pointer: '/examples/1/created_at',
      });
      expect(serverColumn.errors).toEqual([
        {
          pointer: '/examples/1/created_at',
          detail: "is set by the server and may not be sent (id, created_at, updated_at, annotations are the server's)",
          in: 'body',
        },
      ]);
      const unknown = globalId('Dataset', '0f8fad5b-d9cb-469f-a165-70867728950e');
      for (const [method, body] of [
        ['GET', undefined],
        ['POST', { examples: [{ q: 1 }] }],
        ['PATCH', { examples: [{ id: '0f8fad5b-d9cb-469f-a165-70867728950e', q: 1 }] }],
      ] as const) {
        const refused = await expectRefused(t, () => call(method, `/v2/datasets/${seg(unknown)}/examples`, body), { status: 404 });
        expect(refused.detail).toBe(`Dataset "${unknown}" not found`);
      }
    });
  });
}
