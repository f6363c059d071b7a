import { sql, type ExpressionBuilder, type Kysely } from 'kysely';
import { cohensKappa, krippendorffAlpha, percentAgreement, unitDisagreement, type Level, type Rating, type Unit } from '../domain/agreement.js';
import { roleAllows } from '../domain/api-keys.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../domain/errors.js';
import { newId, parseId } from '../domain/ids.js';
import type { Json } from '../domain/json.js';
import { LIMITS } from '../domain/limits.js';
import { nowIso } from '../domain/time.js';
import {
  reviewerOf,
  type Actor,
  type AnnotationItem,
  type AnnotationQueue,
  type AnnotationReview,
  type AnnotationReviewStatus,
  type DatasetRecord,
  type Reviewer,
  type Run,
  type ScoreConfig,
} from '../domain/types.js';
import type { Store, Transaction } from '../store/database.js';
import { OPEN_VERSION, type AnnotationItemTable, type AnnotationQueueTable, type AnnotationReviewTable, type Database } from '../store/schema.js';
import type { ComparisonService, RowsQuery } from './comparisons/index.js';
import type { RecordService } from './records.js';
import { chunks } from './rows/chunks.js';
import { findOwnedRow, findOwnedRows } from './rows/finders.js';
import { presentScoreConfig, misfit } from './rows/score-configs.js';
import type { RunListFilters } from './run-filters.js';
import type { RunService } from './runs.js';
import type { NewScore, ScoreService } from './scores.js';
import { withTransaction, type TransactionOptions } from './transaction.js';
import { writeUnique } from './unique.js';

export const DEFAULT_LEASE_SECONDS = 600;
/** At most this many items are added by one filter. */
export const MAX_ITEMS_BY_FILTER = LIMITS.recordsPerRequest;

export interface NewAnnotationQueue {
  id?: string;
  name: string;
  description?: string | null;
  score_config_ids: readonly string[];
  reviews_needed?: number;
  reviewers?: readonly string[] | null;
  lease_seconds?: number;
}

export type AnnotationQueuePatch = Partial<Omit<NewAnnotationQueue, 'id'>>;

export interface QueueList {
  ids?: readonly string[];
  name?: string;
  name_contains?: string;
  offset?: number;
  limit?: number;
}

/** What to add to a queue: runs and records by id, runs found by run filters, or the runs of a comparison's records. */
export interface ItemsToAdd {
  run_ids?: readonly string[];
  /** Current records of any of the workspace's datasets. */
  record_ids?: readonly string[];
  /** The result runs (roots) of an experiment that pass these filters (src/services/run-filters.ts). */
  runs_where?: { experiment_id: string } & RunListFilters;
  /**
   * The runs of `experiment_id` (by default the changed experiment of `change`, or the first compared
   * that is not the baseline) on the records a comparison answers: e.g. the records where an
   * experiment regressed on a score key against its baseline.
   */
  comparison?: Pick<RowsQuery, 'experiment_ids' | 'baseline_id' | 'change' | 'filters' | 'lower_is_better' | 'q'> & { experiment_id?: string };
}

export interface AddedItems {
  /** Every item named, in order (those already in the queue too). */
  item_ids: string[];
  added: number;
}

/** An item as a reviewer sees it: what was asked, answered and expected, the trace, and their own review. */
export interface AnnotationItemView extends AnnotationItem {
  run: Run | null;
  record: DatasetRecord | null;
  /** The runs of the run's trace (its spans), in the order they were made. */
  trace: Run[];
  /** The reviewer's own review of it, if any. */
  review: AnnotationReview | null;
  /** When the reviewer's lease on it ends (null: they hold none). */
  lease_expires_at: string | null;
}

export interface ReviewInput {
  /** A value for each of the queue's score configs, by config name. */
  scores: Record<string, Json>;
  comment?: string | null;
  /** The expected output the reviewer says is right. */
  correction?: Json;
  /** Commit the correction to the record's dataset now, as a new version. */
  commit_correction?: boolean;
}

export interface Progress {
  items: number;
  done: number;
  reviews: number;
  reviews_needed: number;
  reviewers: { reviewer: Reviewer; reviewed: number; skipped: number }[];
  /** The reviewer asking. */
  mine: { reviewed: number; skipped: number; remaining: number };
}

export interface ConfigAgreement {
  score_config_id: string;
  name: string;
  type: ScoreConfig['type'];
  /** nominal for boolean and categorical configs, interval for numeric ones. */
  level: Level;
  /** Items with two or more reviews of this score. */
  items: number;
  reviewers: number;
  percent_agreement: number | null;
  /** Only with exactly two reviewers, over the items both reviewed. */
  cohen_kappa: number | null;
  krippendorff_alpha: number | null;
  /** The items where reviewers disagree most (mean squared difference, or share of differing pairs), most first. */
  disagreements: { item_id: string; run_id: string | null; record_id: string | null; disagreement: number; values: { reviewer: Reviewer; value: Json }[] }[];
}

export interface Agreement {
  queue_id: string;
  /** Items with two or more reviews. */
  items: number;
  configs: ConfigAgreement[];
}

const DISAGREEMENTS_SHOWN = 10;

/**
 * Annotation queues: runs and dataset records for people to review. A reviewer takes the next item
 * (a lease: an item is served to no more reviewers at once than it still needs reviews, never twice
 * to one reviewer, and leases expire), gives the queue's scores (written as ordinary scores of the run,
 * source `human`, naming the reviewer), a comment and perhaps a correction of the expected output, or
 * skips; an item is done when it has its reviews. See docs/review.md.
 */
export class AnnotationQueueService {
  constructor(
    private readonly store: Store,
    private readonly runs: RunService,
    private readonly records: RecordService,
    private readonly scores: ScoreService,
    private readonly comparisons: ComparisonService,
  ) {}

