import type { Json, JsonObject } from '../../domain/json.js';
import type { ScoreSource } from '../../domain/types.js';
import type { NewScore, PlacedScore } from '../../services/scores.js';
import type { FeedbackCreate, FeedbackCreateCore, FeedbackSourceType } from './schemas.js';

/**
 * LangSmith's feedback as evalstore's scores (the table is in docs/surfaces/langsmith.md). Fields a
 * score has no column for are kept in its metadata under their LangSmith names, as sent, and
 * `presentFeedback` reads them back from there.
 */

/** Who gave the feedback, in evalstore's terms: LangSmith's app is people annotating; its automations are evaluator models. */
const SOURCE_OF: Record<FeedbackSourceType, ScoreSource> = {
  app: 'human',
  api: 'api',
  model: 'model',
  auto_eval: 'model',
};

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
