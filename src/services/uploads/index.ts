import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { sql } from 'kysely';
import { newId } from '../../domain/ids.js';
import { nowIso } from '../../domain/time.js';
import type { Actor } from '../../domain/types.js';
import type { Store, Transaction } from '../../store/database.js';
import { columnTypes } from '../../store/dialect.js';
import { OPEN_VERSION, type DatasetTable, type UploadRowTable } from '../../store/schema.js';
import { checkBaseVersion, recordVersion } from '../commits.js';
import { checkVersionName } from '../rows/versions.js';
import { findDatasetRow } from '../rows/finders.js';
import { normalizeContent, toRevisionRow } from '../rows/revisions.js';
import { checkWriter } from '../rows/writers.js';
import type { SourceRow, UploadOptions, UploadSummary } from './types.js';
import { checkStorable } from '../../domain/input-bounds.js';

export type { SourceRow, UploadOptions, UploadProgress, UploadSummary } from './types.js';
export { jsonlRows } from './jsonl.js';
export {
  csvRows,
  CSV_FIELDS,
  type CellValues,
  type CsvColumn,
  type CsvColumns,
  type CsvField,
  type CsvHeader,
  type CsvMapping,
  type CsvOptions,
  type CsvRest,
  type OtherColumns,
} from './csv.js';

/** Rows staged per transaction: large enough to be quick, small enough to keep other requests flowing. */
const ROWS_PER_CHUNK = 1_000;
const STAGED_ROWS_FREED_PER_CHUNK = 20_000;
/** An upload that has not moved for this long is taken as abandoned (its process died). */
const ABANDONED_AFTER_MS = 60 * 60 * 1000;

type Disposition = 'add' | 'update' | 'unchanged' | 'superseded' | 'skipped_duplicate' | 'skipped_existing';

/**
 * Streamed uploads of records. Rows are staged in chunks as they arrive (memory stays flat whatever
 * the size, and other requests are served in between), then committed as one version in one
 * transaction by set-based SQL. A bad row, a dropped stream or a crash leaves the dataset as it was.
 */
export class UploadService {
  /**
   * @param receiver This server process's instance id (stable across its restarts, distinct from every
   * other process on the store), recorded on the uploads it receives; none for stores used in-process.
   */
  constructor(
    private readonly store: Store,
    private readonly receiver: string | null = null,
  ) {}

  async upload(actor: Actor, datasetId: string, rows: AsyncIterable<SourceRow>, options: UploadOptions): Promise<UploadSummary> {
    const dataset = await findDatasetRow(this.store, this.store.db, actor, datasetId);
    // Refused before the first row is read: a refused upload must not stage a whole file first.
    checkWriter(dataset, 'evalstore');
    const uploadId = newId();
    const startedAt = nowIso();
    await this.store.transaction((tx) =>
      tx
        .insertInto('uploads')
        .values({
          id: uploadId,
          workspace_id: actor.workspaceId,
          dataset_id: dataset.id,
          status: 'receiving',
          format: options.format,
          filename: options.filename ?? null,
          rows_received: 0,
          summary: null,
          error: null,
          version: null,
          receiver: this.receiver,
          created_at: startedAt,
          updated_at: startedAt,
        })
        .execute(),
    );
    try {
      const received = await this.stage(uploadId, dataset.id, rows, options);
      await options.onProgress?.({ upload_id: uploadId, rows_received: received, phase: 'committing' });
      const late = (await options.beforeCommit?.()) ?? {};
      return await this.commit(actor, dataset.id, uploadId, received, { ...options, ...definedOnly(late) });
    } catch (error) {
      await this.discard(uploadId, error);
      throw error;
    }
  }

  /**
   * At start: the uploads this server's previous run was receiving cannot be finished by anyone (it
   * died or stopped mid-way), so they fail and their staged rows are freed now.
   */
  async freeUnfinishedOfReceiver(): Promise<number> {
    if (this.receiver === null) return 0;
    const unfinished = await this.store.db.selectFrom('uploads').select('id').where('status', '=', 'receiving').where('receiver', '=', this.receiver).execute();
    for (const { id } of unfinished) await this.discard(id, new Error('abandoned: the server receiving the upload stopped before it finished'));
    return unfinished.length;
  }

  /** Marks uploads whose process died mid-way as failed and frees their staged rows. */
  async sweepAbandoned(now = Date.now()): Promise<number> {
    const cutoff = new Date(now - ABANDONED_AFTER_MS).toISOString();
    const stale = await this.store.db.selectFrom('uploads').select('id').where('status', '=', 'receiving').where('updated_at', '<', cutoff).execute();
    for (const { id } of stale) await this.discard(id, new Error('abandoned: the upload stopped without finishing'));
    return stale.length;
  }

