import { describe, expect, it } from 'vitest';
import { useTestApp } from '../../support/app.js';

describe('OpenAPI document', () => {
  const t = useTestApp('sqlite');

  it('documents every native route with its schemas, and nothing else', async () => {
    const response = await t.call({ method: 'GET', url: '/api/v1/openapi.json', key: null });
    expect(response.statusCode).toBe(200);
    const doc = response.json();
    expect(doc.openapi).toBe('3.1.0');
    const operations = Object.entries(doc.paths as Record<string, Record<string, { summary?: string; responses?: object; requestBody?: object }>>).flatMap(
      ([path, methods]) => Object.entries(methods).map(([method, operation]) => ({ path, method, operation })),
    );
    expect(operations.length).toBeGreaterThanOrEqual(25);
    for (const { path, method, operation } of operations) {
      expect(path.startsWith('/api/v1/')).toBe(true);
      expect({ path, method, summary: typeof operation.summary }).toEqual({ path, method, summary: 'string' });
      expect(Object.keys(operation.responses ?? {})).toEqual(expect.arrayContaining(['401', '404']));
    }
    const addRecords = doc.paths['/api/v1/datasets/{dataset_id}/records'].post;
    expect(addRecords.requestBody.content['application/json'].schema.properties.records.maxItems).toBe(10_000);
    const upload = doc.paths['/api/v1/datasets/{dataset_id}/uploads'].post;
    expect(Object.keys(upload.requestBody.content)).toContain('application/x-ndjson');
  });

  it('serves a readable docs page', async () => {
    const page = await t.call({ method: 'GET', url: '/docs/', key: null });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
  });
});
