import { stringify } from 'csv-stringify/sync';
import type { Actor } from '../domain/types.js';
import type { Store } from '../store/database.js';
import type { RecordRevisionTable } from '../store/schema.js';
import { findDatasetRow } from './datasets.js';
import { revisionsAt } from './revisions.js';
import { resolveVersion, type VersionRef } from './versions.js';

export type ExportFormat = 'jsonl' | 'csv';

export const CSV_COLUMNS = ['id', 'external_id', 'input', 'expected_output', 'metadata', 'tags', 'splits', 'created_at', 'updated_at'] as const;

/** Rows read per query: enough to be quick, few enough that memory stays flat whatever the size. */
const ROWS_PER_READ = 1_000;

export interface RecordExport {
  dataset_id: string;
  version: number;
  format: ExportFormat;
  /** The file's text, chunk by chunk, read from the database as the consumer asks for more. */
  chunks: AsyncIterable<string>;
}

export class ExportService {
  constructor(private readonly store: Store) {}

  /**
   * A version of a dataset as JSONL or CSV. The version is fixed when the export starts, so commits made
   * while it streams do not show up in it.
   */
  async records(actor: Actor, datasetId: string, options: { version?: VersionRef; format: ExportFormat }): Promise<RecordExport> {
    const dataset = await findDatasetRow(this.store, this.store.db, actor, datasetId);
    const version = await resolveVersion(this.store.db, dataset, options.version);
    const pages = this.pagesOf(dataset.id, version);
    const chunks = options.format === 'jsonl' ? jsonlChunks(pages) : csvChunks(pages);
    return { dataset_id: dataset.id, version, format: options.format, chunks };
  }

  private async *pagesOf(datasetId: string, version: number): AsyncGenerator<RecordRevisionTable[]> {
    let after: string | undefined;
    for (;;) {
      const rows = await revisionsAt(this.store.db, datasetId, version)
        .selectAll()
        .$if(after !== undefined, (q) => q.where('record_id', '>', after!))
        .orderBy('record_id')
        .limit(ROWS_PER_READ)
        .execute();
      if (rows.length === 0) return;
      yield rows;
      after = rows[rows.length - 1]!.record_id;
      if (rows.length < ROWS_PER_READ) return;
    }
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
