import { ConflictError, NotFoundError, ValidationError, type FieldIssue } from '../domain/errors.js';
import { newId, parseId } from '../domain/ids.js';
import { jsonHash, type Json, type JsonObject } from '../domain/json.js';
import { checkBatchSize, LIMITS } from '../domain/limits.js';
import { hashRecord, uniqueStrings, type RecordContent } from '../domain/records.js';
import { nowIso } from '../domain/time.js';
import type { Actor, DatasetManager, DatasetRecord, DatasetVersion, Run } from '../domain/types.js';
import type { Store, Transaction } from '../store/database.js';
import { OPEN_VERSION, type RecordRevisionTable } from '../store/schema.js';
import { commitVersion } from './commits.js';
import { checkedOffset, decodeCursor, pageSize, toPage, type Page } from './pagination.js';
import { chunks } from './rows/chunks.js';
import { findDatasetRow, findRunRows } from './rows/finders.js';
import { presentRecord, presentRun } from './rows/present.js';
import { currentRevisions, normalizeContent, revisionContent, revisionsAt, type RecordWrite } from './rows/revisions.js';
import { resolveVersion, versionRecordBound, type VersionRef } from './rows/versions.js';
import { withTransaction, type TransactionOptions } from './transaction.js';
import { metadataMatches } from './rows/metadata-filters.js';

/** A record to add. Omitted fields take their empty values. */
export interface NewRecord {
  /** A caller-chosen id (a UUID); one is made when omitted. */
  id?: string;
  input: Json;
  expected_output?: Json;
  metadata?: JsonObject;
  tags?: string[];
  splits?: string[];
  external_id?: string | null;
  source?: JsonObject | null;
}

/**
 * A change to one current record, found by `id`, or by `external_id` when `id` is absent (then
 * `external_id` names the record rather than changing it). Fields left out keep their values.
 */
export interface RecordPatch {
  id?: string;
  external_id?: string | null;
  /**
   * Names the record by its external_id when a current record has it, else by its record id: for
   * surfaces whose record ids are either (Datadog). Used when `id` and `external_id` are absent.
   */
  ref?: string;
  /** Tag changes applied, in this order, to `tags` (or the current tags): remove, then add, then set (which replaces all). */
  tag_operations?: TagOperations;
  /**
   * A change computed from the record's current content, applied after the fields above and inside
   * the commit's transaction: for surfaces whose edits merge into what is there (Arize's example
   * columns), so that a concurrent change is never overwritten with content read before it.
   */
  revise?: (current: RecordContent) => Partial<RecordContent>;
  input?: Json;
  expected_output?: Json;
  metadata?: JsonObject;
  tags?: string[];
  splits?: string[];
  source?: JsonObject | null;
}

export interface RecordRefs {
  ids?: string[];
  external_ids?: string[];
  /** External ids, or record ids when no current record has that external id (see RecordPatch.ref). */
  refs?: string[];
  /**
   * Records named by their content: every current record the same as one of these (by the change's
   * `identity`) goes. Contents that match no current record remove nothing.
   */
  matching?: NewRecord[];
}

/**
 * What makes two records the same, for de-duplication and for naming records by content: the input
 * alone (`input`), or the input with the expected output (`example`: a Humanloop datapoint is its
 * inputs, messages and target, so two datapoints with one input and two targets are two datapoints).
 */
export type RecordIdentity = 'input' | 'example';

export interface TagOperations {
  add?: string[];
  remove?: string[];
  set?: string[];
}

/** Additions, changes and removals committed together as one version. */
export interface RecordChanges {
  add?: NewRecord[];
  update?: RecordPatch[];
  remove?: RecordRefs;
  /**
   * The records the new version holds, all of them (not combined with the lists above): current
   * records the same as one of these (by the change's `identity`) stay as they are, the other current
   * records go, and the rest of these are added. Duplicates among them are added once.
   */
  set?: NewRecord[];
}

export interface ChangeOptions extends CommitOptions {
  /** Skip added records the same (by `identity`) as a current record or an earlier added one (default false). */
  deduplicate?: boolean;
  /** What makes two records the same for `deduplicate`, `remove.matching` and `set` (default `input`). */
  identity?: RecordIdentity;
  /** Where each list sits in the caller's request, for the pointers of errors (defaults `/add`, `/update`, `/remove`). */
  pointers?: { add?: string; update?: string; remove?: string; set?: string };
  /**
   * Updates and removals of records that are not current are left out instead of failing the request
   * (the result's `updated`, `unchanged` and `removed` tell what was done with the others).
   */
  skipMissing?: boolean;
}

