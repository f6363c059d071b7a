import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  PayloadTooLargeError,
  UnauthorizedError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../../src/domain/errors.js';
import { handleErrorsWith, normalizeError, titleOf, type NormalizedError } from '../../src/http/errors.js';
import { fastifyErrorFor } from '../support/http.js';

const INTERNAL: NormalizedError = {
  status: 500,
  code: 'internal_error',
  title: 'Internal server error',
  detail: 'The server failed to handle the request; the failure is logged.',
  issues: [],
  internal: true,
  fromService: false,
};

describe('normalizeError', () => {
  it("keeps a service fault's status, code, message and fields, titled by its status", () => {
    const invalid = ValidationError.field('/records/3/input', 'is required', { in: 'body' });
    expect(normalizeError(invalid)).toEqual({
      status: 400,
      code: 'validation_failed',
      title: 'Bad request',
      detail: '/records/3/input is required',
      issues: [{ pointer: '/records/3/input', detail: 'is required', in: 'body' }],
      internal: false,
      fromService: false,
    });
    const faults = [
      [new NotFoundError('Dataset', 'qa'), 404, 'not_found', 'Not found', 'Dataset "qa" not found'],
      [new ConflictError('the name is taken'), 409, 'conflict', 'Conflict', 'the name is taken'],
      [new UnauthorizedError('no key'), 401, 'unauthorized', 'Unauthorized', 'no key'],
      [new ForbiddenError('read-only key'), 403, 'forbidden', 'Forbidden', 'read-only key'],
      [new PayloadTooLargeError('line 3 is too long'), 413, 'payload_too_large', 'Payload too large', 'line 3 is too long'],
      [new UnsupportedMediaTypeError('not CSV'), 415, 'unsupported_media_type', 'Unsupported media type', 'not CSV'],
    ] as const;
    // A fault a service found in its own input names no request part: the surface restates it.
    expect(normalizeError(ValidationError.field('/add/0/input', 'is required')).fromService).toBe(true);
    for (const [error, status, code, title, detail] of faults) {
      expect(normalizeError(error)).toEqual({ status, code, title, detail, issues: [], internal: false, fromService: false });
    }
  });

  it("turns Fastify's validation errors into the fields at fault, in the part of the request they are in", async () => {
    const body = await fastifyErrorFor({ method: 'POST', url: '/things', payload: {} });
    expect(normalizeError(body)).toEqual({
      status: 400,
      code: 'validation_failed',
      title: 'Request validation failed',
      detail: 'body /name is required',
      issues: [{ pointer: '/name', detail: 'is required', in: 'body' }],
      internal: false,
      fromService: false,
    });
    const unknownField = normalizeError(await fastifyErrorFor({ method: 'POST', url: '/things', payload: { name: 'a', extra: 1 } }));
    expect(unknownField.issues).toEqual([{ pointer: '/extra', detail: 'is not a known field', in: 'body' }]);
    const query = normalizeError(await fastifyErrorFor({ method: 'GET', url: '/things/0f8fad5b-d9cb-469f-a165-70867728950e?limit=many' }));
    expect(query).toMatchObject({
      status: 400,
      detail: 'query /limit must be integer',
      issues: [{ pointer: '/limit', detail: 'must be integer', in: 'query' }],
    });
    const params = normalizeError(await fastifyErrorFor({ method: 'GET', url: '/things/abc' }));
    expect(params).toMatchObject({ detail: 'params /id must match format "uuid"', issues: [{ pointer: '/id', in: 'params' }] });
    const headers = normalizeError(await fastifyErrorFor({ method: 'GET', url: '/guarded' }));
    expect(headers).toMatchObject({ detail: 'headers /x-token is required', issues: [{ pointer: '/x-token', detail: 'is required', in: 'headers' }] });
    expect(normalizeError({ validation: [], validationContext: 'body' })).toMatchObject({ status: 400, detail: 'The request is not valid', issues: [] });
  });

  it('answers a body that is not JSON as malformed JSON, naming the body', async () => {
    const error = await fastifyErrorFor({ method: 'POST', url: '/things', payload: '{"name":', headers: { 'content-type': 'application/json' } });
    const detail = "Body is not valid JSON but content-type is set to 'application/json'";
    expect(normalizeError(error)).toEqual({
      status: 400,
      code: 'validation_failed',
      title: 'Malformed JSON',
      detail,
      issues: [{ pointer: '', detail, in: 'body' }],
      internal: false,
      fromService: false,
    });
    expect(normalizeError(new SyntaxError('Unexpected end of JSON input'))).toMatchObject({
      status: 400,
      title: 'Malformed JSON',
      detail: 'Unexpected end of JSON input',
    });
    const empty = await fastifyErrorFor({ method: 'POST', url: '/things', payload: '', headers: { 'content-type': 'application/json' } });
    expect(normalizeError(empty)).toEqual({
      status: 400,
      code: 'validation_failed',
      title: 'Bad request',
      detail: "Body cannot be empty when content-type is set to 'application/json'",
      issues: [],
      internal: false,
      fromService: false,
    });
  });

  it("answers Fastify's refusals of a body too large or of an unknown media type with their own codes", async () => {
    const tooLarge = await fastifyErrorFor({ method: 'POST', url: '/things', payload: { name: 'x'.repeat(100) } });
    expect(normalizeError(tooLarge)).toEqual({
      status: 413,
      code: 'payload_too_large',
      title: 'Payload too large',
      detail: 'Request body is too large',
      issues: [],
      internal: false,
      fromService: false,
    });
    const form = await fastifyErrorFor({ method: 'POST', url: '/things', payload: 'name=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(normalizeError(form)).toMatchObject({ status: 415, code: 'unsupported_media_type', title: 'Unsupported media type' });
  });

  it('gives other client errors a code for their status', () => {
    const withStatus = (statusCode: number, message: string) => Object.assign(new Error(message), { statusCode });
    expect(normalizeError(withStatus(404, 'gone'))).toEqual({
      status: 404,
      code: 'not_found',
      title: 'Not found',
      detail: 'gone',
      issues: [],
      internal: false,
      fromService: false,
    });
    expect(normalizeError(withStatus(409, 'busy'))).toMatchObject({ code: 'conflict' });
    expect(normalizeError(withStatus(418, 'teapot'))).toEqual({
      status: 418,
      code: 'bad_request',
      title: 'Client error',
      detail: 'teapot',
      issues: [],
      internal: false,
      fromService: false,
    });
  });

  it('answers anything else as an internal error that shows none of its details', () => {
    expect(normalizeError(new Error('connect ECONNREFUSED postgres://admin:secret@db'))).toEqual(INTERNAL);
    expect(normalizeError(new TypeError("Cannot read properties of undefined (reading 'id')"))).toEqual(INTERNAL);
    expect(normalizeError('a thrown string')).toEqual(INTERNAL);
    expect(normalizeError(Object.assign(new Error('pool exhausted'), { statusCode: 503 }))).toEqual({ ...INTERNAL, status: 503 });
  });
});

describe('titleOf', () => {
  it('names the usual statuses, and others by their class', () => {
    expect([400, 404, 422, 429, 503].map(titleOf)).toEqual(['Bad request', 'Not found', 'Unprocessable content', 'Too many requests', 'Service unavailable']);
    expect([418, 507].map(titleOf)).toEqual(['Client error', 'Server error']);
  });
});

describe('handleErrorsWith', () => {
  it("hands the surface's presenter every failure normalized, unknown routes as not found", async () => {
    const app = Fastify();
    const seen: NormalizedError[] = [];
    handleErrorsWith(app, (reply, error) => {
      seen.push(error);
      return reply.status(error.status).send({ presented: error.code });
    });
    app.get('/conflict', async () => {
      throw new ConflictError('taken');
    });
    app.get('/broken', async () => {
      throw new Error('secret');
    });
    try {
      const conflict = await app.inject({ method: 'GET', url: '/conflict' });
      expect([conflict.statusCode, conflict.json()]).toEqual([409, { presented: 'conflict' }]);
      expect((await app.inject({ method: 'GET', url: '/broken' })).statusCode).toBe(500);
      const missing = await app.inject({ method: 'POST', url: '/nowhere?x=1' });
      expect(missing.statusCode).toBe(404);
      expect(seen).toEqual([
        expect.objectContaining({ code: 'conflict', detail: 'taken' }),
        INTERNAL,
        expect.objectContaining({ status: 404, code: 'not_found', detail: 'Route "POST /nowhere" not found' }),
      ]);
    } finally {
      await app.close();
    }
  });
});
