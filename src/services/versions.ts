import { sql } from 'kysely';
import { NotFoundError, ValidationError } from '../domain/errors.js';
import { toIsoTime } from '../domain/time.js';
import type { Actor, DatasetRecord, DatasetVersion } from '../domain/types.js';
import type { Store } from '../store/database.js';
import type { RecordRevisionTable } from '../store/schema.js';
import { checkedOffset, decodeCursor, pageSize, toPage, type Page } from './pagination.js';
import { findDatasetRow } from './rows/finders.js';
import { presentRecord, presentVersion } from './rows/present.js';
import { checkVersionName, resolveVersion, versionNameTaken, type VersionRef } from './rows/versions.js';
import { writeUnique } from './unique.js';
import { commitVersion } from './commits.js';
import { chunks } from './rows/chunks.js';
import { currentRevisions, revisionContent, revisionsAt, type RecordWrite } from './rows/revisions.js';

export type { VersionRef } from './rows/versions.js';

export type ChangeKind = 'added' | 'removed' | 'changed';

export interface RecordChange {
  record_id: string;
  change: ChangeKind;
  /** The record in the `from` version (null when added). */
  before: DatasetRecord | null;
  /** The record in the `to` version (null when removed). */
  after: DatasetRecord | null;
}

export interface VersionDiff extends Page<RecordChange> {
  from: number;
  to: number;
}

/** What a restore committed: the version (null when the dataset already held that version's records) and the records it changed. */
export interface RestoreResult {
  version: DatasetVersion | null;
  /** Records of the old version that had been removed since, back as they were. */
  added: DatasetRecord[];
  /** Records changed since, back to their content in the old version. */
  updated: DatasetRecord[];
  /** Records added since, removed, as they were. */
  removed: DatasetRecord[];
}

export class VersionService {
  constructor(private readonly store: Store) {}

  /**
   * Commits a new version whose records are those of version `ref` (Datadog's restore): records added
   * since go, records removed since come back with their ids, records changed since take back their
   * old content. Versions never change, so the old one and those after it stay as they were.
   */
  async restore(actor: Actor, datasetId: string, ref: VersionRef): Promise<RestoreResult> {
    return this.store.transaction(async (tx) => {
      const dataset = await findDatasetRow(this.store, tx, actor, datasetId, { lock: true });
      const version = await resolveVersion(tx, dataset, ref);
      const keys = ['record_id', 'content_hash'] as const;
      const old = new Map((await revisionsAt(tx, dataset.id, version).select(keys).execute()).map((row) => [row.record_id, row.content_hash]));
      const current = new Map((await currentRevisions(tx, dataset.id).select(keys).execute()).map((row) => [row.record_id, row.content_hash]));
      const removed = [...current.keys()].filter((id) => !old.has(id));
      const added = [...old.keys()].filter((id) => !current.has(id));
      const updated = [...old.keys()].filter((id) => current.has(id) && current.get(id) !== old.get(id));
      const oldRows = await this.rowsOf(tx, dataset.id, [...added, ...updated], version);
      const currentRows = await this.rowsOf(tx, dataset.id, [...removed, ...updated], undefined);
      const write = (id: string): RecordWrite => {
        const row = oldRows.get(id)!;
        return { record_id: id, content: revisionContent(row), created_at: currentRows.get(id)?.created_at ?? row.created_at };
      };
      const committed = await commitVersion(
        this.store,
        tx,
        dataset,
        { added: added.map(write), updated: updated.map(write), removed },
        { actor, message: `Restored the records of version ${version}` },
      );
      const at = committed?.created_at;
      const restored = (id: string) => ({ ...presentRecord(oldRows.get(id)!), ...(at ? { updated_at: at } : {}) });
      return {
        version: committed,
        added: added.map(restored),
        updated: updated.map(restored),
        removed: removed.map((id) => presentRecord(currentRows.get(id)!)),
      };
    });
  }

