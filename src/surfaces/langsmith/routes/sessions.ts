import { randomBytes } from 'node:crypto';
import { ConflictError, ValidationError } from '../../../domain/errors.js';
import type { JsonObject } from '../../../domain/json.js';
import type { Actor, Experiment, Score } from '../../../domain/types.js';
import type { SurfaceApp } from '../../../http/app.js';
import { summarizeScores } from '../../../services/comparisons/index.js';
import type { Services } from '../../../services/index.js';
import { presentFeedbackStats, presentTracerSession, sessionStats, type SessionStats } from '../present.js';
import { namedListOptions, refuseUnsupported } from '../requests.js';
import { SessionCreate, SessionCreateQuery, SessionParams, SessionQuery, SessionStatsQuery, SessionUpdate } from '../schemas.js';
import { fromLangSmithTime } from '../times.js';

/** Experiment-level scores read at a time (a page) for a session's `session_feedback_stats` (summary evaluators make a few). */
const SESSION_SCORES_READ = 1_000;

/** What a session may say that evalstore does not keep, refused by name rather than dropped. */
const NOT_KEPT_OF_SESSIONS = { default_dataset_id: 'sessions have no default dataset here', tag_value_ids: 'resource tags are not kept' };

/**
 * LangSmith's sessions (spec §3.4, §5): an experiment when it has a `reference_dataset_id`, else a log
 * stream (a tracing project). Session names are unique in the workspace, as in LangSmith.
 */
export function sessionRoutes(app: SurfaceApp, services: Services): void {
  app.post('/sessions', {
    schema: { hide: true, body: SessionCreate, querystring: SessionCreateQuery },
    handler: async (request) => {
      const body = request.body;
      refuseUnsupported(body, { id: 'sessions get their ids from the server', ...NOT_KEPT_OF_SESSIONS });
      const name = body.name ?? `session-${randomBytes(4).toString('hex')}`;
      let experiment: Experiment;
      try {
        experiment = await services.experiments.create(
          request.actor,
          {
            name,
            dataset_id: body.reference_dataset_id ?? null,
            description: body.description ?? null,
            metadata: metadataOfExtra(body.extra) ?? {},
            start_time: body.start_time === undefined || body.start_time === null ? null : fromLangSmithTime(body.start_time),
            end_time: body.end_time === undefined || body.end_time === null ? null : fromLangSmithTime(body.end_time),
            source: 'langsmith',
          },
          { uniqueInWorkspace: true },
        );
      } catch (error) {
        // `?upsert=true` answers the session of that name instead of refusing it.
        const existing =
          error instanceof ConflictError && request.query.upsert ? (await services.experiments.list(request.actor, { name, limit: 1 })).data[0] : undefined;
        if (!existing) throw error;
        experiment = existing;
      }
      return (await presentSessions(services, request.actor, [experiment], false))[0];
    },
  });

  app.get('/sessions', {
    schema: { hide: true, querystring: SessionQuery },
    handler: async (request) => {
      const query = request.query;
      const page = await services.experiments.list(request.actor, {
        ...namedListOptions(query),
        ...(query.reference_dataset ? { dataset_ids: query.reference_dataset } : {}),
        ...(query.reference_free === undefined ? {} : { on_dataset: !query.reference_free }),
      });
      return presentSessions(services, request.actor, page.data, query.include_stats ?? false);
    },
  });

  app.get('/sessions/:session_id', {
    schema: { hide: true, params: SessionParams, querystring: SessionStatsQuery },
    handler: async (request) => {
      const experiment = await services.experiments.get(request.actor, request.params.session_id);
      return (await presentSessions(services, request.actor, [experiment], request.query.include_stats ?? false))[0];
    },
  });

  app.patch('/sessions/:session_id', {
    schema: { hide: true, params: SessionParams, body: SessionUpdate },
    handler: async (request) => {
      const body = request.body;
      refuseUnsupported(body, NOT_KEPT_OF_SESSIONS);
      // The SDK sends every field, null for those it leaves alone (spec §1.8); `extra` comes whole.
      const metadata = metadataOfExtra(body.extra);
      const experiment = await services.experiments.update(request.actor, request.params.session_id, {
        ...(body.name ? { name: body.name } : {}),
        ...(body.description !== undefined && body.description !== null ? { description: body.description } : {}),
        ...(metadata !== undefined ? { metadata } : {}),
        ...(body.start_time !== undefined && body.start_time !== null ? { start_time: fromLangSmithTime(body.start_time) } : {}),
        ...(body.end_time !== undefined && body.end_time !== null ? { end_time: fromLangSmithTime(body.end_time) } : {}),
      });
      return (await presentSessions(services, request.actor, [experiment], false))[0];
    },
  });

  app.delete('/sessions/:session_id', {
    schema: { hide: true, params: SessionParams },
    handler: async (request) => {
      await services.experiments.delete(request.actor, request.params.session_id);
      return {};
    },
  });
}

/**
 * An experiment's metadata from LangSmith's `extra` (where the SDK keeps it, as `extra.metadata`);
 * undefined when no `extra` is given. Other keys of `extra` have nowhere to go, so they are refused.
 */
function metadataOfExtra(extra: JsonObject | null | undefined): JsonObject | undefined {
  if (extra === undefined || extra === null) return undefined;
  const other = Object.keys(extra).find((key) => key !== 'metadata');
  if (other !== undefined) throw ValidationError.field(`/extra/${other}`, 'is not supported by this server: a session keeps only extra.metadata');
  const metadata = extra.metadata ?? {};
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) throw ValidationError.field('/extra/metadata', 'must be an object');
  return metadata;
}

/** Experiments as LangSmith's `TracerSession`s, with their statistics when asked. */
async function presentSessions(services: Services, actor: Actor, experiments: readonly Experiment[], withStats: boolean) {
  const ordinals = await services.experiments.ordinals(actor, experiments);
  return Promise.all(
    experiments.map(async (experiment) =>
      presentTracerSession(experiment, actor.workspaceId, {
        test_run_number: ordinals.get(experiment.id) ?? null,
        ...(withStats ? { stats: await statsOf(services, actor, experiment) } : {}),
      }),
    ),
  );
}

/**
 * A session's statistics: an experiment's from the comparison engine (over its results, the root runs
 * of its examples), and the statistics of its own scores (summary evaluators) for every session.
 * A log stream has no results, so only its own scores are counted.
 */
async function statsOf(services: Services, actor: Actor, experiment: Experiment): Promise<Partial<SessionStats>> {
  const own: Score[] = [];
  // Every page of the session's own scores: the statistics count them all.
  for (let cursor: string | undefined; ; ) {
    const page = await services.scores.search(actor, { experiment_ids: [experiment.id], experiment_level: true, cursor, limit: SESSION_SCORES_READ });
    own.push(...page.data);
    if (!page.next_cursor) break;
    cursor = page.next_cursor;
  }
  const sessionFeedback = presentFeedbackStats(summarizeScores(own));
  if (experiment.dataset_id === null) return { session_feedback_stats: sessionFeedback };
  const comparison = await services.comparisons.compare(actor, { experiment_ids: [experiment.id] });
  return { ...sessionStats(comparison.stats[0]!), session_feedback_stats: sessionFeedback };
}
