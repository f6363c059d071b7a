import { Type, type Static } from '@sinclair/typebox';
import type { Json, JsonObject } from '../../domain/json.js';
import { LIMITS } from '../../domain/limits.js';

/**
 * Request shapes of Arize AX's REST v2 (its OpenAPI document in @arizeai/ax-client, bounds from the
 * generated models of its Python client). Top-level fields are checked strictly; the rows inside
 * (examples, runs) hold user-defined columns and take any.
 */

/** AX's limit of examples and runs per write request. */
const ARIZE_ITEMS_PER_REQUEST = 1_000;

const Name = Type.String({ minLength: 1, maxLength: LIMITS.nameLength, pattern: '\\S' });
const Cursor = Type.Optional(Type.String({ description: 'pagination.next_cursor of the previous page' }));
const Limit = (maximum: number) => Type.Optional(Type.Integer({ minimum: 1, maximum, default: 50 }));

/** One example: user-defined columns, at least one. */
const ExampleRow = Type.Unsafe<JsonObject>({ type: 'object', minProperties: 1 });
const Examples = Type.Array(ExampleRow, { minItems: 1, maxItems: ARIZE_ITEMS_PER_REQUEST });

export const SpaceQuery = Type.Object(
  { org_id: Type.Optional(Type.String()), name: Type.Optional(Type.String()), limit: Limit(100), cursor: Cursor },
  { additionalProperties: false },
);

export const ProjectQuery = Type.Object(
  { space_id: Type.Optional(Type.String()), space_name: Type.Optional(Type.String()), name: Type.Optional(Type.String()), limit: Limit(100), cursor: Cursor },
  { additionalProperties: false },
);
export const ProjectParams = Type.Object({ project_id: Type.String() });

export const DatasetQuery = Type.Object(
  {
    space_id: Type.Optional(Type.String()),
    space_name: Type.Optional(Type.String()),
    name: Type.Optional(Type.String({ maxLength: 255 })),
    limit: Limit(100),
    cursor: Cursor,
  },
  { additionalProperties: false },
);

export const DatasetCreate = Type.Object({ name: Name, space_id: Type.String(), examples: Examples }, { additionalProperties: false });

export const DatasetUpdate = Type.Object({ name: Name }, { additionalProperties: false });

export const ExampleQuery = Type.Object(
  { dataset_version_id: Type.Optional(Type.String()), limit: Limit(500), cursor: Cursor },
  { additionalProperties: false },
);

export const VersionQuery = Type.Object({ dataset_version_id: Type.Optional(Type.String()) }, { additionalProperties: false });

export const ExamplesAppend = Type.Object({ examples: Examples }, { additionalProperties: false });

const ExampleUpdateRow = Type.Unsafe<JsonObject & { id: string }>({
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1 } },
});

export const ExamplesUpdate = Type.Object(
  {
    examples: Type.Array(ExampleUpdateRow, { minItems: 1, maxItems: ARIZE_ITEMS_PER_REQUEST }),
    new_version: Type.Optional(Type.String({ maxLength: LIMITS.nameLength })),
  },
  { additionalProperties: false },
);

export const ExamplesDelete = Type.Object(
  {
    dataset_version_id: Type.String({ minLength: 1 }),
    example_ids: Type.Array(Type.String({ minLength: 1 }), { minItems: 1, maxItems: ARIZE_ITEMS_PER_REQUEST, uniqueItems: true }),
  },
  { additionalProperties: false },
);

/** A run: `output` (a string) is required; `example_id` is required on a dataset experiment (checked by the service). */
const RunRow = Type.Unsafe<{ id?: string; example_id?: string | null; output: string; error?: string | null; [column: string]: Json | undefined }>({
  type: 'object',
  required: ['output'],
  properties: {
    id: { type: 'string', minLength: 1 },
    example_id: { type: ['string', 'null'] },
    output: { type: 'string' },
    error: { type: ['string', 'null'] },
  },
});

export const ExperimentQuery = Type.Object(
  {
    dataset_id: Type.Optional(Type.String()),
    space_id: Type.Optional(Type.String()),
    name: Type.Optional(Type.String({ maxLength: 255 })),
    limit: Limit(100),
    cursor: Cursor,
  },
  { additionalProperties: false },
);

export const ExperimentCreate = Type.Object(
  {
    name: Name,
    dataset_id: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    space_id: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    // AX states no bound for a create; evalstore's bound for one request of runs applies.
    experiment_runs: Type.Array(RunRow, { minItems: 1, maxItems: LIMITS.recordsPerRequest }),
  },
  { additionalProperties: false },
);

export const RunsAppend = Type.Object(
  { experiment_runs: Type.Array(RunRow, { minItems: 1, maxItems: ARIZE_ITEMS_PER_REQUEST }) },
  { additionalProperties: false },
);

/** `POST /v2/experiments/{id}/runs/annotate` (and examples'): annotation values by record, by annotation name. */
export const AnnotateBody = Type.Object(
  {
    annotations: Type.Array(
      Type.Object(
        {
          record_id: Type.String({ minLength: 1 }),
          values: Type.Array(
            Type.Object(
              {
                name: Type.String({ minLength: 1, maxLength: 200 }),
                score: Type.Optional(Type.Number()),
                label: Type.Optional(Type.String()),
                text: Type.Optional(Type.String()),
              },
              { additionalProperties: false },
            ),
            { minItems: 1, maxItems: 50 },
          ),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: ARIZE_ITEMS_PER_REQUEST },
    ),
  },
  { additionalProperties: false },
);

export type AnnotateBody = Static<typeof AnnotateBody>;

export const RunQuery = Type.Object({ limit: Limit(500), cursor: Cursor }, { additionalProperties: false });

export const DatasetParams = Type.Object({ dataset_id: Type.String() });
export const ExperimentParams = Type.Object({ experiment_id: Type.String() });
export const SpaceParams = Type.Object({ space_id: Type.String() });

export type RunRowInput = Static<typeof RunRow>;
