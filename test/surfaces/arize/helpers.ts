import { expect } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { globalId, uuidOf } from '../../../src/surfaces/arize/ids.js';
import type { TestApp } from '../../support/app.js';

/** Everything a request could change, so that a refused request can be shown to have changed nothing. */
export async function storeSnapshot(t: TestApp): Promise<unknown> {
  const db = t.testStore.store.db;
  return {
    datasets: await db.selectFrom('datasets').select(['id', 'name', 'latest_version', 'record_count', 'updated_at']).orderBy('id').execute(),
    versions: await db.selectFrom('dataset_versions').select(['dataset_id', 'version', 'name']).orderBy('dataset_id').orderBy('version').execute(),
    revisions: await db
      .selectFrom('record_revisions')
      .select(['record_id', 'valid_from', 'valid_to', 'content_hash'])
      .orderBy('record_id')
      .orderBy('valid_from')
      .execute(),
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

export type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/** Examples of every kind of column: nested objects, null, non-ASCII names. */
export const EXAMPLES = [
  { question: '2+2?', answer: '4', topic: 'math' },
  { question: 'Capital of Spain?', answer: 'Madrid', nested: { tags: ['geo', 'europe'], difficulty: 2.5, reviewed: null }, 'ünïcode ✓': true },
];

/** An example's columns without the server's. */
export const strip = ({ id: _id, created_at: _c, updated_at: _u, ...columns }: Record<string, unknown>) => columns;

/** The evalstore id behind an Arize dataset id. */
export const nativeId = (arizeId: string) => uuidOf('Dataset', arizeId, '', 'params');

/** The evalstore id behind an Arize experiment id. */
export const nativeExperimentId = (arizeId: string) => uuidOf('Experiment', arizeId, '', 'params');

/** Requests to the Arize surface of `t`, with the admin key unless `key` says otherwise (null: none), and the fixtures tests start from. */
export function arizeClient(t: TestApp) {
  // A function: the fixture's workspace is made in beforeAll, after the client is.
  const spaceId = () => globalId('Space', t.workspaceId);
  const call = (method: Method, url: string, payload?: object, key?: string | null) =>
    t.call({ method, url: `/arize${url}`, ...(payload ? { payload } : {}), ...(key === undefined ? {} : { key }) });
  const createDataset = async (name = `ds-${Math.random()}`, examples: object[] = EXAMPLES) => {
    const response = await call('POST', '/v2/datasets', { name, space_id: spaceId(), examples });
    expect(response.statusCode).toBe(201);
    return response.json();
  };
  const examplesOf = async (datasetId: string, query = '') => (await call('GET', `/v2/datasets/${seg(datasetId)}/examples?limit=500${query}`)).json();
  /** A dataset of three questions, the second without an answer column, and its example ids. */
  const createQuestions = async (): Promise<{ dataset: { id: string; versions: { id: string }[] }; exampleIds: string[] }> => {
    const dataset = await createDataset(undefined, [
      { question: '2+2?', answer: '4' },
      { question: 'capital of spain?', answer: 'madrid' },
      { question: 'largest planet?' },
    ]);
    return { dataset, exampleIds: (await examplesOf(dataset.id)).examples.map((e: { id: string }) => e.id) };
  };
  const createExperiment = async (datasetId: string, runs: object[], name = `exp-${Math.random()}`) => {
    const response = await call('POST', '/v2/experiments', { name, dataset_id: datasetId, experiment_runs: runs });
    expect(response.statusCode).toBe(201);
    return response.json();
  };
  const runsOf = async (experimentId: string) => (await call('GET', `/v2/experiments/${seg(experimentId)}/runs?limit=500`)).json().experiment_runs;
  const append = (experimentId: string, runs: object[]) => call('POST', `/v2/experiments/${seg(experimentId)}/runs`, { experiment_runs: runs });
  return { spaceId, call, createDataset, examplesOf, createQuestions, createExperiment, runsOf, append };
}