  async create(actor: Actor, input: NewAnnotationQueue, options: TransactionOptions = {}): Promise<AnnotationQueue> {
    const id = input.id === undefined ? newId() : parseId(input.id);
    if (!id) throw ValidationError.field('/id', 'must be a UUID');
    return withTransaction(this.store, options, async (tx) => {
      const now = nowIso();
      const row: AnnotationQueueTable = {
        id,
        workspace_id: actor.workspaceId,
        name: checkName(input.name),
        description: input.description ?? null,
        score_config_ids: JSON.stringify(await this.checkConfigs(tx, actor, input.score_config_ids)),
        reviewers: input.reviewers === undefined || input.reviewers === null ? null : JSON.stringify(checkReviewers(input.reviewers)),
        reviews_needed: checkReviewsNeeded(input.reviews_needed ?? 1),
        lease_seconds: checkLease(input.lease_seconds ?? DEFAULT_LEASE_SECONDS),
        created_at: now,
        updated_at: now,
      };
      await writeUnique(
        () => tx.insertInto('annotation_queues').values(row).execute(),
        () => new ConflictError(`An annotation queue with id ${id} already exists`, [{ pointer: '/id', detail: 'is taken' }]),
      );
      return this.present(tx, row);
    });
  }

  async list(actor: Actor, query: QueueList = {}): Promise<AnnotationQueue[]> {
    let select = this.store.db.selectFrom('annotation_queues').selectAll().where('workspace_id', '=', actor.workspaceId);
    if (query.ids !== undefined) {
      const ids = query.ids.flatMap((id) => parseId(id) ?? []);
      if (ids.length === 0) return [];
      select = select.where('id', 'in', ids);
    }
    if (query.name !== undefined) select = select.where('name', '=', query.name);
    if (query.name_contains !== undefined) select = select.where(this.store.sql.containsText('name', query.name_contains));
    const rows = await select
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(Math.min(query.limit ?? 100, LIMITS.pageSizeMax))
      .offset(query.offset ?? 0)
      .execute();
    return Promise.all(rows.map((row) => this.present(this.store.db, row)));
  }

  async get(actor: Actor, queueId: string): Promise<AnnotationQueue> {
    return this.present(this.store.db, await findQueue(this.store, this.store.db, actor, queueId));
  }

  async update(actor: Actor, queueId: string, patch: AnnotationQueuePatch): Promise<AnnotationQueue> {
    return this.store.transaction(async (tx) => {
      const row = await findQueue(this.store, tx, actor, queueId, true);
      const next: AnnotationQueueTable = {
        ...row,
        name: patch.name === undefined ? row.name : checkName(patch.name),
        description: patch.description === undefined ? row.description : patch.description,
        score_config_ids:
          patch.score_config_ids === undefined ? row.score_config_ids : JSON.stringify(await this.checkConfigs(tx, actor, patch.score_config_ids)),
        reviewers: patch.reviewers === undefined ? row.reviewers : patch.reviewers === null ? null : JSON.stringify(checkReviewers(patch.reviewers)),
        reviews_needed: patch.reviews_needed === undefined ? row.reviews_needed : checkReviewsNeeded(patch.reviews_needed),
        lease_seconds: patch.lease_seconds === undefined ? row.lease_seconds : checkLease(patch.lease_seconds),
        updated_at: nowIso(),
      };
      await tx.updateTable('annotation_queues').set(next).where('id', '=', row.id).execute();
      if (next.reviews_needed !== row.reviews_needed) {
        // Items are done exactly when they have the reviews the queue now needs.
        await tx
          .updateTable('annotation_items')
          .set({ done_at: sql`case when reviews >= ${next.reviews_needed} then coalesce(done_at, ${next.updated_at}) else null end` })
          .where('queue_id', '=', row.id)
          .execute();
      }
      return this.present(tx, next);
    });
  }

  async delete(actor: Actor, queueId: string): Promise<void> {
    await this.store.transaction(async (tx) => {
      const row = await findQueue(this.store, tx, actor, queueId, true);
      const items = tx.selectFrom('annotation_items').select('id').where('queue_id', '=', row.id);
      await tx.deleteFrom('annotation_leases').where('item_id', 'in', items).execute();
      await tx.deleteFrom('annotation_reviews').where('queue_id', '=', row.id).execute();
      await tx.deleteFrom('annotation_items').where('queue_id', '=', row.id).execute();
      await tx.deleteFrom('annotation_queues').where('id', '=', row.id).execute();
    });
  }

  /** Adds runs and records to a queue; items already there are not added twice. One transaction. */
  async addItems(actor: Actor, queueId: string, input: ItemsToAdd): Promise<AddedItems> {
    // Filters are read first (reads outside the writing transaction), then everything is added at once.
    await findQueue(this.store, this.store.db, actor, queueId);
    const runIds = [...(input.run_ids ?? [])];
    if (input.runs_where) runIds.push(...(await this.runsWhere(actor, input.runs_where)));
    if (input.comparison) runIds.push(...(await this.runsOfComparison(actor, input.comparison)));
    const recordIds = [...(input.record_ids ?? [])];
    if (runIds.length + recordIds.length > LIMITS.recordsPerRequest) {
      throw ValidationError.field('/run_ids', `must add at most ${LIMITS.recordsPerRequest} items at once`);
    }
    return this.store.transaction(async (tx) => {
      const queue = await findQueue(this.store, tx, actor, queueId, true);
      const given = input.run_ids?.length ?? 0;
      const runs = await findOwnedRows(this.store, tx, 'runs', actor, runIds, {
        pointerOf: (index) => (index < given ? `/run_ids/${index}` : '/runs_where'),
      });
      const datasetOf = new Map<string, string | null>();
      for (const chunk of chunks([...new Set(runs.map((run) => run.experiment_id))])) {
        const rows = await tx.selectFrom('experiments').select(['id', 'dataset_id']).where('id', 'in', chunk).execute();
        for (const row of rows) datasetOf.set(row.id, row.dataset_id);
      }
      const records = await currentRecords(tx, actor, recordIds);
      const existing = await tx.selectFrom('annotation_items').select(['id', 'run_id', 'record_id']).where('queue_id', '=', queue.id).execute();
      const byRun = new Map(existing.flatMap((item) => (item.run_id ? [[item.run_id, item.id] as const] : [])));
      const byRecord = new Map(existing.flatMap((item) => (item.run_id === null && item.record_id ? [[item.record_id, item.id] as const] : [])));
      const now = nowIso();
      const fresh: AnnotationItemTable[] = [];
      const itemIds: string[] = [];
      const item = (fields: Pick<AnnotationItemTable, 'run_id' | 'dataset_id' | 'record_id'>): AnnotationItemTable => ({
        id: newId(),
        workspace_id: actor.workspaceId,
        queue_id: queue.id,
        ...fields,
        reviews: 0,
        done_at: null,
        created_at: now,
      });
      for (const run of runs) {
        let id = byRun.get(run.id);
        if (!id) {
          const made = item({ run_id: run.id, dataset_id: run.record_id ? (datasetOf.get(run.experiment_id) ?? null) : null, record_id: run.record_id });
          fresh.push(made);
          byRun.set(run.id, made.id);
          id = made.id;
        }
        itemIds.push(id);
      }
      records.forEach((record, index) => {
        if (!record)
          throw new NotFoundError('Record', recordIds[index], [{ pointer: `/record_ids/${index}`, detail: 'is not a current record of the workspace' }]);
        let id = byRecord.get(record.record_id);
        if (!id) {
          const made = item({ run_id: null, dataset_id: record.dataset_id, record_id: record.record_id });
          fresh.push(made);
          byRecord.set(record.record_id, made.id);
          id = made.id;
        }
        itemIds.push(id);
      });
      for (const chunk of chunks(fresh, 500)) await tx.insertInto('annotation_items').values(chunk).execute();
      return { item_ids: itemIds, added: fresh.length };
    });
  }

