import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError, ValidationError } from '../../../src/domain/errors.js';
import { handleErrorsWith } from '../../../src/http/errors.js';
import { HUMANLOOP_TERMS, presentError } from '../../../src/surfaces/humanloop/errors.js';
import { humanloopId } from '../../../src/surfaces/humanloop/ids.js';

const RUN = '0194f1d2-7c1e-7a3b-9c2d-4e5f60718293';

/** Routes that throw what a service or the surface would, answered as Humanloop's FastAPI server answers. */
async function appThrowing(): Promise<FastifyInstance> {
  const app = Fastify();
  handleErrorsWith(app, presentError, HUMANLOOP_TERMS);
  const faults: Record<string, () => Error> = {
    invalid: () =>
      new ValidationError('/inputs/q must be string', [
        { pointer: '/inputs/q', detail: 'must be string', in: 'body' },
        { pointer: '/extra', detail: 'is not a known field', in: 'body' },
      ]),
    bare: () => new ValidationError('the body says nothing'),
    unknownInBody: () => new NotFoundError('Run', RUN, [{ pointer: '/run_ids/0', detail: 'is not a run of the workspace' }]),
    unknownInPath: () => new NotFoundError('Dataset', 'evts_nothing'),
    unnamedField: () => new NotFoundError('Dataset', 'evts_nothing', [{ pointer: '', detail: 'is not a dataset of the project' }]),
    unknownInQuery: () => new NotFoundError('Version', 9, [{ pointer: '/version', detail: 'names no version', in: 'query' }]),
    taken: () => new ConflictError('Another version is already named "v1"', [{ pointer: '/version_name', detail: 'is already taken' }]),
  };
  app.post('/:fault', {
    config: {
      restate: {
        lists: [['/run_ids', '/log_ids']],
        words: [
          ['Run', 'Log'],
          ['run', 'log'],
        ],
      },
    },
    handler: async (request) => {
      throw faults[(request.params as { fault: string }).fault]!();
    },
  });
  await app.ready();
  return app;
}

describe("Humanloop's FastAPI errors", () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await appThrowing();
  });
  afterAll(() => app.close());

  const post = async (fault: string, payload: unknown = {}) => {
    const response = await app.inject({ method: 'POST', url: `/${fault}`, payload: JSON.stringify(payload), headers: { 'content-type': 'application/json' } });
    return { status: response.statusCode, body: response.json() };
  };

  it('answers invalid input with 422 and one item per field, worded as pydantic v1 words it', async () => {
    expect(await post('invalid')).toEqual({
      status: 422,
      body: {
        detail: [
          { loc: ['body', 'inputs', 'q'], msg: 'str type expected', type: 'type_error.str' },
          { loc: ['body', 'extra'], msg: 'extra fields not permitted', type: 'value_error.extra' },
        ],
      },
    });
    expect(await post('bare')).toEqual({ status: 422, body: { detail: [{ loc: ['body'], msg: 'the body says nothing', type: 'value_error' }] } });
    const malformed = await app.inject({ method: 'POST', url: '/invalid', payload: '{"inputs":', headers: { 'content-type': 'application/json' } });
    expect(malformed.statusCode).toBe(422);
    expect(malformed.json().detail).toEqual([expect.objectContaining({ loc: ['body'], type: 'value_error.jsondecode' })]);
  });

  it("answers an id in the body naming nothing with 422 naming it in the request's terms", async () => {
    expect(await post('unknownInBody', { log_ids: [humanloopId('log', RUN)] })).toEqual({
      status: 422,
      body: { detail: [{ loc: ['body', 'log_ids', 0], msg: 'is not a log of the workspace', type: 'value_error' }] },
    });
  });

  it('answers an unknown id in the path, in the query or of no field with 404, and other faults with their status', async () => {
    expect(await post('unknownInPath')).toEqual({ status: 404, body: { detail: 'Dataset "evts_nothing" not found' } });
    expect(await post('unnamedField')).toEqual({ status: 404, body: { detail: 'Dataset "evts_nothing" not found' } });
    expect(await post('unknownInQuery')).toEqual({ status: 404, body: { detail: 'Version "9" not found' } });
    expect(await post('taken')).toEqual({ status: 409, body: { detail: 'Another version is already named "v1"' } });
    expect((await app.inject({ method: 'GET', url: '/v5/nothing' })).json()).toEqual({ detail: 'Route "GET /v5/nothing" not found' });
  });
});
