import type { FastifyReply, FastifyRequest } from 'fastify';

/** The sign-in session's cookie. */
export const SESSION_COOKIE = 'evalstore_session';
/** The header a session's state-changing requests carry its CSRF token in. */
export const CSRF_HEADER = 'x-csrf-token';
/** The header a signed-in user names the workspace of a request with (else their first). */
export const WORKSPACE_HEADER = 'x-evalstore-workspace';

/** The value of one cookie of the request's Cookie header. */
export function readCookie(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() !== name) continue;
    const value = part.slice(eq + 1).trim();
    try {
      return decodeURIComponent(value) || undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/**
 * Sets the session cookie: HttpOnly (no script reads it), SameSite=Lax (not sent by other sites'
 * subrequests or form posts), Secure when the request came over HTTPS. `request.protocol` follows
 * X-Forwarded-Proto only when the server trusts its proxy (EVALSTORE_TRUST_PROXY).
 */
export function setSessionCookie(request: FastifyRequest, reply: FastifyReply, token: string, expiresAt: string): void {
  const maxAge = Math.max(0, Math.floor((Date.parse(expiresAt) - Date.now()) / 1000));
  reply.header('set-cookie', cookieLine(request, token, maxAge));
}

export function clearSessionCookie(request: FastifyRequest, reply: FastifyReply): void {
  reply.header('set-cookie', cookieLine(request, '', 0));
}

function cookieLine(request: FastifyRequest, value: string, maxAge: number): string {
  const parts = [`${SESSION_COOKIE}=${value}`, 'Path=/', `Max-Age=${maxAge}`, 'HttpOnly', 'SameSite=Lax'];
  if (request.protocol === 'https') parts.push('Secure');
  return parts.join('; ');
}
