import { stringify } from 'csv-stringify/sync';
import type { Actor } from '../domain/types.js';
import type { Store } from '../store/database.js';
import { formatCost } from '../domain/money.js';
import type { RecordRevisionTable, RunTable, ScoreTable } from '../store/schema.js';
import { findDatasetRow, findExperimentRow } from './rows/finders.js';
import { revisionsAt } from './rows/revisions.js';
import { resolveVersion, versionRecordBound, type VersionRef } from './rows/versions.js';

export type ExportFormat = 'jsonl' | 'csv';

export const CSV_COLUMNS = ['id', 'external_id', 'input', 'expected_output', 'metadata', 'tags', 'splits', 'created_at', 'updated_at'] as const;
/** The columns of the CSV export that no record field is uploaded from (the store's own id and times). */
export const EXPORT_ONLY_COLUMNS: readonly string[] = ['id', 'created_at', 'updated_at'];

/**
 * The columns of the compact CSV: the record's id (its external id when it has one, else evalstore's
 * id) and the fields an upload reads back, so that an export uploads again as the same records.
 */
export const COMPACT_CSV_COLUMNS = ['id', 'input', 'expected_output', 'metadata', 'tags'] as const;

/** Rows read per query: enough to be quick, few enough that memory stays flat whatever the size. */
const ROWS_PER_READ = 1_000;

export interface RecordExport {
  dataset_id: string;
  version: number;
  format: ExportFormat;
  /** The file's text, chunk by chunk, read from the database as the consumer asks for more. */
  chunks: AsyncIterable<string>;
}

export interface ResultsExport {
  experiment_id: string;
  format: ExportFormat;
  chunks: AsyncIterable<string>;
}

/** The fixed columns of an experiment's results; one `score.<key>` column per score key follows. */
export const RESULT_COLUMNS = [
  'run_id',
  'record_id',
  'repetition',
  'input',
  'expected_output',
  'output',
  'error',
  'status',
  'latency_ms',
  'first_token_ms',
  'prompt_tokens',
  'completion_tokens',
  'total_tokens',
  'prompt_cost',
  'completion_cost',
  'total_cost',
  'start_time',
  'end_time',
] as const;

/** One result: a root run with its record (at the experiment's version) and its latest score per key. */
interface ResultRow {
  run: RunTable;
  record: RecordRevisionTable | undefined;
  scores: Map<string, ScoreTable>;
}

export class ExportService {
  constructor(private readonly store: Store) {}

  /**
   * A version of a dataset as JSONL or CSV. The version is fixed when the export starts, so commits made
   * while it streams do not show up in it.
   */
  async records(actor: Actor, datasetId: string, options: { version?: VersionRef; format: ExportFormat; columns?: 'full' | 'compact' }): Promise<RecordExport> {
    const dataset = await findDatasetRow(this.store, this.store.db, actor, datasetId);
    const version = await resolveVersion(this.store.db, dataset, options.version);
    const pages = this.pagesOf(dataset.id, version);
    const chunks = options.format === 'jsonl' ? jsonlChunks(pages) : options.columns === 'compact' ? compactCsvChunks(pages) : csvChunks(pages);
    return { dataset_id: dataset.id, version, format: options.format, chunks };
  }

  /**
   * An experiment's results, one line or row per result run (runs without a parent), with the record's
   * input and expected output and the run's scores (CSV: a `score.<key>` column per key).
   */
  async results(actor: Actor, experimentId: string, options: { format: ExportFormat }): Promise<ResultsExport> {
    const experiment = await findExperimentRow(this.store, this.store.db, actor, experimentId);
    const pages = this.resultPagesOf(experiment.id, experiment.dataset_id, experiment.dataset_version);
    if (options.format === 'jsonl') return { experiment_id: experiment.id, format: 'jsonl', chunks: resultJsonlChunks(pages) };
    const keys = await this.store.db
      .selectFrom('scores')
      .select('key')
      .distinct()
      .where('experiment_id', '=', experiment.id)
      .where('run_id', 'is not', null)
      .orderBy('key')
      .execute();
    return {
      experiment_id: experiment.id,
      format: 'csv',
      chunks: resultCsvChunks(
        pages,
        keys.map((k) => k.key),
      ),
    };
  }

