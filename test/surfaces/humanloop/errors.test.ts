import { describe, expect, it } from 'vitest';
import { sendHumanloopError } from '../../../src/surfaces/humanloop/errors.js';
import { invalidInput, normalizedError, presented } from '../../support/http.js';

const JSON_TYPE = 'application/json; charset=utf-8';

describe("Humanloop's error presenter (sendHumanloopError)", () => {
  it('answers a fault that is not about the input as {"detail"} with its status', async () => {
    expect(await presented(sendHumanloopError, normalizedError(404, 'not_found', 'Dataset "evts_1" not found'))).toEqual({
      status: 404,
      type: JSON_TYPE,
      body: { detail: 'Dataset "evts_1" not found' },
    });
    expect(await presented(sendHumanloopError, normalizedError(409, 'conflict', 'taken'))).toEqual({ status: 409, type: JSON_TYPE, body: { detail: 'taken' } });
  });

  it('answers invalid input as 422 with one FastAPI item per field, in pydantic v1 words', async () => {
    const answer = await presented(
      sendHumanloopError,
      invalidInput([
        { pointer: '/inputs/question', detail: 'must be string', in: 'body' },
        { pointer: '/path', detail: 'is required', in: 'body' },
        { pointer: '/colour', detail: 'is not a known field', in: 'body' },
        { pointer: '/target', detail: 'must be object', in: 'body' },
        { pointer: '/datapoints', detail: 'must be array', in: 'body' },
        { pointer: '/size', detail: 'must be integer', in: 'query' },
        { pointer: '/score', detail: 'must be number', in: 'body' },
        { pointer: '/flag', detail: 'must be boolean', in: 'body' },
        { pointer: '/none', detail: 'must be null', in: 'body' },
        { pointer: '/action', detail: 'must be one of "set", "add", "remove"', in: 'body' },
        { pointer: '/datapoints', detail: 'must NOT have fewer than 1 items', in: 'body' },
        { pointer: '/ids', detail: 'must NOT have more than 100 items', in: 'body' },
        { pointer: '/name', detail: 'must NOT have fewer than 1 characters', in: 'body' },
        { pointer: '/description', detail: 'must NOT have more than 10 characters', in: 'body' },
        { pointer: '/id', detail: 'is not a Humanloop id', in: 'params' },
      ]),
    );
    expect(answer.status).toBe(422);
    expect(answer.type).toBe(JSON_TYPE);
    expect(answer.body).toEqual({
      detail: [
        { loc: ['body', 'inputs', 'question'], msg: 'str type expected', type: 'type_error.str' },
        { loc: ['body', 'path'], msg: 'field required', type: 'value_error.missing' },
        { loc: ['body', 'colour'], msg: 'extra fields not permitted', type: 'value_error.extra' },
        { loc: ['body', 'target'], msg: 'value is not a valid dict', type: 'type_error.dict' },
        // One place, two faults: merged into one item.
        { loc: ['body', 'datapoints'], msg: 'value is not a valid list; or ensure this value has at least 1 items', type: 'type_error.list' },
        { loc: ['query', 'size'], msg: 'value is not a valid integer', type: 'type_error.integer' },
        { loc: ['body', 'score'], msg: 'value is not a valid float', type: 'type_error.float' },
        { loc: ['body', 'flag'], msg: 'value could not be parsed to a boolean', type: 'type_error.bool' },
        { loc: ['body', 'none'], msg: 'none is not an allowed value', type: 'type_error.none.allowed' },
        { loc: ['body', 'action'], msg: 'must be one of "set", "add", "remove"', type: 'type_error.enum' },
        { loc: ['body', 'ids'], msg: 'ensure this value has at most 100 items', type: 'value_error.list.max_items' },
        { loc: ['body', 'name'], msg: 'must NOT have fewer than 1 characters', type: 'value_error.any_str.min_length' },
        { loc: ['body', 'description'], msg: 'must NOT have more than 10 characters', type: 'value_error.any_str.max_length' },
        { loc: ['path', 'id'], msg: 'is not a Humanloop id', type: 'value_error' },
      ],
    });
  });

  it('answers a fault a route restated as 422 in the same shape', async () => {
    const restated = normalizedError(422, 'not_found', 'Log "data_1" not found', {
      issues: [{ pointer: '/log_ids/0', detail: 'Log "data_1" not found', in: 'body' }],
    });
    expect((await presented(sendHumanloopError, restated)).body).toEqual({
      detail: [{ loc: ['body', 'log_ids', 0], msg: 'Log "data_1" not found', type: 'value_error' }],
    });
  });

  it('answers invalid input without fields as one item on the body, and a body that is not JSON as value_error.jsondecode', async () => {
    expect((await presented(sendHumanloopError, invalidInput([]))).body).toEqual({
      detail: [{ loc: ['body'], msg: 'the request is not valid', type: 'value_error' }],
    });
    const malformed = await presented(sendHumanloopError, invalidInput([{ pointer: '', detail: 'Unexpected token', in: 'body' }], { title: 'Malformed JSON' }));
    expect(malformed).toEqual({ status: 422, type: JSON_TYPE, body: { detail: [{ loc: ['body'], msg: 'Unexpected token', type: 'value_error.jsondecode' }] } });
  });
});
