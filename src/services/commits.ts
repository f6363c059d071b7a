import { ConflictError } from '../domain/errors.js';
import { nowIso } from '../domain/time.js';
import type { Actor, DatasetManager, DatasetVersion } from '../domain/types.js';
import type { Store, Transaction } from '../store/database.js';
import { OPEN_VERSION, type DatasetTable, type DatasetVersionTable } from '../store/schema.js';
import { chunks } from './rows/chunks.js';
import { presentVersion } from './rows/present.js';
import { toRevisionRow, type RecordWrite } from './rows/revisions.js';
import { checkVersionName, versionNameTaken, versionRecordBound } from './rows/versions.js';
import { checkWriter } from './rows/writers.js';
import { writeUnique } from './unique.js';

/** What one commit changes. Records named in `updated` and `removed` must be current. */
export interface ChangeSet {
  added: RecordWrite[];
  updated: RecordWrite[];
  removed: string[];
}

export interface ChangeCounts {
  added: number;
  updated: number;
  removed: number;
}

/** What a commit says about itself. */
export interface CommitMeta {
  actor: Actor;
  message?: string | undefined;
  /**
   * Who writes: the dataset's `managed_by` must be this (`evalstore` when omitted). Only the experiment
   * upload flow (services/experiment-uploads.ts) writes as `external`.
   */
  writer?: DatasetManager | undefined;
  /** A name for the new version, unique in the dataset (see checkVersionName). */
  versionName?: string | undefined;
  /**
   * The version the change was made against: when another commit has moved the dataset on since, the
   * change is refused (409) rather than applied on top of versions its author never saw.
   */
  baseVersion?: number | undefined;
}

/**
 * Commits `changes` as the dataset's next version, inside the caller's transaction, which must hold
 * the dataset's row lock (findDatasetRow with `lock`). Answers null, writing nothing, when there is no
 * change. This is the only place that writes record revisions and versions.
 */
export async function commitVersion(
  store: Store,
  tx: Transaction,
  dataset: DatasetTable,
  changes: ChangeSet,
  meta: CommitMeta,
): Promise<DatasetVersion | null> {
  // Refused even when nothing would change: the request itself is not the caller's to make.
  checkWriter(dataset, meta.writer ?? 'evalstore');
  const counts: ChangeCounts = {
    added: changes.added.length,
    updated: changes.updated.length,
    removed: changes.removed.length,
  };
  if (counts.added + counts.updated + counts.removed === 0) return null;
  if (meta.baseVersion !== undefined) checkBaseVersion(meta.baseVersion, dataset.latest_version);
  if (meta.versionName !== undefined) checkVersionName(meta.versionName, '/version_name');

  const version = dataset.latest_version + 1;
  const now = nowIso();
  await closeRevisions(tx, dataset.id, [...changes.updated.map((w) => w.record_id), ...changes.removed], version);
  const rows = [...changes.updated, ...changes.added].map((write) => toRevisionRow(dataset.id, write, version, now));
  await store.bulk.insert(tx, 'record_revisions', rows);
  const highestNewRecordId = changes.added.reduce<string | null>((max, w) => (max === null || w.record_id > max ? w.record_id : max), null);
  return recordVersion(tx, dataset, version, counts, highestNewRecordId, { ...meta, now });
}

/** A change made against `baseVersion` applies only while that is still the latest version (409 otherwise). */
export function checkBaseVersion(baseVersion: number, latestVersion: number): void {
  if (baseVersion !== latestVersion) {
    throw new ConflictError(
      `The change was made against version ${baseVersion}, but the dataset is at version ${latestVersion}: versions never change once committed, so changes apply only on top of the latest`,
      [{ pointer: '/base_version', detail: `is not the latest version (${latestVersion})` }],
    );
  }
}

/** Ends the current revisions of `recordIds` at `version` (they stay visible in earlier versions). */
export async function closeRevisions(tx: Transaction, datasetId: string, recordIds: readonly string[], version: number): Promise<void> {
  for (const chunk of chunks(recordIds)) {
    await tx
      .updateTable('record_revisions')
      .set({ valid_to: version })
      .where('dataset_id', '=', datasetId)
      .where('valid_to', '=', OPEN_VERSION)
      .where('record_id', 'in', chunk)
      .execute();
  }
}

/**
 * Writes the version row and moves the dataset to it, once the revisions of `version` are written.
 * Shared by commitVersion and by uploads, which write their revisions straight from staging.
 * `highestNewRecordId` is the highest id among the records the version adds (null: it adds none).
 */
export async function recordVersion(
  tx: Transaction,
  dataset: DatasetTable,
  version: number,
  counts: ChangeCounts,
  highestNewRecordId: string | null,
  meta: CommitMeta & { now: string },
): Promise<DatasetVersion> {
  checkWriter(dataset, meta.writer ?? 'evalstore');
  const previousBound = await versionRecordBound(tx, dataset.id, dataset.latest_version);
  const row: DatasetVersionTable = {
    dataset_id: dataset.id,
    version,
    name: meta.versionName ?? null,
    message: meta.message?.trim() || describeChanges(counts),
    created_by: meta.actor.name,
    created_at: meta.now,
    records_added: counts.added,
    records_updated: counts.updated,
    records_removed: counts.removed,
    record_count: dataset.record_count + counts.added - counts.removed,
    max_record_id: previousBound === null || (highestNewRecordId !== null && highestNewRecordId > previousBound) ? highestNewRecordId : previousBound,
  };
  await writeUnique(
    () => tx.insertInto('dataset_versions').values(row).execute(),
    () => versionNameTaken(row.name ?? '', '/version_name'),
  );
  await tx
    .updateTable('datasets')
    .set({ latest_version: version, record_count: row.record_count, updated_at: meta.now })
    .where('id', '=', dataset.id)
    .execute();
  return presentVersion(row);
}

const numberFormat = new Intl.NumberFormat('en-US');

function countOf(n: number, noun: string): string {
  return `${numberFormat.format(n)} ${noun}${n === 1 ? '' : 's'}`;
}

/** "Added 3 records", "Added 10,000 records and updated 1 record", ... */
export function describeChanges(counts: ChangeCounts): string {
  const parts: string[] = [];
  if (counts.added) parts.push(`added ${countOf(counts.added, 'record')}`);
  if (counts.updated) parts.push(`updated ${countOf(counts.updated, 'record')}`);
  if (counts.removed) parts.push(`removed ${countOf(counts.removed, 'record')}`);
  const text = parts.length <= 1 ? (parts[0] ?? 'no change') : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
  return text.charAt(0).toUpperCase() + text.slice(1);
}
