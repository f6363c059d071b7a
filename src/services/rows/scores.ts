import { ValidationError } from '../../domain/errors.js';
import { newId, parseId } from '../../domain/ids.js';
import { checkMeasures } from '../../domain/input-bounds.js';
import type { Json, JsonObject } from '../../domain/json.js';
import { reviewerOf, SCORE_SOURCES, type Actor, type Reviewer, type ScoreSource } from '../../domain/types.js';
import type { RunTable, ScoreTable } from '../../store/schema.js';

/** A score (feedback, evaluation) of a run, or of a whole experiment when `run_id` is absent. */
export interface NewScore {
  /** A caller-chosen id (a UUID): sending the same score again does not record it twice. */
  id?: string;
  run_id?: string | null;
  key: string;
  /** The numeric score. */
  score?: number | boolean | null;
  /** Any JSON value; a string is a categorical label. */
  value?: Json;
  comment?: string | null;
  correction?: Json;
  /** Who scored: human, model, code or api (the default). */
  source?: ScoreSource;
  metadata?: JsonObject;
  /** Who gave a human score: set by services from the actor, never taken from a request. */
  reviewer?: Reviewer | null;
}

/** The score as given by the actor: a human score names its reviewer (the actor) unless it names one already. */
export function byActor<T extends NewScore>(actor: Actor, score: T): T {
  if (score.source !== 'human' || score.reviewer) return score;
  return { ...score, reviewer: reviewerOf(actor) };
}

/** Score rows from inputs; `pointerOf(i)` names the i-th input in error messages. Their `record_id` is the caller's to set (see scoredRecord). */
export function toScoreRows(
  workspaceId: string,
  experimentId: string,
  scores: readonly NewScore[],
  now: string,
  pointerOf: (index: number) => string,
): ScoreTable[] {
  const seen = new Set<string>();
  return scores.map((score, index) => {
    const id = score.id === undefined ? newId() : parseId(score.id);
    if (!id) throw ValidationError.field(`${pointerOf(index)}/id`, 'must be a UUID');
    if (seen.has(id)) throw ValidationError.field(`${pointerOf(index)}/id`, 'appears twice in the request');
    seen.add(id);
    const runId = score.run_id === undefined || score.run_id === null ? null : (parseId(score.run_id) ?? null);
    if (score.run_id && !runId) throw ValidationError.field(`${pointerOf(index)}/run_id`, 'must be a UUID');
    if (!score.key) throw ValidationError.field(`${pointerOf(index)}/key`, 'must not be empty');
    if (score.source !== undefined && !SCORE_SOURCES.includes(score.source)) {
      throw ValidationError.field(`${pointerOf(index)}/source`, `must be one of ${SCORE_SOURCES.join(', ')}`);
    }
    const numeric = typeof score.score === 'boolean' ? Number(score.score) : (score.score ?? null);
    checkMeasures({ score: numeric }, pointerOf(index));
    const value = score.value === undefined ? null : score.value;
    return {
      workspace_id: workspaceId,
      id,
      experiment_id: experimentId,
      run_id: runId,
      record_id: null,
      key: score.key,
      score: numeric,
      value: value === null ? null : JSON.stringify(value),
      label: typeof value === 'string' ? value : null,
      comment: score.comment ?? null,
      correction: score.correction === undefined || score.correction === null ? null : JSON.stringify(score.correction),
      source: score.source ?? 'api',
      metadata: JSON.stringify(score.metadata ?? {}),
      reviewer_id: score.source === 'human' ? (score.reviewer?.id ?? null) : null,
      reviewer_name: score.source === 'human' ? (score.reviewer?.name ?? null) : null,
      created_at: now,
      updated_at: now,
    };
  });
}

/** The record a score of `run` is kept under: only results (root runs) carry theirs, since comparisons read scores by record. */
export function scoredRecord(run: Pick<RunTable, 'record_id' | 'parent_run_id'>): string | null {
  return run.parent_run_id === null ? run.record_id : null;
}