  /** Who committed the first version of each of these datasets of the workspace (datasets without versions are absent). */
  async firstAuthors(actor: Actor, datasetIds: readonly string[]): Promise<Map<string, string>> {
    const authors = new Map<string, string>();
    for (const chunk of chunks(datasetIds)) {
      const rows = await this.store.db
        .selectFrom('dataset_versions')
        .innerJoin('datasets', 'datasets.id', 'dataset_versions.dataset_id')
        .select(['dataset_versions.dataset_id', 'dataset_versions.created_by'])
        .where('datasets.workspace_id', '=', actor.workspaceId)
        .where('dataset_versions.version', '=', 1)
        .where('dataset_versions.dataset_id', 'in', chunk)
        .execute();
      for (const row of rows) if (row.created_by !== null) authors.set(row.dataset_id, row.created_by);
    }
    return authors;
  }

  /** The revisions of these records in `version` (the current ones when undefined), by record id. */
  private async rowsOf(
    db: Parameters<typeof currentRevisions>[0],
    datasetId: string,
    ids: readonly string[],
    version: number | undefined,
  ): Promise<Map<string, RecordRevisionTable>> {
    const rows = new Map<string, RecordRevisionTable>();
    for (const chunk of chunks(ids)) {
      const select = version === undefined ? currentRevisions(db, datasetId) : revisionsAt(db, datasetId, version);
      for (const row of await select.selectAll().where('record_id', 'in', chunk).execute()) rows.set(row.record_id, row);
    }
    return rows;
  }

  /** Newest first; `offset` skips versions before the page (instead of a cursor), for clients that can only ask for page N. */
  async list(actor: Actor, datasetId: string, query: { cursor?: string; limit?: number; offset?: number } = {}): Promise<Page<DatasetVersion>> {
    const dataset = await findDatasetRow(this.store, this.store.db, actor, datasetId);
    const limit = pageSize(query.limit);
    const after = decodeCursor(query.cursor, 'version');
    let select = this.store.db.selectFrom('dataset_versions').selectAll().where('dataset_id', '=', dataset.id);
    if (after) select = select.where('version', '<', Number(after[0]));
    if (checkedOffset(query.offset)) select = select.offset(query.offset!);
    const rows = await select
      .orderBy('version', 'desc')
      .limit(limit + 1)
      .execute();
    return toPage(rows, limit, presentVersion, (row) => [row.version]);
  }

  async get(actor: Actor, datasetId: string, ref: VersionRef): Promise<DatasetVersion> {
    const dataset = await findDatasetRow(this.store, this.store.db, actor, datasetId);
    const version = await resolveVersion(this.store.db, dataset, ref);
    const row = await this.store.db
      .selectFrom('dataset_versions')
      .selectAll()
      .where('dataset_id', '=', dataset.id)
      .where('version', '=', version)
      .executeTakeFirst();
    if (!row) throw new NotFoundError('Version', ref);
    return presentVersion(row);
  }

