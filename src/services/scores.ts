import { sql } from 'kysely';
import { ConflictError, NotFoundError, ValidationError } from '../domain/errors.js';
import { parseId } from '../domain/ids.js';
import type { Json, JsonObject } from '../domain/json.js';
import { checkBatchSize } from '../domain/limits.js';
import { nowIso } from '../domain/time.js';
import type { Actor, Score, ScoreSource } from '../domain/types.js';
import type { Store, Transaction } from '../store/database.js';
import type { ScoreTable } from '../store/schema.js';
import { deferRunChanges, lockRunIds } from './deferred-changes.js';
import { checkedOffset, decodeCursor, pageSize, toPage, type Page } from './pagination.js';
import { chunks } from './rows/chunks.js';
import { existingScoreIds, experimentsOfRuns, findExperimentIds, findExperimentRow, findScoreRow } from './rows/finders.js';
import { presentScore } from './rows/present.js';
import { checkScoreConfigs } from './rows/score-configs.js';
import { byActor, scoredRecord, toScoreRows, type NewScore } from './rows/scores.js';
import { touchExperiment } from './rows/writers.js';
import { withTransaction, type TransactionOptions } from './transaction.js';
import { writeUnique } from './unique.js';

export type { NewScore } from './rows/scores.js';

/**
 * A score placed by what it scores: a run (the score then belongs to the run's experiment), or, with
 * no run, the experiment `experiment_id` as a whole.
 */
export interface PlacedScore extends NewScore {
  experiment_id?: string | null;
}

export interface PlaceOptions {
  /**
   * Keep scores of runs not recorded yet and record them when the run arrives (for clients that send
   * feedback before the run), instead of refusing them with 404.
   */
  deferUnknownRuns?: boolean;
  /** Where the i-th score sits in the caller's request, for the pointers of errors (default `/scores/<i>`). */
  at?: (index: number) => string;
}

/** What may change in a recorded score; fields left out keep their values. */
/** Human annotations of one run: values by annotation name; what a value leaves out stays as it was. */
export interface RunAnnotation {
  run_id: string;
  values: readonly { key: string; score?: number; label?: string; text?: string }[];
}

export type ScorePatch = Partial<Pick<NewScore, 'score' | 'value' | 'comment' | 'correction' | 'metadata'>>;

/** Scores across experiments. */
export interface ScoreSearch extends ScoreQuery {
  /** Scores of these experiments (each must be the actor's: NotFound otherwise); all of the workspace's when absent. */
  experiment_ids?: readonly string[];
  keys?: readonly string[];
  sources?: readonly ScoreSource[];
  /** Only scores with (true) or without (false) a comment. */
  has_comment?: boolean;
  /** Only scores with (true) or without (false) a numeric score. */
  has_score?: boolean;
  /** Scores to skip before the page (instead of a cursor), for clients that can only ask for page N. */
  offset?: number;
}

export interface ScoreQuery {
  cursor?: string;
  limit?: number;
  run_id?: string;
  /** Only scores of these runs (at most 1,000). */
  run_ids?: readonly string[];
  key?: string;
  /** true: only scores of the whole experiment; false: only scores of runs. */
  experiment_level?: boolean;
}

export class ScoreService {
  constructor(private readonly store: Store) {}

  /**
   * Records scores of an experiment and its runs in one transaction. A score whose id was recorded
   * before is skipped. Every run named must be a run of the experiment.
   */
  async create(
    actor: Actor,
    experimentId: string,
    scores: readonly NewScore[],
    options: { at?: (index: number) => string } & TransactionOptions = {},
  ): Promise<{ score_ids: string[]; inserted: number }> {
    checkBatchSize(scores.length, '/scores');
    const at = options.at ?? DEFAULT_AT;
    const now = nowIso();
    return withTransaction(this.store, options, async (tx) => {
      const experiment = await findExperimentRow(this.store, tx, actor, experimentId);
      const rows = toScoreRows(
        actor.workspaceId,
        experiment.id,
        scores.map((score) => byActor(actor, score)),
        now,
        at,
      );
      await checkScoreConfigs(tx, actor.workspaceId, rows, at);
      const recordOfRun = await findRunsOf(tx, actor.workspaceId, experiment.id, rows, at);
      for (const row of rows) if (row.run_id) row.record_id = recordOfRun.get(row.run_id) ?? null;
      const existing = await existingScoreIds(
        tx,
        actor,
        rows.map((row) => row.id),
      );
      const fresh = rows.filter((row) => !existing.has(row.id));
      await writeUnique(
        () => this.store.bulk.insert(tx, 'scores', fresh),
        () => new ConflictError('A score with one of these ids was recorded at the same moment; retry the request'),
      );
      if (fresh.length) await touchExperiment(tx, experiment.id, now);
      return { score_ids: rows.map((row) => row.id), inserted: fresh.length };
    });
  }

