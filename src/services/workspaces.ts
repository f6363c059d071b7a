import type { ApiKeyRole } from '../domain/api-keys.js';
import { ConflictError, NotFoundError } from '../domain/errors.js';
import { newId, parseId } from '../domain/ids.js';
import { nowIso } from '../domain/time.js';
import type { Workspace } from '../domain/types.js';
import type { Store, Transaction } from '../store/database.js';
import type { ApiKeyService, CreatedApiKey } from './api-keys.js';
import type { ProjectService } from './projects.js';
import { writeUnique } from './unique.js';

const BOOTSTRAP_LOCK = 0x65767374; // "evst"

export interface CreatedWorkspace {
  workspace: Workspace;
  admin: CreatedApiKey;
}

export class WorkspaceService {
  constructor(
    private readonly store: Store,
    private readonly keys: ApiKeyService,
    private readonly projects: ProjectService,
  ) {}

  /** A workspace comes with its default project and a first admin key. */
  async create(name: string, options: { adminKey?: string } = {}): Promise<CreatedWorkspace> {
    return this.store.transaction((tx) => this.createIn(tx, name, options.adminKey));
  }

  /**
   * First start: when the store holds no workspace, makes one with an admin key and answers it;
   * otherwise answers null. Safe when several servers start at once on one database.
   */
  async bootstrap(options: { adminKey?: string } = {}): Promise<CreatedWorkspace | null> {
    return this.store.transaction(async (tx) => {
      await this.store.sql.transactionLock(BOOTSTRAP_LOCK).execute(tx);
      const existing = await tx.selectFrom('workspaces').select('id').limit(1).executeTakeFirst();
      if (existing) return null;
      return this.createIn(tx, 'default', options.adminKey);
    });
  }

  async list(): Promise<Workspace[]> {
    return this.store.db.selectFrom('workspaces').selectAll().orderBy('created_at').orderBy('id').execute();
  }

  /** Finds a workspace by id or by (unique) name. */
  async find(idOrName: string): Promise<Workspace> {
    const id = parseId(idOrName);
    const row = await this.store.db
      .selectFrom('workspaces')
      .selectAll()
      .where((eb) => (id ? eb.or([eb('id', '=', id), eb('name', '=', idOrName)]) : eb('name', '=', idOrName)))
      .executeTakeFirst();
    if (!row) throw new NotFoundError('Workspace', idOrName);
    return row;
  }

  private async createIn(tx: Transaction, name: string, adminKey: string | undefined): Promise<CreatedWorkspace> {
    const workspace: Workspace = { id: newId(), name, created_at: nowIso() };
    await writeUnique(
      () => tx.insertInto('workspaces').values(workspace).execute(),
      () => new ConflictError(`A workspace named ${JSON.stringify(name)} already exists`, [{ pointer: '/name', detail: 'is already taken' }]),
    );
    await this.projects.createDefault(workspace.id, { transaction: tx });
    const role: ApiKeyRole = 'admin';
    const admin = await this.keys.create(workspace.id, { name: 'admin', role, chosenKey: adminKey }, { transaction: tx });
    return { workspace, admin };
  }
}