export interface ChangeResult {
  /** The version committed, or null when nothing changed. */
  version: DatasetVersion | null;
  added: DatasetRecord[];
  /** Indexes (in `add`, or in `set`) of the records skipped as already there, by `deduplicate` or `set`. */
  skipped: number[];
  /** The records `update` changed, as they are now (in request order). */
  updated: DatasetRecord[];
  /** The records `update` named that already held what it asked for. */
  unchanged: DatasetRecord[];
  /** The removed records as they were. */
  removed: DatasetRecord[];
}

export interface CommitOptions {
  /** The version's message; one describing the change is written when omitted. */
  message?: string;
  /**
   * Who writes: the dataset's `managed_by` must be this (`evalstore` when omitted). Only the experiment
   * upload flow writes as `external`.
   */
  writer?: DatasetManager;
  /** A name for the version the change commits, unique in the dataset. */
  versionName?: string;
  /**
   * The version the change was made against: refused (409) when the dataset has moved on since.
   * A change that changes nothing commits nothing, so it is never refused.
   */
  baseVersion?: number;
}

export interface RecordQuery {
  version?: VersionRef;
  cursor?: string;
  limit?: number;
  /**
   * Records to skip before the page (instead of a cursor), for clients that can only ask for page N;
   * the database still walks the records skipped, so cursors are the way for long lists.
   */
  offset?: number;
  /** Records carrying every one of these tags. */
  tags?: string[];
  /** Records carrying at least one of these tags. */
  tags_any?: string[];
  /** Records in any of these splits. */
  splits?: string[];
  /** Records whose metadata has each of these key/value pairs. */
  metadata?: Record<string, Json>;
  /** Substring of the input or expected output (as JSON text), ignoring ASCII case. */
  search?: string;
  /** Only these records (at most 1,000). */
  ids?: string[];
}

export interface CommitResult<T> {
  /** The version committed, or null when the request changed nothing. */
  version: DatasetVersion | null;
  records: T[];
}

export class RecordService {
  constructor(private readonly store: Store) {}

  async add(
    actor: Actor,
    datasetId: string,
    records: readonly NewRecord[],
    options: CommitOptions = {},
  ): Promise<CommitResult<{ id: string; external_id: string | null }>> {
    checkBatchSize(records.length, '/records');
    const writes: RecordWrite[] = records.map((record, index) => ({
      record_id: record.id === undefined ? newId() : requireId(record.id, `/records/${index}/id`),
      content: normalizeContent(record),
    }));
    checkUnique(
      writes.map((w) => w.record_id),
      (i) => `/records/${i}/id`,
      'appears twice in the request',
    );
    checkUnique(
      writes.map((w) => w.content.external_id),
      (i) => `/records/${i}/external_id`,
      'appears twice in the request',
    );

    return this.store.transaction(async (tx) => {
      const dataset = await findDatasetRow(this.store, tx, actor, datasetId, { lock: true });
      await this.refuseTakenExternalIds(
        tx,
        dataset.id,
        writes.map((write, index) => ({ index, write })),
        new Set(),
        '/records',
      );
      const chosen = writes.flatMap((write, index) => (records[index]!.id === undefined ? [] : [{ index, write }]));
      await this.refuseExistingIds(tx, dataset.id, chosen, '/records');
      const version = await commitVersion(this.store, tx, dataset, { added: writes, updated: [], removed: [] }, { actor, ...options });
      return { version, records: writes.map((w) => ({ id: w.record_id, external_id: w.content.external_id })) };
    });
  }

