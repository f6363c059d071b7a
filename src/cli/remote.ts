import { constants, createWriteStream } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { Evalstore } from '../client/client.js';
import type { UploadSummary } from '../client/types.js';
import { count, ProgressBar } from './progress-bar.js';

/** Commands that talk to a running server over the native API, through the TypeScript client. */
export interface RemoteFlags {
  url?: string;
  key?: string;
}

export function clientOf(flags: RemoteFlags): Evalstore {
  const apiKey = flags.key ?? process.env.EVALSTORE_API_KEY;
  if (!apiKey) throw new Error('An API key is required: --key or EVALSTORE_API_KEY');
  return new Evalstore({ url: flags.url ?? 'http://127.0.0.1:8080', apiKey });
}

export interface UploadFlags {
  dataset: string;
  create?: boolean;
  dedupe?: boolean;
  tag?: string[];
  format?: 'csv' | 'jsonl';
  inputColumn?: string;
  expectedColumn?: string;
  metadataColumn?: string;
  tagsColumn?: string;
  splitsColumn?: string;
  idColumn?: string;
  otherColumns?: 'metadata' | 'ignore';
  ignoreColumn?: string[];
  cells?: 'json' | 'text';
}

/** Streams FILE to the server, drawing a progress bar from the bytes sent and the server's progress events. */
export async function uploadFile(client: Evalstore, file: string, flags: UploadFlags, out: NodeJS.WriteStream = process.stderr): Promise<UploadSummary> {
  await checkReadable(file);
  let dataset = await client.datasets.find(flags.dataset);
  let created = false;
  if (!dataset) {
    if (!flags.create) throw new Error(`No dataset is named ${JSON.stringify(flags.dataset)} (add --create to make it)`);
    dataset = await client.datasets.create({ name: flags.dataset });
    created = true;
  }
  const bar = new ProgressBar(out);
  let last = { sent: 0, total: null as number | null, rows: 0, phase: 'sending' };
  const draw = (final = false) => bar.draw(last.sent, last.total, `${count(last.rows)} rows  ${last.phase}`, final);
  try {
    const summary = await client.uploads.create(
      dataset.id,
      { path: file },
      {
        format: flags.format ?? (/\.csv$/i.test(file) ? 'csv' : 'jsonl'),
        deduplicate: flags.dedupe,
        tags: flags.tag,
        columns: {
          input: flags.inputColumn,
          expected_output: flags.expectedColumn,
          metadata: flags.metadataColumn,
          tags: flags.tagsColumn,
          splits: flags.splitsColumn,
          external_id: flags.idColumn,
        },
        otherColumns: flags.otherColumns,
        ignoreColumns: flags.ignoreColumn,
        cells: flags.cells,
        onProgress: (progress) => {
          last = { sent: progress.bytes_sent, total: progress.total_bytes, rows: progress.rows_received, phase: progress.phase };
          draw();
        },
      },
    );
    draw(true);
    return summary;
  } catch (error) {
    draw(true);
    // The upload committed nothing: a dataset made for it would be left empty.
    if (created) await client.datasets.delete(dataset.id).catch(() => undefined);
    throw error;
  }
}

/** Refuses a file that cannot be read before anything is made or drawn for it. */
async function checkReadable(file: string): Promise<void> {
  try {
    const found = await stat(file);
    if (!found.isFile()) throw new Error(`${file} is not a file`);
    await access(file, constants.R_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new Error(`No file ${file}`);
    if (code === 'EACCES') throw new Error(`${file} cannot be read (permission denied)`);
    throw error;
  }
}

/** Where each CSV column went, as a line for the terminal. */
export function describeColumns(columns: NonNullable<UploadSummary['columns']>): string {
  const used = Object.entries(columns.used).map(([field, column]) => `${column} -> ${field}`);
  const parts = [...used];
  if (columns.metadata.length) parts.push(`${columns.metadata.join(', ')} -> metadata`);
  if (columns.ignored.length) parts.push(`${columns.ignored.join(', ')} ignored`);
  return `columns: ${parts.join('; ')}`;
}

/** Writes a version of a dataset (by name or id) as CSV or JSONL to `output` (stdout by default). */
export async function exportDataset(client: Evalstore, nameOrId: string, flags: { version?: string; format: 'csv' | 'jsonl'; output?: string }): Promise<void> {
  const dataset = await client.datasets.find(nameOrId);
  if (!dataset) throw new Error(`No dataset is named ${JSON.stringify(nameOrId)}`);
  const body = await client.datasets.export(dataset.id, { format: flags.format, version: flags.version });
  await pipeline(Readable.fromWeb(body as NodeReadableStream<Uint8Array>), flags.output ? createWriteStream(flags.output) : process.stdout);
}
