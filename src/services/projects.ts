import { ConflictError } from '../domain/errors.js';
import { checkTextLengths } from '../domain/input-bounds.js';
import { newId, parseId } from '../domain/ids.js';
import type { Json, JsonObject } from '../domain/json.js';
import { nowIso } from '../domain/time.js';
import type { Actor, Project } from '../domain/types.js';
import type { Store, Transaction } from '../store/database.js';
import type { ProjectTable } from '../store/schema.js';
import { decodeCursor, pageSize, toPage, type Page } from './pagination.js';
import { findDefaultProjectRow, findProjectRow } from './rows/finders.js';
import { presentProject } from './rows/present.js';
import { withTransaction, type TransactionOptions } from './transaction.js';
import { creating, findOrCreate, retryingCreationRaces, writeUnique } from './unique.js';

export interface ProjectInput {
  name: string;
  description?: string | null;
  metadata?: JsonObject;
}

export const DEFAULT_PROJECT_NAME = 'Default';

/** Projects group datasets inside a workspace; every workspace has a default one. */
export class ProjectService {
  constructor(private readonly store: Store) {}

  /** The workspace's default project, made in the transaction that makes the workspace. */
  async createDefault(workspaceId: string, options: Required<TransactionOptions>): Promise<Project> {
    return this.insert(options.transaction, workspaceId, { name: DEFAULT_PROJECT_NAME }, true);
  }

  async create(actor: Actor, input: ProjectInput, options: TransactionOptions = {}): Promise<Project> {
    return withTransaction(this.store, options, (tx) => this.insert(tx, actor.workspaceId, input, false));
  }

  async get(actor: Actor, id: string): Promise<Project> {
    return presentProject(await findProjectRow(this.store, this.store.db, actor, id));
  }

  /** The project a dataset lands in when the caller names none. */
  async defaultProject(workspaceId: string, options: TransactionOptions = {}): Promise<Project> {
    return presentProject(await findDefaultProjectRow(this.store, options.transaction ?? this.store.db, { workspaceId }));
  }

  /** Oldest first; `metadata` keeps the projects whose metadata has each of its key/value pairs. */
  async list(
    actor: Actor,
    query: { cursor?: string; limit?: number; name?: string; id?: string; metadata?: Record<string, Json> } = {},
  ): Promise<Page<Project>> {
    const limit = pageSize(query.limit);
    const after = decodeCursor(query.cursor, 'id');
    let select = this.store.db.selectFrom('projects').selectAll().where('workspace_id', '=', actor.workspaceId);
    if (query.name !== undefined) select = select.where('name', '=', query.name);
    for (const [key, value] of Object.entries(query.metadata ?? {})) select = select.where(this.store.sql.jsonFieldEquals('metadata', key, value));
    if (query.id !== undefined) {
      const id = parseId(query.id);
      if (!id) return { data: [], next_cursor: null };
      select = select.where('id', '=', id);
    }
    if (after) select = select.where('id', '>', String(after[0]));
    const rows = await select
      .orderBy('id')
      .limit(limit + 1)
      .execute();
    return toPage(rows, limit, presentProject, (row) => [row.id]);
  }

  async update(actor: Actor, id: string, patch: Partial<ProjectInput>): Promise<Project> {
    checkTextLengths(patch);
    return this.store.transaction(async (tx) => {
      const row = await findProjectRow(this.store, tx, actor, id);
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
    const { value: project, created } = await findOrCreate(found, () => this.create(actor, input));
    return { project, created };
  }

  /**
   * The project `ref` names, by id or by name (made when no project has the name), with its metadata
   * replaced by `metadataOf(current)` (undefined: a project made now), in one transaction; `metadataOf`
   * may refuse the project by throwing. Humanloop's file upserts are built on it.
   */
  async revise(
    actor: Actor,
    ref: { id: string } | { name: string },
    metadataOf: (current: Project | undefined) => JsonObject,
  ): Promise<{ project: Project; created: boolean }> {
    return retryingCreationRaces(() =>
      this.store.transaction(async (tx) => {
        const row =
          'id' in ref
            ? await findProjectRow(this.store, tx, actor, ref.id, { lock: true })
            : await tx
                .selectFrom('projects')
                .selectAll()
                .where('workspace_id', '=', actor.workspaceId)
                .where('name', '=', ref.name)
                .modifyEnd(this.store.sql.forUpdate)
                .executeTakeFirst();
        if (!row) {
          const name = (ref as { name: string }).name;
          const project = await creating(() => this.insert(tx, actor.workspaceId, { name, metadata: metadataOf(undefined) }, false));
          return { project, created: true };
        }
        const next: ProjectTable = { ...row, metadata: JSON.stringify(metadataOf(presentProject(row))), updated_at: nowIso() };
        await tx.updateTable('projects').set({ metadata: next.metadata, updated_at: next.updated_at }).where('id', '=', row.id).execute();
        return { project: presentProject(next), created: false };
      }),
    );
  }

  /** Deletes several projects in one transaction, by the rules of `delete` (all or none). */
  async deleteMany(actor: Actor, ids: readonly string[]): Promise<void> {
    await this.store.transaction(async (tx) => {
      for (const [index, id] of ids.entries()) {
        const row = await findProjectRow(this.store, tx, actor, id, {
          issue: { pointer: `/project_ids/${index}`, detail: 'is not a project of the workspace' },
        });
        if (row.is_default)
          throw new ConflictError('The default project cannot be deleted', [{ pointer: `/project_ids/${index}`, detail: 'is the default project' }]);
        const dataset = await tx.selectFrom('datasets').select('id').where('project_id', '=', row.id).limit(1).executeTakeFirst();
        if (dataset) {
          throw new ConflictError('The project still holds datasets; delete or move them first', [
            { pointer: `/project_ids/${index}`, detail: 'still holds datasets' },
          ]);
        }
        await tx.deleteFrom('projects').where('id', '=', row.id).execute();
      }
    });
  }

  /** Deleting a project that still holds datasets is refused, as is deleting the default project. */
  async delete(actor: Actor, id: string): Promise<void> {
    await this.store.transaction(async (tx) => {
      const row = await findProjectRow(this.store, tx, actor, id);
      if (row.is_default) throw new ConflictError('The default project cannot be deleted');
      const dataset = await tx.selectFrom('datasets').select('id').where('project_id', '=', row.id).limit(1).executeTakeFirst();
      if (dataset) throw new ConflictError('The project still holds datasets; delete or move them first');
      await tx.deleteFrom('projects').where('id', '=', row.id).execute();
    });
  }

  private async insert(db: Transaction, workspaceId: string, input: ProjectInput, isDefault: boolean): Promise<Project> {
    checkTextLengths(input);
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
    await writeUnique(
      () => db.insertInto('projects').values(row).execute(),
      () => nameTaken(row.name),
    );
    return presentProject(row);
  }
}

function nameTaken(name: string): ConflictError {
  return new ConflictError(`A project named ${JSON.stringify(name)} already exists`, [{ pointer: '/name', detail: 'is already taken' }]);
}