  private async *resultPagesOf(experimentId: string, datasetId: string | null, version: number | null): AsyncGenerator<ResultRow[]> {
    const pages = pagesAfter(
      (after) =>
        this.store.db
          .selectFrom('runs')
          .selectAll()
          .where('experiment_id', '=', experimentId)
          .where('parent_run_id', 'is', null)
          .$if(after !== undefined, (q) => q.where('id', '>', after!))
          .orderBy('id')
          .limit(ROWS_PER_READ)
          .execute(),
      (run) => run.id,
    );
    for await (const runs of pages) {
      const recordIds = [...new Set(runs.flatMap((run) => (run.record_id ? [run.record_id] : [])))];
      const records = new Map<string, RecordRevisionTable>();
      if (datasetId && version !== null && recordIds.length) {
        const rows = await revisionsAt(this.store.db, datasetId, version).selectAll().where('record_id', 'in', recordIds).execute();
        for (const row of rows) records.set(row.record_id, row);
      }
      const scoresByRun = new Map<string, Map<string, ScoreTable>>();
      const scores = await this.store.db
        .selectFrom('scores')
        .selectAll()
        .where('experiment_id', '=', experimentId)
        .where(
          'run_id',
          'in',
          runs.map((run) => run.id),
        )
        .orderBy('updated_at')
        .orderBy('id')
        .execute();
      for (const score of scores) {
        const byKey = scoresByRun.get(score.run_id!) ?? new Map<string, ScoreTable>();
        byKey.set(score.key, score); // ordered oldest first, so the latest score of a key wins
        scoresByRun.set(score.run_id!, byKey);
      }
      yield runs.map((run) => ({ run, record: run.record_id ? records.get(run.record_id) : undefined, scores: scoresByRun.get(run.id) ?? new Map() }));
    }
  }

  private async *pagesOf(datasetId: string, version: number): AsyncGenerator<RecordRevisionTable[]> {
    const bound = await versionRecordBound(this.store.db, datasetId, version);
    if (bound === null) return;
    yield* pagesAfter(
      (after) =>
        revisionsAt(this.store.db, datasetId, version)
          .selectAll()
          .where('record_id', '<=', bound)
          .$if(after !== undefined, (q) => q.where('record_id', '>', after!))
          .orderBy('record_id')
          .limit(ROWS_PER_READ)
          .execute(),
      (row) => row.record_id,
    );
  }
}

/**
 * The pages `read` answers, each read after the key of the last row of the one before, until a page
 * comes back short: `read(after)` answers at most ROWS_PER_READ rows in key order, from after `after`.
 */
async function* pagesAfter<Row>(read: (after: string | undefined) => Promise<Row[]>, keyOf: (row: Row) => string): AsyncGenerator<Row[]> {
  let after: string | undefined;
  for (;;) {
    const rows = await read(after);
    if (rows.length === 0) return;
    yield rows;
    if (rows.length < ROWS_PER_READ) return;
    after = keyOf(rows[rows.length - 1]!);
  }
}

/** One JSON object per line, built from the stored JSON text without parsing it again. */
async function* jsonlChunks(pages: AsyncIterable<RecordRevisionTable[]>): AsyncGenerator<string> {
  for await (const rows of pages) {
    yield rows
      .map(
        (row) =>
          `{"id":${JSON.stringify(row.record_id)},"external_id":${JSON.stringify(row.external_id)},` +
          `"input":${row.input},"expected_output":${row.expected_output},"metadata":${row.metadata},` +
          `"tags":${row.tags},"splits":${row.splits},"source":${row.source ?? 'null'},` +
          `"created_at":${JSON.stringify(row.created_at)},"updated_at":${JSON.stringify(row.updated_at)}}\n`,
      )
      .join('');
  }
}

/**
 * CSV with a header row. A JSON string is written as its text; any other JSON value as JSON, which is
 * how the upload reads cells back (JSON when the cell parses as JSON, text otherwise).
 */
