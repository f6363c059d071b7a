import type { DialectName } from '../../../src/store/dialect.js';
import { startTestServer, type TestServer } from '../../support/app.js';
import { useFixture } from '../../support/fixture.js';

export interface HumanloopTestServer extends TestServer {
  /** Sends a request to the Humanloop surface with the admin key in `X-API-KEY` (null: no key). */
  humanloop(options: { method: string; path: string; body?: unknown; key?: string | null }): Promise<{ status: number; body: any }>;
}

/** The whole application on a fresh database, listening on 127.0.0.1 for Humanloop's SDKs. */
export async function startHumanloopServer(dialect: DialectName): Promise<HumanloopTestServer> {
  const t = await startTestServer(dialect);
  return {
    ...t,
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

/** A Humanloop test server for the tests of the enclosing describe (made in beforeAll, closed in afterAll). */
export function useHumanloopServer(dialect: DialectName): HumanloopTestServer {
  return useFixture(
    `the ${dialect} Humanloop test server`,
    () => startHumanloopServer(dialect),
    (t) => t.close(),
  );
}