  /**
   * Records scores of runs and of experiments, in one transaction: each score goes to the experiment of
   * its run, or to `experiment_id` when it has no run. Ids recorded before are skipped.
   */
  async place(
    actor: Actor,
    given: readonly PlacedScore[],
    options: PlaceOptions & TransactionOptions = {},
  ): Promise<{ score_ids: string[]; deferred: number }> {
    const at = options.at ?? DEFAULT_AT;
    const now = nowIso();
    const scores = given.map((score) => byActor(actor, score));
    return withTransaction(this.store, options, async (tx) => {
      // Checked whole before anything is written, wherever each score goes.
      const rows = toScoreRows(actor.workspaceId, '', scores, now, at);
      const runIds = [...new Set(rows.flatMap((row) => (row.run_id ? [row.run_id] : [])))];
      if (options.deferUnknownRuns) await lockRunIds(this.store, tx, actor.workspaceId, { defer: runIds });
      const experimentOfRun = await experimentsOfRuns(tx, actor, runIds);
      const byExperiment = new Map<string, number[]>();
      const deferred: number[] = [];
      for (const [index, row] of rows.entries()) {
        const given = scores[index]!.experiment_id;
        let experimentId: string;
        if (row.run_id !== null) {
          const ofRun = experimentOfRun.get(row.run_id);
          if (ofRun === undefined) {
            if (!options.deferUnknownRuns) {
              throw new NotFoundError('Run', row.run_id, [{ pointer: `${at(index)}/run_id`, detail: 'is not a run of this workspace' }]);
            }
            deferred.push(index);
            continue;
          }
          if (given && parseId(given) !== ofRun) {
            throw ValidationError.field(`${at(index)}/experiment_id`, `is not the experiment of run ${row.run_id} (${ofRun})`);
          }
          experimentId = ofRun;
        } else {
          if (!given) throw ValidationError.field(`${at(index)}/experiment_id`, 'is required for a score of no run (a score of the whole experiment)');
          const issue = { pointer: `${at(index)}/experiment_id`, detail: 'is not an experiment of this workspace' };
          experimentId = (await findExperimentRow(this.store, tx, actor, given, { issue })).id;
        }
        const group = byExperiment.get(experimentId);
        if (group) group.push(index);
        else byExperiment.set(experimentId, [index]);
      }
      for (const [experimentId, indexes] of byExperiment) {
        // With the ids given to them above, so that the ids answered are the ids recorded.
        const placed = indexes.map((index) => ({ ...withoutPlace(scores[index]!), id: rows[index]!.id }));
        await this.create(actor, experimentId, placed, { at: (i) => at(indexes[i]!), transaction: tx });
      }
      await checkScoreConfigs(
        tx,
        actor.workspaceId,
        deferred.map((index) => rows[index]!),
        (i) => at(deferred[i]!),
      );
      await deferRunChanges(
        tx,
        actor.workspaceId,
        deferred.map((index) => ({
          id: rows[index]!.id,
          run_id: rows[index]!.run_id!,
          kind: 'score',
          body: { ...withoutPlace(scores[index]!), id: rows[index]!.id } as JsonObject,
        })),
        now,
      );
      return { score_ids: rows.map((row) => row.id), deferred: deferred.length };
    });
  }

