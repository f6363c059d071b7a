import { NotFoundError } from '../../domain/errors.js';
import { numberToUuid, uuidToNumber } from '../../domain/ids.js';

/**
 * Humanloop's ids and how evalstore's ids become them. This module is the only place that knows the
 * scheme (docs/surfaces/humanloop.md has the table).
 *
 * A Humanloop id is a type prefix and an opaque alphanumeric string: `ds_30gco7dx6JDq4200GVOHa`.
 * Evalstore's ids are UUIDs, that is 128-bit numbers, so the surface writes the number in base 62
 * (0-9, A-Z, a-z; 22 characters) after Humanloop's prefix: the id looks like Humanloop's and decodes
 * back to the UUID, with no table to keep.
 *
 * A dataset version has no UUID of its own: it is a dataset and a version number. Its number is the
 * dataset's 128 bits followed by the version's 32 bits (`dataset << 32 | version`, 27 characters), so
 * a version id alone names both.
 */
const PREFIXES = {
  /** A dataset: the v5 API shows `ds_`, the v4 API `evts_`; each API takes either. */
  dataset: ['ds', 'evts'],
  datapoint: ['dp'],
  version: ['dsv'],
  /** A log is a run of a log stream. */
  log: ['data'],
  /**
   * A Humanloop project (v4) or file (v5: a prompt, flow, tool or evaluator) is an evalstore project;
   * each API takes any of the prefixes, and a file's is its type's.
   */
  project: ['pr', 'fl', 'tl', 'ev'],
  /** The one version of a file evalstore keeps: its project's number again. */
  promptVersion: ['prv', 'flv', 'tlv', 'evv'],
  /** An evaluation is an evalstore project holding its runs. */
  evaluation: ['evr'],
  /** An evaluation's run is an evalstore experiment. */
  evaluationRun: ['evrun'],
} as const;

/** The file types of Humanloop's v5 API and the prefixes of their ids and their versions' ids. */
export const FILE_TYPES = ['prompt', 'flow', 'tool', 'evaluator'] as const;
export type FileType = (typeof FILE_TYPES)[number];

const FILE_PREFIXES: Record<FileType, [string, string]> = { prompt: ['pr', 'prv'], flow: ['fl', 'flv'], tool: ['tl', 'tlv'], evaluator: ['ev', 'evv'] };

/** A file's id, as its type writes it. */
export function fileId(type: FileType, uuid: string): string {
  return humanloopId('project', uuid, FILE_PREFIXES[type][0]);
}

/** The id of a file's (one) version, as its type writes it. */
export function fileVersionId(type: FileType, uuid: string): string {
  return humanloopId('promptVersion', uuid, FILE_PREFIXES[type][1]);
}

type IdKind = keyof typeof PREFIXES;

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const BASE = BigInt(ALPHABET.length);
const UUID_BITS = 128n;
const VERSION_BITS = 32n;
const UUID_DIGITS = 22;
const VERSION_DIGITS = 27;

/** The Humanloop id of the entity of `kind` whose UUID is `uuid`, with the kind's first prefix unless `prefix` says otherwise. */
export function humanloopId(kind: Exclude<IdKind, 'version'>, uuid: string, prefix: string = PREFIXES[kind][0]): string {
  return `${prefix}_${toBase62(uuidToNumber(uuid), UUID_DIGITS)}`;
}

/** A dataset's id as the v4 API writes it (`evts_`) or the v5 API (`ds_`). */
export function datasetIdFor(api: 'v4' | 'v5', uuid: string): string {
  return humanloopId('dataset', uuid, api === 'v4' ? 'evts' : 'ds');
}

export function versionId(datasetId: string, version: number): string {
  return `${PREFIXES.version[0]}_${toBase62((uuidToNumber(datasetId) << VERSION_BITS) | BigInt(version), VERSION_DIGITS)}`;
}

/**
 * The UUID an id of `kind` names, or undefined when the value is not such an id at all. A well-formed
 * id that names nothing evalstore made decodes to a UUID no entity has, so lookups answer not found.
 */
export function uuidOf(kind: Exclude<IdKind, 'version'>, id: string): string | undefined {
  const number = decode(kind, id);
  return number === undefined || number >= 1n << UUID_BITS ? undefined : numberToUuid(number);
}

/** The UUID an id of any kind names, or undefined when the text is no such id. A version's id (dataset or prompt version) names a version, not that UUID. */
export function uuidNamedBy(text: string): string | undefined {
  for (const kind of ['dataset', 'datapoint', 'log', 'project', 'evaluation', 'evaluationRun'] as const) {
    const uuid = uuidOf(kind, text);
    if (uuid) return uuid;
  }
  return undefined;
}

/** The UUID of the entity an id in the path names: a value that is not such an id names nothing (404, as any unknown id). */
export function uuidInPath(kind: keyof typeof ENTITY_NAMES, id: string): string {
  const uuid = uuidOf(kind, id);
  if (!uuid) throw new NotFoundError(ENTITY_NAMES[kind], id);
  return uuid;
}

const ENTITY_NAMES = { dataset: 'Dataset', project: 'Project', log: 'Log', evaluation: 'Evaluation', evaluationRun: 'Run' } as const;

export function versionOf(id: string): { datasetId: string; version: number } | undefined {
  const number = decode('version', id);
  if (number === undefined || number >= 1n << (UUID_BITS + VERSION_BITS)) return undefined;
  return { datasetId: numberToUuid(number >> VERSION_BITS), version: Number(number & ((1n << VERSION_BITS) - 1n)) };
}

function decode(kind: IdKind, id: string): bigint | undefined {
  const match = /^([a-z]+)_([0-9A-Za-z]{1,40})$/.exec(id);
  if (!match || !(PREFIXES[kind] as readonly string[]).includes(match[1]!)) return undefined;
  let number = 0n;
  for (const digit of match[2]!) number = number * BASE + BigInt(ALPHABET.indexOf(digit));
  return number;
}

function toBase62(number: bigint, width: number): string {
  let digits = '';
  for (let rest = number; rest > 0n; rest /= BASE) digits = ALPHABET[Number(rest % BASE)]! + digits;
  return digits.padStart(width, ALPHABET[0]);
}
