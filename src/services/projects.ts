import type { Kysely } from 'kysely';
import { ConflictError, NotFoundError } from '../domain/errors.js';
import { newId, parseId } from '../domain/ids.js';
import type { JsonObject } from '../domain/json.js';
import { nowIso } from '../domain/time.js';
import type { Actor, Project } from '../domain/types.js';
import type { Store } from '../store/database.js';
import type { Database, ProjectTable } from '../store/schema.js';
import { decodeCursor, pageSize, toPage, type Page } from './pagination.js';
import { writeUnique } from './unique.js';

export interface ProjectInput {
  name: string;
  description?: string | null;
  metadata?: JsonObject;
}

export const DEFAULT_PROJECT_NAME = 'Default';

/** Projects group datasets inside a workspace; every workspace has a default one. */
export class ProjectService {
  constructor(private readonly store: Store) {}

  async createDefault(workspaceId: string, tx: Kysely<Database>): Promise<Project> {
    return this.insert(tx, workspaceId, { name: DEFAULT_PROJECT_NAME }, true);
  }

  /** With `db`, the project is made inside the caller's transaction. */
  async create(actor: Actor, input: ProjectInput, db?: Kysely<Database>): Promise<Project> {
    if (db) return this.insert(db, actor.workspaceId, input, false);
    return this.store.transaction((tx) => this.insert(tx, actor.workspaceId, input, false));
  }

  async get(actor: Actor, id: string): Promise<Project> {
    return presentProject(await this.findRow(this.store.db, actor.workspaceId, id));
  }

  /** The project a dataset lands in when the caller names none. */
  async defaultProject(workspaceId: string, db: Kysely<Database> = this.store.db): Promise<Project> {
    const row = await db
      .selectFrom('projects')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('is_default', '=', 1)
      .executeTakeFirst();
    if (!row) throw new NotFoundError('Default project');
    return presentProject(row);
  }

  async list(actor: Actor, query: { cursor?: string; limit?: number; name?: string; id?: string } = {}): Promise<Page<Project>> {
    const limit = pageSize(query.limit);
    const after = decodeCursor(query.cursor, 1);
    let select = this.store.db.selectFrom('projects').selectAll().where('workspace_id', '=', actor.workspaceId);
    if (query.name !== undefined) select = select.where('name', '=', query.name);
    if (query.id !== undefined) {
      const id = parseId(query.id);
      if (!id) return { data: [], next_cursor: null };
      select = select.where('id', '=', id);
    }
    if (after) select = select.where('id', '>', String(after[0]));
    const rows = await select.orderBy('id').limit(limit + 1).execute();
    return toPage(rows, limit, presentProject, (row) => [row.id]);
  }

  async update(actor: Actor, id: string, patch: Partial<ProjectInput>): Promise<Project> {
    return this.store.transaction(async (tx) => {
      const row = await this.findRow(tx, actor.workspaceId, id);
      const next: ProjectTable = {
        ...row,
        name: patch.name ?? row.name,
        description: patch.description === undefined ? row.description : patch.description,
        metadata: patch.metadata === undefined ? row.metadata : JSON.stringify(patch.metadata),
        updated_at: nowIso(),
      };
      await writeUnique(
        () => tx.updateTable('projects').set(next).where('id', '=', row.id).execute(),
        () => nameTaken(next.name),
      );
      return presentProject(next);
    });
  }

  /** The project named `input.name`, made when there is none (Datadog's create is a get-or-create). */
  async getOrCreate(actor: Actor, input: ProjectInput): Promise<{ project: Project; created: boolean }> {
    const found = async () => {
      const row = await this.store.db
        .selectFrom('projects')
        .selectAll()
        .where('workspace_id', '=', actor.workspaceId)
        .where('name', '=', input.name)
        .executeTakeFirst();
      return row ? presentProject(row) : undefined;
    };
    const existing = await found();
    if (existing) return { project: existing, created: false };
    try {
      return { project: await this.create(actor, input), created: true };
    } catch (error) {
      const raced = error instanceof ConflictError ? await found() : undefined;
      if (raced) return { project: raced, created: false };
      throw error;
    }
  }

  /** Deletes several projects in one transaction, by the rules of `delete` (all or none). */
  async deleteMany(actor: Actor, ids: readonly string[]): Promise<void> {
    await this.store.transaction(async (tx) => {
      for (const [index, id] of ids.entries()) {
        let row: ProjectTable;
        try {
          row = await this.findRow(tx, actor.workspaceId, id);
        } catch (error) {
          if (error instanceof NotFoundError) throw new NotFoundError('Project', id, [{ pointer: `/project_ids/${index}`, detail: 'is not a project of the workspace' }]);
          throw error;
        }
        if (row.is_default) throw new ConflictError('The default project cannot be deleted', [{ pointer: `/project_ids/${index}`, detail: 'is the default project' }]);
        const dataset = await tx.selectFrom('datasets').select('id').where('project_id', '=', row.id).limit(1).executeTakeFirst();
        if (dataset) {
          throw new ConflictError('The project still holds datasets; delete or move them first', [{ pointer: `/project_ids/${index}`, detail: 'still holds datasets' }]);
        }
        await tx.deleteFrom('projects').where('id', '=', row.id).execute();
      }
    });
  }

  /** Deleting a project that still holds datasets is refused, as is deleting the default project. */
  async delete(actor: Actor, id: string): Promise<void> {
    await this.store.transaction(async (tx) => {
      const row = await this.findRow(tx, actor.workspaceId, id);
      if (row.is_default) throw new ConflictError('The default project cannot be deleted');
      const dataset = await tx.selectFrom('datasets').select('id').where('project_id', '=', row.id).limit(1).executeTakeFirst();
      if (dataset) throw new ConflictError('The project still holds datasets; delete or move them first');
      await tx.deleteFrom('projects').where('id', '=', row.id).execute();
    });
  }

  async findRow(db: Kysely<Database>, workspaceId: string, id: string): Promise<ProjectTable> {
    const projectId = parseId(id);
    const row = projectId
      ? await db
          .selectFrom('projects')
          .selectAll()
          .where('id', '=', projectId)
          .where('workspace_id', '=', workspaceId)
          .executeTakeFirst()
      : undefined;
    if (!row) throw new NotFoundError('Project', id);
    return row;
  }

  private async insert(db: Kysely<Database>, workspaceId: string, input: ProjectInput, isDefault: boolean): Promise<Project> {
    const now = nowIso();
    const row: ProjectTable = {
      id: newId(),
      workspace_id: workspaceId,
      name: input.name,
      description: input.description ?? null,
      metadata: JSON.stringify(input.metadata ?? {}),
      is_default: isDefault ? 1 : 0,
      created_at: now,
      updated_at: now,
    };
    await writeUnique(() => db.insertInto('projects').values(row).execute(), () => nameTaken(row.name));
    return presentProject(row);
  }

}

function nameTaken(name: string): ConflictError {
  return new ConflictError(`A project named ${JSON.stringify(name)} already exists`, [
    { pointer: '/name', detail: 'is already taken' },
  ]);
}

function presentProject(row: ProjectTable): Project {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    metadata: JSON.parse(row.metadata) as JsonObject,
    is_default: Boolean(row.is_default),
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}
