import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError, ValidationError } from '../../../src/domain/errors.js';
import { handleErrorsWith } from '../../../src/http/errors.js';
import { sendProblem } from '../../../src/surfaces/native/errors.js';

/** The native API's error format (errors.ts): RFC 9457 problem details, on a bare app whose routes fail as services do. */
describe('problem details', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = Fastify();
    handleErrorsWith(app, sendProblem);
    app.get('/missing', async () => {
      throw new NotFoundError('Dataset', 'd1');
    });
    app.post('/invalid', async () => {
      throw new ValidationError('line 3: /input is required', [{ pointer: '/input', detail: 'is required', in: 'line', line: 3, column: 'question' }]);
    });
    app.get('/broken', async () => {
      throw new Error('disk on fire');
    });
    await app.ready();
  });
  afterAll(() => app.close());

  it('states the status, a stable code and the path, as application/problem+json', async () => {
    const response = await app.inject({ method: 'GET', url: '/missing?x=1' });
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json()).toEqual({
      type: 'urn:evalstore:problem:not_found',
      title: 'Not found',
      status: 404,
      detail: 'Dataset "d1" not found',
      instance: '/missing',
      code: 'not_found',
    });
  });

  it('names each field at fault, with the line and column of an upload', async () => {
    const response = await app.inject({ method: 'POST', url: '/invalid' });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({
      code: 'validation_failed',
      detail: 'line 3: /input is required',
      errors: [{ pointer: '/input', detail: 'is required', in: 'line', line: 3, column: 'question' }],
    });
  });

  it('tells nothing of a server fault but that it is logged, and answers unknown routes 404', async () => {
    const broken = await app.inject({ method: 'GET', url: '/broken' });
    expect(broken.statusCode).toBe(500);
    expect(broken.json()).toMatchObject({ code: 'internal_error', detail: expect.not.stringContaining('disk') });
    expect(broken.json().errors).toBeUndefined();
    const unknown = await app.inject({ method: 'GET', url: '/nowhere' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ code: 'not_found', instance: '/nowhere' });
  });
});
