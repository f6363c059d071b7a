import { NotFoundError } from '../../../domain/errors.js';
import type { Actor, ScoreConfig } from '../../../domain/types.js';
import type { SurfaceApp } from '../../../http/app.js';
import type { NewScoreConfig } from '../../../services/score-configs.js';
import type { Services } from '../../../services/index.js';
import type { Transaction } from '../../../store/database.js';
import { presentAnnotationQueue, presentQueuedRun } from '../present.js';
import {
  AnnotationQueueCreate,
  AnnotationQueueParams,
  AnnotationQueueQuery,
  AnnotationQueueUpdate,
  QueueIndexParams,
  QueueRunIds,
  QueueRunKeys,
  QueueRunParams,
  QueueRunsQuery,
  type RubricItem,
} from '../schemas.js';

/** The feedback key a queue made without a rubric asks reviewers for (LangSmith queues may have none; evalstore's need one). */
export const DEFAULT_RUBRIC_KEY = 'score';

/**
 * LangSmith's annotation queues (the SDK's createAnnotationQueue, list/read/update/delete,
 * addRunsToAnnotationQueue, getRunFromAnnotationQueue, listRunsFromAnnotationQueue,
 * getSizeFromAnnotationQueue, deleteRunFromAnnotationQueue) as evalstore's annotation queues. A
 * rubric item is the score config of its feedback key (made when there is none: categorical with
 * `value_descriptions`' keys, numeric with `score_descriptions`' bounds, else numeric). The table is
 * in docs/surfaces/langsmith.md.
 */