  /**
   * Human annotations of an experiment's runs, in one transaction: each value is the run's human score
   * of that key (the annotation's name), made or, when the run has one, changed in what the value gives
   * (`score`, `label` kept as the value, `text` as the comment); the annotator is kept in the score's
   * metadata. Every run named must be a run of the experiment. Answers each run's annotated scores.
   */
  async annotate(
    actor: Actor,
    experimentId: string,
    annotations: readonly RunAnnotation[],
    annotator: { name: string; id: string | null },
  ): Promise<Score[][]> {
    checkBatchSize(annotations.length, '/annotations');
    return this.store.transaction(async (tx) => {
      const experiment = await findExperimentRow(this.store, tx, actor, experimentId);
      const runIds = [...new Set(annotations.flatMap((annotation) => parseId(annotation.run_id) ?? []))];
      const keys = [...new Set(annotations.flatMap((annotation) => annotation.values.map((value) => value.key)))];
      const existing = new Map<string, ScoreTable>();
      for (const ids of chunks(runIds, 500)) {
        if (keys.length === 0) break;
        const rows = await tx
          .selectFrom('scores')
          .selectAll()
          .where('workspace_id', '=', actor.workspaceId)
          .where('experiment_id', '=', experiment.id)
          .where('source', '=', 'human')
          .where('run_id', 'in', ids)
          .where('key', 'in', keys)
          .orderBy('created_at')
          .execute();
        for (const row of rows) existing.set(`${row.run_id}\u0000${row.key}`, row);
      }
      const now = nowIso();
      const fresh: NewScore[] = [];
      const freshAt: string[] = [];
      const changed = new Map<string, ScoreTable>();
      for (const [index, annotation] of annotations.entries()) {
        const runId = parseId(annotation.run_id);
        if (!runId) throw ValidationError.field(`/annotations/${index}/run_id`, 'must be a UUID');
        for (const [at, value] of annotation.values.entries()) {
          const metadata: JsonObject = { annotator: annotator.name, ...(annotator.id ? { annotator_id: annotator.id } : {}) };
          const kept = changed.get(`${runId}\u0000${value.key}`) ?? existing.get(`${runId}\u0000${value.key}`);
          if (!kept) {
            fresh.push({
              run_id: runId,
              key: value.key,
              score: value.score ?? null,
              value: value.label ?? null,
              comment: value.text ?? null,
              source: 'human',
              metadata,
            });
            freshAt.push(`/annotations/${index}/values/${at}`);
            // A later value of the same run and key in this request changes this one.
            changed.set(`${runId}\u0000${value.key}`, toScoreRows(actor.workspaceId, experiment.id, [fresh.at(-1)!], now, () => freshAt.at(-1)!)[0]!);
            continue;
          }
          const [revised] = toScoreRows(
            actor.workspaceId,
            experiment.id,
            [
              {
                id: kept.id,
                run_id: kept.run_id,
                key: kept.key,
                score: value.score === undefined ? kept.score : value.score,
                value: value.label === undefined ? (kept.value === null ? null : (JSON.parse(kept.value) as Json)) : value.label,
                comment: value.text === undefined ? kept.comment : value.text,
                source: 'human',
                metadata: { ...(JSON.parse(kept.metadata) as JsonObject), ...metadata },
              },
            ],
            now,
            () => `/annotations/${index}/values/${at}`,
          );
          changed.set(`${runId}\u0000${value.key}`, { ...revised!, record_id: kept.record_id, created_at: kept.created_at });
        }
      }
      // New scores whose key came twice for a run are made once, with what the last value left.
      const made = new Set<string>();
      const toMake: NewScore[] = [];
      const toMakeAt: string[] = [];
      for (const [index, score] of fresh.entries()) {
        const key = `${score.run_id}\u0000${score.key}`;
        if (made.has(key)) continue;
        made.add(key);
        const last = changed.get(key)!;
        toMake.push({ ...score, id: last.id, score: last.score, value: last.value === null ? null : (JSON.parse(last.value) as Json), comment: last.comment });
        toMakeAt.push(freshAt[index]!);
      }
      if (toMake.length) await this.create(actor, experiment.id, toMake, { at: (i) => toMakeAt[i]!, transaction: tx });
      for (const [key, row] of changed) {
        if (made.has(key)) continue;
        await tx.updateTable('scores').set(row).where('workspace_id', '=', row.workspace_id).where('id', '=', row.id).execute();
      }
      await touchExperiment(tx, experiment.id, now);
      const byRun = new Map<string, Score[]>();
      for (const [key, row] of changed) {
        const runId = key.split('\u0000')[0]!;
        const list = byRun.get(runId) ?? [];
        list.push(presentScore(made.has(key) ? { ...row, record_id: null } : row));
        byRun.set(runId, list);
      }
      return annotations.map((annotation) => byRun.get(parseId(annotation.run_id) ?? '') ?? []);
    });
  }

