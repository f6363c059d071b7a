import type { FastifyInstance } from 'fastify';
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
    if (httpPart !== 'body') return parameters.compile(schema);
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
