import { NotFoundError, ValidationError } from '../../../domain/errors.js';
import { LIMITS } from '../../../domain/limits.js';
import type { Actor, Run, Score } from '../../../domain/types.js';
import type { SurfaceApp } from '../../../http/app.js';
import { bufferedParts } from '../../../http/multipart.js';
import type { Services } from '../../../services/index.js';
import type { RunBatch } from '../../../services/run-ingest.js';
import type { RunSearch } from '../../../services/runs.js';
import { FEEDBACK_FIELDS, RUN_FIELDS } from '../errors.js';
import { locateInParts, rememberParts } from '../parts.js';
import { presentRun, presentRunStats, presentRunV2 } from '../present.js';
import { runFilterConditions } from '../filter/translate.js';
import { refuseFilter, refuseUnsupported } from '../requests.js';
import { batchOfParts, REFERENCE_KEPT_AS, toIngestedRun, toRunUpdate } from '../runs.js';
import { RunBatchBody, RunBody, RunParams, RunsQueryBody, RunsQueryV2Body, RunStatsBody, RunV2Query } from '../schemas.js';
import { fromLangSmithTime } from '../times.js';

/**
 * LangSmith's run routes (spec §6, §8): the SDK's ingestion (`/runs/multipart`, `/runs/batch`, and
 * `POST /runs` + `PATCH /runs/{id}` when it does not batch), and reads. Every ingest request is one
 * transaction; changes and feedback sent before their run are kept until it arrives.
 */
export function runRoutes(app: SurfaceApp, services: Services): void {
  const ingest = (actor: Actor, batch: RunBatch) => services.runIngest.ingest(actor, batch, { source: 'langsmith', recordKeyForStreams: REFERENCE_KEPT_AS });

  app.post('/runs/multipart', {
    bodyLimit: LIMITS.bulkBodyBytes,
    config: { langsmithGoErrors: true, restate: { fields: [...RUN_FIELDS, ...FEEDBACK_FIELDS], locate: locateInParts } },
    schema: { hide: true },
    handler: async (request, reply) => {
      const { batch, parts } = batchOfParts(bufferedParts(request));
      rememberParts(request, parts);
      await ingest(request.actor, batch);
      return reply.status(202).send({});
    },
  });

  app.post('/runs/batch', {
    bodyLimit: LIMITS.bulkBodyBytes,
    config: {
      langsmithGoErrors: true,
      restate: {
        lists: [
          ['/create', '/post'],
          ['/update', '/patch'],
        ],
        fields: RUN_FIELDS,
      },
    },
    schema: { hide: true, body: RunBatchBody },
    handler: async (request, reply) => {
      const { post, patch } = request.body;
      const update = (patch ?? []).map((run, index) => {
        if (!run.id) throw ValidationError.field(`/patch/${index}/id`, 'is required: a change names its run', { in: 'body' });
        return toRunUpdate(run, run.id);
      });
      await ingest(request.actor, { create: (post ?? []).map((run) => toIngestedRun(run)), update });
      return reply.status(202).send({});
    },
  });

  app.post('/runs', {
    config: { langsmithGoErrors: true, restate: { lists: [['/create/0', '']], fields: RUN_FIELDS } },
    schema: { hide: true, body: RunBody },
    handler: async (request, reply) => {
      await ingest(request.actor, { create: [toIngestedRun(request.body)] });
      return reply.status(202).send({});
    },
  });

  app.patch('/runs/:run_id', {
    config: { langsmithGoErrors: true, restate: { lists: [['/update/0', '']], fields: RUN_FIELDS } },
    schema: { hide: true, params: RunParams, body: RunBody },
    handler: async (request, reply) => {
      await ingest(request.actor, { update: [toRunUpdate(request.body, request.params.run_id)] });
      return reply.status(202).send({});
    },
  });

  app.get('/runs/:run_id', {
    schema: { hide: true, params: RunParams },
    handler: async (request) => (await presentRuns(services, request.actor, [await services.runs.get(request.actor, request.params.run_id)]))[0],
  });

  app.post('/runs/query', {
    config: { access: 'read' },
    schema: { hide: true, body: RunsQueryBody },
    handler: async (request) => {
      const body = request.body;
      const page = await services.runs.search(request.actor, {
        ...runSearchOf(body),
        cursor: body.cursor ?? undefined,
        limit: body.limit ?? 100,
        order: body.order ?? 'asc',
      });
      return { runs: await presentRuns(services, request.actor, page.data), cursors: { next: page.next_cursor } };
    },
  });

  app.post('/runs/stats', {
    config: { access: 'read' },
    schema: { hide: true, body: RunStatsBody },
    handler: async (request) => {
      const body = request.body;
      if (!body.session?.length && !body.id?.length && !body.trace) {
        throw ValidationError.field('/session', 'names the projects whose runs are counted (or give id or trace)', { in: 'body' });
      }
      if (body.group_by !== undefined && body.group_by !== null)
        throw ValidationError.field('/group_by', 'is not supported by this server: statistics are of all the runs found', { in: 'body' });
      return presentRunStats(await services.runs.stats(request.actor, runSearchOf(body)));
    },
  });
}

/**
 * The generated ("Stainless") client's run routes, which LangSmith 0.12 recommends over `listRuns`
 * and `readRun`: `client.runs.query()` → `POST /api/v2/runs/query` (pages of `{items, next_cursor}`)
 * and `client.runs.retrieve()` → `GET /api/v2/runs/{id}`, each run with the fields `selects` names.
 */
