import { Evalstore } from '../../../src/client/client.js';
import { EvalstoreError } from '../../../src/client/errors.js';
import { reportUnauthorized, storedKey } from './session.js';

/**
 * The native API as this page calls it: through the published client (src/client), on the server
 * that serves the page, with the key signed in with. A refused key signs the session out.
 */
export const evalstore = new Evalstore({ url: window.location.origin, apiKey: storedKey, onUnauthorized: reportUnauthorized });

/** The client of a key not signed in with yet: its refusal answers the sign-in, and signs nobody out. */
export const clientOfKey = (apiKey: string) => new Evalstore({ url: window.location.origin, apiKey });

export { EvalstoreError };

/**
 * What the UI says of a failure: the server's words, or, when it did not answer, what to check (the
 * browser's own words for it, such as "Failed to fetch", tell a person nothing).
 */
export function failureDetail(error: unknown): string {
  if (error instanceof EvalstoreError) {
    return error.code === 'connection_failed' ? 'The server did not answer. Check that it is running and that this page is served by it.' : error.detail;
  }
  return error instanceof Error ? error.message : String(error);
}