  async update(actor: Actor, datasetId: string, patches: readonly RecordPatch[], options: CommitOptions = {}): Promise<CommitResult<DatasetRecord>> {
    checkBatchSize(patches.length, '/records');
    return this.store.transaction(async (tx) => {
      const dataset = await findDatasetRow(this.store, tx, actor, datasetId, { lock: true });
      const current = await this.findCurrent(tx, dataset.id, patches.map(refOfPatch), (i) => `/records/${i}`);
      checkUnique(
        current.map((row) => row.record_id),
        (i) => `/records/${i}`,
        'names a record already changed earlier in the request',
      );

      const now = nowIso();
      const changed: IndexedWrite[] = [];
      const results: DatasetRecord[] = current.map((row, index) => {
        const patch = patches[index]!;
        const before = revisionContent(row);
        const content = patchedContent(before, patch);
        if (sameContent(before, content)) return presentRecord(row);
        changed.push({ index, write: { record_id: row.record_id, content, created_at: row.created_at } });
        return { ...presentRecord(row), ...content, updated_at: now };
      });
      const renamed = changed.filter(({ index, write }) => write.content.external_id !== current[index]!.external_id);
      checkUnique(
        results.map((record) => record.external_id),
        (i) => `/records/${i}/external_id`,
        'appears twice in the request',
      );
      await this.refuseTakenExternalIds(tx, dataset.id, renamed, new Set(changed.map(({ write }) => write.record_id)), '/records');
      const updated = changed.map(({ write }) => write);
      const version = await commitVersion(this.store, tx, dataset, { added: [], updated, removed: [] }, { actor, ...options });
      return { version, records: results };
    });
  }

  async remove(actor: Actor, datasetId: string, refs: RecordRefs, options: CommitOptions = {}): Promise<CommitResult<{ id: string }>> {
    const byId = (refs.ids ?? []).map((id) => ({ id }));
    const byExternalId = (refs.external_ids ?? []).map((external_id) => ({ external_id }));
    const byRef = (refs.refs ?? []).map((ref) => ({ ref }));
    checkBatchSize(byId.length + byExternalId.length + byRef.length, '/records');
    return this.store.transaction(async (tx) => {
      const dataset = await findDatasetRow(this.store, tx, actor, datasetId, { lock: true });
      const rows = [
        ...(await this.findCurrent(tx, dataset.id, byId, (i) => `/ids/${i}`)),
        ...(await this.findCurrent(tx, dataset.id, byExternalId, (i) => `/external_ids/${i}`)),
        ...(await this.findCurrent(tx, dataset.id, byRef, (i) => `/refs/${i}`)),
      ];
      const removed = uniqueStrings(rows.map((row) => row.record_id));
      const version = await commitVersion(this.store, tx, dataset, { added: [], updated: [], removed }, { actor, ...options });
      return { version, records: removed.map((id) => ({ id })) };
    });
  }