  /**
   * Stages the rows a chunk at a time. A chunk is written (on SQLite, by the worker thread) while the
   * next one is read and parsed; at most one is in flight, so memory stays flat.
   */
  private async stage(uploadId: string, datasetId: string, rows: AsyncIterable<SourceRow>, options: UploadOptions): Promise<number> {
    let received = 0;
    let chunk: UploadRowTable[] = [];
    let writing: Promise<void> = Promise.resolve();
    const flush = async () => {
      const staged = chunk;
      const count = received;
      chunk = [];
      await writing;
      writing = this.store
        .longTransaction(async (tx) => {
          await this.store.bulk.insert(tx, 'upload_rows', staged);
          await tx.updateTable('uploads').set({ rows_received: count, updated_at: nowIso() }).where('id', '=', uploadId).execute();
        })
        .then(() => options.onProgress?.({ upload_id: uploadId, rows_received: count, phase: 'staging' }));
      // Awaited by the next flush, at the end, or before the upload is discarded.
      writing.catch(() => undefined);
      await yieldToEventLoop();
    };
    const extraTags = options.tags ?? [];
    try {
      for await (const { line, record } of rows) {
        received += 1;
        checkStorable(record, '', { in: 'line', line });
        const tagged = extraTags.length ? { ...record, tags: [...(record.tags ?? []), ...extraTags] } : record;
        chunk.push(toStagedRow(uploadId, datasetId, line, tagged));
        if (chunk.length >= ROWS_PER_CHUNK) await flush();
      }
      if (chunk.length > 0 || received === 0) await flush();
    } catch (error) {
      // The chunk on its way must land before the upload's rows are freed, or it would outlive them.
      await writing.catch(() => undefined);
      throw error;
    }
    await writing;
    return received;
  }

  private async commit(actor: Actor, datasetId: string, uploadId: string, received: number, options: UploadOptions): Promise<UploadSummary> {
    // Deciding and writing a large upload's rows takes seconds on SQLite: off the main thread.
    return this.store.longTransaction(async (tx) => {
      const dataset = await findDatasetRow(this.store, tx, actor, datasetId, { lock: true });
      if (options.baseVersion !== undefined) checkBaseVersion(options.baseVersion, dataset.latest_version);
      if (options.versionName !== undefined) checkVersionName(options.versionName, '/version_name');
      await this.decide(tx, dataset, uploadId, options);
      const counts = await countDispositions(tx, uploadId);
      const version = dataset.latest_version + 1;
      const now = nowIso();
      const changed = counts.add + counts.update > 0;
      const committed = changed
        ? await this.apply(tx, dataset, uploadId, version, now).then(async () =>
            recordVersion(tx, dataset, version, { added: counts.add, updated: counts.update, removed: 0 }, await highestAddedRecordId(tx, uploadId), {
              actor,
              now,
              message: options.message ?? describeUpload(options, counts),
              versionName: options.versionName,
            }),
          )
        : null;
      const summary: UploadSummary = {
        upload_id: uploadId,
        dataset_id: dataset.id,
        version: committed,
        rows_received: received,
        records_created: counts.add,
        records_updated: counts.update,
        records_unchanged: counts.unchanged,
        duplicates_skipped: counts.skipped_duplicate,
        existing_skipped: counts.skipped_existing,
        superseded: counts.superseded,
      };
      await tx
        .updateTable('uploads')
        .set({ status: 'committed', summary: JSON.stringify(summary), version: committed?.version ?? null, updated_at: now })
        .where('id', '=', uploadId)
        .execute();
      await tx.deleteFrom('upload_rows').where('upload_id', '=', uploadId).execute();
      this.store.noteWrites(counts.add + counts.update);
      return summary;
    });
  }