  async listItems(actor: Actor, queueId: string, query: { status?: 'pending' | 'done'; offset?: number; limit?: number } = {}): Promise<AnnotationItem[]> {
    const queue = await findQueue(this.store, this.store.db, actor, queueId);
    const rows = await this.store.db
      .selectFrom('annotation_items')
      .selectAll()
      .where('queue_id', '=', queue.id)
      .$if(query.status !== undefined, (q) => q.where('done_at', query.status === 'done' ? 'is not' : 'is', null))
      .orderBy('id')
      .limit(Math.min(query.limit ?? 100, LIMITS.pageSizeMax))
      .offset(query.offset ?? 0)
      .execute();
    return rows.map(presentItem);
  }

  async countItems(actor: Actor, queueId: string, query: { status?: 'pending' | 'done' } = {}): Promise<number> {
    const queue = await findQueue(this.store, this.store.db, actor, queueId);
    const row = await this.store.db
      .selectFrom('annotation_items')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('queue_id', '=', queue.id)
      .$if(query.status !== undefined, (q) => q.where('done_at', query.status === 'done' ? 'is not' : 'is', null))
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  /** Removes an item (by its id, or the id of the run it holds) with its reviews; the scores written stay. */
  async removeItem(actor: Actor, queueId: string, itemOrRunId: string): Promise<void> {
    await this.store.transaction(async (tx) => {
      const queue = await findQueue(this.store, tx, actor, queueId, true);
      const id = parseId(itemOrRunId);
      const item = id
        ? await tx
            .selectFrom('annotation_items')
            .select('id')
            .where('queue_id', '=', queue.id)
            .where((eb) => eb.or([eb('id', '=', id), eb('run_id', '=', id)]))
            .executeTakeFirst()
        : undefined;
      if (!item) throw new NotFoundError('Annotation queue item', itemOrRunId);
      await tx.deleteFrom('annotation_leases').where('item_id', '=', item.id).execute();
      await tx.deleteFrom('annotation_reviews').where('item_id', '=', item.id).execute();
      await tx.deleteFrom('annotation_items').where('id', '=', item.id).execute();
    });
  }

  /** Whether any of the workspace's queues holds the run (its feedback is then a person's review). */
  async holdsRun(actor: Actor, runId: string): Promise<boolean> {
    const id = parseId(runId);
    if (!id) return false;
    const row = await this.store.db
      .selectFrom('annotation_items')
      .select('id')
      .where('workspace_id', '=', actor.workspaceId)
      .where('run_id', '=', id)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  /**
   * The next item for the actor to review, leased to them for the queue's lease_seconds: the item they
   * hold already, else the oldest item that still needs a review, that they have neither reviewed nor
   * skipped, and whose reviews and other reviewers' live leases leave room for one more. Null when
   * there is none. Correct across server processes: on PostgreSQL candidates are locked with SKIP
   * LOCKED and checked again once locked; SQLite runs one writing transaction at a time.
   */
  async next(actor: Actor, queueId: string): Promise<AnnotationItemView | null> {
    const reviewer = reviewerOf(actor);
    const taken = await this.store.transaction(async (tx) => {
      const queue = await findQueue(this.store, tx, actor, queueId);
      checkAssigned(queue, reviewer);
      const now = new Date();
      const nowText = now.toISOString();
      const expires = new Date(now.getTime() + queue.lease_seconds * 1000).toISOString();
      const held = await tx
        .selectFrom('annotation_leases as l')
        .innerJoin('annotation_items as i', 'i.id', 'l.item_id')
        .select('i.id')
        .where('i.queue_id', '=', queue.id)
        .where('l.reviewer_id', '=', reviewer.id)
        .where('l.expires_at', '>', nowText)
        .where('i.done_at', 'is', null)
        .where((eb) => eb.not(eb.exists(reviewOf(eb, reviewer.id))))
        .orderBy('i.id')
        .limit(1)
        .executeTakeFirst();
      if (held) {
        await tx.updateTable('annotation_leases').set({ expires_at: expires }).where('item_id', '=', held.id).where('reviewer_id', '=', reviewer.id).execute();
        return held.id;
      }
      // Rows other transactions hold are passed over first; when that finds nothing, the rows held are
      // waited for (their transactions are short), so that "nothing left" is never said of a moment's lock.
      for (const lock of [this.store.sql.forUpdateSkipLocked, this.store.sql.forUpdate]) {
        let after: string | undefined;
        for (;;) {
          const candidate = await tx
            .selectFrom('annotation_items as i')
            .select('i.id')
            .where('i.queue_id', '=', queue.id)
            .where('i.done_at', 'is', null)
            .where((eb) => eb.not(eb.exists(reviewOf(eb, reviewer.id))))
            .where(sql<number>`i.reviews + (${liveLeases(nowText, reviewer.id)})`, '<', queue.reviews_needed)
            .where((eb) =>
              eb.or([
                eb('i.run_id', 'is', null),
                eb.exists(
                  eb.selectFrom('runs').select(sql.lit(1).as('one')).whereRef('runs.workspace_id', '=', 'i.workspace_id').whereRef('runs.id', '=', 'i.run_id'),
                ),
              ]),
            )
            .$if(after !== undefined, (q) => q.where('i.id', '>', after!))
            .orderBy('i.id')
            .limit(1)
            .modifyEnd(lock)
            .executeTakeFirst();
          if (!candidate) break;
          // Locked now: read again what others may have committed since the candidate was chosen.
          if (await hasRoom(tx, candidate.id, queue.reviews_needed, reviewer.id, nowText)) {
            await tx.deleteFrom('annotation_leases').where('item_id', '=', candidate.id).where('expires_at', '<=', nowText).execute();
            await tx.deleteFrom('annotation_leases').where('item_id', '=', candidate.id).where('reviewer_id', '=', reviewer.id).execute();
            await tx.insertInto('annotation_leases').values({ item_id: candidate.id, reviewer_id: reviewer.id, expires_at: expires }).execute();
            return candidate.id;
          }
          after = candidate.id;
        }
      }
      return null;
    });
    return taken === null ? null : this.item(actor, queueId, taken);
  }

  /** An item of the queue as the actor sees it (with their review and lease). */
  async item(actor: Actor, queueId: string, itemId: string): Promise<AnnotationItemView> {
    const queue = await findQueue(this.store, this.store.db, actor, queueId);
    const row = await findItem(this.store, this.store.db, actor, queue, itemId);
    const reviewer = reviewerOf(actor);
    const run = row.run_id ? await this.runs.get(actor, row.run_id).catch(orNull) : null;
    const record = row.dataset_id && row.record_id ? await this.recordOf(actor, row, run) : null;
    const trace = run?.trace_id ? (await this.runs.search(actor, { experiment_ids: [run.experiment_id], trace_id: run.trace_id, limit: 1000 })).data : [];
    const review = await this.store.db
      .selectFrom('annotation_reviews')
      .selectAll()
      .where('item_id', '=', row.id)
      .where('reviewer_id', '=', reviewer.id)
      .executeTakeFirst();
    const lease = await this.store.db
      .selectFrom('annotation_leases')
      .select('expires_at')
      .where('item_id', '=', row.id)
      .where('reviewer_id', '=', reviewer.id)
      .where('expires_at', '>', nowIso())
      .executeTakeFirst();
    return {
      ...presentItem(row),
      run,
      record,
      trace,
      review: review ? presentReview(review) : null,
      lease_expires_at: lease ? new Date(lease.expires_at).toISOString() : null,
    };
  }

  /**
   * Records the actor's review of an item: a value for every score config of the queue (checked
   * against it), written as scores of the run (source `human`, the reviewer named), with the comment
   * and an optional correction. The item must be leased to the actor, or already reviewed by them
   * (the review is then replaced), or skipped by them with room left for a review. One transaction.
   */
  async review(actor: Actor, queueId: string, itemId: string, input: ReviewInput): Promise<{ review: AnnotationReview; item: AnnotationItem }> {
    const reviewer = reviewerOf(actor);
    // Reviewers score; changing a dataset (committing a correction) takes the write role.
    if (input.commit_correction && !roleAllows(actor.role, 'write')) {
      throw new ForbiddenError(`The ${actor.role} role may review but not commit a correction to the dataset`, [
        { pointer: '/commit_correction', detail: 'needs the write role' },
      ]);
    }
    return this.store.transaction(async (tx) => {
      const queue = await findQueue(this.store, tx, actor, queueId);
      checkAssigned(queue, reviewer);
      const item = await findItem(this.store, tx, actor, queue, itemId, true);
      const now = nowIso();
      const existing = await tx
        .selectFrom('annotation_reviews')
        .selectAll()
        .where('item_id', '=', item.id)
        .where('reviewer_id', '=', reviewer.id)
        .executeTakeFirst();
      const editing = existing?.status === 'reviewed';
      if (!editing) await this.checkLeased(tx, queue, item, reviewer, now, existing !== undefined);
      const configs = await configsOf(tx, queue);
      const scores = toReviewScores(configs, input);
      let scoreIds: string[] = [];
      if (item.run_id) {
        const run = await findOwnedRow(this.store, tx, 'runs', actor, item.run_id).catch(() => null);
        if (run) {
          if (editing) await this.deleteScores(tx, actor, JSON.parse(existing.score_ids) as string[]);
          const written = await this.scores.create(
            actor,
            run.experiment_id,
            scores.map((score) => ({
              ...score,
              run_id: run.id,
              source: 'human' as const,
              reviewer,
              comment: input.comment ?? null,
              metadata: { annotation_queue_id: queue.id, annotation_item_id: item.id },
            })),
            { transaction: tx, at: (index) => `/scores/${configs[index]!.name}` },
          );
          scoreIds = written.score_ids;
        }
      }
      const row: AnnotationReviewTable = {
        id: existing?.id ?? newId(),
        workspace_id: actor.workspaceId,
        queue_id: queue.id,
        item_id: item.id,
        reviewer_id: reviewer.id,
        reviewer_name: reviewer.name,
        status: 'reviewed',
        score_values: JSON.stringify(Object.fromEntries(configs.map((config) => [config.name, input.scores[config.name]!]))),
        score_ids: JSON.stringify(scoreIds),
        comment: input.comment ?? null,
        correction: input.correction === undefined || input.correction === null ? null : JSON.stringify(input.correction),
        correction_version: null,
        created_at: existing?.created_at ?? now,
        updated_at: now,
      };
      if (input.commit_correction) {
        if (row.correction === null) throw ValidationError.field('/correction', 'is required to commit a correction');
        row.correction_version = await this.commitCorrection(actor, tx, item, input.correction!, `Correction from review of annotation queue ${queue.name}`);
      }
      if (existing) await tx.updateTable('annotation_reviews').set(row).where('id', '=', existing.id).execute();
      else await tx.insertInto('annotation_reviews').values(row).execute();
      let updated = item;
      if (!editing) {
        const reviews = item.reviews + 1;
        updated = { ...item, reviews, done_at: reviews >= queue.reviews_needed ? now : null };
        await tx.updateTable('annotation_items').set({ reviews: updated.reviews, done_at: updated.done_at }).where('id', '=', item.id).execute();
      }
      await tx.deleteFrom('annotation_leases').where('item_id', '=', item.id).where('reviewer_id', '=', reviewer.id).execute();
      return { review: presentReview(row), item: presentItem(updated) };
    });
  }

  /** The actor passes on an item leased to them: it is not served to them again, and others may take it. */
  async skip(actor: Actor, queueId: string, itemId: string): Promise<AnnotationReview> {
    const reviewer = reviewerOf(actor);
    return this.store.transaction(async (tx) => {
      const queue = await findQueue(this.store, tx, actor, queueId);
      const item = await findItem(this.store, tx, actor, queue, itemId, true);
      const now = nowIso();
      const existing = await tx
        .selectFrom('annotation_reviews')
        .selectAll()
        .where('item_id', '=', item.id)
        .where('reviewer_id', '=', reviewer.id)
        .executeTakeFirst();
      if (existing)
        throw new ConflictError(`Item ${item.id} was already ${existing.status} by you`, [{ pointer: '/item_id', detail: `is already ${existing.status}` }]);
      await this.checkLeased(tx, queue, item, reviewer, now, false);
      const row: AnnotationReviewTable = {
        id: newId(),
        workspace_id: actor.workspaceId,
        queue_id: queue.id,
        item_id: item.id,
        reviewer_id: reviewer.id,
        reviewer_name: reviewer.name,
        status: 'skipped',
        score_values: '{}',
        score_ids: '[]',
        comment: null,
        correction: null,
        correction_version: null,
        created_at: now,
        updated_at: now,
      };
      await tx.insertInto('annotation_reviews').values(row).execute();
      await tx.deleteFrom('annotation_leases').where('item_id', '=', item.id).where('reviewer_id', '=', reviewer.id).execute();
      return presentReview(row);
    });
  }

  /** Going back: the item the actor reviewed or skipped last before `before` (an item id), or last of all. Null when there is none. */
  async previous(actor: Actor, queueId: string, before?: string): Promise<AnnotationItemView | null> {
    const queue = await findQueue(this.store, this.store.db, actor, queueId);
    const reviewer = reviewerOf(actor);
    const mine = this.store.db
      .selectFrom('annotation_reviews')
      .select(['item_id', 'created_at', 'id'])
      .where('queue_id', '=', queue.id)
      .where('reviewer_id', '=', reviewer.id);
    let bound: { created_at: string; id: string } | undefined;
    if (before !== undefined) {
      const id = parseId(before);
      bound = id ? await mine.where('item_id', '=', id).executeTakeFirst() : undefined;
    }
    const row = await mine
      .$if(bound !== undefined, (q) =>
        q.where((eb) => eb.or([eb('created_at', '<', bound!.created_at), eb.and([eb('created_at', '=', bound!.created_at), eb('id', '<', bound!.id)])])),
      )
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row ? this.item(actor, queue.id, row.item_id) : null;
  }

  async progress(actor: Actor, queueId: string): Promise<Progress> {
    const queue = await findQueue(this.store, this.store.db, actor, queueId);
    const reviewer = reviewerOf(actor);
    const counts = await this.store.db
      .selectFrom('annotation_items')
      .where('queue_id', '=', queue.id)
      .select((eb) => [eb.fn.countAll<number>().as('items'), eb.fn.count<number>('done_at').as('done'), eb.fn.sum<number>('reviews').as('reviews')])
      .executeTakeFirstOrThrow();
    const perReviewer = await this.store.db
      .selectFrom('annotation_reviews')
      .where('queue_id', '=', queue.id)
      .groupBy(['reviewer_id', 'status'])
      .select((eb) => ['reviewer_id', 'status', eb.fn.max('reviewer_name').as('reviewer_name'), eb.fn.countAll<number>().as('n')])
      .execute();
    const reviewers = new Map<string, Progress['reviewers'][number]>();
    for (const row of perReviewer) {
      const entry = reviewers.get(row.reviewer_id) ?? {
        reviewer: { id: row.reviewer_id, name: (row.reviewer_name as string | null) ?? null },
        reviewed: 0,
        skipped: 0,
      };
      entry[row.status === 'skipped' ? 'skipped' : 'reviewed'] += Number(row.n);
      reviewers.set(row.reviewer_id, entry);
    }
    const own = reviewers.get(reviewer.id) ?? { reviewed: 0, skipped: 0 };
    const items = Number(counts.items);
    const done = Number(counts.done);
    const open = await this.store.db
      .selectFrom('annotation_items as i')
      .where('i.queue_id', '=', queue.id)
      .where('i.done_at', 'is', null)
      .where((eb) => eb.not(eb.exists(reviewOf(eb, reviewer.id))))
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return {
      items,
      done,
      reviews: Number(counts.reviews ?? 0),
      reviews_needed: queue.reviews_needed,
      reviewers: [...reviewers.values()],
      mine: { reviewed: own.reviewed, skipped: own.skipped, remaining: Number(open.n) },
    };
  }

  /**
   * Commits the queue's corrections not committed yet to their datasets: one new version per dataset
   * holding every corrected record (the latest correction of a record wins). One transaction.
   */
  async commitCorrections(
    actor: Actor,
    queueId: string,
    options: { message?: string } = {},
  ): Promise<{ versions: { dataset_id: string; version: number | null; records: number }[] }> {
    return this.store.transaction(async (tx) => {
      const queue = await findQueue(this.store, tx, actor, queueId, true);
      const pending = await tx
        .selectFrom('annotation_reviews as r')
        .innerJoin('annotation_items as i', 'i.id', 'r.item_id')
        .select(['r.id', 'r.correction', 'r.updated_at', 'i.dataset_id', 'i.record_id'])
        .where('r.queue_id', '=', queue.id)
        .where('r.correction', 'is not', null)
        .where('r.correction_version', 'is', null)
        .where('i.dataset_id', 'is not', null)
        .where('i.record_id', 'is not', null)
        .orderBy('r.updated_at')
        .orderBy('r.id')
        .execute();
      const byDataset = new Map<string, Map<string, { correction: Json; reviews: string[] }>>();
      for (const row of pending) {
        const records = byDataset.get(row.dataset_id!) ?? new Map();
        const entry = records.get(row.record_id!) ?? { correction: null, reviews: [] };
        entry.correction = JSON.parse(row.correction!) as Json;
        entry.reviews.push(row.id);
        records.set(row.record_id!, entry);
        byDataset.set(row.dataset_id!, records);
      }
      const versions: { dataset_id: string; version: number | null; records: number }[] = [];
      for (const [datasetId, records] of byDataset) {
        const result = await this.records.change(
          actor,
          datasetId,
          { update: [...records].map(([id, entry]) => ({ id, expected_output: entry.correction })) },
          { transaction: tx, skipMissing: true, message: options.message ?? `Corrections from annotation queue ${queue.name}` },
        );
        const version = result.version?.version ?? null;
        const reviewIds = [...records.values()].flatMap((entry) => entry.reviews);
        if (version !== null) {
          for (const chunk of chunks(reviewIds))
            await tx.updateTable('annotation_reviews').set({ correction_version: version }).where('id', 'in', chunk).execute();
        }
        versions.push({ dataset_id: datasetId, version, records: records.size });
      }
      return { versions };
    });
  }

  /**
   * Agreement between reviewers, per score config of the queue, over the items with two or more
   * reviews: percent agreement, Cohen's kappa (two reviewers), Krippendorff's alpha (nominal for
   * boolean and categorical configs, interval for numeric ones), and the items they disagree on most.
   */
  async agreement(actor: Actor, queueId: string): Promise<Agreement> {
    const queue = await findQueue(this.store, this.store.db, actor, queueId);
    const configs = await configsOf(this.store.db, queue);
    const rows = await this.store.db
      .selectFrom('annotation_reviews as r')
      .innerJoin('annotation_items as i', 'i.id', 'r.item_id')
      .select(['r.item_id', 'r.reviewer_id', 'r.reviewer_name', 'r.score_values', 'i.run_id', 'i.record_id'])
      .where('r.queue_id', '=', queue.id)
      .where('r.status', '=', 'reviewed')
      .where('i.reviews', '>=', 2)
      .orderBy('r.item_id')
      .execute();
    const items = new Map<string, { run_id: string | null; record_id: string | null; reviews: typeof rows }>();
    for (const row of rows) {
      const entry = items.get(row.item_id) ?? { run_id: row.run_id, record_id: row.record_id, reviews: [] };
      entry.reviews.push(row);
      items.set(row.item_id, entry);
    }
    const names = new Map(rows.map((row) => [row.reviewer_id, row.reviewer_name]));
    return {
      queue_id: queue.id,
      items: items.size,
      configs: configs.map((config): ConfigAgreement => {
        const level: Level = config.type === 'numeric' ? 'interval' : 'nominal';
        const units: (Unit & { item_id: string })[] = [];
        for (const [itemId, entry] of items) {
          const ratings = entry.reviews.flatMap((review) => {
            const value = ratingOf(config, (JSON.parse(review.score_values) as Record<string, Json>)[config.name]);
            return value === null ? [] : [{ reviewer: review.reviewer_id, value }];
          });
          if (ratings.length >= 2) units.push({ item_id: itemId, ratings });
        }
        const disagreements = units
          .map((unit) => ({ unit, disagreement: unitDisagreement(unit, level) }))
          .filter((entry) => entry.disagreement > 0)
          .sort((a, b) => b.disagreement - a.disagreement || a.unit.item_id.localeCompare(b.unit.item_id))
          .slice(0, DISAGREEMENTS_SHOWN)
          .map(({ unit, disagreement }) => ({
            item_id: unit.item_id,
            run_id: items.get(unit.item_id)!.run_id,
            record_id: items.get(unit.item_id)!.record_id,
            disagreement,
            values: unit.ratings.map((rating) => ({ reviewer: { id: rating.reviewer, name: names.get(rating.reviewer) ?? null }, value: rating.value })),
          }));
        return {
          score_config_id: config.id,
          name: config.name,
          type: config.type,
          level,
          items: units.length,
          reviewers: new Set(units.flatMap((unit) => unit.ratings.map((r) => r.reviewer))).size,
          percent_agreement: percentAgreement(units),
          cohen_kappa: cohensKappa(units),
          krippendorff_alpha: krippendorffAlpha(units, level),
          disagreements,
        };
      }),
    };
  }

  /** Refuses a review or skip of an item the reviewer holds no live lease on (409), unless `skipped` and there is room for them. */
  private async checkLeased(tx: Transaction, queue: AnnotationQueueTable, item: AnnotationItemTable, reviewer: Reviewer, now: string, skipped: boolean) {
    const lease = await tx
      .selectFrom('annotation_leases')
      .select('expires_at')
      .where('item_id', '=', item.id)
      .where('reviewer_id', '=', reviewer.id)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    if (lease && item.done_at === null) return;
    if (skipped && (await hasRoom(tx, item.id, queue.reviews_needed, reviewer.id, now))) return;
    const detail = item.done_at !== null ? 'is done: it has the reviews it needs' : 'is not leased to you (take it with next; leases expire)';
    throw new ConflictError(`Item ${item.id} ${detail}`, [{ pointer: '/item_id', detail }]);
  }

  private async deleteScores(tx: Transaction, actor: Actor, ids: readonly string[]) {
    for (const chunk of chunks(ids)) await tx.deleteFrom('scores').where('workspace_id', '=', actor.workspaceId).where('id', 'in', chunk).execute();
  }

  private async commitCorrection(actor: Actor, tx: Transaction, item: AnnotationItemTable, correction: Json, message: string): Promise<number | null> {
    if (!item.dataset_id || !item.record_id) throw ValidationError.field('/commit_correction', 'needs an item with a dataset record');
    const result = await this.records.change(
      actor,
      item.dataset_id,
      { update: [{ id: item.record_id, expected_output: correction }] },
      { transaction: tx, message, pointers: { update: '/correction' } },
    );
    return result.version?.version ?? null;
  }

  /** The record an item shows: the run's record at the version its experiment ran on, or the record as it is now. */
  private async recordOf(actor: Actor, item: AnnotationItemTable, run: Run | null): Promise<DatasetRecord | null> {
    let version: number | undefined;
    if (run) {
      const experiment = await this.store.db.selectFrom('experiments').select('dataset_version').where('id', '=', run.experiment_id).executeTakeFirst();
      version = experiment?.dataset_version ?? undefined;
    }
    return this.records.get(actor, item.dataset_id!, item.record_id!, version).catch(orNull);
  }

  private async checkConfigs(tx: Transaction, actor: Actor, ids: readonly string[]): Promise<string[]> {
    if (!ids || ids.length === 0) throw ValidationError.field('/score_config_ids', 'must name at least one score config for reviewers to fill in');
    if (new Set(ids).size !== ids.length) throw ValidationError.field('/score_config_ids', 'must not name a score config twice');
    const rows = await findOwnedRows(this.store, tx, 'score_configs', actor, ids, { pointerOf: (index) => `/score_config_ids/${index}` });
    return rows.map((row) => row.id);
  }

  private async runsWhere(actor: Actor, where: NonNullable<ItemsToAdd['runs_where']>): Promise<string[]> {
    const { experiment_id: experimentId, ...filters } = where;
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.runs.list(actor, experimentId, { ...filters, root_only: true, limit: LIMITS.pageSizeMax, cursor });
      ids.push(...page.data.map((run) => run.id));
      cursor = page.next_cursor ?? undefined;
    } while (cursor && ids.length < MAX_ITEMS_BY_FILTER);
    return ids.slice(0, MAX_ITEMS_BY_FILTER);
  }

  private async runsOfComparison(actor: Actor, comparison: NonNullable<ItemsToAdd['comparison']>): Promise<string[]> {
    const { experiment_id: asked, ...query } = comparison;
    const target = asked ?? query.change?.experiment_id ?? query.experiment_ids.find((id) => id !== query.baseline_id);
    if (!target || !query.experiment_ids.includes(target)) {
      throw ValidationError.field('/comparison/experiment_id', 'must be one of experiment_ids (the experiment whose runs are added)');
    }
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.comparisons.rows(actor, { ...query, limit: 200, cursor });
      for (const row of page.data) ids.push(...(row.runs[target] ?? []).map((run) => run.id));
      cursor = page.next_cursor ?? undefined;
    } while (cursor && ids.length < MAX_ITEMS_BY_FILTER);
    return ids.slice(0, MAX_ITEMS_BY_FILTER);
  }

