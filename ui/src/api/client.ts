import { Evalstore } from '../../../src/client/client.js';
import { reportUnauthorized, storedKey } from './session.js';

/**
 * The native API as this page calls it: through the published client (src/client), on the server
 * that serves the page, with the key signed in with. A refused key signs the session out.
 */
export const evalstore = new Evalstore({ url: window.location.origin, apiKey: storedKey, onUnauthorized: reportUnauthorized });

/** The client of a key not signed in with yet: its refusal answers the sign-in, and signs nobody out. */
export const clientOfKey = (apiKey: string) => new Evalstore({ url: window.location.origin, apiKey });

export { EvalstoreError } from '../../../src/client/errors.js';
