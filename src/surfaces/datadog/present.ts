import type { FastifyReply } from 'fastify';
import { v5 as uuidv5 } from 'uuid';
import type { Actor, Dataset, DatasetRecord, DatasetVersion, Project } from '../../domain/types.js';
import type { ChangeResult } from '../../services/records.js';
import type { UploadSummary } from '../../services/uploads/index.js';

/**
 * Datadog's wire shapes (JSON:API) for evalstore's entities. Where Datadog's real server and its
 * generated TypeScript client disagree, the answer is a superset both read (spec A.6): empty fields are
 * always sent, and a record carries its fields both flat and under `attributes`.
 */

export const JSON_API = 'application/vnd.api+json';

/** Namespace of the derived ids (record versions, dataset versions): stable, so reads repeat. */
const NAMESPACE = 'b5b8e0f2-6a4d-4d8e-9f50-5a3c1f0e2d71';

/** Every answer of the surface, errors included, is JSON:API. */
export function sendJsonApi(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  return reply.status(status).type(JSON_API).send(JSON.stringify(body));
}

/** A page of a list: Datadog's cursor is `meta.after`, empty on the last page. */
export function presentPage<T>(page: { data: T[]; next_cursor: string | null }, present: (item: T) => unknown) {
  return { data: page.data.map((item) => present(item)), meta: { after: page.next_cursor ?? '' } };
}

export function presentProject(project: Project) {
  return {
    id: project.id,
    type: 'projects',
    attributes: {
      name: project.name,
      description: project.description ?? '',
      metadata: project.metadata,
      created_at: project.created_at,
      updated_at: project.updated_at,
    },
  };
}

export function presentDataset(dataset: Dataset, extra: Record<string, unknown> = {}) {
  return {
    id: dataset.id,
    type: 'datasets',
    attributes: {
      name: dataset.name,
      description: dataset.description ?? '',
      metadata: dataset.metadata,
      current_version: dataset.latest_version,
      record_count: dataset.record_count,
      project_id: dataset.project_id,
      dataset_type: 'user',
      created_at: dataset.created_at,
      updated_at: dataset.updated_at,
      ...extra,
    },
  };
}

/** A record's Datadog id: the id its writer gave (evalstore's external_id), else evalstore's record id. */
function datadogRecordId(record: DatasetRecord): string {
  return record.external_id ?? record.id;
}

/** A record with its fields flat (what the TS client reads) and under `attributes` (what dd-trace reads). */
export function presentRecord(record: DatasetRecord, extra: Record<string, unknown> = {}) {
  const fields = {
    dataset_id: record.dataset_id,
    input: record.input,
    expected_output: record.expected_output,
    metadata: record.metadata,
    tags: record.tags,
    canonical_id: uuidv5(`${record.id}@${record.updated_at}`, NAMESPACE),
    created_at: record.created_at,
    updated_at: record.updated_at,
    ...extra,
  };
  return { id: datadogRecordId(record), type: 'datasets', attributes: fields, ...fields };
}

/** An item of a records mutation: the record resource, plus the `records` list the TS client requires. */
function presentChangedRecord(record: DatasetRecord, extra: Record<string, unknown>) {
  const resource = presentRecord(record, extra);
  const { attributes: _attributes, type: _type, ...flat } = resource;
  return { ...resource, records: [flat] };
}

/** Inserted, updated and deleted records, each with the version the change made (`data: []` when none). */
export function presentChanges(result: ChangeResult, dataset: Dataset) {
  const version = result.version?.version ?? dataset.latest_version;
  const at = result.version?.created_at;
  return {
    data: [
      ...result.added.map((record) => presentChangedRecord(record, { version })),
      ...result.updated.map((record) => presentChangedRecord(record, { version })),
      ...result.removed.map((record) => presentChangedRecord(record, { version, deleted_at: at })),
    ],
  };
}

export function presentVersion(version: Pick<DatasetVersion, 'dataset_id' | 'version' | 'created_at'> & Partial<DatasetVersion>) {
  return {
    id: uuidv5(`${version.dataset_id}:${version.version}`, NAMESPACE),
    type: 'dataset_version',
    attributes: {
      dataset_id: version.dataset_id,
      version_number: version.version,
      last_used: version.created_at,
      created_at: version.created_at,
      ...(version.message === undefined ? {} : { message: version.message, name: version.name ?? null, record_count: version.record_count }),
    },
  };
}

/** Counts of a finished upload, as the `completed` event and the docs name them. */
export function presentUploadSummary(summary: UploadSummary, actor: Actor, includeUser: boolean) {
  return {
    records_created: summary.records_created,
    records_updated: summary.records_updated,
    records_unchanged: summary.records_unchanged,
    records_skipped: summary.duplicates_skipped + summary.existing_skipped,
    records_skipped_as_duplicates: summary.duplicates_skipped,
    records_skipped_as_existing: summary.existing_skipped,
    records_superseded: summary.superseded,
    records_failed: 0,
    rows_read: summary.rows_received,
    dataset_id: summary.dataset_id,
    dataset_version: summary.version?.version ?? null,
    version_created: summary.version !== null,
    upload_id: summary.upload_id,
    ...(includeUser ? { user: { id: actor.keyId, name: actor.name } } : {}),
  };
}
