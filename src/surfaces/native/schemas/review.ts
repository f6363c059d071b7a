import { Type } from '@sinclair/typebox';
import { SCORE_CONFIG_TYPES } from '../../../domain/types.js';
import { JsonObjectSchema, JsonValue } from '../../../domain/record-schema.js';
import { Description, Id, Nullable, Timestamp } from './common.js';
import { CompareFields, RowsBody } from './comparisons.js';
import { DatasetRecord } from './datasets.js';
import { Run } from './experiments.js';

/** Score configs, annotation queues, their items and reviews, and agreement: as the routes of review.ts take and answer them. */

const ConfigType = Type.Union(
  SCORE_CONFIG_TYPES.map((type) => Type.Literal(type)),
  { description: 'numeric (with optional min and max), boolean, or categorical (with its categories)' },
);
const ScoreKey = Type.String({ minLength: 1, maxLength: 200 });
const Categories = Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { minItems: 1, maxItems: 100 });

export const ScoreConfig = Type.Object({
  id: Id,
  name: Type.String({ description: 'The score key it governs' }),
  type: ConfigType,
  min: Nullable(Type.Number()),
  max: Nullable(Type.Number()),
  categories: Nullable(Type.Array(Type.String())),
  description: Description,
  comment_required: Type.Boolean(),
  created_at: Timestamp,
  updated_at: Timestamp,
});

