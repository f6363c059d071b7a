import { newId, parseId } from '../domain/ids.js';
import type { JsonObject } from '../domain/json.js';
import type { Store, Transaction } from '../store/database.js';
import type { DeferredRunChangeTable } from '../store/schema.js';
import { chunks } from './rows/chunks.js';

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

/**
 * Serializes recording a run with keeping a change for it. Without it, on PostgreSQL, a change kept
 * while the run's transaction is still open would be seen by neither (the run's transaction has
 * already looked for kept changes; the change's did not see the run) and never be applied.
 *
 * A transaction that records runs takes their locks shared (recorders do not wait for each other); one
 * that may keep changes for runs it does not find takes theirs exclusive, and looks for the runs once
 * it holds them. Locks are per bucket of run ids within a workspace, so a batch of ten thousand runs
 * takes at most RUN_LOCK_BUCKETS of them. Every transaction takes them first (before any experiment's
 * row lock), all at once.
 */
export async function lockRunIds(
  store: Store,
  tx: Transaction,
  workspaceId: string,
  runIds: { record?: readonly string[]; defer?: readonly string[] },
): Promise<void> {
  const keys: number[] = [];
  const exclusive: boolean[] = [];
  for (const [ids, mode] of [
    [runIds.record ?? [], false],
    [runIds.defer ?? [], true],
  ] as const) {
    for (const id of ids) {
      const key = runLockKey(workspaceId, id);
      if (key === undefined) continue;
      keys.push(key);
      exclusive.push(mode);
    }
  }
  if (keys.length) await store.sql.transactionLocks(keys, exclusive).execute(tx);
}

/** Buckets of run ids per workspace: enough that unrelated runs rarely wait, few enough to stay well inside PostgreSQL's lock table. */
export const RUN_LOCK_BUCKETS = 256;

/** The lock key of a run id: its workspace (44 bits of its id) and a bucket of the run id's random end; safe as a JavaScript integer. */
function runLockKey(workspaceId: string, runId: string): number | undefined {
  const id = parseId(runId);
  if (!id) return undefined;
  const workspace = Number.parseInt(workspaceId.replace(/-/g, '').slice(-11), 16);
  const bucket = Number.parseInt(id.replace(/-/g, '').slice(-8), 16) % RUN_LOCK_BUCKETS;
  return workspace * RUN_LOCK_BUCKETS + bucket;
}

/** Keeps changes until their runs arrive; a score already kept under its id is kept once. */
export async function deferRunChanges(tx: Transaction, workspaceId: string, changes: readonly DeferredChange[], now: string): Promise<void> {
  const rows: DeferredRunChangeTable[] = changes.map((change) => ({
    workspace_id: workspaceId,
    // v7 ids sort in arrival order, which is the order updates apply in.
    id: change.id ?? newId(),
    run_id: change.run_id,
    kind: change.kind,
    body: JSON.stringify(change.body),
    created_at: now,
  }));
  for (const chunk of chunks(rows)) {
    await tx
      .insertInto('deferred_run_changes')
      .values(chunk)
      .onConflict((conflict) => conflict.doNothing())
      .execute();
  }
}

/** Removes and answers the changes kept for `runIds`, per run, in arrival order. */
export async function takeDeferredChanges(
  tx: Transaction,
  workspaceId: string,
  runIds: readonly string[],
): Promise<Map<string, { kind: DeferredKind; body: JsonObject }[]>> {
  const found = new Map<string, { kind: DeferredKind; body: JsonObject }[]>();
  for (const chunk of chunks(runIds)) {
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