  /**
   * The version a dataset was at, at `time` (ISO-8601): the last committed at or before it (0, which
   * holds nothing, before the first). For clients that name versions by time (LangSmith's `as_of`).
   */
  async atTime(actor: Actor, datasetId: string, time: string): Promise<number> {
    const dataset = await findDatasetRow(this.store, this.store.db, actor, datasetId);
    const at = toIsoTime(time);
    if (!at) throw ValidationError.field('/as_of', 'must be an ISO-8601 time', { in: 'query' });
    const row = await this.store.db
      .selectFrom('dataset_versions')
      .select('version')
      .where('dataset_id', '=', dataset.id)
      .where('created_at', '<=', at)
      .orderBy('version', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row?.version ?? 0;
  }

  /**
   * Gives a version a name (a tag), unique within the dataset; null takes the name away. With `move`,
   * a name another version has is taken from it (LangSmith's tags move that way) instead of refused.
   */
  async name(actor: Actor, datasetId: string, ref: VersionRef, name: string | null, options: { move?: boolean } = {}): Promise<DatasetVersion> {
    if (name !== null) checkVersionName(name);
    return this.store.transaction(async (tx) => {
      const dataset = await findDatasetRow(this.store, tx, actor, datasetId, { lock: true });
      const version = await resolveVersion(tx, dataset, ref);
      if (version === 0) throw new NotFoundError('Version', ref);
      if (options.move && name !== null) {
        await tx.updateTable('dataset_versions').set({ name: null }).where('dataset_id', '=', dataset.id).where('name', '=', name).execute();
      }
      await writeUnique(
        () => tx.updateTable('dataset_versions').set({ name }).where('dataset_id', '=', dataset.id).where('version', '=', version).execute(),
        () => versionNameTaken(name ?? ''),
      );
      return presentVersion(
        await tx.selectFrom('dataset_versions').selectAll().where('dataset_id', '=', dataset.id).where('version', '=', version).executeTakeFirstOrThrow(),
      );
    });
  }

  /**
   * The records that differ between two versions, by record id. A record changed and changed back in
   * between does not differ; one added and removed in between appears in neither and is not listed.
   */
  async diff(actor: Actor, datasetId: string, query: { from: VersionRef; to?: VersionRef; cursor?: string; limit?: number }): Promise<VersionDiff> {
    const db = this.store.db;
    const dataset = await findDatasetRow(this.store, db, actor, datasetId);
    const from = await resolveVersion(db, dataset, query.from);
    const to = await resolveVersion(db, dataset, query.to);
    const limit = pageSize(query.limit);
    const after = decodeCursor(query.cursor, 'id');
    const [low, high] = from <= to ? [from, to] : [to, from];

    // Only records with a revision that began or ended between the two versions can differ.
    const touched = db
      .selectFrom('record_revisions')
      .select('record_id')
      .distinct()
      .where('dataset_id', '=', dataset.id)
      .where((eb) =>
        eb.or([eb.and([eb('valid_from', '>', low), eb('valid_from', '<=', high)]), eb.and([eb('valid_to', '>', low), eb('valid_to', '<=', high)])]),
      )
      .$if(after !== undefined, (q) => q.where('record_id', '>', String(after![0])));

    const rows = await db
      .selectFrom(touched.as('t'))
      .leftJoin('record_revisions as a', (join) =>
        join.onRef('a.record_id', '=', 't.record_id').on('a.dataset_id', '=', dataset.id).on('a.valid_from', '<=', from).on('a.valid_to', '>', from),
      )
      .leftJoin('record_revisions as b', (join) =>
        join.onRef('b.record_id', '=', 't.record_id').on('b.dataset_id', '=', dataset.id).on('b.valid_from', '<=', to).on('b.valid_to', '>', to),
      )
      .select('t.record_id')
      .select(sql<string | null>`a.valid_from`.as('a_from'))
      .select(sql<string | null>`b.valid_from`.as('b_from'))
      .where((eb) =>
        eb.or([
          eb.and([eb('a.record_id', 'is', null), eb('b.record_id', 'is not', null)]),
          eb.and([eb('a.record_id', 'is not', null), eb('b.record_id', 'is', null)]),
          eb('a.content_hash', '<>', eb.ref('b.content_hash')),
        ]),
      )
      .orderBy('t.record_id')
      .limit(limit + 1)
      .execute();

    const revisions = await this.revisionsOf(
      dataset.id,
      rows
        .slice(0, limit)
        .flatMap((r) => [
          ...(r.a_from === null ? [] : [{ record_id: r.record_id, valid_from: Number(r.a_from) }]),
          ...(r.b_from === null ? [] : [{ record_id: r.record_id, valid_from: Number(r.b_from) }]),
        ]),
    );
    const toChange = (row: (typeof rows)[number]): RecordChange => {
      const before = row.a_from === null ? undefined : revisions.get(`${row.record_id}@${row.a_from}`);
      const afterRow = row.b_from === null ? undefined : revisions.get(`${row.record_id}@${row.b_from}`);
      return {
        record_id: row.record_id,
        change: !before ? 'added' : !afterRow ? 'removed' : 'changed',
        before: before ? presentRecord(before) : null,
        after: afterRow ? presentRecord(afterRow) : null,
      };
    };
    return { from, to, ...toPage(rows, limit, toChange, (row) => [row.record_id]) };
  }

  private async revisionsOf(datasetId: string, keys: { record_id: string; valid_from: number }[]): Promise<Map<string, RecordRevisionTable>> {
    const found = new Map<string, RecordRevisionTable>();
    if (keys.length === 0) return found;
    const rows = await this.store.db
      .selectFrom('record_revisions')
      .selectAll()
      .where('dataset_id', '=', datasetId)
      .where('record_id', 'in', [...new Set(keys.map((k) => k.record_id))])
      .execute();
    const wanted = new Set(keys.map((k) => `${k.record_id}@${k.valid_from}`));
    for (const row of rows) {
      const key = `${row.record_id}@${row.valid_from}`;
      if (wanted.has(key)) found.set(key, row);
    }
    return found;
  }
}
