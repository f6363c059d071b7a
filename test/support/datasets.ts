import { randomUUID } from 'node:crypto';
import type { ApiBody, Dataset } from '../../src/client/types.js';
import type { TestApp } from './app.js';

/** A dataset made through the native API, named uniquely unless `body` names it; anything but 201 fails the test. */
export async function createDataset(t: Pick<TestApp, 'call'>, body: Partial<ApiBody<'/api/v1/datasets', 'post'>> = {}): Promise<Dataset> {
  const response = await t.call({ method: 'POST', url: '/api/v1/datasets', payload: { name: `dataset-${randomUUID()}`, ...body } });
  if (response.statusCode !== 201) throw new Error(`creating a dataset answered ${response.statusCode}: ${response.body}`);
  return response.json();
}

/** Where the native API serves a dataset and its records, versions and uploads. */
export function datasetPath(dataset: { id: string }): string {
  return `/api/v1/datasets/${dataset.id}`;
}