  /**
   * Removes, changes and adds records in one transaction, committed as one version (none when nothing
   * changes). Removals apply first, so an added record may take the external id of a removed one.
   */
  async change(actor: Actor, datasetId: string, changes: RecordChanges, options: ChangeOptions & TransactionOptions = {}): Promise<ChangeResult> {
    const refs = changes.remove ?? {};
    const at = { add: '/add', update: '/update', remove: '/remove', set: '/set', ...options.pointers };
    if (changes.set && (changes.add?.length || changes.update?.length || Object.values(refs).some((list) => list?.length))) {
      throw ValidationError.field(at.set, 'holds every record of the new version, so it cannot be combined with add, update or remove');
    }
    // A set is added like any list, its records already there being skipped as duplicates.
    const adds = changes.set ?? changes.add ?? [];
    const addAt = changes.set ? at.set : at.add;
    const deduplicate = options.deduplicate === true || changes.set !== undefined;
    const identity = options.identity ?? 'input';
    const patches = changes.update ?? [];
    const removals = [
      ...(refs.ids ?? []).map((id, i) => ({ ref: { id }, pointer: `${at.remove}/ids/${i}` })),
      ...(refs.external_ids ?? []).map((external_id, i) => ({ ref: { external_id }, pointer: `${at.remove}/external_ids/${i}` })),
      ...(refs.refs ?? []).map((ref, i) => ({ ref: { ref }, pointer: `${at.remove}/${i}` })),
    ];
    const total = adds.length + patches.length + removals.length + (refs.matching?.length ?? 0);
    if (total > LIMITS.recordsPerRequest) {
      throw ValidationError.field('', `must change at most ${LIMITS.recordsPerRequest} records at once (got ${total})`);
    }
    const writes: RecordWrite[] = adds.map((record, index) => ({
      record_id: record.id === undefined ? newId() : requireId(record.id, `${addAt}/${index}/id`),
      content: normalizeContent(record),
    }));
    checkUnique(
      writes.map((w) => w.record_id),
      (i) => `${addAt}/${i}/id`,
      'appears twice in the request',
    );
    checkUnique(
      writes.map((w) => w.content.external_id),
      (i) => `${addAt}/${i}/external_id`,
      'appears twice in the request',
    );

    return withTransaction(this.store, options, async (tx): Promise<ChangeResult> => {
      const dataset = await findDatasetRow(this.store, tx, actor, datasetId, { lock: true });
      const indexedPatches = patches.map((patch, index) => ({ patch, index }));
      const [liveRemovals, livePatches] = options.skipMissing
        ? [
            await this.onlyCurrent(tx, dataset.id, removals, (removal) => removal.ref),
            await this.onlyCurrent(tx, dataset.id, indexedPatches, (entry) => refOfPatch(entry.patch)),
          ]
        : [removals, indexedPatches];
      // Pointers name the update's place in the request, whatever was left out before it.
      const updateAt = (i: number) => `${at.update}/${livePatches[i]!.index}`;
      const removedRows = await this.findCurrent(
        tx,
        dataset.id,
        liveRemovals.map((r) => r.ref),
        (i) => liveRemovals[i]!.pointer,
      );
      if (refs.matching?.length) removedRows.push(...(await this.currentByContent(tx, dataset.id, refs.matching.map(normalizeContent), identity, 'matching')));
      if (changes.set)
        removedRows.push(
          ...(await this.currentByContent(
            tx,
            dataset.id,
            writes.map((write) => write.content),
            identity,
            'left_out',
          )),
        );
      const removedIds = new Set(removedRows.map((row) => row.record_id));

      const current = await this.findCurrent(
        tx,
        dataset.id,
        livePatches.map((entry) => refOfPatch(entry.patch)),
        updateAt,
      );
      checkUnique(
        current.map((row) => row.record_id),
        updateAt,
        'names a record already changed earlier in the request',
      );
      const alsoRemoved = current.findIndex((row) => removedIds.has(row.record_id));
      if (alsoRemoved >= 0) throw ValidationError.field(updateAt(alsoRemoved), 'names a record the request also removes');
      const now = nowIso();
      const changed: IndexedWrite[] = [];
      const updated: DatasetRecord[] = current.map((row, index) => {
        const before = revisionContent(row);
        const content = patchedContent(before, livePatches[index]!.patch);
        if (sameContent(before, content)) return presentRecord(row);
        changed.push({ index, write: { record_id: row.record_id, content, created_at: row.created_at } });
        return { ...presentRecord(row), ...content, updated_at: now };
      });
      checkUnique(
        updated.map((record) => record.external_id),
        (i) => `${updateAt(i)}/external_id`,
        'appears twice in the request',
      );
      const renamed = changed.filter(({ index, write }) => write.content.external_id !== current[index]!.external_id);

      const skipped: number[] = [];
      let kept = writes.map((write, index) => ({ index, write }));
      if (deduplicate && kept.length) {
        const keys = kept.map(({ write }) => identityKey(write.content, identity));
        const existing = new Set<string>();
        const inputHashes = [...new Set(kept.map(({ write }) => hashRecord(write.content).input_hash))];
        for (const row of await this.currentIdentities(tx, dataset.id, identity, inputHashes)) {
          if (!removedIds.has(row.record_id)) existing.add(row.key);
        }
        kept = kept.filter(({ index }) => {
          const key = keys[index]!;
          if (existing.has(key)) {
            skipped.push(index);
            return false;
          }
          existing.add(key);
          return true;
        });
      }
      const freed = new Set([...removedIds, ...changed.map(({ write }) => write.record_id)]);
      await this.refuseTakenExternalIds(
        tx,
        dataset.id,
        renamed.map((entry) => ({ ...entry, index: livePatches[entry.index]!.index })),
        freed,
        at.update,
      );
      await this.refuseTakenExternalIds(tx, dataset.id, kept, freed, addAt);
      await this.refuseExistingIds(
        tx,
        dataset.id,
        kept.filter(({ index }) => adds[index]!.id !== undefined),
        addAt,
      );
      const renamedTo = new Set(renamed.map((r) => r.write.content.external_id));
      const clash = kept.find(({ write }) => write.content.external_id !== null && renamedTo.has(write.content.external_id));
      if (clash) throw ValidationError.field(`${addAt}/${clash.index}/external_id`, 'is also given to a changed record in the request');

      const version = await commitVersion(
        this.store,
        tx,
        dataset,
        { added: kept.map(({ write }) => write), updated: changed.map(({ write }) => write), removed: [...removedIds] },
        { actor, message: options.message, writer: options.writer, versionName: options.versionName, baseVersion: options.baseVersion },
      );
      const stamp = version?.created_at ?? now;
      const changedAt = new Set(changed.map(({ index }) => index));
      return {
        version,
        added: kept.map(({ write }) => ({
          id: write.record_id,
          dataset_id: dataset.id,
          ...write.content,
          created_at: stamp,
          updated_at: stamp,
        })),
        skipped,
        updated: changed.map(({ index }) => ({ ...updated[index]!, updated_at: stamp })),
        unchanged: updated.filter((_, index) => !changedAt.has(index)),
        removed: uniqueById(removedRows).map(presentRecord),
      };
    });
  }

