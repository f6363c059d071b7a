import type { FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import type { NormalizedError } from '../../src/http/errors.js';
import { sendProblem, toProblem } from '../../src/http/problem.js';
import { presented } from '../support/http.js';

const notFound: NormalizedError = { status: 404, code: 'not_found', title: 'Not found', detail: 'Dataset "qa" not found', issues: [], internal: false };
const invalid: NormalizedError = {
  status: 400,
  code: 'validation_failed',
  title: 'Request validation failed',
  detail: 'body /records/0/input is required',
  issues: [
    { pointer: '/records/0/input', detail: 'is required', in: 'body' },
    { pointer: '', detail: 'is not valid UTF-8', in: 'line', line: 3 },
  ],
  internal: false,
};

describe('toProblem', () => {
  it('states the error as RFC 9457 problem details, the instance being the path without its query', () => {
    expect(toProblem(notFound, { url: '/api/v1/datasets/qa?version=2' } as FastifyRequest)).toEqual({
      type: 'urn:evalstore:problem:not_found',
      title: 'Not found',
      status: 404,
      detail: 'Dataset "qa" not found',
      instance: '/api/v1/datasets/qa',
      code: 'not_found',
    });
  });

  it('lists the fields at fault as `errors`, only when there are any', () => {
    const problem = toProblem(invalid, { url: '/api/v1/datasets' } as FastifyRequest);
    expect(problem).toMatchObject({ type: 'urn:evalstore:problem:validation_failed', status: 400, instance: '/api/v1/datasets' });
    expect(problem.errors).toEqual(invalid.issues);
    expect('errors' in toProblem(notFound, { url: '/' } as FastifyRequest)).toBe(false);
  });
});

describe('sendProblem', () => {
  it('answers with the status and the problem as application/problem+json', async () => {
    const answer = await presented(sendProblem, invalid, { url: '/api/v1/datasets?limit=5' });
    expect(answer).toEqual({
      status: 400,
      type: 'application/problem+json; charset=utf-8',
      body: toProblem(invalid, { url: '/api/v1/datasets' } as FastifyRequest),
    });
  });
});