export function runV2Routes(app: SurfaceApp, services: Services): void {
  app.post('/api/v2/runs/query', {
    config: { access: 'read' },
    schema: { hide: true, body: RunsQueryV2Body },
    handler: async (request) => {
      const body = request.body;
      refuseUnsupported(body, {
        reference_dataset_id: 'name the experiments in project_ids',
        ai_search: 'evalstore has no AI search; use filter',
        min_feedback_modified_at: 'feedback is filtered without its modification time',
        max_feedback_modified_at: 'feedback is filtered without its modification time',
      });
      if (!body.project_ids?.length) throw ValidationError.field('/project_ids', 'names the projects whose runs are queried', { in: 'body' });
      const references = body.reference_examples ?? [];
      if (references.length > 1) throw ValidationError.field('/reference_examples', 'may name one example at most on this server', { in: 'body' });
      const { where, ...conditions } = runFilterConditions(body);
      const before =
        body.max_start_time === undefined ? undefined : ({ column: 'start_time', is: '<=', value: String(fromLangSmithTime(body.max_start_time)) } as const);
      const page = await services.runs.search(request.actor, {
        experiment_ids: body.project_ids,
        ...(body.ids ? { ids: body.ids } : {}),
        ...(references[0] ? { record_id: references[0] } : {}),
        ...(body.trace_id ? { trace_id: body.trace_id } : {}),
        ...(body.run_type ? { run_type: body.run_type.toLowerCase() } : {}),
        ...(body.is_root === true ? { root_only: true } : {}),
        ...(body.is_root === false ? { children_only: true } : {}),
        ...(body.has_error !== undefined ? { failed: body.has_error } : {}),
        ...(body.min_start_time !== undefined ? { started_after: fromLangSmithTime(body.min_start_time) } : {}),
        ...conditions,
        ...(where && before ? { where: { all: [where, before] } } : where || before ? { where: where ?? before } : {}),
        cursor: body.cursor,
        limit: body.page_size ?? 100,
        order: 'desc',
      });
      const scores = await scoresOfRuns(services, request.actor, page.data);
      return {
        items: page.data.map((run) => presentRunV2(run, request.actor.workspaceId, body.selects, scores.get(run.id) ?? [])),
        next_cursor: page.next_cursor,
      };
    },
  });

  app.get('/api/v2/runs/:run_id', {
    schema: { hide: true, params: RunParams, querystring: RunV2Query },
    handler: async (request) => {
      const run = await services.runs.get(request.actor, request.params.run_id);
      // A run of another project than the one named is not found there.
      if (request.query.project_id !== undefined && request.query.project_id.toLowerCase() !== run.experiment_id) {
        throw new NotFoundError(`Run ${request.params.run_id} not found in project ${request.query.project_id}`);
      }
      const scores = await scoresOfRuns(services, request.actor, [run]);
      return presentRunV2(run, request.actor.workspaceId, request.query.selects, scores.get(run.id) ?? []);
    },
  });
}

/** The filters of a runs query (`/runs/query`, `/runs/stats`, `/api/v2/runs/query`) as the runs service's search. */
function runSearchOf(body: RunsQueryBody | RunStatsBody): RunSearch {
  refuseFilter(body.search_filter, 'search_filter', 'body');
  const references = body.reference_example ?? [];
  if (references.length > 1) throw ValidationError.field('/reference_example', 'may name one example at most on this server', { in: 'body' });
  return {
    ...(body.session ? { experiment_ids: body.session } : {}),
    ...(body.id ? { ids: body.id } : {}),
    ...(references[0] ? { record_id: references[0] } : {}),
    ...(body.trace ? { trace_id: body.trace } : {}),
    ...(body.parent_run ? { parent_run_id: body.parent_run } : {}),
    ...(body.run_type ? { run_type: body.run_type } : {}),
    ...(body.start_time !== undefined && body.start_time !== null ? { started_after: fromLangSmithTime(body.start_time) } : {}),
    // A root run is one with no parent; execution order 1 is LangSmith's older way to ask for them.
    ...(body.is_root === true || body.execution_order === 1 ? { root_only: true } : {}),
    ...(body.is_root === false ? { children_only: true } : {}),
    ...(body.error === true ? { status: 'error' as const } : {}),
    ...(body.error === false ? { failed: false } : {}),
    ...runFilterConditions(body),
  };
}

/** Runs as LangSmith's `Run`s, each with the feedback statistics of its scores. */
async function presentRuns(services: Services, actor: Actor, runs: readonly Run[]) {
  const scoresOf = await scoresOfRuns(services, actor, runs);
  return runs.map((run) => presentRun(run, actor.workspaceId, scoresOf.get(run.id) ?? []));
}

/** Every score of the runs, by run id. */
async function scoresOfRuns(services: Services, actor: Actor, runs: readonly Run[]): Promise<Map<string, Score[]>> {
  const scoresOf = new Map<string, Score[]>();
  const runIds = runs.map((run) => run.id);
  // Every page of the runs' scores: the statistics count them all.
  for (let cursor: string | undefined; runIds.length; ) {
    const page = await services.scores.search(actor, { run_ids: runIds, cursor, limit: 1_000 });
    for (const score of page.data) {
      const list = scoresOf.get(score.run_id!);
      if (list) list.push(score);
      else scoresOf.set(score.run_id!, [score]);
    }
    if (!page.next_cursor) break;
    cursor = page.next_cursor;
  }
  return scoresOf;
}