  private async present(db: Kysely<Database>, row: AnnotationQueueTable): Promise<AnnotationQueue> {
    const configs = await configsOf(db, row);
    return {
      id: row.id,
      name: row.name,
      description: row.description,
      score_config_ids: configs.map((config) => config.id),
      score_configs: configs,
      reviews_needed: row.reviews_needed,
      reviewers: row.reviewers === null ? null : (JSON.parse(row.reviewers) as string[]),
      lease_seconds: row.lease_seconds,
      created_at: row.created_at,
      updated_at: row.updated_at,
    };
  }
}

function orNull(error: unknown): null {
  if (error instanceof NotFoundError) return null;
  throw error;
}

function findQueue(store: Store, db: Kysely<Database>, actor: Actor, id: string, lock = false): Promise<AnnotationQueueTable> {
  return findOwnedRow(store, db, 'annotation_queues', actor, id, { lock });
}

/** An item of the queue (NotFound for another queue's, or another workspace's). */
async function findItem(store: Store, db: Kysely<Database>, actor: Actor, queue: AnnotationQueueTable, id: string, lock = false): Promise<AnnotationItemTable> {
  const item = await findOwnedRow(store, db, 'annotation_items', actor, id, { lock });
  if (item.queue_id !== queue.id) throw new NotFoundError('Annotation queue item', id);
  return item;
}