  /**
   * Adds records made from runs of the workspace (logs, results), one per run in the order given and
   * committed as one version, each with its run as its `source`; `toRecord` says what a run's record
   * holds (by default its input, and its output as the expected output). An id that names no run of
   * the workspace is refused (404 naming `/run_ids/<index>`), and so the whole request.
   */
  async addFromRuns(
    actor: Actor,
    datasetId: string,
    runIds: readonly string[],
    options: ChangeOptions & { toRecord?: (run: Run, index: number) => Omit<NewRecord, 'id' | 'source'> } = {},
  ): Promise<ChangeResult> {
    checkBatchSize(runIds.length, '/records');
    const { toRecord = recordOfRun, ...changeOptions } = options;
    return this.store.transaction(async (tx) => {
      // An unknown dataset is the first thing to say, before anything about the runs.
      await findDatasetRow(this.store, tx, actor, datasetId);
      const runs = (await findRunRows(this.store, tx, actor, runIds, { pointerOf: (index) => `/run_ids/${index}` })).map(presentRun);
      const add = runs.map((run, index): NewRecord => ({ ...toRecord(run, index), source: { run_id: run.id, experiment_id: run.experiment_id } }));
      return this.change(actor, datasetId, { add }, { pointers: { add: '/run_ids' }, ...changeOptions, transaction: tx });
    });
  }

  /** Which of `ids` are ids of the dataset's current records. */
  async currentIds(actor: Actor, datasetId: string, ids: readonly string[], options: TransactionOptions = {}): Promise<Set<string>> {
    const db = options.transaction ?? this.store.db;
    const dataset = await findDatasetRow(this.store, db, actor, datasetId);
    const wanted = [...new Set(ids.flatMap((id) => parseId(id) ?? []))];
    const found = new Set<string>();
    for (const chunk of chunks(wanted)) {
      const rows = await currentRevisions(db, dataset.id).select('record_id').where('record_id', 'in', chunk).execute();
      for (const row of rows) found.add(row.record_id);
    }
    return found;
  }

  async get(actor: Actor, datasetId: string, recordId: string, version?: VersionRef): Promise<DatasetRecord> {
    const dataset = await findDatasetRow(this.store, this.store.db, actor, datasetId);
    const at = await resolveVersion(this.store.db, dataset, version);
    const id = parseId(recordId);
    const row = id ? await revisionsAt(this.store.db, dataset.id, at).selectAll().where('record_id', '=', id).executeTakeFirst() : undefined;
    if (!row) throw new NotFoundError('Record', recordId);
    return presentRecord(row);
  }

  /**
   * A current record of any of the workspace's datasets, by its id alone (for clients that name records
   * without their dataset); NotFound when no dataset of the workspace holds it now.
   */
  async find(actor: Actor, recordId: string): Promise<DatasetRecord> {
    const id = parseId(recordId);
    const row = id
      ? await this.store.db
          .selectFrom('record_revisions')
          .innerJoin('datasets', 'datasets.id', 'record_revisions.dataset_id')
          .selectAll('record_revisions')
          .where('record_revisions.record_id', '=', id)
          .where('record_revisions.valid_to', '=', OPEN_VERSION)
          .where('datasets.workspace_id', '=', actor.workspaceId)
          .executeTakeFirst()
      : undefined;
    if (!row) throw new NotFoundError('Record', recordId);
    return presentRecord(row);
  }

  /** The splits the records of a version (the latest by default) are in, sorted. */
  async splits(actor: Actor, datasetId: string, version?: VersionRef): Promise<string[]> {
    const dataset = await findDatasetRow(this.store, this.store.db, actor, datasetId);
    const at = await resolveVersion(this.store.db, dataset, version);
    // Records share few distinct lists of splits: the database makes them distinct, this flattens them.
    const rows = await revisionsAt(this.store.db, dataset.id, at).select('splits').distinct().execute();
    return [...new Set(rows.flatMap((row) => JSON.parse(row.splits) as string[]))].sort();
  }

