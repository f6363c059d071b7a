import type { Kysely } from 'kysely';
import { checkTextLengths } from '../domain/input-bounds.js';
import { ConflictError, NotFoundError, ValidationError } from '../domain/errors.js';
import { newId, parseId } from '../domain/ids.js';
import type { Json, JsonObject } from '../domain/json.js';
import { nowIso } from '../domain/time.js';
import type { Actor, Dataset, DatasetManager } from '../domain/types.js';
import type { Store, Transaction } from '../store/database.js';
import type { Database, DatasetTable } from '../store/schema.js';
import { checkedOffset, decodeCursor, pageSize, toPage, type Page } from './pagination.js';
import type { ProjectService } from './projects.js';
import type { ChangeOptions, ChangeResult, NewRecord, RecordChanges, RecordService } from './records.js';
import { findDatasetRow, findProjectRow } from './rows/finders.js';
import { presentDataset } from './rows/present.js';
import { resolveVersion, versionNameTaken, type VersionRef } from './rows/versions.js';
import { recordVersion } from './commits.js';
import { revisionContent, revisionsAt, toRevisionRow } from './rows/revisions.js';
import { withTransaction, type TransactionOptions } from './transaction.js';
import { creating, findOrCreate, retryingCreationRaces, writeUnique } from './unique.js';
import { metadataMatches } from './rows/metadata-filters.js';

export interface DatasetInput {
  /** A caller-chosen id (a UUID); one is made when omitted. */
  id?: string;
  name: string;
  description?: string | null;
  metadata?: JsonObject;
  project_id?: string;
  managed_by?: DatasetManager;
  /** Records the dataset starts with: committed as its version 1 in the same transaction. */
  records?: NewRecord[];
}

/** The dataset an upsert writes to: by id, or by name (made when there is none). */
export interface UpsertTarget {
  id?: string;
  name?: string;
  /** The description of a dataset the upsert makes (an existing dataset keeps its own). */
  description?: string | null;
  /** The dataset's metadata, made or existing; left as it is when omitted. */
  metadata?: JsonObject;
}

export interface UpsertResult {
  /** The dataset as it is after the upsert. */
  dataset: Dataset;
  created: boolean;
  /** What the change did; its version is null when it changed nothing. */
  change: ChangeResult;
}

export interface DatasetQuery {
  cursor?: string;
  limit?: number;
  /** Only the dataset with this id (an empty page when there is none). */
  id?: string;
  project_id?: string;
  name?: string;
  /** Substring of the name. */
  name_contains?: string;
  /** Only datasets with one of these ids. */
  ids?: readonly string[];
  /** Datasets whose metadata has each of these key/value pairs. */
  metadata?: Record<string, Json>;
  /** Datasets to skip before the page (instead of a cursor), for clients that can only ask for page N. */
  offset?: number;
}

/** Records copied per read by clone. */
const CLONE_PAGE = 1_000;

export class DatasetService {
  constructor(
    private readonly store: Store,
    private readonly projects: ProjectService,
    private readonly records: RecordService,
  ) {}

