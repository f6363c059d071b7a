import { ConflictError } from '../../domain/errors.js';
import type { DatasetManager } from '../../domain/types.js';
import type { Transaction } from '../../store/database.js';
import type { DatasetTable } from '../../store/schema.js';

/**
 * Refuses a write by `writer` to a dataset managed by another: a dataset made by LangSmith's
 * upload-experiment (`external`) mirrors a dataset of another system and changes only through that
 * flow, and that flow writes only to the datasets it made.
 */
export function checkWriter(dataset: Pick<DatasetTable, 'id' | 'name' | 'managed_by'>, writer: DatasetManager): void {
  if (dataset.managed_by === writer) return;
  throw new ConflictError(
    dataset.managed_by === 'external'
      ? `Dataset ${JSON.stringify(dataset.name)} is managed externally: only LangSmith's upload-experiment changes its records and adds experiments to it`
      : `Dataset ${JSON.stringify(dataset.name)} was not created by LangSmith's upload-experiment, which only writes to the datasets it created`,
  );
}

/** Records that the experiment's runs or scores changed: results computed from them are stale. */
export async function touchExperiment(tx: Transaction, experimentId: string, now: string): Promise<void> {
  await tx
    .updateTable('experiments')
    .set((eb) => ({ updated_at: now, revision: eb('revision', '+', 1) }))
    .where('id', '=', experimentId)
    .execute();
}
