import { Type } from '@sinclair/typebox';
import { SCORE_CONFIG_TYPES } from '../../../domain/types.js';
import { Description, Id, Nullable, Timestamp } from './common.js';

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
