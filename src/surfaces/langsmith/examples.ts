import type { FastifyRequest } from 'fastify';
import { ValidationError } from '../../domain/errors.js';
import { isJsonObject, type Json, type JsonObject } from '../../domain/json.js';
import { compileChecker } from '../../domain/validation.js';
import type { BufferedPart } from '../../http/multipart.js';
import type { NewRecord, RecordPatch } from '../../services/records.js';
import { checkPart, jsonOfPart, partOf, partPointer } from './parts.js';
import { ExamplePart } from './schemas.js';

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
  if (fields.use_source_run_attachments?.length)
    throw ValidationError.field(`${at}/use_source_run_attachments`, 'is not supported: examples have no attachments here');
  if (fields.attachments?.length)
    throw ValidationError.field(`${at}/attachment.${fields.attachments[0]}`, 'is not supported: examples have no attachments here');
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

/** An example of a multipart upload, named by its id. */
export interface ExampleOfParts {
  id: string;
  fields: ExampleFields;
}

const checkExamplePart = compileChecker(ExamplePart);

/**
 * The examples of a multipart upload (spec §4.1), in the order their parts first appear: a part
 * `<id>` holds the example's own fields, `<id>.inputs` and `<id>.outputs` its inputs and reference
 * outputs; `<id>.attachment.<name>` (or `.attachments.`) parts are attachments.
 */
export function examplesOfParts(parts: readonly BufferedPart[], mode: 'create' | 'update'): ExampleOfParts[] {
  const examples = new Map<string, ExampleFields & { main: boolean }>();
  for (const part of parts) {
    const match = /^([0-9a-fA-F-]{36})(?:\.(inputs|outputs|attachments_operations|attachments?\.(.+)))?$/.exec(part.name);
    if (!match)
      throw ValidationError.field(
        partPointer(part.name),
        'is not a part of an example: parts are named <example id>, <example id>.inputs, <example id>.outputs or <example id>.attachment.<name>',
        { in: 'body' },
      );
    const id = match[1]!.toLowerCase();
    const example = examples.get(id) ?? { main: false };
    examples.set(id, example);
    if (match[3] !== undefined) {
      example.attachments = [...(example.attachments ?? []), match[3]];
      continue;
    }
    const value = jsonOfPart(part);
    const field = match[2];
    if (field === undefined) {
      checkPart(checkExamplePart, value, part.name);
      Object.assign(example, value);
      example.main = true;
    } else if (field === 'attachments_operations') {
      example.attachments = [...(example.attachments ?? []), 'operations'];
    } else {
      if (!isJsonObject(value)) throw ValidationError.field(partPointer(part.name), 'must be a JSON object', { in: 'body' });
      example[field as 'inputs' | 'outputs'] = value;
    }
  }
  if (examples.size === 0) throw ValidationError.field('', 'must hold at least one example', { in: 'body' });
  return [...examples].map(([id, { main, ...fields }]) => {
    if (!main)
      throw ValidationError.field(
        `/${id}`,
        `is required: each example has a part named by its id (${mode === 'create' ? 'its fields, or {}' : 'the fields it changes, or {}'})`,
        { in: 'body' },
      );
    return { id, fields };
  });
}

/**
 * The multipart example routes' `locate` (src/http/restate.ts): a fault of `/examples/<i>/<field>`
 * (the parts remembered as `examples`, by id) as the part that carried the field: `<id>.inputs` and
 * `<id>.outputs` have parts of their own, the other fields are in the part `<id>`.
 */
export function locateExamplePart(pointer: string, request: FastifyRequest): string {
  const [, index, field, rest = ''] = /^\/examples\/(\d+)(?:\/([^/]+))?(.*)$/.exec(pointer) ?? [];
  const id = index === undefined ? undefined : partOf(request, 'examples', Number(index));
  if (id === undefined) return pointer;
  if (field === 'inputs' || field === 'outputs') return `${partPointer(`${id}.${field}`)}${rest}`;
  return field === undefined || field === 'id' ? partPointer(id) : `${partPointer(id)}/${field}${rest}`;
}

/**
 * Array operations on an example's metadata (`PATCH …/examples/metadata`); the key `dataset_split`
 * is the example's splits.
 */
export function reviseArrays(current: { metadata: JsonObject; splits: string[] }, operations: readonly { key: string; operation: string; values: string[] }[]) {
  let metadata = current.metadata;
  let splits = current.splits;
  for (const { key, operation, values } of operations) {
    const apply = (list: readonly Json[]) =>
      operation.toLowerCase() === 'array_add' ? [...list, ...values.filter((v) => !list.includes(v))] : list.filter((v) => !values.includes(v as string));
    if (key === 'dataset_split') splits = apply(splits) as string[];
    else {
      const existing = metadata[key];
      metadata = { ...metadata, [key]: apply(Array.isArray(existing) ? existing : existing === undefined || existing === null ? [] : [existing]) };
    }
  }
  return { metadata, splits };
}