  async create(actor: Actor, input: DatasetInput, options: TransactionOptions = {}): Promise<Dataset> {
    checkTextLengths(input);
    const id = input.id === undefined ? newId() : parseId(input.id);
    if (!id) throw ValidationError.field('/id', 'must be a UUID');
    return withTransaction(this.store, options, async (tx) => {
      const projectId = input.project_id
        ? (await findProjectRow(this.store, tx, actor, input.project_id)).id
        : (await this.projects.defaultProject(actor.workspaceId, { transaction: tx })).id;
      const now = nowIso();
      const row: DatasetTable = {
        id,
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
      // A caller-chosen id may be taken too (ids are unique across workspaces).
      await writeUnique(
        () => tx.insertInto('datasets').values(row).execute(),
        () => (input.id === undefined ? nameTaken(row.name) : nameOrIdTaken(row.name, id)),
      );
      if (input.records === undefined) return presentDataset(row);
      await this.records.change(
        actor,
        row.id,
        { add: input.records },
        { pointers: { add: '/records' }, writer: row.managed_by as DatasetManager, transaction: tx },
      );
      return presentDataset(await findDatasetRow(this.store, tx, actor, row.id));
    });
  }

  async get(actor: Actor, id: string): Promise<Dataset> {
    return presentDataset(await findDatasetRow(this.store, this.store.db, actor, id));
  }

  async getByName(actor: Actor, name: string, options: TransactionOptions = {}): Promise<Dataset> {
    const row = await findDatasetRowByName(options.transaction ?? this.store.db, actor, name);
    if (!row) throw new NotFoundError('Dataset', name);
    return presentDataset(row);
  }

  /** Newest first. */
  async list(actor: Actor, query: DatasetQuery = {}): Promise<Page<Dataset>> {
    const limit = pageSize(query.limit);
    const after = decodeCursor(query.cursor, 'id');
    const projectId = query.project_id === undefined ? undefined : parseId(query.project_id);
    // A filter by an id that cannot exist matches nothing.
    if (query.project_id !== undefined && !projectId) return { data: [], next_cursor: null };
    let select = this.store.db.selectFrom('datasets').selectAll().where('workspace_id', '=', actor.workspaceId);
    if (projectId) select = select.where('project_id', '=', projectId);
    if (query.id !== undefined) {
      const id = parseId(query.id);
      if (!id) return { data: [], next_cursor: null };
      select = select.where('id', '=', id);
    }
    if (query.ids !== undefined) {
      const ids = query.ids.flatMap((id) => parseId(id) ?? []);
      if (ids.length === 0) return { data: [], next_cursor: null };
      select = select.where('id', 'in', ids);
    }
    for (const condition of metadataMatches(this.store.sql, 'metadata', query.metadata, '/metadata')) select = select.where(condition);
    if (query.name !== undefined) select = select.where('name', '=', query.name);
    if (query.name_contains) select = select.where(this.store.sql.containsText('name', query.name_contains));
    if (after) select = select.where('id', '<', String(after[0]));
    if (checkedOffset(query.offset)) select = select.offset(query.offset!);
    const rows = await select
      .orderBy('id', 'desc')
      .limit(limit + 1)
      .execute();
    return toPage(rows, limit, presentDataset, (row) => [row.id]);
  }

  async update(actor: Actor, id: string, patch: Partial<Omit<DatasetInput, 'managed_by'>>): Promise<Dataset> {
    checkTextLengths(patch);
    return this.store.transaction(async (tx) => {
      const row = await findDatasetRow(this.store, tx, actor, id, { lock: true });
      const projectId = patch.project_id === undefined ? row.project_id : (await findProjectRow(this.store, tx, actor, patch.project_id)).id;
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

  /**
   * The dataset named `input.name`, made when there is none (Datadog's create: "returns the existing
   * dataset unmodified"). Names are unique per workspace, so a dataset of that name in another project
   * than the one asked for is a conflict. Safe when two callers race to make the same dataset.
   */
  async getOrCreate(actor: Actor, input: DatasetInput): Promise<{ dataset: Dataset; created: boolean }> {
    const found = async () => {
      const row = await findDatasetRowByName(this.store.db, actor, input.name);
      if (!row) return undefined;
      const wanted = input.project_id === undefined ? undefined : parseId(input.project_id);
      if (wanted !== undefined && row.project_id !== wanted) {
        throw new ConflictError(`A dataset named ${JSON.stringify(input.name)} already exists in another project (dataset names are unique in a workspace)`, [
          { pointer: '/name', detail: 'is taken by a dataset of another project' },
        ]);
      }
      return presentDataset(row);
    };
    const { value: dataset, created } = await findOrCreate(found, () => this.create(actor, input));
    return { dataset, created };
  }

  /**
   * Changes the records of the dataset named by `target`, made first when it is named by a name that
   * no dataset has (Humanloop's upsert), all in one transaction. A `versionName` already naming a
   * version of the dataset is refused (409) even when the change turns out to change nothing, since
   * the caller asked for a new version of that name. Two upserts racing to make the same dataset
   * both land on it (the loser of the race retries once).
   */
  async upsert(actor: Actor, target: UpsertTarget, changes: RecordChanges, options: ChangeOptions = {}): Promise<UpsertResult> {
    if (target.id === undefined && target.name === undefined) {
      throw new ValidationError('A dataset id or name is required', [
        { pointer: '/id', detail: 'or name is required' },
        { pointer: '/name', detail: 'or id is required' },
      ]);
    }
    return retryingCreationRaces(() => this.store.transaction((tx) => this.upsertIn(tx, actor, target, changes, options)));
  }

  private async upsertIn(tx: Transaction, actor: Actor, target: UpsertTarget, changes: RecordChanges, options: ChangeOptions): Promise<UpsertResult> {
    let row = target.id !== undefined ? await findDatasetRow(this.store, tx, actor, target.id) : await findDatasetRowByName(tx, actor, target.name!);
    const created = row === undefined;
    if (!row) {
      const made = await creating(() =>
        this.create(actor, { name: target.name!, description: target.description ?? null, metadata: target.metadata ?? {} }, { transaction: tx }),
      );
      row = await findDatasetRow(this.store, tx, actor, made.id);
    } else if (target.metadata !== undefined && row.metadata !== JSON.stringify(target.metadata)) {
      await tx
        .updateTable('datasets')
        .set({ metadata: JSON.stringify(target.metadata), updated_at: nowIso() })
        .where('id', '=', row.id)
        .execute();
    }
    if (options.versionName !== undefined) {
      const taken = await tx
        .selectFrom('dataset_versions')
        .select('version')
        .where('dataset_id', '=', row.id)
        .where('name', '=', options.versionName)
        .executeTakeFirst();
      if (taken) throw versionNameTaken(options.versionName, '/version_name');
    }
    const change = await this.records.change(actor, row.id, changes, { ...options, transaction: tx });
    return { dataset: presentDataset(await findDatasetRow(this.store, tx, actor, row.id)), created, change };
  }

  /**
   * A new dataset in the source's project holding the records of one of its versions (the latest by
   * default) as its version 1, in one transaction (Datadog's clone). The copies are new records (ids
   * are unique across datasets) that keep their external ids, so Datadog's record ids carry over;
   * the records are copied a page at a time, so memory stays flat whatever the size.
   */
  async clone(actor: Actor, sourceId: string, input: { name: string; description?: string | null; version?: VersionRef }): Promise<Dataset> {
    return this.store.transaction(async (tx) => {
      const source = await findDatasetRow(this.store, tx, actor, sourceId, { lock: true });
      const version = await resolveVersion(tx, source, input.version);
      const made = await this.create(
        actor,
        {
          name: input.name,
          description: input.description === undefined ? source.description : input.description,
          metadata: JSON.parse(source.metadata) as JsonObject,
          project_id: source.project_id,
        },
        { transaction: tx },
      );
      const target = await findDatasetRow(this.store, tx, actor, made.id, { lock: true });
      const now = nowIso();
      let copied = 0;
      let highest: string | null = null;
      let after: string | undefined;
      for (;;) {
        const rows = await revisionsAt(tx, source.id, version)
          .selectAll()
          .$if(after !== undefined, (q) => q.where('record_id', '>', after!))
          .orderBy('record_id')
          .limit(CLONE_PAGE)
          .execute();
        if (rows.length === 0) break;
        const copies = rows.map((row) => toRevisionRow(target.id, { record_id: newId(), content: revisionContent(row) }, 1, now));
        await this.store.bulk.insert(tx, 'record_revisions', copies);
        for (const copy of copies) if (highest === null || copy.record_id > highest) highest = copy.record_id;
        copied += rows.length;
        after = rows[rows.length - 1]!.record_id;
        if (rows.length < CLONE_PAGE) break;
      }
      if (copied === 0) return made;
      await recordVersion(tx, target, 1, { added: copied, updated: 0, removed: 0 }, highest, {
        actor,
        message: `Cloned from ${source.name} (version ${version})`,
        now,
      });
      return presentDataset(await findDatasetRow(this.store, tx, actor, target.id));
    });
  }

  /** Deletes several datasets in one transaction (all or none); answers them as they were. */
  async deleteMany(actor: Actor, ids: readonly string[], options: { project_id?: string } = {}): Promise<Dataset[]> {
    return this.store.transaction(async (tx) => {
      const rows: DatasetTable[] = [];
      for (const [index, id] of ids.entries()) {
        const issue = { pointer: `/dataset_ids/${index}`, detail: 'is not a dataset of the project' };
        const row = await findDatasetRow(this.store, tx, actor, id, { lock: true, issue });
        if (options.project_id !== undefined && row.project_id !== parseId(options.project_id)) throw new NotFoundError('Dataset', id, [issue]);
        if (!rows.some((seen) => seen.id === row.id)) rows.push(row);
      }
      for (const row of rows) await tx.deleteFrom('datasets').where('id', '=', row.id).execute();
      return rows.map(presentDataset);
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

/** The workspace's dataset named `name`, if there is one. */
async function findDatasetRowByName(db: Kysely<Database>, actor: Actor, name: string): Promise<DatasetTable | undefined> {
  return db.selectFrom('datasets').selectAll().where('workspace_id', '=', actor.workspaceId).where('name', '=', name).executeTakeFirst();
}

function nameOrIdTaken(name: string, id: string): ConflictError {
  return new ConflictError(`A dataset named ${JSON.stringify(name)} or with id ${id} already exists`, [
    { pointer: '/name', detail: 'may be taken' },
    { pointer: '/id', detail: 'may be taken' },
  ]);
}

function nameTaken(name: string): ConflictError {
  return new ConflictError(`A dataset named ${JSON.stringify(name)} already exists`, [{ pointer: '/name', detail: 'is already taken' }]);
}
