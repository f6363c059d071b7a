import { NotFoundError, ValidationError } from '../domain/errors.js';
import { newId, parseId } from '../domain/ids.js';
import type { JsonObject } from '../domain/json.js';
import { checkBatchSize } from '../domain/limits.js';
import { nowIso } from '../domain/time.js';
import type { Actor, ScoreSource } from '../domain/types.js';
import type { Store } from '../store/database.js';
import type { RecordScoreTable } from '../store/schema.js';
import { chunks } from './rows/chunks.js';
import { findDatasetRow } from './rows/finders.js';
import { currentRevisions } from './rows/revisions.js';

/** A score of a dataset record itself, apart from any experiment (what a person says of an example). */
export interface RecordScore {
  id: string;
  dataset_id: string;
  record_id: string;
  key: string;
  score: number | null;
  /** A categorical value, or null. */
  label: string | null;
  comment: string | null;
  source: ScoreSource;
  metadata: JsonObject;
  created_at: string;
  updated_at: string;
}

/** Human annotations of one record: values by key; what a value leaves out stays as it was. */
export interface RecordAnnotation {
  record_id: string;
  values: readonly { key: string; score?: number; label?: string; text?: string }[];
}

function present(row: RecordScoreTable): RecordScore {
  return { ...row, source: row.source as ScoreSource, metadata: JSON.parse(row.metadata) as JsonObject };
}

/** Scores of records: one per record and key. */
export class RecordScoreService {
  constructor(private readonly store: Store) {}

  /**
   * Human annotations of a dataset's records, in one transaction: each value is the record's score of
   * that key, made or changed in what the value gives (`score`, `label`, `text` as the comment), with
   * the annotator in its metadata. Every record must be in the dataset's latest version. Answers each
   * record's annotated scores.
   */
  async annotate(
    actor: Actor,
    datasetId: string,
    annotations: readonly RecordAnnotation[],
    annotator: { name: string; id: string | null },
  ): Promise<RecordScore[][]> {
    checkBatchSize(annotations.length, '/annotations');
    return this.store.transaction(async (tx) => {
      const dataset = await findDatasetRow(this.store, tx, actor, datasetId);
      const ids = annotations.map((annotation, index) => {
        const id = parseId(annotation.record_id);
        if (!id) throw ValidationError.field(`/annotations/${index}/record_id`, 'must be a UUID');
        return id;
      });
      const present_ = new Set<string>();
      for (const part of chunks([...new Set(ids)], 500)) {
        const rows = await currentRevisions(tx, dataset.id).select('record_revisions.record_id').where('record_revisions.record_id', 'in', part).execute();
        for (const row of rows) present_.add(row.record_id);
      }
      for (const [index, id] of ids.entries()) {
        if (!present_.has(id)) {
          throw new NotFoundError('Record', annotations[index]!.record_id, [
            { pointer: `/annotations/${index}/record_id`, detail: 'is not a record of the dataset', in: 'body' },
          ]);
        }
      }
      const existing = new Map<string, RecordScoreTable>();
      for (const part of chunks([...new Set(ids)], 500)) {
        const rows = await tx.selectFrom('record_scores').selectAll().where('dataset_id', '=', dataset.id).where('record_id', 'in', part).execute();
        for (const row of rows) existing.set(`${row.record_id}\u0000${row.key}`, row);
      }
      const now = nowIso();
      const metadata: JsonObject = { annotator: annotator.name, ...(annotator.id ? { annotator_id: annotator.id } : {}) };
      const touched = new Map<string, { row: RecordScoreTable; fresh: boolean }>();
      for (const [index, annotation] of annotations.entries()) {
        for (const value of annotation.values) {
          if (value.score !== undefined && !Number.isFinite(value.score))
            throw ValidationError.field(`/annotations/${index}/values/score`, 'must be a finite number');
          const key = `${ids[index]}\u0000${value.key}`;
          const before = touched.get(key) ?? (existing.has(key) ? { row: existing.get(key)!, fresh: false } : undefined);
          const row: RecordScoreTable = before
            ? {
                ...before.row,
                score: value.score ?? before.row.score,
                label: value.label ?? before.row.label,
                comment: value.text ?? before.row.comment,
                source: 'human',
                metadata: JSON.stringify({ ...(JSON.parse(before.row.metadata) as JsonObject), ...metadata }),
                updated_at: now,
              }
            : {
                id: newId(),
                workspace_id: actor.workspaceId,
                dataset_id: dataset.id,
                record_id: ids[index]!,
                key: value.key,
                score: value.score ?? null,
                label: value.label ?? null,
                comment: value.text ?? null,
                source: 'human',
                metadata: JSON.stringify(metadata),
                created_at: now,
                updated_at: now,
              };
          touched.set(key, { row, fresh: before ? before.fresh : true });
        }
      }
      const fresh = [...touched.values()].filter((entry) => entry.fresh).map((entry) => entry.row);
      if (fresh.length) await this.store.bulk.insert(tx, 'record_scores', fresh);
      for (const { row, fresh: isFresh } of touched.values()) {
        if (!isFresh) await tx.updateTable('record_scores').set(row).where('id', '=', row.id).execute();
      }
      return ids.map((id) => [...touched.values()].filter((entry) => entry.row.record_id === id).map((entry) => present(entry.row)));
    });
  }

  /** The scores of these records of a dataset (of the caller's workspace), by record id, oldest first. */
  async ofRecords(actor: Actor, datasetId: string, recordIds: readonly string[]): Promise<Map<string, RecordScore[]>> {
    const dataset = await findDatasetRow(this.store, this.store.db, actor, datasetId);
    const found = new Map<string, RecordScore[]>();
    const ids = [...new Set(recordIds.flatMap((id) => parseId(id) ?? []))];
    for (const part of chunks(ids, 500)) {
      const rows = await this.store.db
        .selectFrom('record_scores')
        .selectAll()
        .where('dataset_id', '=', dataset.id)
        .where('record_id', 'in', part)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      for (const row of rows) {
        const list = found.get(row.record_id) ?? [];
        list.push(present(row));
        found.set(row.record_id, list);
      }
    }
    return found;
  }
}
