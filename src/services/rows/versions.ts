import type { Kysely } from 'kysely';
import { ConflictError, NotFoundError, ValidationError } from '../../domain/errors.js';
import type { Database, DatasetTable } from '../../store/schema.js';

/** A version by number, by name, or `latest` (also when omitted). */
export type VersionRef = number | string;

/**
 * The version number `ref` names in `dataset`. A dataset with no version yet reads as version 0,
 * which holds no records.
 */
export async function resolveVersion(db: Kysely<Database>, dataset: DatasetTable, ref: VersionRef | undefined): Promise<number> {
  if (ref === undefined || ref === 'latest' || ref === '') return dataset.latest_version;
  const number = typeof ref === 'number' ? ref : /^\d+$/.test(ref) ? Number(ref) : undefined;
  if (number !== undefined) {
    if (!Number.isSafeInteger(number) || number < 0 || number > dataset.latest_version) {
      throw new NotFoundError('Version', ref, [
        { pointer: '/version', detail: `is not a version of the dataset (latest is ${dataset.latest_version})`, in: 'query' },
      ]);
    }
    return number;
  }
  const row = await db.selectFrom('dataset_versions').select('version').where('dataset_id', '=', dataset.id).where('name', '=', String(ref)).executeTakeFirst();
  if (!row) throw new NotFoundError('Version', ref, [{ pointer: '/version', detail: 'names no version of the dataset', in: 'query' }]);
  return row.version;
}

/**
 * The highest record id version `version` can hold: reads of that version in record-id order stop
 * there rather than walking the records added after it. Null when the version holds none.
 */
export async function versionRecordBound(db: Kysely<Database>, datasetId: string, version: number): Promise<string | null> {
  if (version === 0) return null;
  const row = await db
    .selectFrom('dataset_versions')
    .select('max_record_id')
    .where('dataset_id', '=', datasetId)
    .where('version', '=', version)
    .executeTakeFirst();
  return row?.max_record_id ?? null;
}

/** A version's name may not be what already names versions: a number, or `latest`. */
export function checkVersionName(name: string, pointer = '/name'): void {
  if (/^\d+$/.test(name)) throw ValidationError.field(pointer, 'must not be a number (numbers name versions already)');
  if (name === 'latest') throw ValidationError.field(pointer, 'must not be "latest"');
}

export function versionNameTaken(name: string, pointer = '/name'): ConflictError {
  return new ConflictError(`Another version is already named ${JSON.stringify(name)}`, [{ pointer, detail: 'is already taken' }]);
}
