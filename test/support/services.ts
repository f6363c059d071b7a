import type { Actor, Workspace } from '../../src/domain/types.js';
import type { CreatedApiKey } from '../../src/services/api-keys.js';
import { createServices, type Services } from '../../src/services/index.js';
import type { DialectName } from '../../src/store/dialect.js';
import { createTestStore, type TestStore } from './databases.js';
import { useFixture } from './fixture.js';

export interface TestServices {
  testStore: TestStore;
  services: Services;
  /** The one workspace of the fresh store, and its first admin key. */
  workspace: Workspace;
  admin: CreatedApiKey;
  /** The admin key as services see their caller. */
  actor: Actor;
  close(): Promise<void>;
}

/** The services over a fresh, migrated store, bootstrapped as a server's first start does it. */
export async function createTestServices(dialect: DialectName): Promise<TestServices> {
  const testStore = await createTestStore(dialect);
  const services = createServices(testStore.store);
  const created = await services.workspaces.bootstrap();
  if (!created) throw new Error('a fresh store must bootstrap');
  const { workspace, admin } = created;
  return {
    testStore,
    services,
    workspace,
    admin,
    actor: { workspaceId: workspace.id, keyId: admin.apiKey.id, name: 'admin', role: 'admin' },
    close: () => testStore.close(),
  };
}

/** Services on a fresh store for the tests of the enclosing describe (made in beforeAll, closed in afterAll). */
export function useTestServices(dialect: DialectName): TestServices {
  return useFixture(
    `the ${dialect} test services`,
    () => createTestServices(dialect),
    (t) => t.close(),
  );
}
