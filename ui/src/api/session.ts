/**
 * The API key the UI signs in with. It stays in this browser's localStorage until sign-out, and goes
 * to the server only in the Authorization header of API requests.
 */
const STORAGE_KEY = 'evalstore.api_key';
const UNAUTHORIZED_EVENT = 'evalstore:unauthorized';

export function storedKey(): string | null {
  return window.localStorage.getItem(STORAGE_KEY);
}

export function storeKey(key: string): void {
  window.localStorage.setItem(STORAGE_KEY, key);
}

export function forgetKey(): void {
  window.localStorage.removeItem(STORAGE_KEY);
}

/**
 * Signed in with email and password instead, the session is an HttpOnly cookie this page cannot read;
 * what it keeps (in memory only) is the session's CSRF token, sent as x-csrf-token with every request.
 * A reload asks the server for it again (GET /auth/me, which the cookie alone may call).
 */
let csrfToken: string | null = null;

export function storedCsrfToken(): string | null {
  return csrfToken;
}

export function storeCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Told when the server refuses the stored key (revoked, or another server's), so the UI can sign out. */
export function reportUnauthorized(): void {
  window.dispatchEvent(new Event(UNAUTHORIZED_EVENT));
}

export function onUnauthorized(listener: () => void): () => void {
  window.addEventListener(UNAUTHORIZED_EVENT, listener);
  return () => window.removeEventListener(UNAUTHORIZED_EVENT, listener);
}