  /** Changes a recorded score. */
  async update(actor: Actor, scoreId: string, patch: ScorePatch): Promise<Score> {
    return this.store.transaction(async (tx) => {
      const row = await findScoreRow(this.store, tx, actor, scoreId);
      const now = nowIso();
      const [revised] = toScoreRows(
        actor.workspaceId,
        row.experiment_id,
        [
          {
            id: row.id,
            run_id: row.run_id,
            key: row.key,
            score: patch.score === undefined ? row.score : patch.score,
            value: patch.value === undefined ? (row.value === null ? null : (JSON.parse(row.value) as Json)) : patch.value,
            comment: patch.comment === undefined ? row.comment : patch.comment,
            correction: patch.correction === undefined ? (row.correction === null ? null : (JSON.parse(row.correction) as Json)) : patch.correction,
            source: row.source as ScoreSource,
            metadata: patch.metadata === undefined ? (JSON.parse(row.metadata) as JsonObject) : patch.metadata,
          },
        ],
        now,
        () => '',
      );
      const next: ScoreTable = {
        ...revised!,
        record_id: row.record_id,
        reviewer_id: row.reviewer_id,
        reviewer_name: row.reviewer_name,
        created_at: row.created_at,
      };
      await checkScoreConfigs(tx, actor.workspaceId, [next], () => '');
      await tx.updateTable('scores').set(next).where('workspace_id', '=', row.workspace_id).where('id', '=', row.id).execute();
      await touchExperiment(tx, row.experiment_id, now);
      return presentScore(next);
    });
  }

  async delete(actor: Actor, scoreId: string): Promise<void> {
    await this.store.transaction(async (tx) => {
      const row = await findScoreRow(this.store, tx, actor, scoreId);
      await tx.deleteFrom('scores').where('workspace_id', '=', row.workspace_id).where('id', '=', row.id).execute();
      await touchExperiment(tx, row.experiment_id, nowIso());
    });
  }

  async list(actor: Actor, experimentId: string, query: ScoreQuery = {}): Promise<Page<Score>> {
    return this.search(actor, { ...query, experiment_ids: [experimentId] });
  }

  /** Scores of the workspace, of any experiment, in a stable order (by id). */
  async search(actor: Actor, query: ScoreSearch = {}): Promise<Page<Score>> {
    const limit = pageSize(query.limit);
    const after = decodeCursor(query.cursor, 'id');
    let select = this.store.db.selectFrom('scores').selectAll().where('workspace_id', '=', actor.workspaceId);
    if (query.experiment_ids !== undefined) {
      const experiments = await findExperimentIds(this.store, this.store.db, actor, query.experiment_ids);
      if (experiments.length === 0) return { data: [], next_cursor: null };
      select = select.where('experiment_id', 'in', experiments);
    }
    if (query.keys?.length) select = select.where('key', 'in', [...query.keys]);
    if (query.sources?.length) select = select.where('source', 'in', [...query.sources]);
    if (query.has_comment !== undefined) select = select.where('comment', query.has_comment ? 'is not' : 'is', null);
    if (query.has_score !== undefined) select = select.where('score', query.has_score ? 'is not' : 'is', null);
    if (query.run_id !== undefined) {
      const runId = parseId(query.run_id);
      if (!runId) return { data: [], next_cursor: null };
      select = select.where('run_id', '=', runId);
    }
    if (query.run_ids !== undefined) {
      if (query.run_ids.length > 1_000) throw ValidationError.field('/run_ids', 'must hold at most 1000 ids');
      const runIds = query.run_ids.flatMap((id) => parseId(id) ?? []);
      if (runIds.length === 0) return { data: [], next_cursor: null };
      select = select.where('run_id', 'in', runIds);
    }
    if (query.key !== undefined) select = select.where('key', '=', query.key);
    if (query.experiment_level !== undefined) select = select.where('run_id', query.experiment_level ? 'is' : 'is not', null);
    if (after) select = select.where('id', '>', String(after[0]));
    if (checkedOffset(query.offset)) select = select.offset(query.offset!);
    const rows = await select
      .orderBy('id')
      .limit(limit + 1)
      .execute();
    return toPage(rows, limit, presentScore, (row) => [row.id]);
  }

