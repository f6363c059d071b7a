import type { FastifyInstance, FastifySchemaValidationError } from 'fastify';
import { checkStorable } from '../domain/input-bounds.js';
import { createAjv } from '../domain/validation.js';

/** Marks a body schema that documents a streamed body: its handler reads and checks it as it arrives. */
const STREAMED = 'x-streamed';

/** The schema of a body the handler consumes as a stream (for the OpenAPI document only). */
export function streamedBody(description: string): { type: 'string'; description: string; [STREAMED]: true } {
  return { type: 'string', description, [STREAMED]: true };
}

/**
 * Bodies are validated strictly (no type coercion, unknown fields refused). Query strings, path
 * parameters and headers arrive as text, so there numbers and booleans are coerced, and a repeated
 * parameter becomes an array. Every part is first checked for what no database can store
 * (NUL characters, unpaired surrogates, numbers beyond a double, JSON nested too deep): a 400 naming
 * the field, on every route of every surface.
 */
export function installValidators(app: FastifyInstance): void {
  const bodies = createAjv();
  const parameters = createAjv({ coerceTypes: 'array' });
  app.setValidatorCompiler(({ schema, httpPart }) => {
    if (httpPart !== 'body') return withSafeNumbers(parameters.compile(schema));
    if ((schema as Record<string, unknown>)[STREAMED] === true) return () => true;
    return bodies.compile(schema);
  });
  // Before any schema sees them: text every database can store, finite numbers, bounded depth (src/domain/input-bounds.ts).
  app.addHook('preValidation', async (request) => {
    checkStorable(request.params, '', { in: 'params' });
    checkStorable(request.query, '', { in: 'query' });
    checkStorable(request.body, '', { in: 'body' });
  });
}

/** An Ajv validator's shape, as Fastify calls it: false with `errors` set when the data is refused. */
type Validator = ((data: unknown) => boolean) & { errors?: FastifySchemaValidationError[] | null };

/**
 * A parameter validator that also refuses numbers a query string coerced to but no column or
 * JavaScript integer holds: `Infinity` (which Ajv counts as an integer) and integers beyond 2⁵³
 * (`?offset=1e20`, `9223372036854775808`); a 4xx naming the parameter in the surface's format.
 */
function withSafeNumbers(validate: Validator): Validator {
  const check: Validator = (data) => {
    if (!validate(data)) {
      check.errors = validate.errors ?? null;
      return false;
    }
    const fault = unsafeNumber(data);
    if (!fault) return true;
    check.errors = [
      { instancePath: fault, schemaPath: '#/maximum', keyword: 'maximum', params: {}, message: `must be a finite number within ±${Number.MAX_SAFE_INTEGER}` },
    ];
    return false;
  };
  return check;
}

/** The pointer of the first parameter (or item of a repeated one) holding an unsafe number. */
function unsafeNumber(data: unknown): string | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  for (const [key, value] of Object.entries(data)) {
    for (const [index, item] of (Array.isArray(value) ? value : [value]).entries()) {
      if (typeof item === 'number' && !(Number.isFinite(item) && Math.abs(item) <= Number.MAX_SAFE_INTEGER)) {
        return Array.isArray(value) ? `/${key}/${index}` : `/${key}`;
      }
    }
  }
  return undefined;
}

/**
 * Routes of the surface registered after this that declare no query parameters refuse any (a 400
 * naming the parameter), as its lists refuse unknown ones: `GET /datasets/:id?limit=5` is a mistake
 * to report, not to ignore. The OpenAPI document is unchanged (an empty query is not listed).
 */
export function refuseUnknownQuery(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    const schema = (route.schema ?? {}) as Record<string, unknown>;
    if (schema.querystring !== undefined) return;
    route.schema = { ...schema, querystring: { type: 'object', properties: {}, additionalProperties: false } };
  });
}
