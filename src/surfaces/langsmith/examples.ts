import { ValidationError } from '../../domain/errors.js';
import type { JsonObject } from '../../domain/json.js';
import type { NewRecord, RecordPatch } from '../../services/records.js';
import { renameFirst } from './errors.js';

/**
 * LangSmith's examples as evalstore's records (the table is in docs/surfaces/langsmith.md). LangSmith
 * keeps an example's splits in `metadata.dataset_split`; evalstore keeps them as the record's splits,
 * and `presentExample` puts them back.
 */

/** The split of an example created without one (LangSmith's default). */
const DEFAULT_SPLIT = 'base';

/** An example as its create routes take it (the JSON body, or the parts of a multipart upload). */
export interface ExampleFields {
  id?: string | null;
  inputs?: JsonObject | null;
  outputs?: JsonObject | null;
  metadata?: JsonObject | null;
  split?: string | string[] | null;
  source_run_id?: string | null;
  use_source_run_io?: boolean | null;
  use_source_run_attachments?: string[] | null;
  /** Names of attachment parts sent with the example. */
  attachments?: string[];
}

/** The splits an example names, by `split`, else by `metadata.dataset_split`; undefined when neither. */
function splitsOf(fields: ExampleFields, at: string): string[] | undefined {
  if (fields.split !== undefined && fields.split !== null) return typeof fields.split === 'string' ? [fields.split] : fields.split;
  const inMetadata = fields.metadata?.dataset_split;
  if (inMetadata === undefined || inMetadata === null) return undefined;
  const list = typeof inMetadata === 'string' ? [inMetadata] : inMetadata;
  if (!Array.isArray(list) || !list.every((split) => typeof split === 'string')) {
    throw ValidationError.field(`${at}/metadata/dataset_split`, 'must be a split name or a list of them');
  }
  return list as string[];
}

/** The metadata a record keeps: the example's, without the splits (kept as the record's splits). */
function metadataOf(fields: ExampleFields): JsonObject | undefined {
  if (fields.metadata === undefined || fields.metadata === null) return undefined;
  const { dataset_split: _splits, ...metadata } = fields.metadata;
  return metadata;
}

/** What evalstore does not keep of an example: refused by name rather than dropped. */
function refuseUnsupported(fields: ExampleFields, at: string): void {
  if (fields.use_source_run_io) throw ValidationError.field(`${at}/use_source_run_io`, "is not supported: send the example's inputs and outputs");
  if (fields.use_source_run_attachments?.length) throw ValidationError.field(`${at}/use_source_run_attachments`, 'is not supported: examples have no attachments here');
  if (fields.attachments?.length) throw ValidationError.field(`${at}/attachment.${fields.attachments[0]}`, 'is not supported: examples have no attachments here');
}

/** A new example as a record; `at` names it in the request, for faults. */
export function toNewRecord(fields: ExampleFields, at: string): NewRecord {
  refuseUnsupported(fields, at);
  if (fields.inputs === undefined || fields.inputs === null) throw ValidationError.field(`${at}/inputs`, 'is required');
  return {
    ...(fields.id ? { id: fields.id } : {}),
    input: fields.inputs,
    expected_output: fields.outputs ?? null,
    metadata: metadataOf(fields) ?? {},
    splits: splitsOf(fields, at) ?? [DEFAULT_SPLIT],
    source: fields.source_run_id ? { run_id: fields.source_run_id } : null,
  };
}

/** A change to an example as a change to its record: what is left out (or null) stays as it is. */
export function toRecordPatch(id: string, fields: ExampleFields, at: string): RecordPatch {
  refuseUnsupported(fields, at);
  const patch: RecordPatch = { id };
  if (fields.inputs) patch.input = fields.inputs;
  if (fields.outputs) patch.expected_output = fields.outputs;
  const metadata = metadataOf(fields);
  if (metadata !== undefined) patch.metadata = metadata;
  const splits = splitsOf(fields, at);
  if (splits !== undefined) patch.splits = splits;
  return patch;
}

/** Where the fields of a record, as the services name them, sit in a LangSmith example. */
const RECORD_FIELDS: Record<string, string> = { input: 'inputs', expected_output: 'outputs', splits: 'split', source: 'source_run_id' };

export function exampleFieldLoc(segments: string[]): string[] {
  return renameFirst(RECORD_FIELDS, segments);
}
