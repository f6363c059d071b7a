import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, UnauthorizedError, ValidationError } from '../../../src/domain/errors.js';
import { handleErrorsWith } from '../../../src/http/errors.js';
import { installValidators } from '../../../src/http/validation.js';
import { sendFastApiError } from '../../../src/surfaces/langsmith/errors.js';

/** LangSmith's error formats (errors.ts), on a bare app whose routes fail as services and validation do. */
describe("LangSmith's error formats", () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = Fastify();
    installValidators(app);
    handleErrorsWith(app, sendFastApiError);
    const fail = (error: Error) => async () => {
      throw error;
    };
    app.get('/unauthorized', fail(new UnauthorizedError('No key')));
    app.get('/conflict', fail(new ConflictError('Dataset "d" already exists')));
    app.post('/go/conflict', { config: { langsmithGoErrors: true } }, fail(new ConflictError('Run already exists')));
    app.post(
      '/service',
      fail(
        new ValidationError('/inputs is required', [
          { pointer: '/inputs', detail: 'is required' },
          { pointer: '/results/0/row_id', detail: 'must be a UUID' },
        ]),
      ),
    );
    app.post('/go/service', { config: { langsmithGoErrors: true } }, fail(ValidationError.field('/post.a~1b/end_time', 'must not be before start_time')));
    app.post('/bare', fail(new ValidationError('The request is not valid')));
    app.post('/checked', {
      schema: {
        body: {
          type: 'object',
          required: ['name'],
          additionalProperties: false,
          properties: { name: { type: 'string' }, id: { type: 'string', format: 'uuid' }, value: { anyOf: [{ type: 'string' }, { type: 'null' }] } },
        },
      },
      handler: async () => ({}),
    });
    await app.ready();
  });
  afterAll(() => app.close());

  it("answers faults other than invalid input as FastAPI's {detail}, 401 in LangSmith's wording", async () => {
    const unauthorized = await app.inject({ method: 'GET', url: '/unauthorized' });
    expect(unauthorized.statusCode).toBe(401);
    expect(unauthorized.json()).toEqual({ detail: 'Invalid token' });
    const conflict = await app.inject({ method: 'GET', url: '/conflict' });
    expect(conflict.statusCode).toBe(409);
    expect(conflict.json()).toEqual({ detail: 'Dataset "d" already exists' });
  });

  it('answers invalid input 422 with one item per field: its loc in the request, a message and a type', async () => {
    const response = await app.inject({ method: 'POST', url: '/service', payload: {} });
    expect(response.statusCode).toBe(422);
    expect(response.json()).toEqual({
      detail: [
        { loc: ['body', 'inputs'], msg: 'Field required', type: 'missing' },
        { loc: ['body', 'results', 0, 'row_id'], msg: 'must be a UUID', type: 'value_error' },
      ],
    });
    const bare = await app.inject({ method: 'POST', url: '/bare', payload: {} });
    expect(bare.json()).toEqual({ detail: [{ loc: ['body'], msg: 'The request is not valid', type: 'value_error' }] });
  });

  it("words the validator's faults as pydantic does, one item per place", async () => {
    const missing = await app.inject({ method: 'POST', url: '/checked', payload: {} });
    expect(missing.statusCode).toBe(422);
    expect(missing.json().detail).toEqual([{ loc: ['body', 'name'], msg: 'Field required', type: 'missing' }]);
    const extra = await app.inject({ method: 'POST', url: '/checked', payload: { name: 'n', other: 1 } });
    expect(extra.json().detail).toEqual([{ loc: ['body', 'other'], msg: 'Extra inputs are not permitted', type: 'extra_forbidden' }]);
    const fault = async (payload: object) => (await app.inject({ method: 'POST', url: '/checked', payload })).json().detail;
    expect(await fault({ name: 1 })).toEqual([{ loc: ['body', 'name'], msg: 'Input should be a valid string', type: 'string_type' }]);
    expect(await fault({ name: 'n', id: 'x' })).toEqual([{ loc: ['body', 'id'], msg: 'Input should be a valid UUID', type: 'uuid_parsing' }]);
    // A value of several accepted shapes fails once, naming them all.
    expect(await fault({ name: 'n', value: 2 })).toEqual([
      { loc: ['body', 'value'], msg: 'Input should be a valid string, or Input should be None', type: 'string_type' },
    ]);
    const malformed = await app.inject({ method: 'POST', url: '/checked', payload: '{"name": ', headers: { 'content-type': 'application/json' } });
    expect(malformed.statusCode).toBe(422);
    expect(malformed.json().detail).toEqual([expect.objectContaining({ loc: ['body'], type: 'json_invalid' })]);
  });

  it("answers on LangSmith's Go routes as Go does: {error}, and for invalid input {error, details} with the items as JSON text", async () => {
    const conflict = await app.inject({ method: 'POST', url: '/go/conflict' });
    expect(conflict.statusCode).toBe(409);
    expect(conflict.json()).toEqual({ error: 'Run already exists' });
    const invalid = await app.inject({ method: 'POST', url: '/go/service' });
    expect(invalid.statusCode).toBe(422);
    expect(invalid.json()).toEqual({
      error: '/post.a~1b/end_time must not be before start_time',
      details: JSON.stringify([{ loc: ['body', 'post.a/b', 'end_time'], msg: 'must not be before start_time', type: 'value_error' }]),
    });
  });
});
