import { describe, expect, it } from 'vitest';
import type { FieldIssue } from '../../../src/domain/errors.js';
import { sendJsonApiError } from '../../../src/surfaces/datadog/present.js';
import { invalidInput, normalizedError, presented } from '../../support/http.js';

const JSON_API_TYPE = 'application/vnd.api+json; charset=utf-8';

const invalid = (issues: FieldIssue[]) => invalidInput(issues, { detail: 'body /data/type must be one of "datasets"' });
/** One JSON:API error of a refused request. */
const refusal = (detail: string, source: Record<string, string>, meta: Record<string, unknown> = {}) => ({
  status: '400',
  title: 'Request validation failed',
  detail,
  source,
  meta: { code: 'validation_failed', ...meta },
});

describe("Datadog's error presenter (sendJsonApiError)", () => {
  it('answers a fault without fields as one JSON:API error, with its code in meta', async () => {
    expect(await presented(sendJsonApiError, normalizedError(404, 'not_found', 'Dataset "d" not found'))).toEqual({
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
      refusal('body /data/type must be one of "datasets"', { pointer: '/data/type' }),
      refusal('/page[limit] must be integer', { parameter: 'page[limit]' }),
      refusal('/dataset_id must match format "uuid"', { parameter: 'dataset_id' }),
      refusal('/dd-api-key is required', { header: 'dd-api-key' }),
      refusal('/input is empty', { pointer: '/file' }, { line: 4, column: 'question' }),
      refusal('/ is not valid UTF-8', { pointer: '/file' }, { line: 9 }),
      refusal('/records/0 names no record', { pointer: '/records/0' }),
    ]);
  });

  it('answers at most 20 errors', async () => {
    const issues = Array.from({ length: 30 }, (_, index) => ({ pointer: `/records/${index}`, detail: 'is required', in: 'body' as const }));
    const answer = await presented(sendJsonApiError, invalid(issues));
    expect(answer.body.errors).toHaveLength(20);
    expect(answer.body.errors[19].source).toEqual({ pointer: '/records/19' });
  });
});