export function annotationQueueRoutes(app: SurfaceApp, services: Services): void {
  const queues = services.annotationQueues;

  app.post('/annotation-queues', {
    schema: { hide: true, body: AnnotationQueueCreate },
    handler: async (request) => {
      const body = request.body;
      const queue = await services.store.transaction(async (transaction) =>
        queues.create(
          request.actor,
          {
            ...(body.id ? { id: body.id } : {}),
            name: body.name,
            description: body.description ?? body.rubric_instructions ?? null,
            score_config_ids: await rubricConfigs(services, request.actor, body.rubric_items ?? null, transaction),
            ...(body.num_reviewers_per_item ? { reviews_needed: body.num_reviewers_per_item } : {}),
            ...(body.reservation_minutes ? { lease_seconds: body.reservation_minutes * 60 } : {}),
          },
          { transaction },
        ),
      );
      return presentAnnotationQueue(queue, request.actor.workspaceId);
    },
  });

  app.get('/annotation-queues', {
    schema: { hide: true, querystring: AnnotationQueueQuery },
    handler: async (request) => {
      const { ids, name, name_contains: nameContains, offset, limit } = request.query;
      const list = await queues.list(request.actor, { ids, name, name_contains: nameContains, offset, limit });
      return list.map((queue) => presentAnnotationQueue(queue, request.actor.workspaceId));
    },
  });

  app.get('/annotation-queues/:queue_id', {
    schema: { hide: true, params: AnnotationQueueParams },
    handler: async (request) => presentAnnotationQueue(await queues.get(request.actor, request.params.queue_id), request.actor.workspaceId),
  });

  app.patch('/annotation-queues/:queue_id', {
    schema: { hide: true, params: AnnotationQueueParams, body: AnnotationQueueUpdate },
    handler: async (request) => {
      const body = request.body;
      const configIds =
        body.rubric_items === undefined || body.rubric_items === null
          ? undefined
          : await services.store.transaction((transaction) => rubricConfigs(services, request.actor, body.rubric_items!, transaction));
      const queue = await queues.update(request.actor, request.params.queue_id, {
        ...(body.name === undefined ? {} : { name: body.name }),
        ...(body.description === undefined ? {} : { description: body.description }),
        ...(configIds ? { score_config_ids: configIds } : {}),
        ...(body.num_reviewers_per_item ? { reviews_needed: body.num_reviewers_per_item } : {}),
        ...(body.reservation_minutes ? { lease_seconds: body.reservation_minutes * 60 } : {}),
      });
      return presentAnnotationQueue(queue, request.actor.workspaceId);
    },
  });

  app.delete('/annotation-queues/:queue_id', {
    schema: { hide: true, params: AnnotationQueueParams },
    handler: async (request) => {
      await queues.delete(request.actor, request.params.queue_id);
      return {};
    },
  });

  const addRuns = async (actor: Actor, queueId: string, runIds: string[]) => {
    const added = await queues.addItems(actor, queueId, { run_ids: runIds });
    return added.item_ids.map((id, index) => ({ id, run_id: runIds[index], queue_id: queueId }));
  };

  app.post('/annotation-queues/:queue_id/runs', {
    config: { restate: { fields: [['run_ids', '']] } },
    schema: { hide: true, params: AnnotationQueueParams, body: QueueRunIds },
    handler: (request) => addRuns(request.actor, request.params.queue_id, request.body),
  });

  app.post('/annotation-queues/:queue_id/runs/by-key', {
    config: { restate: { lists: [['/run_ids', '']] } },
    schema: { hide: true, params: AnnotationQueueParams, body: QueueRunKeys },
    handler: (request) =>
      addRuns(
        request.actor,
        request.params.queue_id,
        request.body.map((key) => key.run_id),
      ),
  });

  app.get('/annotation-queues/:queue_id/runs', {
    schema: { hide: true, params: AnnotationQueueParams, querystring: QueueRunsQuery },
    handler: async (request) => {
      const { status, offset, limit } = request.query;
      const items = await queues.listItems(request.actor, request.params.queue_id, {
        ...(status === 'needs_my_review' || status === 'needs_others_review' || status === 'pending' ? { status: 'pending' } : {}),
        ...(status === 'completed' || status === 'done' ? { status: 'done' } : {}),
        offset,
        limit,
      });
      const shown = [];
      for (const item of items) if (item.run_id) shown.push(await queuedRun(services, request.actor, request.params.queue_id, item.id));
      return shown;
    },
  });

  app.get('/annotation-queues/:queue_id/run/:index', {
    schema: { hide: true, params: QueueIndexParams },
    handler: async (request) => {
      // The index-th run of the queue still waiting for reviews, in the order runs were added.
      const [item] = await queues.listItems(request.actor, request.params.queue_id, { status: 'pending', offset: request.params.index, limit: 1 });
      if (!item?.run_id) throw new NotFoundError('Run at index', request.params.index);
      return queuedRun(services, request.actor, request.params.queue_id, item.id);
    },
  });

  app.delete('/annotation-queues/:queue_id/runs/:queue_run_id', {
    schema: { hide: true, params: QueueRunParams },
    handler: async (request) => {
      await queues.removeItem(request.actor, request.params.queue_id, request.params.queue_run_id);
      return {};
    },
  });

  app.get('/annotation-queues/:queue_id/size', {
    schema: { hide: true, params: AnnotationQueueParams },
    handler: async (request) => ({ size: await queues.countItems(request.actor, request.params.queue_id, { status: 'pending' }) }),
  });
}

async function queuedRun(services: Services, actor: Actor, queueId: string, itemId: string) {
  const view = await services.annotationQueues.item(actor, queueId, itemId);
  if (!view.run) throw new NotFoundError('Run', view.run_id ?? undefined);
  return presentQueuedRun(view.run, view, actor.workspaceId, view.review?.updated_at ?? null);
}

/** The score configs of a rubric, in order: each feedback key's config, made from the rubric item when the workspace has none. */
async function rubricConfigs(services: Services, actor: Actor, items: readonly RubricItem[] | null, transaction: Transaction): Promise<string[]> {
  const rubric = items?.length ? items : [{ feedback_key: DEFAULT_RUBRIC_KEY }];
  const configs: ScoreConfig[] = [];
  for (const item of rubric) configs.push(await services.scoreConfigs.findOrCreate(actor, configOf(item), { transaction }));
  return configs.map((config) => config.id);
}

function configOf(item: RubricItem): NewScoreConfig {
  const description = item.description ?? null;
  const categories = Object.keys(item.value_descriptions ?? {});
  if (categories.length) return { name: item.feedback_key, type: 'categorical', categories, description };
  const bounds = Object.keys(item.score_descriptions ?? {})
    .map(Number)
    .filter(Number.isFinite);
  if (bounds.length >= 2) return { name: item.feedback_key, type: 'numeric', min: Math.min(...bounds), max: Math.max(...bounds), description };
  return { name: item.feedback_key, type: 'numeric', description };
}
