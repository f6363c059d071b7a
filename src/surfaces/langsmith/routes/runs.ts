import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { ValidationError } from '../../../domain/errors.js';
import { isJsonObject, type JsonObject } from '../../../domain/json.js';
import { LIMITS } from '../../../domain/limits.js';
import type { Actor, Run, Score } from '../../../domain/types.js';
import { compileChecker } from '../../../domain/validation.js';
import { bufferedParts } from '../../../http/multipart.js';
import type { Services } from '../../../services/index.js';
import type { IngestedRun, RunBatch } from '../../../services/run-ingest.js';
import type { RunUpdate } from '../../../services/runs.js';
import type { PlacedScore } from '../../../services/scores.js';
import type { Loc } from '../../../http/fastapi.js';
import type { SurfaceApp } from '../../../http/app.js';
import type { BodyLocator } from '../errors.js';
import { scoreFieldLoc, toPlacedScore } from '../feedback.js';
import { presentRun } from '../present.js';
import { REFERENCE_KEPT_AS, runFieldLoc, toIngestedRun, toRunUpdate, type RunAttachment } from '../runs.js';
import { FeedbackPart, RunBatchBody, RunBody, RunsQueryBody, Uuid, type FeedbackCreate } from '../schemas.js';
import { fromLangSmithTime } from '../times.js';
import { checkPart, jsonOfPart, partPointer, refuseFilter } from './shared.js';

const runParams = Type.Object({ run_id: Uuid });

/** Where each new run, change and feedback of a multipart request came from (its part), for the locations of faults. */
const partsOf = new WeakMap<FastifyRequest, { create: string[]; update: string[]; scores: string[] }>();

/**
 * LangSmith's run routes (spec §6, §8): the SDK's ingestion (`/runs/multipart`, `/runs/batch`, and
 * `POST /runs` + `PATCH /runs/{id}` when it does not batch), and reads. Every ingest request is one
 * transaction; changes and feedback sent before their run are kept until it arrives.
 */
export function runRoutes(app: SurfaceApp, services: Services): void {
  const ingest = (actor: Actor, batch: RunBatch) =>
    services.runIngest.ingest(actor, batch, { source: 'langsmith', recordKeyForStreams: REFERENCE_KEPT_AS });

  app.post('/runs/multipart', {
    bodyLimit: LIMITS.bulkBodyBytes,
    config: { langsmithBody: multipartLocator, langsmithGoErrors: true },
    schema: { hide: true },
    handler: async (request, reply) => {
      await ingest(request.actor, batchOfParts(request));
      return reply.status(202).send({});
    },
  });

  app.post('/runs/batch', {
    bodyLimit: LIMITS.bulkBodyBytes,
    config: { langsmithBody: batchLocator, langsmithGoErrors: true },
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
    config: { langsmithBody: singleRunLocator, langsmithGoErrors: true },
    schema: { hide: true, body: RunBody },
    handler: async (request, reply) => {
      await ingest(request.actor, { create: [toIngestedRun(request.body)] });
      return reply.status(202).send({});
    },
  });

  app.patch('/runs/:run_id', {
    config: { langsmithBody: singleRunLocator, langsmithGoErrors: true },
    schema: { hide: true, params: runParams, body: RunBody },
    handler: async (request, reply) => {
      await ingest(request.actor, { update: [toRunUpdate(request.body, request.params.run_id)] });
      return reply.status(202).send({});
    },
  });

  app.get('/runs/:run_id', {
    schema: { hide: true, params: runParams },
    handler: async (request) => (await presentRuns(services, request.actor, [await services.runs.get(request.actor, request.params.run_id)]))[0],
  });

  app.post('/runs/query', {
    config: { access: 'read' },
    schema: { hide: true, body: RunsQueryBody },
    handler: async (request) => {
      const body = request.body;
      for (const field of ['query', 'filter', 'trace_filter', 'tree_filter', 'search_filter'] as const) refuseFilter(body[field], field, 'body');
      const references = body.reference_example ?? [];
      if (references.length > 1) throw ValidationError.field('/reference_example', 'may name one example at most on this server', { in: 'body' });
      const page = await services.runs.search(request.actor, {
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
        cursor: body.cursor ?? undefined,
        limit: body.limit ?? 100,
        order: body.order ?? 'asc',
      });
      return { runs: await presentRuns(services, request.actor, page.data), cursors: { next: page.next_cursor } };
    },
  });
}

/** Runs as LangSmith's `Run`s, each with the feedback statistics of its scores. */
async function presentRuns(services: Services, actor: Actor, runs: readonly Run[]) {
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
  return runs.map((run) => presentRun(run, actor.workspaceId, scoresOf.get(run.id) ?? []));
}