  /** Settles each staged row's disposition with set-based statements, in the order the rules apply. */
  private async decide(tx: Transaction, dataset: DatasetTable, uploadId: string, options: UploadOptions): Promise<void> {
    const overwrite = options.overwrite ?? true;
    const undecided = () => tx.updateTable('upload_rows').where('upload_rows.upload_id', '=', uploadId).where('upload_rows.disposition', 'is', null);

    // 1. The same external_id twice in the file: the last row wins when overwriting, else the first.
    // (Ranked once with a window function: a correlated lookup per row goes quadratic on SQLite.)
    const repeated = tx
      .selectFrom(
        tx
          .selectFrom('upload_rows as other')
          .select([
            'other.seq',
            sql<number>`row_number() over (partition by other.external_id order by other.seq ${sql.raw(overwrite ? 'desc' : 'asc')})`.as('row_rank'),
          ])
          .where('other.upload_id', '=', uploadId)
          .where('other.external_id', 'is not', null)
          .as('ranked'),
      )
      .select('ranked.seq')
      .where('ranked.row_rank', '>', 1);
    await undecided()
      .set({ disposition: overwrite ? 'superseded' : 'skipped_existing' })
      .where('upload_rows.seq', 'in', repeated)
      .execute();

    // 2. An external_id of a current record: replace that record, or skip the row.
    const current = tx
      .selectFrom('record_revisions')
      .where('record_revisions.dataset_id', '=', dataset.id)
      .where('record_revisions.valid_to', '=', OPEN_VERSION);
    if (overwrite) {
      await undecided()
        .from('record_revisions')
        .set({
          record_id: sql.ref('record_revisions.record_id'),
          created_at: sql.ref('record_revisions.created_at'),
          disposition: sql`case when record_revisions.content_hash = upload_rows.content_hash then 'unchanged' else 'update' end`,
        })
        .where('record_revisions.dataset_id', '=', dataset.id)
        .where('record_revisions.valid_to', '=', OPEN_VERSION)
        .whereRef('record_revisions.external_id', '=', 'upload_rows.external_id')
        .execute();
    } else {
      await undecided()
        .set({ disposition: 'skipped_existing' })
        .where('upload_rows.external_id', 'in', current.select('record_revisions.external_id').where('record_revisions.external_id', 'is not', null))
        .execute();
    }

    // 3. De-duplication by input (or whole content), against the dataset and then against earlier rows of the file.
    if (options.deduplicate) {
      const hash = options.deduplicateBy === 'content' ? 'content_hash' : 'input_hash';
      if ((options.deduplicateScope ?? 'dataset') === 'dataset') {
        await undecided()
          .set({ disposition: 'skipped_duplicate' })
          .where(`upload_rows.${hash}`, 'in', current.select(`record_revisions.${hash}`))
          .execute();
      }
      const duplicates = tx
        .selectFrom(
          tx
            .selectFrom('upload_rows as other')
            .select([
              'other.seq',
              'other.disposition',
              sql<number>`row_number() over (partition by ${sql.ref(`other.${hash}`)} order by other.seq)`.as('row_rank'),
            ])
            .where('other.upload_id', '=', uploadId)
            .where((eb) => eb.or([eb('other.disposition', 'is', null), eb('other.disposition', 'not in', ['superseded', 'skipped_existing'])]))
            .as('ranked'),
        )
        .select('ranked.seq')
        .where('ranked.row_rank', '>', 1)
        .where('ranked.disposition', 'is', null);
      await undecided().set({ disposition: 'skipped_duplicate' }).where('upload_rows.seq', 'in', duplicates).execute();
    }

    // 4. Whatever is left is a new record.
    await undecided().set({ disposition: 'add' }).execute();
  }

  /** Writes the revisions of `version` straight from staging: one statement whatever the size. */
  private async apply(tx: Transaction, dataset: DatasetTable, uploadId: string, version: number, now: string): Promise<void> {
    const types = columnTypes(this.store.dialect);
    const replaced = tx
      .selectFrom('upload_rows')
      .select('upload_rows.record_id')
      .where('upload_rows.upload_id', '=', uploadId)
      .where('upload_rows.disposition', '=', 'update');
    await tx
      .updateTable('record_revisions')
      .set({ valid_to: version })
      .where('dataset_id', '=', dataset.id)
      .where('valid_to', '=', OPEN_VERSION)
      .where('record_id', 'in', replaced)
      .execute();
    await tx
      .insertInto('record_revisions')
      .columns([
        'dataset_id',
        'record_id',
        'valid_from',
        'valid_to',
        'external_id',
        'input',
        'expected_output',
        'metadata',
        'tags',
        'splits',
        'source',
        'input_hash',
        'content_hash',
        'created_at',
        'updated_at',
      ])
      .expression(
        tx
          .selectFrom('upload_rows')
          .select([
            sql`cast(${dataset.id} as ${sql.raw(types.id)})`.as('dataset_id'),
            'upload_rows.record_id',
            sql`cast(${version} as integer)`.as('valid_from'),
            sql`cast(${OPEN_VERSION} as integer)`.as('valid_to'),
            'upload_rows.external_id',
            'upload_rows.input',
            'upload_rows.expected_output',
            'upload_rows.metadata',
            'upload_rows.tags',
            'upload_rows.splits',
            'upload_rows.source',
            'upload_rows.input_hash',
            'upload_rows.content_hash',
            sql`coalesce(upload_rows.created_at, cast(${now} as ${sql.raw(types.timestamp)}))`.as('created_at'),
            sql`cast(${now} as ${sql.raw(types.timestamp)})`.as('updated_at'),
          ])
          .where('upload_rows.upload_id', '=', uploadId)
          .where('upload_rows.disposition', 'in', ['add', 'update']),
      )
      .execute();
  }

