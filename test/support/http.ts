import Fastify, { type FastifyContextConfig, type InjectOptions } from 'fastify';
import type { FieldIssue } from '../../src/domain/errors.js';
import { titleOf, type handleErrorsWith, type NormalizedError } from '../../src/http/errors.js';
import { installValidators } from '../../src/http/validation.js';

/** A surface's error presenter, as handleErrorsWith takes it. */
type ErrorPresenter = Parameters<typeof handleErrorsWith>[1];

/** A failure as a presenter is given it: titled by its status unless `more` says otherwise, internal from 500 up. */
export function normalizedError(status: number, code: string, detail: string, more: Partial<NormalizedError> = {}): NormalizedError {
  return { status, code, title: titleOf(status), detail, issues: [], internal: status >= 500, fromService: false, ...more };
}

/** Input that request validation refused, with these fields at fault. */
export function invalidInput(issues: FieldIssue[], more: Partial<NormalizedError> = {}): NormalizedError {
  return normalizedError(400, 'validation_failed', 'the request is not valid', { title: 'Request validation failed', issues, ...more });
}

export interface Presented {
  status: number;
  type: string | undefined;
  body: any;
}

/** What `present` answers for `error` on a route at `url` (query string and all) with `config`, through a real Fastify reply. */
export async function presented(
  present: ErrorPresenter,
  error: NormalizedError,
  route: { url?: string; config?: FastifyContextConfig } = {},
): Promise<Presented> {
  const url = route.url ?? '/things/1';
  const app = Fastify();
  app.get(url.split('?')[0]!, { config: route.config ?? {} }, (_, reply) => present(reply, error));
  try {
    const response = await app.inject({ method: 'GET', url });
    const type = response.headers['content-type'];
    return { status: response.statusCode, type: typeof type === 'string' ? type : undefined, body: response.json() };
  } finally {
    await app.close();
  }
}

/**
 * The error Fastify itself raises for `request`, on an app that validates as the server does and takes
 * bodies of up to 64 bytes: `POST /things` takes `{"name": string}`; `GET /things/:id` a UUID and an
 * integer `limit`; `GET /guarded` an `x-token` header.
 */
export async function fastifyErrorFor(request: InjectOptions): Promise<unknown> {
  const app = Fastify({ bodyLimit: 64 });
  installValidators(app);
  let raised: unknown;
  app.setErrorHandler((error, _, reply) => {
    raised = error;
    return reply.status(500).send();
  });
  app.post(
    '/things',
    { schema: { body: { type: 'object', required: ['name'], additionalProperties: false, properties: { name: { type: 'string' } } } } },
    () => ({}),
  );
  app.get(
    '/things/:id',
    {
      schema: {
        params: { type: 'object', properties: { id: { type: 'string', format: 'uuid' } } },
        querystring: { type: 'object', properties: { limit: { type: 'integer' } } },
      },
    },
    () => ({}),
  );
  app.get('/guarded', { schema: { headers: { type: 'object', required: ['x-token'], properties: { 'x-token': { type: 'string' } } } } }, () => ({}));
  try {
    await app.inject(request);
  } finally {
    await app.close();
  }
  if (raised === undefined) throw new Error(`${request.method} ${request.url} raised no error`);
  return raised;
}
