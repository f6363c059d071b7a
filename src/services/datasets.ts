import type { Kysely } from 'kysely';
import { ConflictError, NotFoundError } from '../domain/errors.js';
import { newId, parseId } from '../domain/ids.js';
import type { JsonObject } from '../domain/json.js';
import { nowIso } from '../domain/time.js';
import type { Actor, Dataset, DatasetManager } from '../domain/types.js';
import type { Store } from '../store/database.js';
import type { Database, DatasetTable } from '../store/schema.js';
import { decodeCursor, pageSize, toPage, type Page } from './pagination.js';
import type { ProjectService } from './projects.js';
import { writeUnique } from './unique.js';

export interface DatasetInput {
  name: string;
  description?: string | null;
  metadata?: JsonObject;
  project_id?: string;
  managed_by?: DatasetManager;
}

export interface DatasetQuery {
  cursor?: string;
  limit?: number;
  project_id?: string;
  name?: string;
  /** Substring of the name. */
  name_contains?: string;
}

export class DatasetService {
  constructor(
    private readonly store: Store,
    private readonly projects: ProjectService,
  ) {}

  async create(actor: Actor, input: DatasetInput): Promise<Dataset> {
    return this.store.transaction(async (tx) => {
      const projectId = input.project_id
        ? (await this.projects.findRow(tx, actor.workspaceId, input.project_id)).id
        : (await this.projects.defaultProject(actor.workspaceId, tx)).id;
      const now = nowIso();
      const row: DatasetTable = {
        id: newId(),
        workspace_id: actor.workspaceId,
        project_id: projectId,
        name: input.name,
        description: input.description ?? null,
        metadata: JSON.stringify(input.metadata ?? {}),
        managed_by: input.managed_by ?? 'evalstore',
        latest_version: 0,
        record_count: 0,
        created_at: now,
        updated_at: now,
      };
      await writeUnique(() => tx.insertInto('datasets').values(row).execute(), () => nameTaken(row.name));
      return presentDataset(row);
    });
  }

  async get(actor: Actor, id: string): Promise<Dataset> {
    return presentDataset(await findDatasetRow(this.store, this.store.db, actor, id));
  }

  async getByName(actor: Actor, name: string): Promise<Dataset> {
    const row = await this.store.db
      .selectFrom('datasets')
      .selectAll()
      .where('workspace_id', '=', actor.workspaceId)
      .where('name', '=', name)
      .executeTakeFirst();
    if (!row) throw new NotFoundError('Dataset', name);
    return presentDataset(row);
  }

  /** Newest first. */
  async list(actor: Actor, query: DatasetQuery = {}): Promise<Page<Dataset>> {
    const limit = pageSize(query.limit);
    const after = decodeCursor(query.cursor, 1);
    const projectId = query.project_id === undefined ? undefined : parseId(query.project_id);
    // A filter by an id that cannot exist matches nothing.
    if (query.project_id !== undefined && !projectId) return { data: [], next_cursor: null };
    let select = this.store.db.selectFrom('datasets').selectAll().where('workspace_id', '=', actor.workspaceId);
    if (projectId) select = select.where('project_id', '=', projectId);
    if (query.name !== undefined) select = select.where('name', '=', query.name);
    if (query.name_contains) select = select.where(this.store.sql.containsText('name', query.name_contains));
    if (after) select = select.where('id', '<', String(after[0]));
    const rows = await select.orderBy('id', 'desc').limit(limit + 1).execute();
    return toPage(rows, limit, presentDataset, (row) => [row.id]);
  }

  async update(actor: Actor, id: string, patch: Partial<Omit<DatasetInput, 'managed_by'>>): Promise<Dataset> {
    return this.store.transaction(async (tx) => {
      const row = await findDatasetRow(this.store, tx, actor, id, { lock: true });
      const projectId =
        patch.project_id === undefined ? row.project_id : (await this.projects.findRow(tx, actor.workspaceId, patch.project_id)).id;
      const next: DatasetTable = {
        ...row,
        project_id: projectId,
        name: patch.name ?? row.name,
        description: patch.description === undefined ? row.description : patch.description,
        metadata: patch.metadata === undefined ? row.metadata : JSON.stringify(patch.metadata),
        updated_at: nowIso(),
      };
      await writeUnique(
        () => tx.updateTable('datasets').set(next).where('id', '=', row.id).execute(),
        () => nameTaken(next.name),
      );
      return presentDataset(next);
    });
  }

  /** Deletes the dataset with all its versions and records. */
  async delete(actor: Actor, id: string): Promise<void> {
    await this.store.transaction(async (tx) => {
      const row = await findDatasetRow(this.store, tx, actor, id, { lock: true });
      await tx.deleteFrom('datasets').where('id', '=', row.id).execute();
    });
  }
}

/**
 * The dataset `id` of the actor's workspace, or NotFound (also for another workspace's dataset).
 * With `lock`, the row stays locked until the transaction ends: this is what serializes commits to
 * one dataset across server processes.
 */
export async function findDatasetRow(
  store: Store,
  db: Kysely<Database>,
  actor: Actor,
  id: string,
  options: { lock?: boolean } = {},
): Promise<DatasetTable> {
  const datasetId = parseId(id);
  const row = datasetId
    ? await db
        .selectFrom('datasets')
        .selectAll()
        .where('id', '=', datasetId)
        .where('workspace_id', '=', actor.workspaceId)
        .$if(options.lock === true, (q) => q.modifyEnd(store.sql.forUpdate))
        .executeTakeFirst()
    : undefined;
  if (!row) throw new NotFoundError('Dataset', id);
  return row;
}

function nameTaken(name: string): ConflictError {
  return new ConflictError(`A dataset named ${JSON.stringify(name)} already exists`, [
    { pointer: '/name', detail: 'is already taken' },
  ]);
}

export function presentDataset(row: DatasetTable): Dataset {
  return {
    id: row.id,
    project_id: row.project_id,
    name: row.name,
    description: row.description,
    metadata: JSON.parse(row.metadata) as JsonObject,
    managed_by: row.managed_by as DatasetManager,
    latest_version: row.latest_version,
    record_count: row.record_count,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}