  /** Records of one version (the latest by default), in a stable order (by id). */
  async list(actor: Actor, datasetId: string, query: RecordQuery = {}): Promise<Page<DatasetRecord> & { version: number }> {
    const dataset = await findDatasetRow(this.store, this.store.db, actor, datasetId);
    const version = await resolveVersion(this.store.db, dataset, query.version);
    const limit = pageSize(query.limit, LIMITS.recordPageSizeMax);
    const after = decodeCursor(query.cursor, 'id');
    const sqlOf = this.store.sql;
    const bound = await versionRecordBound(this.store.db, dataset.id, version);
    if (bound === null) return { data: [], next_cursor: null, version };
    let select = revisionsAt(this.store.db, dataset.id, version).selectAll().where('record_id', '<=', bound);
    if (query.ids !== undefined) {
      if (query.ids.length > 1_000) throw ValidationError.field('/ids', 'must hold at most 1000 ids', { in: 'query' });
      const ids = query.ids.flatMap((id) => parseId(id) ?? []);
      if (ids.length === 0) return { data: [], next_cursor: null, version };
      select = select.where('record_id', 'in', ids);
    }
    for (const tag of query.tags ?? []) select = select.where(sqlOf.jsonArrayIncludes('tags', tag));
    if (query.tags_any?.length) {
      const anyOf = query.tags_any;
      select = select.where((eb) => eb.or(anyOf.map((tag) => sqlOf.jsonArrayIncludes('tags', tag))));
    }
    if (query.splits?.length) {
      const splits = query.splits;
      select = select.where((eb) => eb.or(splits.map((split) => sqlOf.jsonArrayIncludes('splits', split))));
    }
    for (const condition of metadataMatches(sqlOf, 'metadata', query.metadata, '/metadata')) select = select.where(condition);
    if (query.search) {
      const search = query.search;
      select = select.where((eb) => eb.or([sqlOf.containsText('input', search), sqlOf.containsText('expected_output', search)]));
    }
    if (after) select = select.where('record_id', '>', String(after[0]));
    if (checkedOffset(query.offset)) select = select.offset(query.offset!);
    const rows = await select
      .orderBy('record_id')
      .limit(limit + 1)
      .execute();
    return { ...toPage(rows, limit, presentRecord, (row) => [row.record_id]), version };
  }

  /** The identity keys of current records: of those with these input hashes, or of all of them. */
  private async currentIdentities(
    tx: Transaction,
    datasetId: string,
    identity: RecordIdentity,
    inputHashes?: readonly string[],
  ): Promise<{ record_id: string; key: string }[]> {
    const columns = ['record_id', 'input_hash', 'expected_output'] as const;
    const rows = [];
    if (!inputHashes) rows.push(...(await currentRevisions(tx, datasetId).select(columns).orderBy('record_id').execute()));
    for (const chunk of chunks(inputHashes ?? [])) {
      rows.push(...(await currentRevisions(tx, datasetId).select(columns).where('input_hash', 'in', chunk).orderBy('record_id').execute()));
    }
    return rows.map((row) => ({
      record_id: row.record_id,
      key: identity === 'input' ? row.input_hash : exampleKey(row.input_hash, JSON.parse(row.expected_output) as Json),
    }));
  }

  /**
   * Current records named by content: those the same (by `identity`) as one of `contents` (`matching`),
   * or those a `set` of `contents` leaves out (`left_out`: the same as none of them, and all but the
   * first, by id, of several that are the same as one of them).
   */
  private async currentByContent(
    tx: Transaction,
    datasetId: string,
    contents: readonly RecordContent[],
    identity: RecordIdentity,
    which: 'matching' | 'left_out',
  ): Promise<RecordRevisionTable[]> {
    const keys = new Set(contents.map((content) => identityKey(content, identity)));
    // Records matching a content share its input, so only those need reading; a set reads them all.
    const inputHashes = which === 'matching' ? uniqueStrings(contents.map((content) => hashRecord(content).input_hash)) : undefined;
    const rows = await this.currentIdentities(tx, datasetId, identity, inputHashes);
    const chosen = which === 'matching' ? rows.filter((row) => keys.has(row.key)) : rows.filter((row) => !keys.delete(row.key));
    return this.findCurrent(
      tx,
      datasetId,
      chosen.map((row) => ({ id: row.record_id })),
      () => '',
    );
  }