  async get(actor: Actor, scoreId: string): Promise<Score> {
    return presentScore(await findScoreRow(this.store, this.store.db, actor, scoreId));
  }

  /**
   * How the runs of each experiment were scored, per key: the runs with a score of the key, and of
   * the scores how many there are, how many are numeric, and how many are empty (neither a number nor
   * a value) with a comment (a scorer's failure, its message in the comment) or without one. Counted by
   * the database.
   */
  async tally(actor: Actor, experimentIds: readonly string[]): Promise<ScoreTally[]> {
    const experiments = await findExperimentIds(this.store, this.store.db, actor, experimentIds);
    if (experiments.length === 0) return [];
    const empty = sql<number>`case when ${sql.ref('score')} is null and ${sql.ref('value')} is null`;
    const rows = await this.store.db
      .selectFrom('scores')
      .where('workspace_id', '=', actor.workspaceId)
      .where('experiment_id', 'in', experiments)
      .where('run_id', 'is not', null)
      .groupBy(['experiment_id', 'key'])
      .select((eb) => [
        'experiment_id',
        'key',
        eb.fn.count<number>('run_id').distinct().as('runs'),
        eb.fn.countAll<number>().as('scores'),
        eb.fn.count<number>('score').as('numeric'),
        eb.fn.sum<number>(sql<number>`${empty} and ${sql.ref('comment')} is not null then 1 else 0 end`).as('failed'),
        eb.fn.sum<number>(sql<number>`${empty} and ${sql.ref('comment')} is null then 1 else 0 end`).as('nulls'),
      ])
      .execute();
    return rows.map((row) => ({
      experiment_id: row.experiment_id,
      key: row.key,
      runs: Number(row.runs),
      scores: Number(row.scores),
      numeric: Number(row.numeric),
      failed: Number(row.failed),
      nulls: Number(row.nulls),
    }));
  }
}

/** How an experiment's runs were scored under one key (ScoreService.tally). */
export interface ScoreTally {
  experiment_id: string;
  key: string;
  /** Runs with at least one score of the key. */
  runs: number;
  scores: number;
  numeric: number;
  /** Scores with neither a number nor a value but a comment: the scorer failed and said why. */
  failed: number;
  /** Scores with neither a number, a value nor a comment. */
  nulls: number;
}

const DEFAULT_AT = (index: number) => `/scores/${index}`;

/** A placed score as a score of the experiment it was placed in. */
function withoutPlace({ experiment_id: _experimentId, ...score }: PlacedScore): NewScore {
  return score;
}

/** The record of each run the scores name (null for spans); every one must be a run of the experiment. */
async function findRunsOf(
  tx: Transaction,
  workspaceId: string,
  experimentId: string,
  rows: readonly ScoreTable[],
  at: (index: number) => string,
): Promise<Map<string, string | null>> {
  const wanted = [...new Set(rows.flatMap((row) => (row.run_id ? [row.run_id] : [])))];
  const found = new Map<string, string | null>();
  for (const chunk of chunks(wanted)) {
    const present = await tx
      .selectFrom('runs')
      .select(['id', 'record_id', 'parent_run_id'])
      .where('workspace_id', '=', workspaceId)
      .where('experiment_id', '=', experimentId)
      .where('id', 'in', chunk)
      .execute();
    for (const run of present) found.set(run.id, scoredRecord(run));
  }
  const index = rows.findIndex((row) => row.run_id !== null && !found.has(row.run_id));
  if (index >= 0) {
    throw new NotFoundError('Run', rows[index]!.run_id!, [{ pointer: `${at(index)}/run_id`, detail: 'is not a run of the experiment' }]);
  }
  return found;
}
