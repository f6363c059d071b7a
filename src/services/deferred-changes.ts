import type { Kysely } from 'kysely';
import { newId, parseId } from '../domain/ids.js';
import type { JsonObject } from '../domain/json.js';
import type { Store } from '../store/database.js';
import type { Database, DeferredRunChangeTable } from '../store/schema.js';

/**
 * Changes to runs that have not been recorded yet. Some clients (LangSmith's) send a run's end before
 * its start, or feedback on a run before the run; rather than refuse them, the change is kept here
 * and applied, inside the transaction that records the run, when the run arrives (RunService.append).
 */
export type DeferredKind = 'update' | 'score';

export interface DeferredChange {
  run_id: string;
  kind: DeferredKind;
  /** A RunPatch for updates, a NewScore for scores: what the run's arrival applies. */
  body: JsonObject;
  /** A score's own id, so that sending it again keeps one copy; arrival order is used otherwise. */
  id?: string;
}

const CHUNK = 1_000;

/**
 * Serializes, per run id, recording a run with keeping a change for it. Without it, on PostgreSQL a
 * change kept while the run's transaction is still open would be seen by neither (the run's
 * transaction has already looked for kept changes; the change's did not see the run) and never be
 * applied. Every transaction that records runs, or keeps changes for runs it did not find, takes
 * these locks first (before any experiment's), for all its run ids at once. SQLite needs none: its
 * writers run one at a time.
 */
export async function lockRunIds(store: Store, tx: Kysely<Database>, runIds: readonly string[]): Promise<void> {
  if (runIds.length === 0) return;
  // The random end of an id, 52 bits of it: a JavaScript-safe key; two ids sharing it only wait for each other.
  const keys = [...new Set(runIds.flatMap((id) => parseId(id) ?? []).map((id) => Number.parseInt(id.replace(/-/g, '').slice(-13), 16)))];
  await store.sql.transactionLocks(keys).execute(tx);
}

/** Keeps changes until their runs arrive; a score already kept under its id is kept once. */
export async function deferRunChanges(tx: Kysely<Database>, workspaceId: string, changes: readonly DeferredChange[], now: string): Promise<void> {
  const rows: DeferredRunChangeTable[] = changes.map((change) => ({
    workspace_id: workspaceId,
    // v7 ids sort in arrival order, which is the order updates apply in.
    id: change.id ?? newId(),
    run_id: change.run_id,
    kind: change.kind,
    body: JSON.stringify(change.body),
    created_at: now,
  }));
  for (let start = 0; start < rows.length; start += CHUNK) {
    await tx
      .insertInto('deferred_run_changes')
      .values(rows.slice(start, start + CHUNK))
      .onConflict((conflict) => conflict.doNothing())
      .execute();
  }
}

/** Removes and answers the changes kept for `runIds`, per run, in arrival order. */
export async function takeDeferredChanges(
  tx: Kysely<Database>,
  workspaceId: string,
  runIds: readonly string[],
): Promise<Map<string, { kind: DeferredKind; body: JsonObject }[]>> {
  const found = new Map<string, { kind: DeferredKind; body: JsonObject }[]>();
  for (let start = 0; start < runIds.length; start += CHUNK) {
    const chunk = runIds.slice(start, start + CHUNK);
    const rows = await tx
      .selectFrom('deferred_run_changes')
      .select(['run_id', 'kind', 'body'])
      .where('workspace_id', '=', workspaceId)
      .where('run_id', 'in', chunk)
      .orderBy('run_id')
      .orderBy('id')
      .execute();
    if (rows.length === 0) continue;
    await tx.deleteFrom('deferred_run_changes').where('workspace_id', '=', workspaceId).where('run_id', 'in', chunk).execute();
    for (const row of rows) {
      const list = found.get(row.run_id) ?? [];
      list.push({ kind: row.kind as DeferredKind, body: JSON.parse(row.body) as JsonObject });
      found.set(row.run_id, list);
    }
  }
  return found;
}
