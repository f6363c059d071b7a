import type { Actor, Experiment, Run, Score } from '../../../domain/types.js';
import type { SurfaceApp } from '../../../http/app.js';
import type { Services } from '../../../services/index.js';
import { liveExperiment, metricToScore, recordIdsOf, spanToRun } from '../experiments.js';
import { presentMetric, presentSpan, sendJsonApi } from '../present.js';
import { pageOf } from '../requests.js';
import { EventsBody, EventsQuery, ExperimentParams } from '../schemas.js';

/**
 * An experiment's events: the push (spans become runs, metrics scores, in one transaction; a metric may
 * come before its span) and the lists, v1 (one resource per span) and v2/v3/unstable (spans and summary
 * metrics in one resource, v3 paged by `meta.after`).
 */
export function eventRoutes(app: SurfaceApp, services: Services): void {
  eventsOfFamily(app, services, 'spans');
}

/** dd-trace-py's unstable family: the same push; its list answers spans and summary metrics together (as v2). */
export function unstableEventRoutes(app: SurfaceApp, services: Services): void {
  eventsOfFamily(app, services, 'collection');
}

function eventsOfFamily(app: SurfaceApp, services: Services, list: 'spans' | 'collection'): void {
  app.post('/experiments/:experiment_id/events', {
    schema: { params: ExperimentParams, body: EventsBody },
    config: { restate: { lists: [['', '/data/attributes']] } },
    handler: async (request, reply) => {
      const { spans = [], metrics = [] } = request.body.data.attributes;
      const experiment = await liveExperiment(services, request.actor, request.params.experiment_id);
      const records = spans.some((span) => span.tags?.some((tag) => tag.startsWith('dataset_record_id:')))
        ? await recordIdsOf(services, request.actor, experiment)
        : new Map<string, string>();
      const now = Date.now();
      await services.runIngest.ingest(
        request.actor,
        {
          create: spans.map((span, index) => spanToRun(experiment, span, index, records)),
          scores: metrics.map((metric, index) => metricToScore(experiment, metric, index, now)),
        },
        { source: 'datadog' },
      );
      return reply.status(202).send();
    },
  });

  app.get('/experiments/:experiment_id/events', {
    schema: { params: ExperimentParams, querystring: EventsQuery },
    handler: async (request, reply) => {
      const { experiment, runs, summary } = await eventsOf(services, request.actor, request.params.experiment_id);
      if (list === 'collection') return sendJsonApi(reply, 200, collection(experiment, runs, summary, ''));
      return sendJsonApi(reply, 200, {
        data: runs.map(({ run, scores }) => ({ id: run.id, type: 'experiments', attributes: presentSpan(experiment, run, scores) })),
      });
    },
  });
}

/** The v2 and v3 lists (`/api/v2/llm-obs/v2|v3/experiments/{id}/events`): v3 pages by `page[cursor]`. */
export function pagedEventRoutes(app: SurfaceApp, services: Services): void {
  app.get('/experiments/:experiment_id/events', {
    schema: { params: ExperimentParams, querystring: EventsQuery },
    handler: async (request, reply) => {
      const { experiment, runs, summary, after } = await eventsOf(services, request.actor, request.params.experiment_id, pageOf(request.query));
      return sendJsonApi(reply, 200, collection(experiment, runs, summary, after));
    },
  });
}

interface SpanEvents {
  experiment: Experiment;
  runs: { run: Run; scores: Score[] }[];
  summary: Score[];
  after: string;
}

function collection(experiment: Experiment, runs: SpanEvents['runs'], summary: Score[], after: string) {
  return {
    data: {
      id: experiment.id,
      type: 'experiment_events',
      attributes: {
        spans: runs.map(({ run, scores }) => presentSpan(experiment, run, scores)),
        summary_metrics: summary.map((score) => presentMetric(score, undefined)),
      },
    },
    meta: { after },
  };
}

/** A page of the experiment's root runs with their scores (all of them without a page), and its summary scores. */
async function eventsOf(services: Services, actor: Actor, id: string, page?: { cursor?: string; limit?: number }): Promise<SpanEvents> {
  const experiment = await liveExperiment(services, actor, id);
  const runs: Run[] = [];
  let cursor = page?.cursor;
  let after = '';
  do {
    const chunk = await services.runs.list(actor, experiment.id, { root_only: true, cursor, limit: page?.limit });
    runs.push(...chunk.data);
    cursor = chunk.next_cursor ?? undefined;
    if (page) {
      after = chunk.next_cursor ?? '';
      break;
    }
  } while (cursor);
  const scoresOfRuns = new Map<string, Score[]>();
  for (let start = 0; start < runs.length; start += 1_000) {
    const ids = runs.slice(start, start + 1_000).map((run) => run.id);
    for await (const score of allScores(services, actor, experiment.id, { run_ids: ids })) {
      const list = scoresOfRuns.get(score.run_id!) ?? [];
      list.push(score);
      scoresOfRuns.set(score.run_id!, list);
    }
  }
  const summary: Score[] = [];
  if (!page?.cursor) for await (const score of allScores(services, actor, experiment.id, { experiment_level: true })) summary.push(score);
  return { experiment, runs: runs.map((run) => ({ run, scores: scoresOfRuns.get(run.id) ?? [] })), summary, after };
}

async function* allScores(services: Services, actor: Actor, experimentId: string, query: { run_ids?: string[]; experiment_level?: boolean }) {
  let cursor: string | undefined;
  do {
    const page = await services.scores.list(actor, experimentId, { ...query, cursor });
    yield* page.data;
    cursor = page.next_cursor ?? undefined;
  } while (cursor);
}