const checkRun = compileChecker(RunBody);
const checkFeedback = compileChecker(FeedbackPart);

/**
 * The runs, changes and feedback of a multipart ingest request (spec §6.2): parts `post.<run id>` and
 * `patch.<run id>` hold a run's fields, with big fields in parts of their own (`post.<id>.inputs`, …);
 * `attachment.<run id>.<name>` parts are files of the run; `feedback.<id>` parts are feedback.
 */
function batchOfParts(request: FastifyRequest): RunBatch {
  const parts = bufferedParts(request);
  const runs = new Map<string, { event: 'post' | 'patch'; id: string; body: JsonObject }>();
  const attachments = new Map<string, Record<string, RunAttachment>>();
  const feedback: { part: string; body: JsonObject }[] = [];
  for (const part of parts) {
    const at = partPointer(part.name);
    const run = /^(post|patch)\.([0-9a-fA-F-]{36})(?:\.([A-Za-z_]+))?$/.exec(part.name);
    const attachment = /^attachment\.([0-9a-fA-F-]{36})\.([^.]+)$/.exec(part.name);
    if (run) {
      const [, event, id, field] = run as unknown as [string, 'post' | 'patch', string, string | undefined];
      const key = `${event}.${id.toLowerCase()}`;
      const entry = runs.get(key) ?? { event, id: id.toLowerCase(), body: {} };
      runs.set(key, entry);
      const value = jsonOfPart(part);
      if (field === undefined) {
        if (!isJsonObject(value)) throw ValidationError.field(at, 'must be a JSON object', { in: 'body' });
        Object.assign(entry.body, value);
      } else {
        entry.body[field] = value;
      }
    } else if (attachment) {
      const runId = attachment[1]!.toLowerCase();
      const files = attachments.get(runId) ?? {};
      files[attachment[2]!] = { mime_type: part.contentType.split(';')[0]!.trim(), data: part.data.toString('base64') };
      attachments.set(runId, files);
    } else if (/^feedback\.[0-9a-fA-F-]{36}$/.test(part.name)) {
      const value = jsonOfPart(part);
      if (!isJsonObject(value)) throw ValidationError.field(at, 'must be a JSON object', { in: 'body' });
      feedback.push({ part: part.name, body: value });
    } else {
      throw ValidationError.field(at, 'is not a part LangSmith ingestion knows: post.<run id>[.<field>], patch.<run id>[.<field>], attachment.<run id>.<name> or feedback.<id>', { in: 'body' });
    }
  }

  const sources = { create: [] as string[], update: [] as string[], scores: [] as string[] };
  const create: IngestedRun[] = [];
  const update: RunUpdate[] = [];
  for (const [key, { event, id, body }] of runs) {
    checkPart(checkRun, { ...body, id }, key);
    const files = attachments.get(id);
    attachments.delete(id);
    if (event === 'post') {
      create.push(toIngestedRun({ ...body, id } as RunBody, files));
      sources.create.push(key);
    } else {
      update.push(toRunUpdate(body as RunBody, id, files));
      sources.update.push(key);
    }
  }
  // Files of a run sent without it are a change to the run (kept until it arrives, if need be).
  for (const [id, files] of attachments) {
    update.push(toRunUpdate({}, id, files));
    sources.update.push(`attachment.${id}`);
  }
  const scores: PlacedScore[] = feedback.map(({ part, body }) => {
    checkPart(checkFeedback, body, part);
    sources.scores.push(part);
    return toPlacedScore(body as FeedbackCreate);
  });
  partsOf.set(request, sources);
  return { create, update, scores };
}

/** A fault of the i-th run, change or score of the ingest service, located by `where` (its place in the request). */
function ingestLoc(segments: string[], where: (list: 'create' | 'update' | 'scores', index: number) => Loc | undefined): Loc {
  const [list, index, ...rest] = segments;
  if ((list === 'create' || list === 'update' || list === 'scores') && index !== undefined) {
    const place = where(list, Number(index));
    if (place) return [...place, ...(list === 'scores' ? scoreFieldLoc(rest) : runFieldLoc(rest))];
  }
  return segments;
}

const multipartLocator: BodyLocator = (segments, request) =>
  ingestLoc(segments, (list, index) => {
    const part = partsOf.get(request)?.[list][index];
    return part === undefined ? undefined : [part];
  });

const batchLocator: BodyLocator = (segments) => ingestLoc(segments, (list, index) => (list === 'scores' ? undefined : [list === 'create' ? 'post' : 'patch', index]));

const singleRunLocator: BodyLocator = (segments) => ingestLoc(segments, () => []);
