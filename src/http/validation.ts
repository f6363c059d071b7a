import type { FastifyInstance } from 'fastify';
import { createAjv } from '../domain/validation.js';

/**
 * Bodies are validated strictly (no type coercion, unknown fields refused). Query strings, path
 * parameters and headers arrive as text, so there numbers and booleans are coerced, and a repeated
 * parameter becomes an array.
 */
export function installValidators(app: FastifyInstance): void {
  const bodies = createAjv();
  const parameters = createAjv({ coerceTypes: 'array' });
  app.setValidatorCompiler(({ schema, httpPart }) =>
    httpPart === 'body' ? bodies.compile(schema) : parameters.compile(schema),
  );
}
