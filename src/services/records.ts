import type { Kysely } from 'kysely';
import { ConflictError, NotFoundError, ValidationError, type FieldIssue } from '../domain/errors.js';
import { newId, parseId } from '../domain/ids.js';
import type { Json, JsonObject } from '../domain/json.js';
import { LIMITS } from '../domain/limits.js';
import { hashRecord, uniqueStrings, type RecordContent } from '../domain/records.js';
import { nowIso } from '../domain/time.js';
import type { Actor, DatasetManager, DatasetRecord, DatasetVersion } from '../domain/types.js';
import type { Store } from '../store/database.js';
import type { Database, RecordRevisionTable } from '../store/schema.js';
import { findDatasetRow } from './datasets.js';
import { decodeCursor, pageSize, toPage, type Page } from './pagination.js';
import { currentRevisions, presentRecord, revisionContent, revisionsAt, type RecordWrite } from './revisions.js';
import { commitVersion } from './versioning.js';
import { resolveVersion, type VersionRef } from './versions.js';

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
}

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
}

export interface ChangeOptions extends CommitOptions {
  /** Skip added records whose input equals that of a current record or of an earlier added one (default false). */
  deduplicate?: boolean;
  /** Where each list sits in the caller's request, for the pointers of errors (defaults `/add`, `/update`, `/remove`). */
  pointers?: { add?: string; update?: string; remove?: string };
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
  /** Indexes (in `add`) of the records skipped by `deduplicate`. */
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
    checkBatchSize(records.length);
    const writes: RecordWrite[] = records.map((record, index) => ({
      record_id: record.id === undefined ? newId() : requireId(record.id, `/records/${index}/id`),
      content: normalizeContent(record),
    }));
    checkUnique(writes.map((w) => w.record_id), (i) => `/records/${i}/id`, 'appears twice in the request');
    checkUnique(writes.map((w) => w.content.external_id), (i) => `/records/${i}/external_id`, 'appears twice in the request');

