import { expect } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import type { TestApp } from '../../support/app.js';

/** Everything a request could change, so that a refused request can be shown to have changed nothing. */
export async function storeSnapshot(t: TestApp): Promise<unknown> {
  const db = t.testStore.store.db;
  return {
    datasets: await db.selectFrom('datasets').select(['id', 'name', 'latest_version', 'record_count', 'updated_at']).orderBy('id').execute(),
    versions: await db.selectFrom('dataset_versions').select(['dataset_id', 'version', 'name']).orderBy('dataset_id').orderBy('version').execute(),
    revisions: await db.selectFrom('record_revisions').select(['record_id', 'valid_from', 'valid_to', 'content_hash']).orderBy('record_id').orderBy('valid_from').execute(),
    experiments: await db.selectFrom('experiments').select(['id', 'name', 'updated_at']).orderBy('id').execute(),
    runs: await db.selectFrom('runs').select(['id']).orderBy('id').execute(),
    scores: await db.selectFrom('scores').select(['id']).orderBy('id').execute(),
  };
}

/** Asserts an Arize problem: the status, Arize's title, the field named, and the store left as it was. */
export async function expectRefused(
  t: TestApp,
  request: () => Promise<LightMyRequestResponse>,
  expected: { status: number; pointer?: string; title?: string },
): Promise<Record<string, unknown>> {
  const before = await storeSnapshot(t);
  const response = await request();
  const body = response.json();
  expect({ status: response.statusCode, body }).toMatchObject({ status: expected.status, body: { status: expected.status } });
  expect(response.headers['content-type']).toContain('application/problem+json');
  expect(body.type).toMatch(/^https:\/\/arize\.com\/docs\/ax\/rest-reference\/errors#/);
  if (expected.title) expect(body.title).toBe(expected.title);
  if (expected.pointer) {
    expect(body.errors?.map((error: { pointer: string }) => error.pointer)).toContain(expected.pointer);
    // What the SDKs show is `detail`: a refused field is named there.
    if (expected.status === 400 || expected.status === 422) expect(body.detail).toContain(expected.pointer);
  }
  expect(await storeSnapshot(t)).toEqual(before);
  return body;
}

/** Path segment of an Arize id, as the SDK sends it. */
export const seg = (id: string) => encodeURIComponent(id);