async function* csvChunks(pages: AsyncIterable<RecordRevisionTable[]>): AsyncGenerator<string> {
  yield stringify([CSV_COLUMNS]);
  for await (const rows of pages) {
    yield stringify(
      rows.map((row) => [
        row.record_id,
        row.external_id ?? '',
        jsonCell(row.input),
        jsonCell(row.expected_output),
        row.metadata,
        row.tags,
        row.splits,
        row.created_at,
        row.updated_at,
      ]),
    );
  }
}

/** The compact CSV (COMPACT_CSV_COLUMNS), cells written as in the full one. */
async function* compactCsvChunks(pages: AsyncIterable<RecordRevisionTable[]>): AsyncGenerator<string> {
  yield stringify([COMPACT_CSV_COLUMNS]);
  for await (const rows of pages) {
    yield stringify(rows.map((row) => [row.external_id ?? row.record_id, jsonCell(row.input), jsonCell(row.expected_output), row.metadata, row.tags]));
  }
}

/** A string that would itself read as JSON ("4", "true", "") stays quoted, so it reads back as a string. */
function jsonCell(jsonText: string): string {
  if (jsonText === 'null') return '';
  if (!jsonText.startsWith('"')) return jsonText;
  const text = JSON.parse(jsonText) as string;
  return text === '' || readsAsJson(text) ? jsonText : text;
}

function readsAsJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function costText(nanos: number | null): string | null {
  return nanos === null ? null : formatCost(nanos);
}

async function* resultJsonlChunks(pages: AsyncIterable<ResultRow[]>): AsyncGenerator<string> {
  for await (const rows of pages) {
    yield rows
      .map(
        ({ run, record, scores }) =>
          `${JSON.stringify({
            run_id: run.id,
            record_id: run.record_id,
            repetition: run.repetition,
            input: JSON.parse(record?.input ?? run.input ?? 'null'),
            expected_output: record ? JSON.parse(record.expected_output) : null,
            output: run.output === null ? null : JSON.parse(run.output),
            error: run.error,
            status: run.status,
            latency_ms: run.latency_ms,
            first_token_ms: run.first_token_ms,
            prompt_tokens: run.prompt_tokens,
            completion_tokens: run.completion_tokens,
            total_tokens: run.total_tokens,
            prompt_cost: costText(run.prompt_cost),
            completion_cost: costText(run.completion_cost),
            total_cost: costText(run.total_cost),
            start_time: run.start_time,
            end_time: run.end_time,
            metadata: JSON.parse(run.metadata),
            scores: Object.fromEntries(
              [...scores].map(([key, score]) => [
                key,
                { score: score.score, value: score.value === null ? null : JSON.parse(score.value), comment: score.comment },
              ]),
            ),
          })}\n`,
      )
      .join('');
  }
}

async function* resultCsvChunks(pages: AsyncIterable<ResultRow[]>, scoreKeys: string[]): AsyncGenerator<string> {
  yield stringify([[...RESULT_COLUMNS, ...scoreKeys.map((key) => `score.${key}`)]]);
  for await (const rows of pages) {
    yield stringify(
      rows.map(({ run, record, scores }) => [
        run.id,
        run.record_id ?? '',
        run.repetition ?? '',
        jsonCell(record?.input ?? run.input ?? 'null'),
        jsonCell(record?.expected_output ?? 'null'),
        jsonCell(run.output ?? 'null'),
        run.error ?? '',
        run.status,
        run.latency_ms ?? '',
        run.first_token_ms ?? '',
        run.prompt_tokens ?? '',
        run.completion_tokens ?? '',
        run.total_tokens ?? '',
        costText(run.prompt_cost) ?? '',
        costText(run.completion_cost) ?? '',
        costText(run.total_cost) ?? '',
        run.start_time ?? '',
        run.end_time ?? '',
        ...scoreKeys.map((key) => {
          const score = scores.get(key);
          return score ? (score.score ?? score.label ?? score.value ?? '') : '';
        }),
      ]),
    );
  }
}
