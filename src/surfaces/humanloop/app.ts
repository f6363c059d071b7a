import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { TSchema } from '@sinclair/typebox';
import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import { NotFoundError, ValidationError } from '../../domain/errors.js';
import type { Actor, Dataset, DatasetVersion } from '../../domain/types.js';
import { compileChecker } from '../../domain/validation.js';
import type { Services } from '../../services/index.js';
import { uuidOf, versionOf } from './ids.js';
import { versionZero } from './present.js';

/** The Fastify instance Humanloop routes are declared on: TypeBox schemas type their handlers. */
export type HumanloopApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

/** The dataset a path's id names: a value that is not a dataset id names no dataset (404, as any unknown id). */
export function datasetInPath(id: string): string {
  const uuid = uuidOf('dataset', id);
  if (!uuid) throw new NotFoundError('Dataset', id);
  return uuid;
}

/** The version number a `version_id` query parameter names; it must be a version of the dataset `datasetId`. */
export function versionInQuery(datasetId: string, id: string): number {
  const version = versionOf(id);
  if (!version) throw ValidationError.field('/version_id', 'is not a dataset version id (dsv_…)', { in: 'query' });
  if (version.datasetId !== datasetId) {
    throw new NotFoundError('Dataset version', id, [{ pointer: '/version_id', detail: 'is not a version of the dataset', in: 'query' }]);
  }
  return version.version;
}

/** Evalstore keeps no deployments, so no environment names a version. */
export function refuseEnvironment(environment: string | undefined): void {
  if (environment !== undefined) {
    throw ValidationError.field('/environment', 'cannot name a version: evalstore keeps no deployments to environments; name the version with version_id, or omit both for the latest', { in: 'query' });
  }
}

/** The dataset's version `version` (0: the empty version before the first commit). */
export async function findVersion(services: Services, actor: Actor, dataset: Dataset, version: number): Promise<DatasetVersion> {
  return version === 0 ? versionZero(dataset) : services.versions.get(actor, dataset.id, version);
}

/**
 * A body of several possible shapes (one datapoint, a list, log ids), checked against the shape it
 * has: one schema's faults say more than a union's. Faults are 422s naming the field.
 */
export function bodyChecker<T>(schema: TSchema): (body: unknown) => T {
  const check = compileChecker(schema);
  return (body) => {
    const issues = check(body).map((issue) => ({ ...issue, in: 'body' as const }));
    const first = issues[0];
    if (first) throw new ValidationError(`${first.pointer || '/'} ${first.detail}`, issues);
    return body as T;
  };
}
