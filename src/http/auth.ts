import type { FastifyInstance, FastifyRequest } from 'fastify';
import { roleAllows, type AccessAction } from '../domain/api-keys.js';
import { ForbiddenError, UnauthorizedError } from '../domain/errors.js';
import type { Actor } from '../domain/types.js';
import { csrfTokenMatches } from '../domain/users.js';
import type { ApiKeyService } from '../services/api-keys.js';
import type { SessionService, SignedIn } from '../services/sessions.js';
import { CSRF_HEADER, readCookie, SESSION_COOKIE, WORKSPACE_HEADER } from './cookies.js';

/**
 * What a route needs of the caller: a role (`read`, `write`, `admin`), `score` (writing scores:
 * the review, write and admin roles), `signed-in` (a user's own account: a session, no workspace
 * role), or nothing at all (`public`).
 */
export type Access = AccessAction | 'public' | 'signed-in';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Overrides the default: `read` for GET and HEAD, `write` for everything else. */
    access?: Access;
  }
  interface FastifyRequest {
    /** Set by the auth hook on every route that needs a role. */
    actor: Actor;
    /** Set when the request came with a valid session cookie. */
    signedIn: SignedIn | null;
    /** The session cookie's token, when it came with one that is valid. */
    sessionToken: string | null;
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
    const access = accessOf(request);
    if (access === 'public') return;
    const presented = readKey(request);
    if (!presented) throw new UnauthorizedError('An API key is required');
    request.actor = await keyActor(keys, presented, access);
  });
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * As requireApiKey, and a signed-in user's session cookie is taken too (the web UI's way). A request
 * with a key is a program's: it needs no CSRF token. A request made with the cookie alone that
 * changes anything must carry the session's CSRF token in `x-csrf-token`: another site can make a
 * browser send the cookie, never read the token. The actor is the user in the workspace named by
 * `x-evalstore-workspace` (else their first), with their role there.
 */
export function requireKeyOrSession(app: FastifyInstance, auth: { keys: ApiKeyService; sessions: SessionService }, readKey: KeyReader): void {
  app.addHook('onRequest', async (request) => {
    const access = accessOf(request);
    const presented = readKey(request);
    if (presented) {
      if (access === 'public') return;
      if (access === 'signed-in') throw new UnauthorizedError('This route is a signed-in user’s own: it takes the session cookie, not an API key');
      request.actor = await keyActor(auth.keys, presented, access);
      return;
    }
    const token = readCookie(request, SESSION_COOKIE);
    if (!token) {
      if (access === 'public') return;
      throw new UnauthorizedError('An API key or a signed-in session is required');
    }
    let signedIn: SignedIn;
    try {
      signedIn = await auth.sessions.authenticate(token);
    } catch (error) {
      // A stale cookie does not stand in the way of public routes (signing in again).
      if (access === 'public') return;
      throw error;
    }
    if (!SAFE_METHODS.has(request.method)) {
      const csrf = headerValue(CSRF_HEADER)(request);
      if (!csrf || !csrfTokenMatches(token, csrf)) {
        // Public routes (signing in) are served as to a stranger.
        if (access === 'public') return;
        throw new ForbiddenError(`A request made with the session cookie must carry the session's CSRF token in ${CSRF_HEADER} (see GET /api/v1/auth/me)`);
      }
    }
    request.signedIn = signedIn;
    request.sessionToken = token;
    if (access === 'public' || access === 'signed-in') return;
    const actor = await auth.sessions.actorFor(signedIn, headerValue(WORKSPACE_HEADER)(request));
    if (!roleAllows(actor.role, access)) throw new ForbiddenError(`Your role in this workspace is ${actor.role}; the request needs ${access}`);
    request.actor = actor;
  });
}

async function keyActor(keys: ApiKeyService, presented: string, access: AccessAction | 'signed-in'): Promise<Actor> {
  const actor = await keys.authenticate(presented);
  if (access === 'signed-in') throw new UnauthorizedError('This route needs a signed-in user');
  if (!roleAllows(actor.role, access)) {
    throw new ForbiddenError(`This API key has the ${actor.role} role; the request needs ${access}`);
  }
  return actor;
}

function accessOf(request: FastifyRequest): Access {
  return request.routeOptions.config?.access ?? defaultAccess(request.method);
}

function defaultAccess(method: string): AccessAction {
  return method === 'GET' || method === 'HEAD' ? 'read' : 'write';
}
