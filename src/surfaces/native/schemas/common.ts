import { Type, type TSchema } from '@sinclair/typebox';
import { LIMITS } from '../../../domain/limits.js';

/**
 * The native API's schemas validate requests, shape responses, and are the OpenAPI document: one
 * definition for all three. This module holds the pieces every resource's schemas use; each other
 * module of schemas/ holds those of one group of routes.
 */

export const Id = Type.String({ format: 'uuid' });
export const Timestamp = Type.String({ format: 'date-time' });
export const Name = Type.String({ minLength: 1, maxLength: LIMITS.nameLength });
export const Description = Type.Union([Type.String({ maxLength: LIMITS.descriptionLength }), Type.Null()]);
/** A description as stored, in responses: unbounded, so that no stored value can make a response fail to serialize. */
export const StoredDescription = Type.Union([Type.String(), Type.Null()]);

/** `schema`, or null. */
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/** Registered once as a shared schema (see `sharedSchemas`), so routes and the OpenAPI document refer to it. */
export const Problem = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    instance: Type.String(),
    code: Type.String({ description: 'Stable error code: validation_failed, not_found, conflict, unauthorized, forbidden, payload_too_large, ...' }),
    errors: Type.Optional(
      Type.Array(
        Type.Object({
          pointer: Type.String({ description: 'JSON pointer to the value at fault, within the part named by `in`' }),
          detail: Type.String(),
          in: Type.Optional(
            Type.Union(
              ['body', 'query', 'params', 'headers', 'line'].map((part) => Type.Literal(part)),
              { description: 'The part of the request' },
            ),
          ),
          line: Type.Optional(Type.Integer({ description: 'Line of a streamed upload' })),
          column: Type.Optional(Type.String({ description: 'Column of a CSV upload' })),
        }),
      ),
    ),
  },
  { $id: 'Problem', description: 'RFC 9457 problem details' },
);

/** Schemas the native routes refer to by `$ref`; the server registers them before the routes. */
export const sharedSchemas = [Problem];

const ProblemRef = Type.Ref(Problem);

export const Errors = {
  400: ProblemRef,
  401: ProblemRef,
  403: ProblemRef,
  404: ProblemRef,
  409: ProblemRef,
  413: ProblemRef,
};

/** The responses of a route that answers 204 No Content (a deletion). */
export const NoContent = { 204: Type.Null(), ...Errors };

export function Page<T extends TSchema>(item: T) {
  return Type.Object({
    data: Type.Array(item),
    next_cursor: Type.Union([Type.String(), Type.Null()], { description: 'Pass as `cursor` for the next page; null on the last page' }),
  });
}

export const PageQuery = {
  cursor: Type.Optional(Type.String({ description: 'From `next_cursor` of the previous page' })),
  limit: Type.Optional(
    Type.Integer({ minimum: 1, maximum: LIMITS.pageSizeMax, default: LIMITS.pageSizeDefault, description: `Page size, at most ${LIMITS.pageSizeMax}` }),
  ),
};

export const VersionParam = Type.String({
  minLength: 1,
  description: 'A version number, a version name, or `latest` (the default)',
});

/** Exports: JSONL (the default) or CSV. */
export const ExportFormat = Type.Optional(Type.Union([Type.Literal('jsonl'), Type.Literal('csv')], { default: 'jsonl' }));

export const DatasetParams = Type.Object({ dataset_id: Id });
export const ExperimentParams = Type.Object({ experiment_id: Id });

/** `key=value` filters on metadata, repeatable (read by parseMetadataFilters). */
export const MetadataFilter = (things: string) =>
  Type.Optional(
    Type.Array(Type.String({ pattern: '^[^=]+=' }), {
      description: `key=value: ${things} whose metadata[key] equals value (repeatable, all must hold). The value is read as JSON when it parses (3, true, "3"), else as a string.`,
    }),
  );
