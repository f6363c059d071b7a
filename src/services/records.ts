import type { Kysely } from 'kysely';
import { ConflictError, NotFoundError, ValidationError, type FieldIssue } from '../domain/errors.js';
import { newId, parseId } from '../domain/ids.js';
import type { Json, JsonObject } from '../domain/json.js';
import { LIMITS } from '../domain/limits.js';
import { uniqueStrings, type RecordContent } from '../domain/records.js';
import { nowIso } from '../domain/time.js';
import type { Actor, DatasetRecord, DatasetVersion } from '../domain/types.js';
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
}

export interface CommitOptions {
  /** The version's message; one describing the change is written when omitted. */
  message?: string;
}

export interface RecordQuery {
  version?: VersionRef;
  cursor?: string;
  limit?: number;
  /** Records carrying every one of these tags. */
  tags?: string[];
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
      await this.refuseTakenExternalIds(tx, dataset.id, writes.map((write, index) => ({ index, write })), new Set());
      const chosen = writes.flatMap((write, index) => (records[index]!.id === undefined ? [] : [{ index, write }]));
      await this.refuseExistingIds(tx, dataset.id, chosen);
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
        const content = normalizeContent({
          ...before,
          ...definedFields(patch),
          external_id: patch.id === undefined ? before.external_id : (patch.external_id ?? before.external_id),
        });
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
      await this.refuseTakenExternalIds(tx, dataset.id, renamed, new Set(changed.map(({ write }) => write.record_id)));
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
    checkBatchSize(byId.length + byExternalId.length);
    return this.store.transaction(async (tx) => {
      const dataset = await findDatasetRow(this.store, tx, actor, datasetId, { lock: true });
      const rows = [
        ...(await this.findCurrent(tx, dataset.id, byId, (i) => `/ids/${i}`)),
        ...(await this.findCurrent(tx, dataset.id, byExternalId, (i) => `/external_ids/${i}`)),
      ];
      const removed = uniqueStrings(rows.map((row) => row.record_id));
      const version = await commitVersion(this.store, tx, dataset, { added: [], updated: [], removed }, { actor, ...options });
      return { version, records: removed.map((id) => ({ id })) };
    });
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
    const limit = pageSize(query.limit);
    const after = decodeCursor(query.cursor, 1);
    const sqlOf = this.store.sql;
    let select = revisionsAt(this.store.db, dataset.id, version).selectAll();
    for (const tag of query.tags ?? []) select = select.where(sqlOf.jsonArrayIncludes('tags', tag));
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

  /** Current revisions for each reference, in the order given; NotFound names the first one missing. */
  private async findCurrent(
    tx: Kysely<Database>,
    datasetId: string,
    refs: readonly { id?: string; external_id?: string | null }[],
    pointerOf: (index: number) => string,
  ): Promise<RecordRevisionTable[]> {
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
      const row =
        ref.id !== undefined ? byId.get(parseId(ref.id) ?? ref.id) : ref.external_id ? byExternalId.get(ref.external_id) : undefined;
      if (row) return row;
      if (ref.id === undefined && !ref.external_id) {
        throw ValidationError.field(pointerOf(index), 'must name a record by id or external_id');
      }
      const name = ref.id ?? ref.external_id ?? '';
      throw new NotFoundError('Record', name, [{ pointer: pointerOf(index), detail: 'is not a current record of the dataset' }]);
    });
  }

  private async refuseTakenExternalIds(
    tx: Kysely<Database>,
    datasetId: string,
    writes: readonly IndexedWrite[],
    changing: ReadonlySet<string>,
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
        { pointer: `/records/${clash.index}/external_id`, detail: 'is already used by another record of the dataset' },
      ]);
    }
  }

  /**
   * Caller-chosen ids must be new to the dataset, in any version: a record id names one record forever.
   * (Ids the server makes are fresh UUIDv7s and need no check.)
   */
  private async refuseExistingIds(tx: Kysely<Database>, datasetId: string, writes: readonly IndexedWrite[]): Promise<void> {
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
        { pointer: `/records/${clash.index}/id`, detail: 'is already the id of a record of the dataset' },
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

function sameContent(a: RecordContent, b: RecordContent): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function refOfPatch(patch: RecordPatch): { id?: string; external_id?: string | null } {
  return patch.id !== undefined ? { id: patch.id } : { external_id: patch.external_id ?? null };
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
