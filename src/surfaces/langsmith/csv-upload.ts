import { ValidationError } from '../../domain/errors.js';
import type { BufferedPart } from '../../http/multipart.js';
import type { CsvMapping } from '../../services/uploads/index.js';

/**
 * LangSmith's CSV upload (`client.uploadCsv`, `POST /datasets/upload`): a multipart body with the
 * file in a `file` part, then text fields naming the columns (`input_keys`, `output_keys`, each
 * repeated) and the new dataset (`name`, `description`, `data_type`). The SDK sends the fields after
 * the file, so the body is read whole (the surface's multipart parser) and the file then streamed
 * through the upload pipeline from memory (the route's body limit, LIMITS.bulkBodyBytes, bounds it).
 */
export interface CsvUpload {
  file: BufferedPart;
  name: string;
  description: string | null;
  mapping: CsvMapping;
}

const FIELDS = new Set(['file', 'input_keys', 'output_keys', 'name', 'description', 'data_type']);

/** The upload the parts describe; 422 naming the part at fault. */
export function csvUploadOf(parts: readonly BufferedPart[]): CsvUpload {
  const texts = (name: string) => parts.filter((part) => part.name === name && part.filename === undefined).map((part) => part.data.toString('utf8'));
  const text = (name: string): string | undefined => {
    const values = texts(name);
    if (values.length > 1) throw ValidationError.field(`/${name}`, 'must be sent once', { in: 'body' });
    return values[0];
  };
  for (const part of parts) {
    if (!FIELDS.has(part.name)) throw ValidationError.field(`/${part.name}`, 'is not a known field', { in: 'body' });
  }
  const files = parts.filter((part) => part.name === 'file');
  if (files.length !== 1 || files[0]!.filename === undefined) {
    throw ValidationError.field('/file', 'is required: send the CSV as one file part named "file"', { in: 'body' });
  }
  const file = files[0]!;
  const dataType = text('data_type');
  if (dataType !== undefined && dataType !== 'kv') {
    throw ValidationError.field('/data_type', 'must be "kv": only key-value datasets are supported by this server', { in: 'body' });
  }
  const inputKeys = texts('input_keys');
  if (inputKeys.length === 0) throw ValidationError.field('/input_keys', 'is required: name at least one column as an input key', { in: 'body' });
  const outputKeys = texts('output_keys');
  const overlap = inputKeys.find((key) => outputKeys.includes(key));
  if (overlap !== undefined) throw ValidationError.field('/output_keys', `names ${JSON.stringify(overlap)}, which is an input key too`, { in: 'body' });
  const name = text('name') ?? file.filename;
  if (!name) throw ValidationError.field('/name', 'is required when the file part has no file name', { in: 'body' });
  return {
    file,
    name,
    description: text('description') ?? null,
    mapping: { input: { columns: inputKeys }, expected_output: { columns: outputKeys } },
  };
}

/** Bytes held in memory, handed over in pieces as a stream's would be. */
export async function* piecesOf(data: Buffer, size = 64 * 1024): AsyncGenerator<Buffer> {
  for (let at = 0; at < data.length; at += size) yield data.subarray(at, at + size);
}
