import { describe, expect, it } from 'vitest';
import { renameFirst, sendFastApiError } from '../../../src/surfaces/langsmith/errors.js';
import { invalidInput, normalizedError, presented } from '../../support/http.js';

const JSON_TYPE = 'application/json; charset=utf-8';

describe("LangSmith's error presenter (sendFastApiError)", () => {
  it('answers a fault that is not about the input as {"detail"} with its status, and any missing key as LangSmith words it', async () => {
    expect(await presented(sendFastApiError, normalizedError(404, 'not_found', 'Dataset "qa" not found'))).toEqual({
      status: 404,
      type: JSON_TYPE,
      body: { detail: 'Dataset "qa" not found' },
    });
    expect((await presented(sendFastApiError, normalizedError(401, 'unauthorized', 'An API key is required'))).body).toEqual({ detail: 'Invalid token' });
    expect((await presented(sendFastApiError, normalizedError(500, 'internal_error', 'logged'))).status).toBe(500);
  });

  it('answers invalid input as 422 with one FastAPI item per field, in pydantic v2 words', async () => {
    const answer = await presented(
      sendFastApiError,
      invalidInput([
        { pointer: '/name', detail: 'is required', in: 'body' },
        { pointer: '/inputs', detail: 'must be object', in: 'body' },
        { pointer: '/extra_field', detail: 'is not a known field', in: 'body' },
        { pointer: '/id', detail: 'must match format "uuid"', in: 'params' },
        { pointer: '/start_time', detail: 'must match format "date-time"', in: 'body' },
        { pointer: '/limit', detail: 'must be integer', in: 'query' },
        { pointer: '/splits', detail: 'must be array', in: 'body' },
        { pointer: '/flag', detail: 'must be boolean', in: 'body' },
        { pointer: '/description', detail: 'must NOT have more than 10 characters', in: 'body' },
        { pointer: '/outputs', detail: 'names no example', in: 'body' },
      ]),
    );
    expect(answer).toEqual({
      status: 422,
      type: JSON_TYPE,
      body: {
        detail: [
          { loc: ['body', 'name'], msg: 'Field required', type: 'missing' },
          { loc: ['body', 'inputs'], msg: 'Input should be a valid dictionary', type: 'dict_type' },
          { loc: ['body', 'extra_field'], msg: 'Extra inputs are not permitted', type: 'extra_forbidden' },
          { loc: ['path', 'id'], msg: 'Input should be a valid UUID', type: 'uuid_parsing' },
          { loc: ['body', 'start_time'], msg: 'Input should be a valid datetime', type: 'datetime_parsing' },
          { loc: ['query', 'limit'], msg: 'Input should be a valid number', type: 'float_type' },
          { loc: ['body', 'splits'], msg: 'Input should be a valid list', type: 'list_type' },
          { loc: ['body', 'flag'], msg: 'Input should be a valid boolean', type: 'bool_type' },
          { loc: ['body', 'description'], msg: 'must NOT have more than 10 characters', type: 'string_too_long' },
          { loc: ['body', 'outputs'], msg: 'names no example', type: 'value_error' },
        ],
      },
    });
  });

  it('merges the shapes a value failed into one item', async () => {
    const answer = await presented(
      sendFastApiError,
      invalidInput([
        { pointer: '/description', detail: 'must be string', in: 'body' },
        { pointer: '/description', detail: 'must be null', in: 'body' },
        { pointer: '/description', detail: 'must match a schema in anyOf', in: 'body' },
      ]),
    );
    expect(answer.body).toEqual({
      detail: [{ loc: ['body', 'description'], msg: 'Input should be a valid string, or Input should be None', type: 'string_type' }],
    });
  });

  it("places a service's fault with the route's locator, and a fault of the request as it was sent", async () => {
    const seen: string[] = [];
    const answer = await presented(
      sendFastApiError,
      invalidInput([
        { pointer: '/runs/2/record_id', detail: 'names no record' },
        { pointer: '/runs/0', detail: 'is required', in: 'body' },
      ]),
      {
        url: '/langsmith/runs/batch?x=1',
        config: {
          langsmithBody: (segments, request) => {
            seen.push(request.url);
            return renameFirst({ runs: 'post' }, segments);
          },
        },
      },
    );
    expect(answer.body.detail).toEqual([
      { loc: ['body', 'post', 2, 'record_id'], msg: 'names no record', type: 'value_error' },
      { loc: ['body', 'runs', 0], msg: 'Field required', type: 'missing' },
    ]);
    expect(seen).toEqual(['/langsmith/runs/batch?x=1']);
  });

  it('answers invalid input without fields as one item on the body, and a body that is not JSON as json_invalid', async () => {
    expect((await presented(sendFastApiError, invalidInput([]))).body).toEqual({
      detail: [{ loc: ['body'], msg: 'the request is not valid', type: 'value_error' }],
    });
    const malformed = await presented(
      sendFastApiError,
      invalidInput([{ pointer: '', detail: 'Unexpected end of JSON input', in: 'body' }], { title: 'Malformed JSON' }),
    );
    expect(malformed).toEqual({
      status: 422,
      type: JSON_TYPE,
      body: { detail: [{ loc: ['body'], msg: 'Unexpected end of JSON input', type: 'json_invalid' }] },
    });
  });

  it('answers on the Go routes as {"error", "details"}', async () => {
    const config = { langsmithGoErrors: true };
    expect((await presented(sendFastApiError, normalizedError(404, 'not_found', 'Run not found'), { config })).body).toEqual({ error: 'Run not found' });
    expect((await presented(sendFastApiError, normalizedError(401, 'unauthorized', 'no key'), { config })).body).toEqual({ error: 'Invalid token' });
    const answer = await presented(sendFastApiError, invalidInput([{ pointer: '/post/0/id', detail: 'is required', in: 'body' }]), { config });
    expect(answer.status).toBe(422);
    expect(answer.body).toEqual({
      error: 'the request is not valid',
      details: JSON.stringify([{ loc: ['body', 'post', 0, 'id'], msg: 'Field required', type: 'missing' }]),
    });
  });
});

describe('renameFirst', () => {
  it('renames the first segment when the names have a new name for it', () => {
    expect(renameFirst({ runs: 'results' }, ['runs', '3', 'start_time'])).toEqual(['results', '3', 'start_time']);
    expect(renameFirst({ runs: 'results' }, ['examples', 'runs'])).toEqual(['examples', 'runs']);
    expect(renameFirst({ runs: 'results' }, [])).toEqual([]);
  });
});
