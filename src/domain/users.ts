import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { ValidationError } from './errors.js';

/** Passwords: long enough to resist guessing, short enough that hashing them stays cheap. */
export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 256;

/** A session lasts while used (idle) and never beyond its absolute lifetime. */
export const SESSION_IDLE_MS = 12 * 60 * 60 * 1000;
export const SESSION_ABSOLUTE_MS = 14 * 24 * 60 * 60 * 1000;
/** Invitations and password resets are good for this long, once. */
export const INVITATION_TTL_MS = 7 * 24 * 60 * 60 * 1000;
export const RESET_TTL_MS = 24 * 60 * 60 * 1000;

/** Failed sign-ins counted over this window; past either limit, sign-in answers 429 until they age out. */
export const SIGN_IN_WINDOW_MS = 15 * 60 * 1000;
export const SIGN_IN_FAILURES_PER_EMAIL = 5;
export const SIGN_IN_FAILURES_PER_IP = 20;

const SESSION_PREFIX = 'ess_';
const TOKEN_PREFIX = 'est_';
const TOKEN_HASH_LABEL = 'evalstore-user-token-v1';
const CSRF_LABEL = 'evalstore-csrf-v1';

/** A random token of 256 bits for a session cookie. */
export function generateSessionToken(): string {
  return SESSION_PREFIX + randomBytes(32).toString('base64url');
}

/** A random token of 256 bits for an invitation or a password reset. */
export function generateOneTimeToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

/** Tokens are random, so a keyed hash stores them safely and finds them in O(1) (as API keys). */
export function hashToken(token: string): string {
  return createHmac('sha256', TOKEN_HASH_LABEL).update(token).digest('hex');
}

/**
 * The CSRF token of a session: derived from the session's own token, so only who holds the cookie can
 * know it (it is served by /auth/me), nothing more is stored, and it dies with the session.
 */
export function csrfTokenOf(sessionToken: string): string {
  return createHmac('sha256', CSRF_LABEL).update(sessionToken).digest('base64url');
}

export function csrfTokenMatches(sessionToken: string, presented: string): boolean {
  const expected = Buffer.from(csrfTokenOf(sessionToken));
  const given = Buffer.from(presented);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** One address, one account: emails compare without case and surrounding blanks. */
export function normalizeEmail(email: string, pointer = '/email'): string {
  const normalized = email.trim().toLowerCase();
  if (!/^[^\s@]+@[^\s@]+$/.test(normalized) || normalized.length > 320) throw ValidationError.field(pointer, 'must be an email address');
  return normalized;
}

export function checkPassword(password: string, pointer = '/password'): void {
  if (password.length < PASSWORD_MIN_LENGTH) throw ValidationError.field(pointer, `must be at least ${PASSWORD_MIN_LENGTH} characters long`);
  if (password.length > PASSWORD_MAX_LENGTH) throw ValidationError.field(pointer, `must be at most ${PASSWORD_MAX_LENGTH} characters long`);
}
