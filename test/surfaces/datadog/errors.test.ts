import { describe, expect, it } from 'vitest';
import type { FieldIssue } from '../../../src/domain/errors.js';
import type { NormalizedError } from '../../../src/http/errors.js';
import { sendJsonApiError } from '../../../src/surfaces/datadog/present.js';
import { presented } from '../../support/http.js';

const JSON_API_TYPE = 'application/vnd.api+json; charset=utf-8';

const invalid = (issues: FieldIssue[]): NormalizedError => ({
  status: 400,
  code: 'validation_failed',
  title: 'Request validation failed',
  detail: 'body /data/type must be one of "datasets"',
  issues,
  internal: false,
});

describe("Datadog's error presenter (sendJsonApiError)", () => {
  it('answers a fault without fields as one JSON:API error, with its code in meta', async () => {
    const notFound: NormalizedError = { status: 404, code: 'not_found', title: 'Not found', detail: 'Dataset "d" not found', issues: [], internal: false };
    expect(await presented(sendJsonApiError, notFound)).toEqual({
      status: 404,
      type: JSON_API_TYPE,
      body: { errors: [{ status: '404', title: 'Not found', detail: 'Dataset "d" not found', meta: { code: 'not_found' } }] },
    });
  });

  it('answers one error per field at fault, each naming it by the source JSON:API has for its part', async () => {
    const answer = await presented(
      sendJsonApiError,
      invalid([
        { pointer: '/data/type', detail: 'must be one of "datasets"', in: 'body' },
        { pointer: '/page[limit]', detail: 'must be integer', in: 'query' },
        { pointer: '/dataset_id', detail: 'must match format "uuid"', in: 'params' },
        { pointer: '/dd-api-key', detail: 'is required', in: 'headers' },
        { pointer: '/input', detail: 'is empty', in: 'line', line: 4, column: 'question' },
        { pointer: '', detail: 'is not valid UTF-8', in: 'line', line: 9 },
        { pointer: '/records/0', detail: 'names no record' },
      ]),
    );
    expect(answer.status).toBe(400);
    expect(answer.body.errors).toEqual([
      // The first carries the whole message; the others say what is wrong where.
      {
        status: '400',
        title: 'Request validation failed',
        detail: 'body /data/type must be one of "datasets"',
        source: { pointer: '/data/type' },
        meta: { code: 'validation_failed' },
      },
      {
        status: '400',
        title: 'Request validation failed',
        detail: '/page[limit] must be integer',
        source: { parameter: 'page[limit]' },
        meta: { code: 'validation_failed' },
      },
      {
        status: '400',
        title: 'Request validation failed',
        detail: '/dataset_id must match format "uuid"',
        source: { parameter: 'dataset_id' },
        meta: { code: 'validation_failed' },
      },
      {
        status: '400',
        title: 'Request validation failed',
        detail: '/dd-api-key is required',
        source: { header: 'dd-api-key' },
        meta: { code: 'validation_failed' },
      },
      {
        status: '400',
        title: 'Request validation failed',
        detail: '/input is empty',
        source: { pointer: '/file' },
        meta: { code: 'validation_failed', line: 4, column: 'question' },
      },
      {
        status: '400',
        title: 'Request validation failed',
        detail: '/ is not valid UTF-8',
        source: { pointer: '/file' },
        meta: { code: 'validation_failed', line: 9 },
      },
      {
        status: '400',
        title: 'Request validation failed',
        detail: '/records/0 names no record',
        source: { pointer: '/records/0' },
        meta: { code: 'validation_failed' },
      },
    ]);
  });

  it('answers at most 20 errors', async () => {
    const issues = Array.from({ length: 30 }, (_, index) => ({ pointer: `/records/${index}`, detail: 'is required', in: 'body' as const }));
    const answer = await presented(sendJsonApiError, invalid(issues));
    expect(answer.body.errors).toHaveLength(20);
    expect(answer.body.errors[19].source).toEqual({ pointer: '/records/19' });
  });
});