/** The queue's score configs, in the queue's order. */
async function configsOf(db: Kysely<Database>, queue: AnnotationQueueTable): Promise<ScoreConfig[]> {
  const ids = JSON.parse(queue.score_config_ids) as string[];
  if (ids.length === 0) return [];
  const rows = await db.selectFrom('score_configs').selectAll().where('workspace_id', '=', queue.workspace_id).where('id', 'in', ids).execute();
  const byId = new Map(rows.map((row) => [row.id, presentScoreConfig(row)]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}

/** The reviewer's review (or skip) of the item `i`, for an `exists`. */
function reviewOf(eb: ExpressionBuilder<Database & { i: AnnotationItemTable }, 'i'>, reviewerId: string) {
  return eb.selectFrom('annotation_reviews as r').select(sql.lit(1).as('one')).whereRef('r.item_id', '=', 'i.id').where('r.reviewer_id', '=', reviewerId);
}

/** How many live leases other reviewers hold on the item `i`. */
function liveLeases(now: string, reviewerId: string) {
  return sql<number>`select count(*) from annotation_leases l where l.item_id = i.id and l.expires_at > ${now} and l.reviewer_id <> ${reviewerId}`;
}

/** Whether the item, read now, has room for one more reviewer: not done, and its reviews and others' live leases below what it needs. */
async function hasRoom(tx: Transaction, itemId: string, needed: number, reviewerId: string, now: string): Promise<boolean> {
  const item = await tx.selectFrom('annotation_items').select(['reviews', 'done_at']).where('id', '=', itemId).executeTakeFirst();
  if (!item || item.done_at !== null) return false;
  const leases = await tx
    .selectFrom('annotation_leases')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('item_id', '=', itemId)
    .where('expires_at', '>', now)
    .where('reviewer_id', '<>', reviewerId)
    .executeTakeFirstOrThrow();
  return item.reviews + Number(leases.n) < needed;
}

/** Current records of the workspace by id (undefined for an id that names none), with their dataset. */
async function currentRecords(tx: Transaction, actor: Actor, ids: readonly string[]): Promise<({ dataset_id: string; record_id: string } | undefined)[]> {
  const found = new Map<string, { dataset_id: string; record_id: string }>();
  for (const chunk of chunks([...new Set(ids.flatMap((id) => parseId(id) ?? []))])) {
    const rows = await tx
      .selectFrom('record_revisions')
      .innerJoin('datasets', 'datasets.id', 'record_revisions.dataset_id')
      .select(['record_revisions.dataset_id', 'record_revisions.record_id'])
      .where('datasets.workspace_id', '=', actor.workspaceId)
      .where('record_revisions.record_id', 'in', chunk)
      .where('record_revisions.valid_to', '=', OPEN_VERSION)
      .execute();
    for (const row of rows) found.set(row.record_id, row);
  }
  return ids.map((id) => found.get(parseId(id) ?? ''));
}

function checkAssigned(queue: AnnotationQueueTable, reviewer: Reviewer): void {
  if (queue.reviewers === null) return;
  const assigned = JSON.parse(queue.reviewers) as string[];
  if (!assigned.includes(reviewer.id)) throw new ForbiddenError(`You are not a reviewer of annotation queue ${queue.id}`);
}

function checkName(name: string): string {
  if (!name?.trim()) throw ValidationError.field('/name', 'must not be empty');
  return name;
}

function checkReviewsNeeded(n: number): number {
  if (!Number.isInteger(n) || n < 1 || n > 100) throw ValidationError.field('/reviews_needed', 'must be a whole number from 1 to 100');
  return n;
}

function checkLease(seconds: number): number {
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > 86_400)
    throw ValidationError.field('/lease_seconds', 'must be a whole number of seconds from 1 to 86400');
  return seconds;
}

function checkReviewers(reviewers: readonly string[]): string[] {
  if (reviewers.some((id) => typeof id !== 'string' || id === '')) throw ValidationError.field('/reviewers', 'must be a list of user or key ids');
  return [...new Set(reviewers)];
}

/**
 * The scores a review gives, one per config of the queue in order, checked against their configs:
 * numeric → `score`; boolean → `score` 0/1 and `value` true/false; categorical → `value`, the label.
 */
function toReviewScores(configs: readonly ScoreConfig[], input: ReviewInput): Omit<NewScore, 'run_id'>[] {
  for (const name of Object.keys(input.scores ?? {})) {
    if (!configs.some((config) => config.name === name)) throw ValidationError.field(`/scores/${name}`, 'is not a score config of this queue');
  }
  return configs.map((config) => {
    const pointer = `/scores/${config.name}`;
    const given = input.scores?.[config.name];
    if (given === undefined || given === null) throw ValidationError.field(pointer, 'is required: the queue asks for it');
    let score: Omit<NewScore, 'run_id'>;
    if (config.type === 'numeric') {
      if (typeof given !== 'number') throw ValidationError.field(pointer, 'must be a number');
      score = { key: config.name, score: given };
    } else if (config.type === 'boolean') {
      if (typeof given !== 'boolean') throw ValidationError.field(pointer, 'must be true or false');
      score = { key: config.name, score: given ? 1 : 0, value: given };
    } else {
      if (typeof given !== 'string') throw ValidationError.field(pointer, 'must be one of the config’s categories');
      score = { key: config.name, value: given };
    }
    const fault = misfit(config, {
      score: typeof score.score === 'number' ? score.score : null,
      value: score.value === undefined ? null : JSON.stringify(score.value),
      label: typeof score.value === 'string' ? score.value : null,
      comment: input.comment ?? null,
    });
    if (fault) throw ValidationError.field(fault.field === 'comment' ? '/comment' : pointer, fault.detail);
    return score;
  });
}

/** A review's value of a config as a rating: numbers for numeric and boolean configs, labels for categorical ones. */
function ratingOf(config: ScoreConfig, value: Json | undefined): Rating | null {
  if (value === undefined || value === null) return null;
  if (config.type === 'boolean') return value === true ? 1 : value === false ? 0 : null;
  if (config.type === 'numeric') return typeof value === 'number' ? value : null;
  return typeof value === 'string' ? value : null;
}

export function presentItem(row: AnnotationItemTable): AnnotationItem {
  return {
    id: row.id,
    queue_id: row.queue_id,
    kind: row.run_id ? 'run' : 'record',
    run_id: row.run_id,
    dataset_id: row.dataset_id,
    record_id: row.record_id,
    reviews: row.reviews,
    done: row.done_at !== null,
    done_at: row.done_at === null ? null : new Date(row.done_at).toISOString(),
    created_at: new Date(row.created_at).toISOString(),
  };
}

export function presentReview(row: AnnotationReviewTable): AnnotationReview {
  return {
    id: row.id,
    queue_id: row.queue_id,
    item_id: row.item_id,
    reviewer: { id: row.reviewer_id, name: row.reviewer_name },
    status: row.status as AnnotationReviewStatus,
    scores: JSON.parse(row.score_values) as Record<string, Json>,
    score_ids: JSON.parse(row.score_ids) as string[],
    comment: row.comment,
    correction: row.correction === null ? null : (JSON.parse(row.correction) as Json),
    correction_version: row.correction_version,
    created_at: new Date(row.created_at).toISOString(),
    updated_at: new Date(row.updated_at).toISOString(),
  };
}
