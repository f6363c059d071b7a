import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { Actor } from '../../../src/domain/types.js';
import { useTestApp } from '../../support/app.js';
import { DIALECTS } from '../../support/databases.js';
import { lazyCsv } from '../../support/lazy-body.js';
import { csvForm, datadogCaller, envelope, FILE_TAIL, fileHead, makeDataset, MULTIPART, PUBLIC } from './helpers.js';

/**
 * The CSV upload routes in process (test/surfaces/datadog/upload-server.test.ts runs them against a
 * server process): what the unstable route answers, and what an upload may not do.
 */
for (const dialect of DIALECTS) {
  describe(`${dialect}: the Datadog CSV upload routes`, () => {
    const t = useTestApp(dialect);

    const dd = datadogCaller(() => t);
    const v2Upload = (projectId: string, datasetId: string) => `/datadog/api/v2/llm-obs/v2/${projectId}/datasets/${datasetId}/records/upload`;
    const unstableUpload = (datasetId: string) => `/datadog/api/unstable/llm-obs/v1/datasets/${datasetId}/records/upload`;
    const upload = (url: string, file: string) => {
      const form = csvForm(file);
      return dd({ method: 'POST', url, payload: form.payload, headers: form.headers });
    };

    it('answers the unstable route with the dataset version after the upload: 0 only while it has none', async () => {
      const { dataset } = await makeDataset(dd);
      const url = unstableUpload(dataset.id);
      const headerOnly = await upload(url, 'input,id\n');
      expect(headerOnly.statusCode).toBe(200);
      expect(headerOnly.json().data).toMatchObject({ type: 'dataset_version', attributes: { dataset_id: dataset.id, version_number: 0 } });
      const seeded = await upload(url, 'input,id\nseed,s1\n');
      expect(seeded.json().data.attributes.version_number).toBe(1);
      // An upload that changes nothing commits no version: the answer is the version the dataset is at.
      const unchanged = await upload(url, 'input,id\nseed,s1\n');
      expect(unchanged.json().data).toMatchObject({ attributes: { dataset_id: dataset.id, version_number: 1, record_count: 1 } });
    });

    it('answers a fault reading the version on the unstable route as a server error, not as version 0', async () => {
      const { path, dataset } = await makeDataset(dd);
      const url = unstableUpload(dataset.id);
      expect((await upload(url, 'input,id\nseed,s1\n')).json().data.attributes.version_number).toBe(1);
      // The versions table goes missing for the one read of it an upload that changes nothing makes.
      const db = t.testStore.store.db;
      await sql`alter table dataset_versions rename to dataset_versions_away`.execute(db);
      const faulted = await upload(url, 'input,id\nseed,s1\n').finally(() => sql`alter table dataset_versions_away rename to dataset_versions`.execute(db));
      expect({ status: faulted.statusCode, body: faulted.json() }).toMatchObject({
        status: 500,
        body: { errors: [{ status: '500', meta: { code: 'internal_error' } }] },
      });
      expect((await upload(url, 'input,id\nseed,s1\n')).json().data.attributes.version_number).toBe(1);
      expect((await dd({ method: 'GET', url: path })).json().data.attributes).toMatchObject({ current_version: 1, record_count: 1 });
    });

    it('refuses an upload into an externally managed dataset with 409 before reading the file, on both routes', async () => {
      const project = (await dd({ method: 'POST', url: `${PUBLIC}/projects`, payload: envelope('projects', { name: `p-${Math.random()}` }) })).json().data;
      const actor: Actor = { workspaceId: t.workspaceId, keyId: null, name: 'upload-experiment', role: 'admin' };
      const external = await t.services.datasets.create(actor, { name: `external-${Math.random()}`, project_id: project.id, managed_by: 'external' });
      const db = t.testStore.store.db;
      const pieces = 50;
      for (const url of [v2Upload(project.id, external.id), unstableUpload(external.id)]) {
        // 500,000 rows, made only as the server reads them.
        const body = lazyCsv({
          head: `${fileHead()}input,id\n`,
          pieces,
          tail: FILE_TAIL,
        });
        const response = await dd({ method: 'POST', url, payload: body.stream, headers: MULTIPART });
        expect({ url, status: response.statusCode, type: response.headers['content-type'] }).toEqual({
          url,
          status: 409,
          type: 'application/vnd.api+json; charset=utf-8',
        });
        expect(response.json().errors).toEqual([
          { status: '409', title: 'Conflict', detail: expect.stringMatching(/is managed externally/), meta: { code: 'conflict' } },
        ]);
        // The streams between the body and the route buffer a few pieces ahead of any reader; no more is read.
        expect(body.pulled(), url).toBeLessThan(pieces / 4);
      }
      expect(await db.selectFrom('uploads').select('id').where('dataset_id', '=', external.id).execute()).toEqual([]);
      expect(await db.selectFrom('upload_rows').select('seq').execute()).toEqual([]);
      expect(await t.services.datasets.get(actor, external.id)).toMatchObject({ latest_version: 0, record_count: 0 });
    });
  });
}
