import { isJsonObject, type Json, type JsonObject } from '../../domain/json.js';
import { toIsoTime } from '../../domain/time.js';
import type { Score, ScoreSource } from '../../domain/types.js';
import type { NewScore, PlacedScore } from '../../services/scores.js';
import { renameFirst } from './errors.js';
import { langsmithTime } from './present.js';
import type { FeedbackCreate, FeedbackCreateCore } from './schemas.js';
import { fromLangSmithTime } from './times.js';

/**
 * LangSmith's feedback as evalstore's scores, both ways (the table is in docs/surfaces/langsmith.md).
 * Fields a score has no column for are kept in its metadata under their LangSmith names, as sent, and
 * read back from there.
 */

type FeedbackSourceType = NonNullable<FeedbackCreateCore['feedback_source']>['type'];

/** Who gave the feedback, in evalstore's terms: LangSmith's app is people annotating; its automations are evaluator models. */
const SOURCE_OF: Record<FeedbackSourceType, ScoreSource> = {
  app: 'human',
  api: 'api',
  model: 'model',
  auto_eval: 'model',
};

/** LangSmith's name for who gave a score made elsewhere (one sent through LangSmith keeps its own). */
const SOURCE_TYPE_OF: Record<ScoreSource, FeedbackSourceType> = { human: 'app', api: 'api', model: 'model', code: 'api' };

/** The feedback source types whose scores have each evalstore source, for filters by source type. */
export function scoreSourcesOf(types: readonly string[]): ScoreSource[] {
  return [...new Set(types.flatMap((type) => (type in SOURCE_OF ? [SOURCE_OF[type as FeedbackSourceType]] : [])))];
}

/**
 * Feedback fields with a place of their own in a score. The others (feedback_source, feedback_config,
 * feedback_group_id, comparative_experiment_id, extra, created_at, modified_at, trace_id, start_time,
 * error, and any a client sends beside them) are kept in the score's metadata as sent.
 */
const MAPPED_FIELDS = new Set(['id', 'key', 'score', 'value', 'comment', 'correction', 'run_id', 'session_id', 'feedbackConfig', 'extend_trace_retention']);

/** A feedback's score, without its place (run or session). `extend_trace_retention` is a hint about LangSmith's storage tiers: not kept. */
export function toScore(feedback: FeedbackCreateCore | FeedbackCreate): Omit<NewScore, 'run_id'> {
  const metadata: JsonObject = {};
  for (const [field, value] of Object.entries(feedback as Record<string, Json | undefined>)) {
    if (!MAPPED_FIELDS.has(field) && value !== undefined && value !== null) metadata[field] = value;
  }
  // The JS SDK spells feedback_config in camelCase (spec §3.6).
  if ('feedbackConfig' in feedback && feedback.feedbackConfig && metadata.feedback_config === undefined) metadata.feedback_config = feedback.feedbackConfig;
  return {
    ...(feedback.id === undefined ? {} : { id: feedback.id }),
    key: feedback.key,
    score: feedback.score ?? null,
    value: feedback.value ?? null,
    comment: feedback.comment ?? null,
    correction: feedback.correction ?? null,
    source: SOURCE_OF[feedback.feedback_source?.type ?? 'api'],
    metadata,
  };
}

/** `POST /feedback` (and multipart `feedback.<id>` parts): a score of its run, or of its session when it names no run. */
export function toPlacedScore(feedback: FeedbackCreate): PlacedScore {
  return { ...toScore(feedback), run_id: feedback.run_id ?? null, experiment_id: feedback.session_id ?? null };
}

/** LangSmith's `FeedbackSchema` (of a score, or of one kept until its run arrives, whose session is not known yet). */
export function presentFeedback(score: Omit<Score, 'experiment_id'> & { experiment_id: string | null }) {
  const kept = score.metadata;
  const source = isJsonObject(kept.feedback_source) ? kept.feedback_source : { type: SOURCE_TYPE_OF[score.source], metadata: {} };
  const time = (value: Json | undefined, fallback: string | null) =>
    langsmithTime((typeof value === 'string' || typeof value === 'number' ? toIsoTime(fromLangSmithTime(value)) : undefined) ?? fallback);
  return {
    id: score.id,
    created_at: time(kept.created_at, score.created_at),
    modified_at: time(kept.modified_at, score.updated_at),
    key: score.key,
    score: score.score,
    value: score.value,
    comment: score.comment,
    correction: score.correction,
    feedback_group_id: kept.feedback_group_id ?? null,
    comparative_experiment_id: kept.comparative_experiment_id ?? null,
    run_id: score.run_id,
    session_id: score.experiment_id,
    trace_id: kept.trace_id ?? null,
    start_time: time(kept.start_time, null),
    feedback_source: { user_id: null, ls_user_id: null, user_name: null, ...source },
    feedback_config: kept.feedback_config ?? null,
    extra: kept.extra ?? null,
    error: kept.error ?? null,
    is_root: null,
  };
}

/** Where the fields of a score, as the services name them, sit in LangSmith feedback. */
const SCORE_FIELDS: Record<string, string> = { experiment_id: 'session_id', source: 'feedback_source' };

export function scoreFieldLoc(segments: string[]): string[] {
  return renameFirst(SCORE_FIELDS, segments);
}
