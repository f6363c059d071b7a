import { createHash } from 'node:crypto';
import { NotFoundError, ValidationError } from '../../domain/errors.js';
import { numberToUuid, uuidToNumber } from '../../domain/ids.js';

/**
 * Phoenix's GlobalIDs: standard base64 of `<Type>:<number>` (Strawberry's relay ids). Evalstore's ids
 * are UUIDs, 128-bit numbers, so `<Type>:<the UUID as a decimal integer>` names an entity losslessly
 * in Phoenix's own shape. A dataset version is a version number of the dataset its route names
 * (`DatasetVersion:<n>`): Phoenix's clients always send it with its dataset.
 */
export type GlobalType = 'Dataset' | 'DatasetExample' | 'Experiment' | 'ExperimentRun' | 'ExperimentEvaluation';

export function globalId(type: GlobalType, uuid: string): string {
  return Buffer.from(`${type}:${uuidToNumber(uuid)}`).toString('base64');
}

export function versionGlobalId(version: number): string {
  return Buffer.from(`DatasetVersion:${version}`).toString('base64');
}

/**
 * The UUID a GlobalID of `type` names: 422 when the value is no GlobalID (as Phoenix answers), 404
 * when it is one of another type (`ID … refers to a …`).
 */
export function uuidOf(type: GlobalType, id: string, pointer: string, where: 'params' | 'query' | 'body'): string {
  const number = decode(type, id, pointer, where);
  if (number >= 1n << 128n) throw new NotFoundError(type, id);
  return numberToUuid(number);
}

export function versionOf(id: string, pointer: string, where: 'params' | 'query' | 'body'): number {
  const number = decode('DatasetVersion', id, pointer, where);
  if (number < 1n || number >= 1n << 31n) throw new NotFoundError('Dataset version', id);
  return Number(number);
}

/** A score id for a run's evaluation of a name: Phoenix keeps one evaluation per (run, name). */
export function evaluationScoreId(runId: string, name: string): string {
  const bytes = createHash('sha256').update(`phoenix-evaluation:${runId}:${name}`).digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x80;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  return numberToUuid(BigInt(`0x${bytes.toString('hex')}`));
}

function decode(type: string, id: string, pointer: string, where: 'params' | 'query' | 'body'): bigint {
  const text = Buffer.from(id, 'base64').toString('utf8');
  const match = /^([A-Za-z]+):(\d{1,40})$/.exec(text);
  if (!match) throw new ValidationError(`Invalid ${type} ID: ${id}`, [{ pointer, detail: `is not a ${type} GlobalID`, in: where }]);
  if (match[1] !== type) throw new NotFoundError(type, id, [{ pointer, detail: `refers to a ${match[1]}`, in: where }]);
  return BigInt(match[2]!);
}
