import { Type } from '@sinclair/typebox';
import type { SurfaceApp } from '../../../http/app.js';
import type { AnnotationItemView } from '../../../services/annotation-queues.js';
import type { Services } from '../../../services/index.js';
import { presentDeletion, presentRun } from '../present.js';
import { Errors, NoContent } from '../schemas/common.js';
import {
  Agreement,
  AnnotationItem,
  AnnotationItemView as ItemViewSchema,
  AnnotationQueue,
  AnnotationQueueCreate,
  AnnotationQueueQuery,
  AnnotationQueueUpdate,
  AnnotationReview,
  CorrectionsCommit,
  CorrectionsCommitted,
  ItemParams,
  ItemQuery,
  ItemsAdd,
  ItemsAdded,
  NextItem,
  PreviousQuery,
  Progress,
  QueueParams,
  ReviewAnswer,
  ReviewBody,
} from '../schemas/review.js';

const tags = ['Review'];

/** An item as the native API shows it: its run and trace as runs are shown. */
function presentItemView(item: AnnotationItemView) {
  return { ...item, run: item.run && presentRun(item.run), trace: item.trace.map(presentRun) };
}

function presentMaybe(item: AnnotationItemView | null) {
  return { item: item && presentItemView(item) };
}

export function annotationQueueRoutes(app: SurfaceApp, services: Services): void {
  const queues = services.annotationQueues;

  app.post('/annotation-queues', {
    schema: {
      summary: 'Create an annotation queue',
      description:
        'A queue of runs and dataset records for people to review: the score configs reviewers fill in (at least one), how many reviews each item needs, and optionally who may review.',
      tags,
      body: AnnotationQueueCreate,
      response: { 201: AnnotationQueue, ...Errors },
    },
    handler: async (request, reply) => reply.status(201).send(await queues.create(request.actor, request.body)),
  });

  app.get('/annotation-queues', {
    schema: {
      summary: 'List annotation queues, newest first',
      tags,
      querystring: AnnotationQueueQuery,
      response: { 200: Type.Object({ data: Type.Array(AnnotationQueue) }), ...Errors },
    },
    handler: async (request) => ({ data: await queues.list(request.actor, request.query) }),
  });

  app.get('/annotation-queues/:queue_id', {
    schema: { summary: 'Get an annotation queue', tags, params: QueueParams, response: { 200: AnnotationQueue, ...Errors } },
    handler: (request) => queues.get(request.actor, request.params.queue_id),
  });

  app.patch('/annotation-queues/:queue_id', {
    schema: {
      summary: 'Update an annotation queue',
      description: 'Changing `reviews_needed` marks items done or open again by the reviews they have.',
      tags,
      params: QueueParams,
      body: AnnotationQueueUpdate,
      response: { 200: AnnotationQueue, ...Errors },
    },
    handler: (request) => queues.update(request.actor, request.params.queue_id, request.body),
  });

  app.delete('/annotation-queues/:queue_id', {
    schema: { summary: 'Delete an annotation queue with its items and reviews (the scores written stay)', tags, params: QueueParams, response: NoContent },
    handler: (request, reply) => presentDeletion(reply, queues.delete(request.actor, request.params.queue_id)),
  });

  app.post('/annotation-queues/:queue_id/items', {
    schema: {
      summary: 'Add items',
      description:
        'Runs and records by id, the runs of an experiment that pass run filters (`runs_where`), or the runs on the records a comparison answers (`comparison`: e.g. those that regressed on a score against the baseline). Items already queued are not added again. One transaction.',
      tags,
      params: QueueParams,
      body: ItemsAdd,
      response: { 201: ItemsAdded, ...Errors },
    },
    handler: async (request, reply) => reply.status(201).send(await queues.addItems(request.actor, request.params.queue_id, request.body)),
  });

  app.get('/annotation-queues/:queue_id/items', {
    schema: {
      summary: "List a queue's items",
      tags,
      params: QueueParams,
      querystring: ItemQuery,
      response: { 200: Type.Object({ data: Type.Array(AnnotationItem) }), ...Errors },
    },
    handler: async (request) => ({ data: await queues.listItems(request.actor, request.params.queue_id, request.query) }),
  });

  app.get('/annotation-queues/:queue_id/items/:item_id', {
    schema: {
      summary: 'Get an item as a reviewer sees it',
      description: "The run (input, output), its record (expected output), the run's trace, your review of it and your lease.",
      tags,
      params: ItemParams,
      response: { 200: ItemViewSchema, ...Errors },
    },
    handler: async (request) => presentItemView(await queues.item(request.actor, request.params.queue_id, request.params.item_id)),
  });

  app.delete('/annotation-queues/:queue_id/items/:item_id', {
    schema: { summary: 'Remove an item with its reviews (the scores written stay)', tags, params: ItemParams, response: NoContent },
    handler: (request, reply) => presentDeletion(reply, queues.removeItem(request.actor, request.params.queue_id, request.params.item_id)),
  });

  app.post('/annotation-queues/:queue_id/next', {
    config: { access: 'score' },
    schema: {
      summary: 'Take the next item to review',
      description:
        'Leases you an item for the queue’s lease_seconds: the one you hold already, else the oldest that still needs a review, that you have neither reviewed nor skipped, and that is not leased to as many other reviewers as it still needs reviews. `item` is null when none is left for you.',
      tags,
      params: QueueParams,
      response: { 200: NextItem, ...Errors },
    },
    handler: async (request) => presentMaybe(await queues.next(request.actor, request.params.queue_id)),
  });

  app.post('/annotation-queues/:queue_id/items/:item_id/review', {
    config: { access: 'score' },
    schema: {
      summary: 'Review an item',
      description:
        "A value for each of the queue's score configs (checked against it), a comment and an optional correction of the expected output (committed now with `commit_correction`, or later with the queue's corrections). Written as scores of the run with source `human`, naming you. The item must be leased to you (409 otherwise), or reviewed by you before (your review is replaced).",
      tags,
      params: ItemParams,
      body: ReviewBody,
      response: { 200: ReviewAnswer, ...Errors },
    },
    handler: (request) => queues.review(request.actor, request.params.queue_id, request.params.item_id, request.body),
  });

  app.post('/annotation-queues/:queue_id/items/:item_id/skip', {
    config: { access: 'score' },
    schema: {
      summary: 'Skip an item leased to you',
      description: 'It is not served to you again; others may take it.',
      tags,
      params: ItemParams,
      response: { 200: AnnotationReview, ...Errors },
    },
    handler: (request) => queues.skip(request.actor, request.params.queue_id, request.params.item_id),
  });

  app.get('/annotation-queues/:queue_id/previous', {
    schema: {
      summary: 'Go back: the item you reviewed or skipped before `before` (or last)',
      tags,
      params: QueueParams,
      querystring: PreviousQuery,
      response: { 200: NextItem, ...Errors },
    },
    handler: async (request) => presentMaybe(await queues.previous(request.actor, request.params.queue_id, request.query.before)),
  });

  app.get('/annotation-queues/:queue_id/progress', {
    schema: { summary: "A queue's progress, and yours", tags, params: QueueParams, response: { 200: Progress, ...Errors } },
    handler: (request) => queues.progress(request.actor, request.params.queue_id),
  });

  app.post('/annotation-queues/:queue_id/corrections/commit', {
    schema: {
      summary: "Commit the queue's corrections",
      description:
        'Every correction not committed yet becomes its record’s expected output: one new version per dataset (the latest correction of a record wins).',
      tags,
      params: QueueParams,
      body: Type.Optional(CorrectionsCommit),
      response: { 200: CorrectionsCommitted, ...Errors },
    },
    handler: (request) => queues.commitCorrections(request.actor, request.params.queue_id, request.body ?? {}),
  });

  app.get('/annotation-queues/:queue_id/agreement', {
    schema: {
      summary: 'Agreement between reviewers',
      description:
        "Per score config, over the items with two or more reviews: percent agreement, Cohen's kappa (exactly two reviewers), Krippendorff's alpha (nominal for boolean and categorical configs, interval for numeric), and the items reviewers disagree on most. Formulas in docs/review.md.",
      tags,
      params: QueueParams,
      response: { 200: Agreement, ...Errors },
    },
    handler: (request) => queues.agreement(request.actor, request.params.queue_id),
  });
}
