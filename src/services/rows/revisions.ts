import type { Kysely, SelectQueryBuilder } from 'kysely';
import type { Json, JsonObject } from '../../domain/json.js';
import { hashRecord, uniqueStrings, type RecordContent } from '../../domain/records.js';
import { OPEN_VERSION, type Database, type RecordRevisionTable } from '../../store/schema.js';

/** A record's content as it will be written in a new revision. */
export interface RecordWrite {
  record_id: string;
  content: RecordContent;
  /** When the record was first created, kept across its revisions; absent for a new record (created now). */
  created_at?: string;
}

/** The revisions that make up version `version` of a dataset. */
export function revisionsAt(db: Kysely<Database>, datasetId: string, version: number): SelectQueryBuilder<Database, 'record_revisions', object> {
  return db
    .selectFrom('record_revisions')
    .where('record_revisions.dataset_id', '=', datasetId)
    .where('record_revisions.valid_from', '<=', version)
    .where('record_revisions.valid_to', '>', version);
}

/** The revisions that are current now (visible in the latest version). */
export function currentRevisions(db: Kysely<Database>, datasetId: string) {
  return db.selectFrom('record_revisions').where('record_revisions.dataset_id', '=', datasetId).where('record_revisions.valid_to', '=', OPEN_VERSION);
}

export function toRevisionRow(datasetId: string, write: RecordWrite, version: number, now: string): RecordRevisionTable {
  const { content } = write;
  const hashes = hashRecord(content);
  return {
    dataset_id: datasetId,
    record_id: write.record_id,
    valid_from: version,
    valid_to: OPEN_VERSION,
    external_id: content.external_id,
    input: JSON.stringify(content.input),
    expected_output: JSON.stringify(content.expected_output),
    metadata: JSON.stringify(content.metadata),
    tags: JSON.stringify(content.tags),
    splits: JSON.stringify(content.splits),
    source: content.source === null ? null : JSON.stringify(content.source),
    input_hash: hashes.input_hash,
    content_hash: hashes.content_hash,
    created_at: write.created_at ?? now,
    updated_at: now,
  };
}

export function revisionContent(row: RecordRevisionTable): RecordContent {
  return {
    input: JSON.parse(row.input) as Json,
    expected_output: JSON.parse(row.expected_output) as Json,
    metadata: JSON.parse(row.metadata) as JsonObject,
    tags: JSON.parse(row.tags) as string[],
    splits: JSON.parse(row.splits) as string[],
    external_id: row.external_id,
    source: row.source === null ? null : (JSON.parse(row.source) as JsonObject),
  };
}

/** A record as given (omitted fields empty, tags and splits without repeats) as the content a revision holds. */
export function normalizeContent(record: Pick<RecordContent, 'input'> & Partial<RecordContent>): RecordContent {
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
