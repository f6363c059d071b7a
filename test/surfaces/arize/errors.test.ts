import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError, ValidationError } from '../../../src/domain/errors.js';
import { handleErrorsWith } from '../../../src/http/errors.js';
import { ARIZE_TERMS, presentError } from '../../../src/surfaces/arize/errors.js';
import { globalId } from '../../../src/surfaces/arize/ids.js';

const DATASET = '0194f1d2-7c1e-7a3b-9c2d-4e5f60718293';

/** Routes that throw what a service or the surface would, answered in Arize's problem details. */
async function appThrowing(): Promise<FastifyInstance> {
  const app = Fastify();
  handleErrorsWith(app, presentError, ARIZE_TERMS);
  const faults: Record<string, () => Error> = {
    found: () => ValidationError.field('/runs/1/record_id', 'is not a record of the dataset'),
    sent: () => ValidationError.field('/examples/0/id', 'is set by the server and may not be sent', { in: 'body' }),
    query: () => ValidationError.field('/cursor', 'is not a cursor this list handed out', { in: 'query' }),
    missing: () => new NotFoundError('Dataset', DATASET),
    taken: () => new ConflictError('A dataset named "a" already exists', [{ pointer: '/name', detail: 'is already taken' }]),
    broken: () => new Error('the disk is on fire'),
  };
  app.post('/:fault', {
    config: { restate: { lists: [['/runs', '/experiment_runs']], fields: [['record_id', 'example_id']] } },
    handler: async (request) => {
      throw faults[(request.params as { fault: string }).fault]!();
    },
  });
  await app.ready();
  return app;
}

describe("Arize's problem details", () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await appThrowing();
  });
  afterAll(() => app.close());

  const post = async (fault: string, payload: object = {}) => {
    const response = await app.inject({ method: 'POST', url: `/${fault}`, payload });
    expect(response.headers['content-type']).toContain('application/problem+json');
    return { status: response.statusCode, body: response.json() };
  };

  it("answers a fault a service finds in a well-formed request with 422, in the request's terms", async () => {
    expect(await post('found')).toEqual({
      status: 422,
      body: {
        status: 422,
        title: 'Unprocessable Entity',
        type: 'https://arize.com/docs/ax/rest-reference/errors#unprocessable-entity',
        detail: '/experiment_runs/1/example_id is not a record of the dataset',
        instance: '/found',
        error_code: 'validation_failed',
        errors: [{ pointer: '/experiment_runs/1/example_id', detail: 'is not a record of the dataset' }],
      },
    });
  });

  it('answers a request refused as sent (its body, its query) with 400', async () => {
    expect(await post('sent')).toMatchObject({
      status: 400,
      body: { status: 400, title: 'Invalid request parameters', errors: [{ pointer: '/examples/0/id', in: 'body' }] },
    });
    expect(await post('query')).toMatchObject({
      status: 400,
      body: { title: 'Invalid request parameters', type: 'https://arize.com/docs/ax/rest-reference/errors#invalid-request' },
    });
  });

  it('keeps the status of other faults, naming ids as the request sent them', async () => {
    const sent = globalId('Dataset', DATASET);
    expect(await post('missing', { dataset_id: sent })).toMatchObject({
      status: 404,
      body: { title: 'Resource not found', detail: `Dataset "${sent}" not found`, error_code: 'not_found' },
    });
    expect((await post('missing')).body.detail).toBe(`Dataset "${DATASET}" not found`);
    expect(await post('taken')).toMatchObject({ status: 409, body: { title: 'Resource conflict', errors: [{ pointer: '/name' }] } });
    const broken = await post('broken');
    expect(broken).toMatchObject({
      status: 500,
      body: { title: 'Internal server error', type: 'https://arize.com/docs/ax/rest-reference/errors#internal-server-error' },
    });
    expect(JSON.stringify(broken.body)).not.toContain('fire');
  });

  it('answers an unknown route as a missing resource', async () => {
    const response = await app.inject({ method: 'GET', url: '/v2/nothing?x=1' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ title: 'Resource not found', instance: '/v2/nothing', detail: 'Route "GET /v2/nothing" not found' });
  });
});
