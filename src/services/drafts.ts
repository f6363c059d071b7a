import { ConflictError } from '../domain/errors.js';
import { nowIso } from '../domain/time.js';
import type { Actor } from '../domain/types.js';
import type { Store } from '../store/database.js';
import type { DatasetDraftTable } from '../store/schema.js';
import { findDatasetRow } from './rows/finders.js';

/** Who is editing a dataset, and since when. */
export interface DraftState {
  dataset_id: string;
  /** The person acting when the lock was taken, else the key. */
  holder_id: string;
  holder_name: string;
  since: string;
}

/**
 * Draft states: an advisory edit lock on a dataset (Datadog's `draft_state`), telling other editors
 * that someone is preparing changes. It blocks no write (every write commits a version of its own and
 * versions never change); it only keeps a second editor from taking the lock while it is held.
 */
export class DraftService {
  constructor(private readonly store: Store) {}

  /** The dataset's draft state, or null when nobody holds it. */
  async get(actor: Actor, datasetId: string): Promise<DraftState | null> {
    const dataset = await findDatasetRow(this.store, this.store.db, actor, datasetId);
    const row = await this.store.db.selectFrom('dataset_drafts').selectAll().where('dataset_id', '=', dataset.id).executeTakeFirst();
    return row ? presentDraft(row) : null;
  }

  /** Takes the lock (taking it again is a no-op); refused (409) while someone else holds it. */
  async lock(actor: Actor, datasetId: string): Promise<DraftState> {
    return this.store.transaction(async (tx) => {
      const dataset = await findDatasetRow(this.store, tx, actor, datasetId, { lock: true });
      const held = await tx.selectFrom('dataset_drafts').selectAll().where('dataset_id', '=', dataset.id).executeTakeFirst();
      if (held) {
        if (held.holder_id === holderOf(actor)) return presentDraft(held);
        throw heldBy(held);
      }
      const row: DatasetDraftTable = {
        dataset_id: dataset.id,
        workspace_id: actor.workspaceId,
        holder_id: holderOf(actor),
        holder_name: actor.name,
        since: nowIso(),
      };
      await tx.insertInto('dataset_drafts').values(row).execute();
      return presentDraft(row);
    });
  }

  /** Gives the lock back (nothing to do when nobody holds it); refused (409) when someone else holds it, unless the actor is an admin. */
  async unlock(actor: Actor, datasetId: string): Promise<void> {
    await this.store.transaction(async (tx) => {
      const dataset = await findDatasetRow(this.store, tx, actor, datasetId, { lock: true });
      const held = await tx.selectFrom('dataset_drafts').selectAll().where('dataset_id', '=', dataset.id).executeTakeFirst();
      if (!held) return;
      if (held.holder_id !== holderOf(actor) && actor.role !== 'admin') throw heldBy(held);
      await tx.deleteFrom('dataset_drafts').where('dataset_id', '=', dataset.id).execute();
    });
  }
}

function holderOf(actor: Actor): string {
  return actor.userId ?? actor.keyId ?? actor.name;
}

function heldBy(row: DatasetDraftTable): ConflictError {
  return new ConflictError(`${row.holder_name} has been drafting changes to the dataset since ${row.since}`);
}

function presentDraft(row: DatasetDraftTable): DraftState {
  return { dataset_id: row.dataset_id, holder_id: row.holder_id, holder_name: row.holder_name, since: row.since };
}
