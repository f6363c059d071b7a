import { Evalstore } from '../../../src/client/client.js';
import { reportUnauthorized, storedCsrfToken, storedKey } from './session.js';

/**
 * The native API as this page calls it: through the published client (src/client), on the server
 * that serves the page, with the key signed in with, or else the session cookie and its CSRF token.
 * A refused key or session signs the page out.
 */
export const evalstore = new Evalstore({
  url: window.location.origin,
  apiKey: storedKey,
  session: { csrfToken: storedCsrfToken },
  onUnauthorized: reportUnauthorized,
});

/** The client of a key not signed in with yet: its refusal answers the sign-in, and signs nobody out. */
export const clientOfKey = (apiKey: string) => new Evalstore({ url: window.location.origin, apiKey });

export { EvalstoreError } from '../../../src/client/errors.js';
