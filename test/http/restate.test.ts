import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError, ValidationError } from '../../src/domain/errors.js';
import { handleErrorsWith, type NormalizedError } from '../../src/http/errors.js';

/** A tiny app whose routes throw what a service would, answered as the normalized error itself. */
async function appWith(terms: Parameters<typeof handleErrorsWith>[2]): Promise<FastifyInstance> {
  const app = Fastify();
  handleErrorsWith(app, (reply, error: NormalizedError) => reply.status(error.status).send(error), terms);
  app.post('/records', {
    config: { restate: { lists: [['/add', '/data/attributes/records']], fields: [['record_id', 'example_id']], words: [['Run', 'Log']] } },
    handler: async () => {
      throw new ValidationError('/add/2/record_id must be a UUID (Run 3)', [{ pointer: '/add/2/record_id', detail: 'must be a UUID' }]);
    },
  });
  app.post('/located', {
    config: { restate: { locate: (pointer, request) => `/${(request.query as { part: string }).part}${pointer}` } },
    handler: async () => {
      throw ValidationError.field('/input', 'is required');
    },
  });
  app.post('/nested', {
    config: {
      restate: {
        fields: [
          ['record/input', 'inputs'],
          ['metadata', 'extra/metadata'],
        ],
      },
    },
    handler: async () => {
      throw new ValidationError('/runs/1/record/input differs', [
        { pointer: '/runs/1/record/input', detail: 'differs' },
        { pointer: '/runs/0/metadata/team', detail: 'must be a string' },
      ]);
    },
  });
  app.get('/things/:id', async (request) => {
    throw new NotFoundError('Dataset', `0194f1d2-7c1e-7a3b-9c2d-4e5f6071829${(request.params as { id: string }).id.length % 10}`);
  });
  app.post('/query-fault', {
    config: { restate: { lists: [['/cursor', '/page']] } },
    handler: async () => {
      throw ValidationError.field('/cursor', 'is not a cursor', { in: 'query' });
    },
  });
  app.post('/rows', {
    config: { restate: { lists: [['/add', '/examples']], fields: [['input', '']] } },
    handler: async () => {
      throw new ValidationError('/add/3/input/q and /add/4/input are wrong', [
        { pointer: '/add/3/input/q', detail: 'must be a string' },
        { pointer: '/add/4/input', detail: 'is too large' },
      ]);
    },
  });
  app.get('/versioned', {
    config: { restate: { lists: [['/version', '/body_version']], query: [['/version', '/dataset_version_id']] } },
    handler: async () => {
      throw new NotFoundError('Version', 9, [{ pointer: '/version', detail: 'names no version', in: 'query' }]);
    },
  });
  await app.ready();
  return app;
}

describe('restating service faults in the terms of the request', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await appWith({ idOf: (text) => (text.startsWith('ds_') ? `0194f1d2-7c1e-7a3b-9c2d-4e5f6071829${text.length % 10}` : undefined) });
  });
  afterAll(() => app.close());

  it('moves list prefixes, renames fields and words, in the pointers and in the message', async () => {
    const response = await app.inject({ method: 'POST', url: '/records', payload: {} });
    const error = response.json<NormalizedError>();
    expect(response.statusCode).toBe(400);
    expect(error.fromService).toBe(true);
    expect(error.issues).toEqual([{ pointer: '/data/attributes/records/2/example_id', detail: 'must be a UUID' }]);
    expect(error.detail).toBe('/data/attributes/records/2/example_id must be a UUID (Log 3)');
  });

  it('renames fields that sit at another depth in the request: a name may span segments', async () => {
    const error = (await app.inject({ method: 'POST', url: '/nested', payload: {} })).json<NormalizedError>();
    expect(error.issues.map((issue) => issue.pointer)).toEqual(['/runs/1/inputs', '/runs/0/extra/metadata/team']);
    expect(error.detail).toBe('/runs/1/inputs differs');
  });

  it('lets a route locate a pointer with what only the request tells', async () => {
    const error = (await app.inject({ method: 'POST', url: '/located?part=example', payload: {} })).json<NormalizedError>();
    expect(error.issues[0]!.pointer).toBe('/example/input');
    expect(error.detail).toBe('/example/input is required');
  });

  it('shows ids as the request sent them', async () => {
    const response = await app.inject({ method: 'GET', url: '/things/ds_abc' });
    expect(response.statusCode).toBe(404);
    expect(response.json<NormalizedError>().detail).toBe('Dataset "ds_abc" not found');
  });

  it('leaves faults that name their request part as they are', async () => {
    const error = (await app.inject({ method: 'POST', url: '/query-fault', payload: {} })).json<NormalizedError>();
    expect(error.fromService).toBe(false);
    expect(error.issues).toEqual([{ pointer: '/cursor', detail: 'is not a cursor', in: 'query' }]);
  });

  it("drops a field the request has no name for: its item is that field's value", async () => {
    const error = (await app.inject({ method: 'POST', url: '/rows', payload: {} })).json<NormalizedError>();
    expect(error.issues.map((issue) => issue.pointer)).toEqual(['/examples/3/q', '/examples/4']);
    expect(error.detail).toBe('/examples/3/q and /examples/4 are wrong');
  });

  it("renames the query parameters a service names as its query's, and only by the query rule", async () => {
    const error = (await app.inject({ method: 'GET', url: '/versioned' })).json<NormalizedError>();
    expect(error.fromService).toBe(false);
    expect(error.issues).toEqual([{ pointer: '/dataset_version_id', detail: 'names no version', in: 'query' }]);
  });
});
