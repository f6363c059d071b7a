import type { FastifyInstance, FastifyRequest } from 'fastify';
import { roleAllows, type ApiKeyRole } from '../domain/api-keys.js';
import { ForbiddenError, UnauthorizedError } from '../domain/errors.js';
import type { Actor } from '../domain/types.js';
import type { ApiKeyService } from '../services/api-keys.js';

/** What a route needs of the caller: `public` routes need no key at all. */
export type Access = ApiKeyRole | 'public';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Overrides the default: `read` for GET and HEAD, `write` for everything else. */
    access?: Access;
  }
  interface FastifyRequest {
    /** Set by the auth hook on every route that is not public. */
    actor: Actor;
  }
}

/** Finds the key a request presents, in the header(s) its surface uses. */
export type KeyReader = (request: FastifyRequest) => string | undefined;

export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  const match = header ? /^Bearer\s+(.+)$/i.exec(header) : null;
  return match?.[1]?.trim() || undefined;
}

export function headerValue(name: string): KeyReader {
  return (request) => {
    const value = request.headers[name];
    return (Array.isArray(value) ? value[0] : value)?.trim() || undefined;
  };
}

export function firstKey(...readers: KeyReader[]): KeyReader {
  return (request) => {
    for (const read of readers) {
      const key = read(request);
      if (key) return key;
    }
    return undefined;
  };
}

/**
 * Guards every route of the plugin it is added to: the caller must present a valid key whose role
 * allows the route. The actor is then on `request.actor`, confining the request to its workspace.
 */
export function requireApiKey(app: FastifyInstance, keys: ApiKeyService, readKey: KeyReader): void {
  app.addHook('onRequest', async (request) => {
    const access = request.routeOptions.config?.access ?? defaultAccess(request.method);
    if (access === 'public') return;
    const presented = readKey(request);
    if (!presented) throw new UnauthorizedError('An API key is required');
    const actor = await keys.authenticate(presented);
    if (!roleAllows(actor.role, access)) {
      throw new ForbiddenError(`This API key has the ${actor.role} role; the request needs ${access}`);
    }
    request.actor = actor;
  });
}

function defaultAccess(method: string): ApiKeyRole {
  return method === 'GET' || method === 'HEAD' ? 'read' : 'write';
}