export const ScoreConfigCreate = Type.Object(
  {
    name: ScoreKey,
    type: ConfigType,
    min: Type.Optional(Nullable(Type.Number())),
    max: Type.Optional(Nullable(Type.Number())),
    categories: Type.Optional(Nullable(Categories)),
    description: Type.Optional(Description),
    comment_required: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export const ScoreConfigUpdate = Type.Object(
  {
    min: Type.Optional(Nullable(Type.Number())),
    max: Type.Optional(Nullable(Type.Number())),
    categories: Type.Optional(Nullable(Categories)),
    description: Type.Optional(Description),
    comment_required: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const ScoreConfigParams = Type.Object({ score_config_id: Id });

// Annotation queues

const ReviewerSchema = Type.Object({ id: Type.String(), name: Nullable(Type.String()) });
const ReviewsNeeded = Type.Integer({ minimum: 1, maximum: 100, description: 'Reviews each item needs before it is done (default 1)' });
const LeaseSeconds = Type.Integer({ minimum: 1, maximum: 86_400, description: 'How long an item taken stays the reviewer’s (default 600)' });
const Reviewers = Nullable(
  Type.Array(Type.String({ minLength: 1, maxLength: 200 }), {
    maxItems: 1_000,
    description: 'User (or key) ids of the assigned reviewers; null: anyone who may score',
  }),
);
const ScoreConfigIds = Type.Array(Id, { minItems: 1, maxItems: 50, description: 'The score configs reviewers fill in (at least one)' });

export const AnnotationQueue = Type.Object({
  id: Id,
  name: Type.String(),
  description: Description,
  score_config_ids: Type.Array(Id),
  score_configs: Type.Array(ScoreConfig),
  reviews_needed: Type.Integer(),
  reviewers: Reviewers,
  lease_seconds: Type.Integer(),
  created_at: Timestamp,
  updated_at: Timestamp,
});

export const AnnotationQueueCreate = Type.Object(
  {
    id: Type.Optional(Id),
    name: Type.String({ minLength: 1, maxLength: 500 }),
    description: Type.Optional(Description),
    score_config_ids: Type.Array(Id, { maxItems: 50, description: 'The score configs reviewers fill in: at least one' }),
    reviews_needed: Type.Optional(ReviewsNeeded),
    reviewers: Type.Optional(Reviewers),
    lease_seconds: Type.Optional(LeaseSeconds),
  },
  { additionalProperties: false },
);

export const AnnotationQueueUpdate = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
    description: Type.Optional(Description),
    score_config_ids: Type.Optional(ScoreConfigIds),
    reviews_needed: Type.Optional(ReviewsNeeded),
    reviewers: Type.Optional(Reviewers),
    lease_seconds: Type.Optional(LeaseSeconds),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const AnnotationQueueQuery = Type.Object(
  {
    name: Type.Optional(Type.String()),
    name_contains: Type.Optional(Type.String({ minLength: 1 })),
    offset: Type.Optional(Type.Integer({ minimum: 0 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000 })),
  },
  { additionalProperties: false },
);

export const QueueParams = Type.Object({ queue_id: Id });
export const ItemParams = Type.Object({ queue_id: Id, item_id: Id });

const RunsWhere = Type.Object(
  {
    experiment_id: Id,
    score_key: Type.Optional(Type.String({ minLength: 1 })),
    score_min: Type.Optional(Type.Number()),
    score_max: Type.Optional(Type.Number()),
    score_value: Type.Optional(Type.String()),
    missing_score_key: Type.Optional(Type.String({ minLength: 1 })),
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 1_000 })),
    metadata: Type.Optional(JsonObjectSchema),
    record_metadata: Type.Optional(JsonObjectSchema),
    tags: Type.Optional(Type.Array(Type.String())),
    splits: Type.Optional(Type.Array(Type.String())),
    min_total_tokens: Type.Optional(Type.Integer({ minimum: 0 })),
    max_total_tokens: Type.Optional(Type.Integer({ minimum: 0 })),
  },
  {
    additionalProperties: false,
    description:
      'The result runs of an experiment that pass the run filters of the runs list (e.g. `score_key: "judge", score_max: 0.5`: runs a judge scored at most 0.5)',
  },
);

const ComparisonItems = Type.Object(
  {
    ...CompareFields,
    change: RowsBody.properties.change,
    q: RowsBody.properties.q,
    experiment_id: Type.Optional(
      Type.String({ format: 'uuid', description: 'Whose runs are added: by default the changed experiment, else the first that is not the baseline' }),
    ),
  },
  {
    additionalProperties: false,
    description:
      'The runs of an experiment on the records a comparison answers, e.g. `baseline_id` and `change: {kind: "regressed", key: "correct"}`: the runs that regressed on `correct`',
  },
);

export const ItemsAdd = Type.Object(
  {
    run_ids: Type.Optional(Type.Array(Id, { maxItems: 10_000 })),
    record_ids: Type.Optional(Type.Array(Id, { maxItems: 10_000, description: 'Current records of any dataset of the workspace' })),
    runs_where: Type.Optional(RunsWhere),
    comparison: Type.Optional(ComparisonItems),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const ItemsAdded = Type.Object({
  item_ids: Type.Array(Id, { description: 'Every item named, in order, those already queued too' }),
  added: Type.Integer(),
});

export const AnnotationItem = Type.Object({
  id: Id,
  queue_id: Id,
  kind: Type.Union([Type.Literal('run'), Type.Literal('record')]),
  run_id: Nullable(Id),
  dataset_id: Nullable(Id),
  record_id: Nullable(Id),
  reviews: Type.Integer(),
  done: Type.Boolean(),
  done_at: Nullable(Timestamp),
  created_at: Timestamp,
});

export const ItemQuery = Type.Object(
  {
    status: Type.Optional(Type.Union([Type.Literal('pending'), Type.Literal('done')])),
    offset: Type.Optional(Type.Integer({ minimum: 0 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000 })),
  },
  { additionalProperties: false },
);

export const AnnotationReview = Type.Object({
  id: Id,
  queue_id: Id,
  item_id: Id,
  reviewer: ReviewerSchema,
  status: Type.Union([Type.Literal('reviewed'), Type.Literal('skipped')]),
  scores: Type.Record(Type.String(), JsonValue),
  score_ids: Type.Array(Id),
  comment: Nullable(Type.String()),
  correction: JsonValue,
  correction_version: Nullable(Type.Integer()),
  created_at: Timestamp,
  updated_at: Timestamp,
});

export const AnnotationItemView = Type.Composite([
  AnnotationItem,
  Type.Object({
    run: Nullable(Run),
    record: Nullable(DatasetRecord),
    trace: Type.Array(Run, { description: 'The runs of the run’s trace' }),
    review: Nullable(AnnotationReview),
    lease_expires_at: Nullable(Timestamp),
  }),
]);

export const NextItem = Type.Object({ item: Nullable(AnnotationItemView) }, { description: 'The item leased to you, or null when none is left for you' });

export const PreviousQuery = Type.Object({ before: Type.Optional(Id) }, { additionalProperties: false });

export const ReviewBody = Type.Object(
  {
    scores: Type.Record(Type.String(), JsonValue, {
      description: 'A value per score config of the queue, by config name: a number, true/false, or a category',
    }),
    comment: Type.Optional(Nullable(Type.String({ maxLength: 100_000 }))),
    correction: Type.Optional(JsonValue),
    commit_correction: Type.Optional(Type.Boolean({ description: 'Commit the correction as the record’s expected output now (one new dataset version)' })),
  },
  { additionalProperties: false },
);

export const ReviewAnswer = Type.Object({ review: AnnotationReview, item: AnnotationItem });

export const Progress = Type.Object({
  items: Type.Integer(),
  done: Type.Integer(),
  reviews: Type.Integer(),
  reviews_needed: Type.Integer(),
  reviewers: Type.Array(Type.Object({ reviewer: ReviewerSchema, reviewed: Type.Integer(), skipped: Type.Integer() })),
  mine: Type.Object({ reviewed: Type.Integer(), skipped: Type.Integer(), remaining: Type.Integer() }),
});

export const CorrectionsCommit = Type.Object({ message: Type.Optional(Type.String({ maxLength: 2_000 })) }, { additionalProperties: false });

export const CorrectionsCommitted = Type.Object({
  versions: Type.Array(Type.Object({ dataset_id: Id, version: Nullable(Type.Integer()), records: Type.Integer() })),
});

export const Agreement = Type.Object({
  queue_id: Id,
  items: Type.Integer({ description: 'Items with two or more reviews' }),
  configs: Type.Array(
    Type.Object({
      score_config_id: Id,
      name: Type.String(),
      type: ConfigType,
      level: Type.Union([Type.Literal('nominal'), Type.Literal('interval')]),
      items: Type.Integer(),
      reviewers: Type.Integer(),
      percent_agreement: Nullable(Type.Number()),
      cohen_kappa: Nullable(Type.Number({ description: 'With exactly two reviewers' })),
      krippendorff_alpha: Nullable(Type.Number()),
      disagreements: Type.Array(
        Type.Object({
          item_id: Id,
          run_id: Nullable(Id),
          record_id: Nullable(Id),
          disagreement: Type.Number(),
          values: Type.Array(Type.Object({ reviewer: ReviewerSchema, value: JsonValue })),
        }),
      ),
    }),
  ),
});
