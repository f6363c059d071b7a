import { createTestApp, type TestApp } from '../../support/app.js';
import type { DialectName } from '../../../src/store/dialect.js';

export interface HumanloopTestServer extends TestApp {
  /** Where the server listens on 127.0.0.1, e.g. `http://127.0.0.1:40123`. */
  origin: string;
  /** Sends a request to the Humanloop surface with the admin key in `X-API-KEY` (null: no key). */
  humanloop(options: { method: string; path: string; body?: unknown; key?: string | null }): Promise<{ status: number; body: any }>;
}

/** The whole application on a fresh database, listening on 127.0.0.1 for Humanloop's SDKs. */
export async function startHumanloopServer(dialect: DialectName): Promise<HumanloopTestServer> {
  const t = await createTestApp(dialect);
  const origin = await t.app.listen({ port: 0, host: '127.0.0.1' });
  return {
    ...t,
    origin,
    humanloop: async ({ method, path, body, key }) => {
      const response = await t.app.inject({
        method: method as 'GET',
        url: `/humanloop${path}`,
        headers: { ...(key === null ? {} : { 'x-api-key': key ?? t.adminKey }), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
      });
      return { status: response.statusCode, body: response.body ? JSON.parse(response.body) : undefined };
    },
  };
}
