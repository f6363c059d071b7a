import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { buildApp, type AppOptions } from '../../src/server.js';
import { createServices, type Services } from '../../src/services/index.js';
import type { DialectName } from '../../src/store/dialect.js';
import { createTestStore, type TestStore } from './databases.js';

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

/** The whole HTTP application over a fresh database, with one workspace and its admin key. */
export async function createTestApp(dialect: DialectName, options: AppOptions = {}): Promise<TestApp> {
  const testStore = await createTestStore(dialect);
  const services = createServices(testStore.store);
  const created = await services.workspaces.bootstrap();
  if (!created) throw new Error('a fresh store must bootstrap');
  const app = await buildApp(services, options);
  await app.ready();
  const adminKey = created.admin.key;
  return {
    app,
    services,
    testStore,
    workspaceId: created.workspace.id,
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