  /** The items whose reference names a current record of the dataset, in the order given. */
  private async onlyCurrent<T>(
    tx: Transaction,
    datasetId: string,
    items: readonly T[],
    refOf: (item: T) => { id?: string; external_id?: string | null; ref?: string },
  ): Promise<T[]> {
    const found = await this.lookupCurrent(tx, datasetId, items.map(refOf), () => '');
    return items.filter((_, index) => found[index] !== undefined);
  }

  /** Current revisions for each reference, in the order given; NotFound names the first one missing. */
  private async findCurrent(
    tx: Transaction,
    datasetId: string,
    refs: readonly { id?: string; external_id?: string | null; ref?: string }[],
    pointerOf: (index: number) => string,
  ): Promise<RecordRevisionTable[]> {
    const found = await this.lookupCurrent(tx, datasetId, refs, pointerOf);
    return found.map((row, index) => {
      if (row) return row;
      const ref = refs[index]!;
      const name = ref.id ?? ref.external_id ?? ref.ref ?? '';
      throw new NotFoundError('Record', name, [{ pointer: pointerOf(index), detail: 'is not a current record of the dataset' }]);
    });
  }

  /** Current revisions for each reference, in the order given; undefined where there is none. */
  private async lookupCurrent(
    tx: Transaction,
    datasetId: string,
    refs: readonly { id?: string; external_id?: string | null; ref?: string }[],
    pointerOf: (index: number) => string,
  ): Promise<(RecordRevisionTable | undefined)[]> {
    const either = refs.flatMap((ref) => (ref.id === undefined && !ref.external_id && ref.ref !== undefined ? [ref.ref] : []));
    if (either.length) {
      // A ref is an external id when a current record has it, else a record id.
      const byExternal = new Set<string>();
      for (const chunk of chunks(either)) {
        const rows = await currentRevisions(tx, datasetId).select('external_id').where('external_id', 'in', chunk).execute();
        for (const row of rows) byExternal.add(row.external_id!);
      }
      refs = refs.map((ref) =>
        ref.id === undefined && !ref.external_id && ref.ref !== undefined ? (byExternal.has(ref.ref) ? { external_id: ref.ref } : { id: ref.ref }) : ref,
      );
    }
    const ids = refs.flatMap((ref) => (ref.id === undefined ? [] : [parseId(ref.id) ?? ref.id]));
    const externalIds = refs.flatMap((ref) => (ref.id === undefined && ref.external_id ? [ref.external_id] : []));
    const byId = new Map<string, RecordRevisionTable>();
    const byExternalId = new Map<string, RecordRevisionTable>();
    for (const chunk of chunks(ids.filter((id) => parseId(id) !== undefined))) {
      const rows = await currentRevisions(tx, datasetId).selectAll().where('record_id', 'in', chunk).execute();
      for (const row of rows) byId.set(row.record_id, row);
    }
    for (const chunk of chunks(externalIds)) {
      const rows = await currentRevisions(tx, datasetId).selectAll().where('external_id', 'in', chunk).execute();
      for (const row of rows) byExternalId.set(row.external_id!, row);
    }
    return refs.map((ref, index) => {
      if (ref.id === undefined && !ref.external_id) {
        throw ValidationError.field(pointerOf(index), 'must name a record by id or external_id');
      }
      return ref.id !== undefined ? byId.get(parseId(ref.id) ?? ref.id) : byExternalId.get(ref.external_id!);
    });
  }

  private async refuseTakenExternalIds(
    tx: Transaction,
    datasetId: string,
    writes: readonly IndexedWrite[],
    changing: ReadonlySet<string>,
    base: string,
  ): Promise<void> {
    const wanted = writes.flatMap(({ write }) => (write.content.external_id === null ? [] : [write.content.external_id]));
    const taken = new Map<string, string>();
    for (const chunk of chunks(wanted)) {
      const rows = await currentRevisions(tx, datasetId).select(['external_id', 'record_id']).where('external_id', 'in', chunk).execute();
      for (const row of rows) if (!changing.has(row.record_id)) taken.set(row.external_id!, row.record_id);
    }
    const clash = writes.find(({ write }) => write.content.external_id !== null && taken.has(write.content.external_id));
    if (clash) {
      const externalId = clash.write.content.external_id!;
      throw new ConflictError(`external_id ${JSON.stringify(externalId)} is already used by record ${taken.get(externalId)}`, [
        { pointer: `${base}/${clash.index}/external_id`, detail: 'is already used by another record of the dataset' },
      ]);
    }
  }

