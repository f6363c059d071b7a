import { NotFoundError, ValidationError } from '../../domain/errors.js';
import { numberToUuid, uuidToNumber } from '../../domain/ids.js';

/**
 * Arize AX's global ids, and how evalstore's ids become them. This module is the only place that
 * knows the scheme.
 *
 * AX ids are standard base64 (with padding) of `<Type>:<number>`; the SDKs tell an id from a name by
 * whether it base64-decodes to something holding a colon. Evalstore's ids are UUIDs, and a UUID is a
 * 128-bit number, so `<Type>:<the UUID as a decimal integer>` names the entity losslessly and is
 * literally AX's shape (Phoenix's `int(...)` of the part after the colon reads it too):
 *
 *   Dataset 0194f1d2-7c1e-7a3b-9c2d-4e5f60718293 → base64("Dataset:2102…4739") → "RGF0YXNldDoyMTAy…"
 *
 * A dataset version has no UUID of its own: it is a dataset and a version number. Its number is the
 * dataset's 128 bits followed by the version's 32 bits (`dataset << 32 | version`), so a version id is
 * still one `Type:<number>` and still decodes back to both. Example and run ids stay plain UUIDs, as
 * AX's example ids are.
 */
type GlobalType = 'Space' | 'Project' | 'Dataset' | 'DatasetVersion' | 'Experiment';

const VERSION_BITS = 32n;
const UUID_BITS = 128n;

export function globalId(type: Exclude<GlobalType, 'DatasetVersion'>, uuid: string): string {
  return encode(type, uuidToNumber(uuid));
}

export function datasetVersionId(datasetId: string, version: number): string {
  return encode('DatasetVersion', (uuidToNumber(datasetId) << VERSION_BITS) | BigInt(version));
}

/**
 * The UUID a global id of `type` names. A value that is not such an id at all is a bad request (400,
 * naming `pointer`); a well-formed id that names nothing evalstore made comes back as a UUID-shaped
 * string no entity has, so the lookup answers 404 as for any unknown id.
 */
export function uuidOf(type: Exclude<GlobalType, 'DatasetVersion'>, id: string, pointer: string, where: 'params' | 'query' | 'body'): string {
  const number = decode(type, id, pointer, where);
  if (number >= 1n << UUID_BITS) throw notAnId(type, pointer, where);
  return numberToUuid(number);
}

export function versionOf(id: string, pointer: string, where: 'params' | 'query' | 'body'): { datasetId: string; version: number } {
  const number = decode('DatasetVersion', id, pointer, where);
  if (number >= 1n << (UUID_BITS + VERSION_BITS)) throw notAnId('DatasetVersion', pointer, where);
  return { datasetId: numberToUuid(number >> VERSION_BITS), version: Number(number & ((1n << VERSION_BITS) - 1n)) };
}

/** The version number a `dataset_version_id` names, which must be a version of the dataset `datasetId`. */
export function versionOfDataset(datasetId: string, versionId: string, pointer: string, where: 'query' | 'body'): number {
  const { datasetId: owner, version } = versionOf(versionId, pointer, where);
  if (owner !== datasetId || version < 1) {
    throw new NotFoundError('Dataset version', versionId, [{ pointer, detail: 'is not a version of the dataset', in: where }]);
  }
  return version;
}

/**
 * The UUID a global id of any type names, or undefined when the text is no such id. A dataset
 * version's id names a version, not a UUID of its own, so it names none here.
 */
export function uuidNamedBy(text: string): string | undefined {
  const parsed = parse(text);
  if (!parsed || parsed.type === 'DatasetVersion' || parsed.number >= 1n << UUID_BITS) return undefined;
  return numberToUuid(parsed.number);
}

function encode(type: GlobalType, number: bigint): string {
  return Buffer.from(`${type}:${number.toString(10)}`, 'utf8').toString('base64');
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const GLOBAL_TYPES: readonly string[] = ['Space', 'Project', 'Dataset', 'DatasetVersion', 'Experiment'] satisfies GlobalType[];

function decode(type: GlobalType, id: string, pointer: string, where: 'params' | 'query' | 'body'): bigint {
  const parsed = parse(id);
  if (!parsed || parsed.type !== type) throw notAnId(type, pointer, where);
  return parsed.number;
}

function parse(id: string): { type: GlobalType; number: bigint } | undefined {
  // Buffer's decoder skips characters it does not know, so the alphabet is checked first.
  if (!BASE64.test(id)) return undefined;
  const match = /^([A-Za-z]+):(\d{1,60})$/.exec(Buffer.from(id, 'base64').toString('utf8'));
  if (!match || !GLOBAL_TYPES.includes(match[1]!)) return undefined;
  return { type: match[1] as GlobalType, number: BigInt(match[2]!) };
}

function notAnId(type: GlobalType, pointer: string, where: 'params' | 'query' | 'body'): ValidationError {
  const noun = type.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  return ValidationError.field(pointer, `is not a valid ${noun} id (an id this API handed out, base64 of "${type}:<number>")`, { in: where });
}
