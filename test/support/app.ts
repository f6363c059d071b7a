import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { buildApp, type AppOptions } from '../../src/server.js';
import type { Services } from '../../src/services/index.js';
import type { DialectName } from '../../src/store/dialect.js';
import type { TestStore } from './databases.js';
import { useFixture } from './fixture.js';
import { createTestServices } from './services.js';

export interface TestApp {
  app: FastifyInstance;
  services: Services;
  testStore: TestStore;
  workspaceId: string;
  /** The admin key of the test workspace. */
  adminKey: string;
  /** Sends a request with the admin key unless `key` says otherwise (null: no key at all). */
  call(options: InjectOptions & { key?: string | null }): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

/** A test app that also listens on 127.0.0.1, for clients that speak real HTTP. */
export interface TestServer extends TestApp {
  /** Where it listens, e.g. `http://127.0.0.1:40123`. */
  url: string;
}

/** The whole HTTP application over a fresh database, with one workspace and its admin key. */
export async function createTestApp(dialect: DialectName, options: AppOptions = {}): Promise<TestApp> {
  const { services, testStore, workspace, admin } = await createTestServices(dialect);
  const app = await buildApp(services, options);
  await app.ready();
  const adminKey = admin.key;
  return {
    app,
    services,
    testStore,
    workspaceId: workspace.id,
    adminKey,
    call: ({ key, headers, ...options }) =>
      app.inject({
        ...options,
        headers: { ...(key === null ? {} : { authorization: `Bearer ${key ?? adminKey}` }), ...headers },
      }),
    close: async () => {
      await app.close();
      await testStore.close();
    },
  };
}

/** The whole HTTP application over a fresh database, listening on a free port of 127.0.0.1. */
export async function startTestServer(dialect: DialectName, options: AppOptions = {}): Promise<TestServer> {
  const t = await createTestApp(dialect, options);
  try {
    return { ...t, url: await t.app.listen({ port: 0, host: '127.0.0.1' }) };
  } catch (error) {
    await t.close();
    throw error;
  }
}

/** An app on a fresh store for the tests of the enclosing describe (made in beforeAll, closed in afterAll). */
export function useTestApp(dialect: DialectName, options: AppOptions = {}): TestApp {
  return useFixture(
    `the ${dialect} test app`,
    () => createTestApp(dialect, options),
    (t) => t.close(),
  );
}

/** A listening app on a fresh store for the tests of the enclosing describe (made in beforeAll, closed in afterAll). */
export function useTestServer(dialect: DialectName, options: AppOptions = {}): TestServer {
  return useFixture(
    `the ${dialect} test server`,
    () => startTestServer(dialect, options),
    (t) => t.close(),
  );
}
