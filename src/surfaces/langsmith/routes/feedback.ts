import { ValidationError } from '../../../domain/errors.js';
import type { Json } from '../../../domain/json.js';
import { reviewerOf } from '../../../domain/types.js';
import type { SurfaceApp } from '../../../http/app.js';
import type { Services } from '../../../services/index.js';
import { FEEDBACK_FIELDS } from '../errors.js';
import { scoreSourcesOf, toPlacedScore } from '../feedback.js';
import { presentFeedback } from '../present.js';
import { FeedbackCreate, FeedbackParams, FeedbackQuery, FeedbackUpdate } from '../schemas.js';

/**
 * LangSmith's feedback routes (spec §3.6, §7): feedback is evalstore's scores. Feedback on a run not
 * recorded yet is kept and recorded when the run arrives (`evaluate()` often sends it first); feedback
 * with no run is a score of its session (summary evaluators).
 */
export function feedbackRoutes(app: SurfaceApp, services: Services): void {
  app.post('/feedback', {
    // The body is the one score placed.
    config: { restate: { lists: [['/scores/0', '']], fields: FEEDBACK_FIELDS } },
    schema: { hide: true, body: FeedbackCreate },
    handler: async (request) => {
      const given = toPlacedScore(request.body);
      // Feedback of the API kind (the SDK's default) on a run in an annotation queue is a person's review.
      const queued = given.source === 'api' && given.run_id && (await services.annotationQueues.holdsRun(request.actor, given.run_id));
      const placed = queued ? { ...given, source: 'human' as const } : given;
      const result = await services.scores.place(request.actor, [placed], { deferUnknownRuns: true });
      const id = result.score_ids[0]!;
      if (result.deferred === 0) return presentFeedback(await services.scores.get(request.actor, id));
      // Kept until its run arrives: answered as it will be recorded.
      const now = new Date().toISOString();
      return presentFeedback({
        id,
        experiment_id: placed.experiment_id ?? null,
        run_id: placed.run_id ?? null,
        key: placed.key,
        score: typeof placed.score === 'boolean' ? Number(placed.score) : (placed.score ?? null),
        value: (placed.value ?? null) as Json,
        comment: placed.comment ?? null,
        correction: (placed.correction ?? null) as Json,
        source: placed.source ?? 'api',
        reviewer: placed.source === 'human' ? reviewerOf(request.actor) : null,
        metadata: placed.metadata ?? {},
        created_at: now,
        updated_at: now,
      });
    },
  });

  app.get('/feedback', {
    schema: { hide: true, querystring: FeedbackQuery },
    handler: async (request) => {
      const query = request.query;
      if (query.run && query.run.length > 1_000) throw ValidationError.field('/run', 'may name at most 1000 runs', { in: 'query' });
      const sources = query.source ? scoreSourcesOf(query.source) : undefined;
      if (sources && sources.length === 0) return [];
      const page = await services.scores.search(request.actor, {
        ...(query.run ? { run_ids: query.run } : {}),
        ...(query.session ? { experiment_ids: query.session } : {}),
        ...(query.key ? { keys: query.key } : {}),
        ...(sources ? { sources } : {}),
        ...(query.level ? { experiment_level: query.level === 'session' } : {}),
        has_comment: query.has_comment,
        has_score: query.has_score,
        offset: query.offset,
        limit: query.limit,
      });
      return page.data.map(presentFeedback);
    },
  });

  app.get('/feedback/:feedback_id', {
    schema: { hide: true, params: FeedbackParams },
    handler: async (request) => presentFeedback(await services.scores.get(request.actor, request.params.feedback_id)),
  });

  app.patch('/feedback/:feedback_id', {
    schema: { hide: true, params: FeedbackParams, body: FeedbackUpdate },
    handler: async (request) => {
      const body = request.body;
      const current = await services.scores.get(request.actor, request.params.feedback_id);
      const score = await services.scores.update(request.actor, current.id, {
        ...(body.score !== undefined ? { score: body.score } : {}),
        ...(body.value !== undefined ? { value: body.value } : {}),
        ...(body.comment !== undefined ? { comment: body.comment } : {}),
        ...(body.correction !== undefined ? { correction: body.correction } : {}),
        ...(body.feedback_config !== undefined ? { metadata: { ...current.metadata, feedback_config: body.feedback_config } } : {}),
      });
      return presentFeedback(score);
    },
  });

  app.delete('/feedback/:feedback_id', {
    schema: { hide: true, params: FeedbackParams },
    handler: async (request) => {
      await services.scores.delete(request.actor, request.params.feedback_id);
      return {};
    },
  });
}