  private async discard(uploadId: string, error: unknown): Promise<void> {
    // A failed upload may have staged a million rows: they go a chunk at a time, off the main thread,
    // before the upload is marked failed, so that a failed upload never holds staged rows (a crash
    // meanwhile leaves it receiving, for sweepAbandoned).
    for (;;) {
      const deleted = await this.store.longTransaction(async (tx) => {
        const result = await tx
          .deleteFrom('upload_rows')
          .where('upload_id', '=', uploadId)
          .where('seq', 'in', (eb) =>
            eb.selectFrom('upload_rows').select('seq').where('upload_id', '=', uploadId).orderBy('seq').limit(STAGED_ROWS_FREED_PER_CHUNK),
          )
          .executeTakeFirst();
        return Number(result.numDeletedRows);
      });
      if (deleted < STAGED_ROWS_FREED_PER_CHUNK) break;
    }
    await this.store.transaction((tx) =>
      tx
        .updateTable('uploads')
        .set({ status: 'failed', error: error instanceof Error ? error.message : String(error), updated_at: nowIso() })
        .where('id', '=', uploadId)
        .execute(),
    );
  }
}

function toStagedRow(uploadId: string, datasetId: string, line: number, record: SourceRow['record']): UploadRowTable {
  const revision = toRevisionRow(datasetId, { record_id: newId(), content: normalizeContent(record) }, 0, '');
  return {
    upload_id: uploadId,
    seq: line,
    record_id: revision.record_id,
    external_id: revision.external_id,
    input: revision.input,
    expected_output: revision.expected_output,
    metadata: revision.metadata,
    tags: revision.tags,
    splits: revision.splits,
    source: revision.source,
    input_hash: revision.input_hash,
    content_hash: revision.content_hash,
    created_at: null,
    disposition: null,
  };
}

async function highestAddedRecordId(tx: Transaction, uploadId: string): Promise<string | null> {
  const row = await tx
    .selectFrom('upload_rows')
    // PostgreSQL has no max() of uuid; ids compare the same as their text.
    .select(sql<string | null>`max(cast(record_id as text))`.as('highest'))
    .where('upload_id', '=', uploadId)
    .where('disposition', '=', 'add')
    .executeTakeFirst();
  return row?.highest ?? null;
}

async function countDispositions(tx: Transaction, uploadId: string): Promise<Record<Disposition, number>> {
  const rows = await tx
    .selectFrom('upload_rows')
    .select(['disposition', (eb) => eb.fn.countAll<number>().as('count')])
    .where('upload_id', '=', uploadId)
    .groupBy('disposition')
    .execute();
  const counts: Record<Disposition, number> = { add: 0, update: 0, unchanged: 0, superseded: 0, skipped_duplicate: 0, skipped_existing: 0 };
  for (const row of rows) counts[row.disposition as Disposition] = Number(row.count);
  return counts;
}

const numberFormat = new Intl.NumberFormat('en-US');

/** "Uploaded records.jsonl: 10,000 created, 12 skipped as duplicates" */
function describeUpload(options: UploadOptions, counts: Record<Disposition, number>): string {
  const parts = [`${numberFormat.format(counts.add)} created`];
  if (counts.update) parts.push(`${numberFormat.format(counts.update)} updated`);
  if (counts.unchanged) parts.push(`${numberFormat.format(counts.unchanged)} unchanged`);
  if (counts.skipped_duplicate) parts.push(`${numberFormat.format(counts.skipped_duplicate)} skipped as duplicates`);
  if (counts.skipped_existing) parts.push(`${numberFormat.format(counts.skipped_existing)} skipped as existing`);
  if (counts.superseded) parts.push(`${numberFormat.format(counts.superseded)} superseded by later rows`);
  return `Uploaded ${options.filename ?? `a ${options.format.toUpperCase()} file`}: ${parts.join(', ')}`;
}

/** The fields of `options` that are set (so that spreading them keeps what they leave unset). */
function definedOnly<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<T>;
}
