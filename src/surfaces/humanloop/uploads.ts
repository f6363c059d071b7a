import type { FastifyRequest } from 'fastify';
import { ValidationError } from '../../domain/errors.js';
import type { Json } from '../../domain/json.js';
import { LIMITS } from '../../domain/limits.js';
import { filePart } from '../../http/multipart.js';
import type { Services } from '../../services/index.js';
import { csvRows, type SourceRow, type UploadSummary } from '../../services/uploads/index.js';
import { compileChecker } from '../../domain/validation.js';
import { recordOfDatapoint } from './datapoints.js';
import { DatapointInput } from './schemas.js';

/**
 * Humanloop's CSV datapoints (`datasets.uploadCsv`, `POST /v5/datasets/{id}/datapoints/csv`): a
 * multipart body with the CSV in a `file` part, then the text fields `version_name` and
 * `version_description`. The file is streamed through evalstore's upload pipeline (staged as it
 * arrives, committed as one version, nothing written when a line is bad). The SDK sends the fields
 * after the file, so they are read once the file has been, just before the commit.
 *
 * Each row is a datapoint: the column `target` is its target (a JSON object), the column `messages`
 * its messages (a JSON array), and every other column one of its inputs, under the column's name, the
 * cell's text as it is. An empty `target` or `messages` cell is none.
 */

const FIELDS = new Set(['version_name', 'version_description']);

/** The CSV's rows added to the dataset as one new version, built on `baseVersion` when given. */
export async function uploadDatapoints(services: Services, request: FastifyRequest, datasetId: string, baseVersion?: number): Promise<UploadSummary> {
  const part = await filePart(request, 'file', { maxFileBytes: LIMITS.uploadBytes });
  const rows = csvRows(part.stream, { mapping: { input: { rest: true }, expected_output: { column: 'target' } }, cells: 'text' });
  return services.uploads.upload(request.actor, datasetId, datapointsOf(rows), {
    format: 'csv',
    filename: part.filename,
    baseVersion,
    // Humanloop adds no datapoint twice: a row the same as a datapoint there (or an earlier row) is skipped.
    deduplicate: true,
    deduplicateBy: 'content',
    beforeCommit: async () => {
      const fields = await part.allFields();
      const unknown = Object.keys(fields).find((name) => !FIELDS.has(name));
      if (unknown !== undefined) throw ValidationError.field(`/${unknown}`, 'is not a known field', { in: 'body' });
      return { versionName: fields.version_name, message: fields.version_description };
    },
  });
}

const checkDatapoint = compileChecker(DatapointInput);

/** The CSV's records (inputs as cell texts, target as text) as Humanloop datapoints' records, checked as the JSON routes check datapoints. */
async function* datapointsOf(rows: AsyncIterable<SourceRow>): AsyncGenerator<SourceRow> {
  for await (const { line, record } of rows) {
    const { messages: messagesCell, ...inputs } = record.input as Record<string, string>;
    const targetCell = record.expected_output as string | undefined;
    const datapoint: DatapointInput = { inputs };
    if (messagesCell) datapoint.messages = jsonCell(messagesCell, line, 'messages') as DatapointInput['messages'];
    if (targetCell) datapoint.target = jsonCell(targetCell, line, 'target') as DatapointInput['target'];
    const [fault] = checkDatapoint(datapoint);
    if (fault) {
      const [, column = '', ...inside] = fault.pointer.split('/');
      throw cellFault(line, column, inside.length ? `/${inside.join('/')} ${fault.detail}` : fault.detail);
    }
    yield { line, record: recordOfDatapoint(datapoint) };
  }
}

function jsonCell(cell: string, line: number, column: string): Json {
  try {
    return JSON.parse(cell) as Json;
  } catch {
    throw cellFault(line, column, 'is not valid JSON');
  }
}

function cellFault(line: number, column: string, detail: string): ValidationError {
  return new ValidationError(`line ${line}, column ${JSON.stringify(column)}: ${detail}`, [{ pointer: `/${column}`, detail, in: 'line', line, column }]);
}