    return this.store.transaction(async (tx) => {
      const dataset = await findDatasetRow(this.store, tx, actor, datasetId, { lock: true });
      await this.refuseTakenExternalIds(tx, dataset.id, writes.map((write, index) => ({ index, write })), new Set(), '/records');
      const chosen = writes.flatMap((write, index) => (records[index]!.id === undefined ? [] : [{ index, write }]));
      await this.refuseExistingIds(tx, dataset.id, chosen, '/records');
      const version = await commitVersion(this.store, tx, dataset, { added: writes, updated: [], removed: [] }, { actor, ...options });
      return { version, records: writes.map((w) => ({ id: w.record_id, external_id: w.content.external_id })) };
    });
  }

  async update(
    actor: Actor,
    datasetId: string,
    patches: readonly RecordPatch[],
    options: CommitOptions = {},
  ): Promise<CommitResult<DatasetRecord>> {
    checkBatchSize(patches.length);
    return this.store.transaction(async (tx) => {
      const dataset = await findDatasetRow(this.store, tx, actor, datasetId, { lock: true });
      const current = await this.findCurrent(tx, dataset.id, patches.map(refOfPatch), (i) => `/records/${i}`);
      checkUnique(current.map((row) => row.record_id), (i) => `/records/${i}`, 'names a record already changed earlier in the request');

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

  async remove(
    actor: Actor,
    datasetId: string,
    refs: RecordRefs,
    options: CommitOptions = {},
  ): Promise<CommitResult<{ id: string }>> {
    const byId = (refs.ids ?? []).map((id) => ({ id }));
    const byExternalId = (refs.external_ids ?? []).map((external_id) => ({ external_id }));
    const byRef = (refs.refs ?? []).map((ref) => ({ ref }));
    checkBatchSize(byId.length + byExternalId.length + byRef.length);
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
   * With `db`, the work joins the caller's transaction.
   */
  async change(
    actor: Actor,
    datasetId: string,
    changes: RecordChanges,
    options: ChangeOptions = {},
    db?: Kysely<Database>,
  ): Promise<ChangeResult> {
    const adds = changes.add ?? [];
    const patches = changes.update ?? [];
    const refs = changes.remove ?? {};
    const at = { add: '/add', update: '/update', remove: '/remove', ...options.pointers };
    const removals = [
      ...(refs.ids ?? []).map((id, i) => ({ ref: { id }, pointer: `${at.remove}/ids/${i}` })),
      ...(refs.external_ids ?? []).map((external_id, i) => ({ ref: { external_id }, pointer: `${at.remove}/external_ids/${i}` })),
      ...(refs.refs ?? []).map((ref, i) => ({ ref: { ref }, pointer: `${at.remove}/${i}` })),
    ];
    const total = adds.length + patches.length + removals.length;
    if (total > LIMITS.recordsPerRequest) {
      throw ValidationError.field('', `must change at most ${LIMITS.recordsPerRequest} records at once (got ${total})`);
    }
    const writes: RecordWrite[] = adds.map((record, index) => ({
      record_id: record.id === undefined ? newId() : requireId(record.id, `${at.add}/${index}/id`),
      content: normalizeContent(record),
    }));
    checkUnique(writes.map((w) => w.record_id), (i) => `${at.add}/${i}/id`, 'appears twice in the request');
    checkUnique(writes.map((w) => w.content.external_id), (i) => `${at.add}/${i}/external_id`, 'appears twice in the request');

    const work = async (tx: Kysely<Database>): Promise<ChangeResult> => {
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
      const removedRows = await this.findCurrent(tx, dataset.id, liveRemovals.map((r) => r.ref), (i) => liveRemovals[i]!.pointer);
      const removedIds = new Set(removedRows.map((row) => row.record_id));

      const current = await this.findCurrent(tx, dataset.id, livePatches.map((entry) => refOfPatch(entry.patch)), updateAt);
      checkUnique(current.map((row) => row.record_id), updateAt, 'names a record already changed earlier in the request');
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
      checkUnique(updated.map((record) => record.external_id), (i) => `${updateAt(i)}/external_id`, 'appears twice in the request');
      const renamed = changed.filter(({ index, write }) => write.content.external_id !== current[index]!.external_id);

      const skipped: number[] = [];
      let kept = writes.map((write, index) => ({ index, write }));
      if (options.deduplicate && kept.length) {
        const hashes = kept.map(({ write }) => hashRecord(write.content).input_hash);
        const existing = new Set<string>();
        for (const chunk of chunks([...new Set(hashes)])) {
          const rows = await currentRevisions(tx, dataset.id).select(['input_hash', 'record_id']).where('input_hash', 'in', chunk).execute();
          for (const row of rows) if (!removedIds.has(row.record_id)) existing.add(row.input_hash);
        }
        kept = kept.filter(({ index }) => {
          const hash = hashes[index]!;
          if (existing.has(hash)) {
            skipped.push(index);
            return false;
          }
          existing.add(hash);
          return true;
        });
      }
      const freed = new Set([...removedIds, ...changed.map(({ write }) => write.record_id)]);
      await this.refuseTakenExternalIds(tx, dataset.id, renamed.map((entry) => ({ ...entry, index: livePatches[entry.index]!.index })), freed, at.update);
      await this.refuseTakenExternalIds(tx, dataset.id, kept, freed, at.add);
      await this.refuseExistingIds(tx, dataset.id, kept.filter(({ index }) => adds[index]!.id !== undefined), at.add);
      const clash = kept.find(({ write }) => write.content.external_id !== null && renamed.some((r) => r.write.content.external_id === write.content.external_id));
      if (clash) throw ValidationError.field(`${at.add}/${clash.index}/external_id`, 'is also given to a changed record in the request');

      const version = await commitVersion(
        this.store,
        tx,
        dataset,
        { added: kept.map(({ write }) => write), updated: changed.map(({ write }) => write), removed: [...removedIds] },
        { actor, message: options.message, writer: options.writer, versionName: options.versionName, baseVersion: options.baseVersion },
      );
      const stamp = version?.created_at ?? now;
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
        unchanged: updated.filter((_, index) => !changed.some((c) => c.index === index)),
        removed: uniqueById(removedRows).map(presentRecord),
      };
    };
    return db ? work(db) : this.store.transaction(work);
  }

  /** Which of `ids` are ids of the dataset's current records. With `db`, read in the caller's transaction. */
  async currentIds(actor: Actor, datasetId: string, ids: readonly string[], db: Kysely<Database> = this.store.db): Promise<Set<string>> {
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
    const row = id
      ? await revisionsAt(this.store.db, dataset.id, at).selectAll().where('record_id', '=', id).executeTakeFirst()
      : undefined;
    if (!row) throw new NotFoundError('Record', recordId);
    return presentRecord(row);
  }

  /** Records of one version (the latest by default), in a stable order (by id). */
  async list(actor: Actor, datasetId: string, query: RecordQuery = {}): Promise<Page<DatasetRecord> & { version: number }> {
    const dataset = await findDatasetRow(this.store, this.store.db, actor, datasetId);
    const version = await resolveVersion(this.store.db, dataset, query.version);
    const limit = pageSize(query.limit, LIMITS.recordPageSizeMax);
    const after = decodeCursor(query.cursor, 1);
    const sqlOf = this.store.sql;
    let select = revisionsAt(this.store.db, dataset.id, version).selectAll();
    for (const tag of query.tags ?? []) select = select.where(sqlOf.jsonArrayIncludes('tags', tag));
    if (query.tags_any?.length) {
      const anyOf = query.tags_any;
      select = select.where((eb) => eb.or(anyOf.map((tag) => sqlOf.jsonArrayIncludes('tags', tag))));
    }
    if (query.splits?.length) {
      const splits = query.splits;
      select = select.where((eb) => eb.or(splits.map((split) => sqlOf.jsonArrayIncludes('splits', split))));
    }
    for (const [key, value] of Object.entries(query.metadata ?? {})) {
      select = select.where(sqlOf.jsonFieldEquals('metadata', key, value));
    }
    if (query.search) {
      const search = query.search;
      select = select.where((eb) =>
        eb.or([sqlOf.containsText('input', search), sqlOf.containsText('expected_output', search)]),
      );
    }
    if (after) select = select.where('record_id', '>', String(after[0]));
    const rows = await select.orderBy('record_id').limit(limit + 1).execute();
    return { ...toPage(rows, limit, presentRecord, (row) => [row.record_id]), version };
  }

  /** The items whose reference names a current record of the dataset, in the order given. */
  private async onlyCurrent<T>(
    tx: Kysely<Database>,
    datasetId: string,
    items: readonly T[],
    refOf: (item: T) => { id?: string; external_id?: string | null; ref?: string },
  ): Promise<T[]> {
    const found = await this.lookupCurrent(tx, datasetId, items.map(refOf), () => '');
    return items.filter((_, index) => found[index] !== undefined);
  }

  /** Current revisions for each reference, in the order given; NotFound names the first one missing. */
  private async findCurrent(
    tx: Kysely<Database>,
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
    tx: Kysely<Database>,
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
        ref.id === undefined && !ref.external_id && ref.ref !== undefined
          ? byExternal.has(ref.ref)
            ? { external_id: ref.ref }
            : { id: ref.ref }
          : ref,
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
    tx: Kysely<Database>,
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
  private async refuseExistingIds(tx: Kysely<Database>, datasetId: string, writes: readonly IndexedWrite[], base: string): Promise<void> {
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

const CHUNK = 1_000;

function chunks<T>(values: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < values.length; start += CHUNK) out.push(values.slice(start, start + CHUNK));
  return out;
}

export function normalizeContent(record: NewRecord | RecordContent): RecordContent {
  return {
    input: record.input,
    expected_output: record.expected_output ?? null,
    metadata: record.metadata ?? {},
    tags: uniqueStrings(record.tags ?? []),
    splits: uniqueStrings(record.splits ?? []),
    external_id: record.external_id ?? null,
    source: record.source ?? null,
  };
}

function uniqueById(rows: readonly RecordRevisionTable[]): RecordRevisionTable[] {
  const seen = new Set<string>();
  return rows.filter((row) => (seen.has(row.record_id) ? false : (seen.add(row.record_id), true)));
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

function checkBatchSize(count: number): void {
  if (count < 1 || count > LIMITS.recordsPerRequest) {
    throw ValidationError.field('/records', `must hold between 1 and ${LIMITS.recordsPerRequest} items (got ${count})`);
  }
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