  /**
   * Caller-chosen ids must be new to the dataset, in any version: a record id names one record forever.
   * (Ids the server makes are fresh UUIDv7s and need no check.)
   */
  private async refuseExistingIds(tx: Transaction, datasetId: string, writes: readonly IndexedWrite[], base: string): Promise<void> {
    const ids = writes.map(({ write }) => write.record_id);
    if (ids.length === 0) return;
    const existing = new Set<string>();
    for (const chunk of chunks(ids)) {
      const rows = await tx
        .selectFrom('record_revisions')
        .select('record_id')
        .distinct()
        .where('dataset_id', '=', datasetId)
        .where('record_id', 'in', chunk)
        .execute();
      for (const row of rows) existing.add(row.record_id);
    }
    const clash = writes.find(({ write }) => existing.has(write.record_id));
    if (clash) {
      throw new ConflictError(`Record ${clash.write.record_id} already exists`, [
        { pointer: `${base}/${clash.index}/id`, detail: 'is already the id of a record of the dataset' },
      ]);
    }
  }
}

/** A write with the index of the request item it came from, so errors can point at that item. */
interface IndexedWrite {
  index: number;
  write: RecordWrite;
}

/** What a record made from a run holds when its maker says nothing else: its input, and its output as the expected output. */
function recordOfRun(run: Run): Omit<NewRecord, 'id' | 'source'> {
  return { input: run.input, expected_output: run.output };
}

/** The key two records share exactly when they are the same by `identity`. */
function identityKey(content: RecordContent, identity: RecordIdentity): string {
  const inputHash = hashRecord(content).input_hash;
  return identity === 'input' ? inputHash : exampleKey(inputHash, content.expected_output);
}

function exampleKey(inputHash: string, expectedOutput: Json): string {
  return jsonHash([inputHash, expectedOutput]);
}

function uniqueById(rows: readonly RecordRevisionTable[]): RecordRevisionTable[] {
  const seen = new Set<string>();
  return rows.filter((row) => {
    if (seen.has(row.record_id)) return false;
    seen.add(row.record_id);
    return true;
  });
}

function sameContent(a: RecordContent, b: RecordContent): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function refOfPatch(patch: RecordPatch): { id?: string; external_id?: string | null; ref?: string } {
  if (patch.id !== undefined) return { id: patch.id };
  if (patch.external_id) return { external_id: patch.external_id };
  return patch.ref !== undefined ? { ref: patch.ref } : { external_id: null };
}

/** A current record's content with a patch applied (fields left out keep their values). */
function patchedContent(before: RecordContent, patch: RecordPatch): RecordContent {
  const fields = definedFields(patch);
  if (patch.tag_operations) fields.tags = applyTagOperations(fields.tags ?? before.tags, patch.tag_operations);
  const patched = normalizeContent({
    ...before,
    ...fields,
    external_id: patch.id === undefined ? before.external_id : (patch.external_id ?? before.external_id),
  });
  return patch.revise ? normalizeContent({ ...patched, ...patch.revise(patched) }) : patched;
}

function applyTagOperations(tags: readonly string[], operations: TagOperations): string[] {
  const removed = new Set(operations.remove ?? []);
  const next = [...tags.filter((tag) => !removed.has(tag)), ...(operations.add ?? [])];
  return operations.set ?? next;
}

function definedFields(patch: RecordPatch): Partial<RecordContent> {
  const fields: Partial<RecordContent> = {};
  if (patch.input !== undefined) fields.input = patch.input;
  if (patch.expected_output !== undefined) fields.expected_output = patch.expected_output;
  if (patch.metadata !== undefined) fields.metadata = patch.metadata;
  if (patch.tags !== undefined) fields.tags = patch.tags;
  if (patch.splits !== undefined) fields.splits = patch.splits;
  if (patch.source !== undefined) fields.source = patch.source;
  return fields;
}

function requireId(value: string, pointer: string): string {
  const id = parseId(value);
  if (!id) throw ValidationError.field(pointer, 'must be a UUID');
  return id;
}

function checkUnique(values: readonly (string | null)[], pointerOf: (index: number) => string, detail: string): void {
  const seen = new Set<string>();
  const issues: FieldIssue[] = [];
  values.forEach((value, index) => {
    if (value === null) return;
    if (seen.has(value)) issues.push({ pointer: pointerOf(index), detail });
    seen.add(value);
  });
  const first = issues[0];
  if (first) throw new ValidationError(`${first.pointer} ${first.detail}`, issues.slice(0, 20));
}
