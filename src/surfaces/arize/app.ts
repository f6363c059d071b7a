import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import { NotFoundError, ValidationError } from '../../domain/errors.js';
import type { Actor, Workspace } from '../../domain/types.js';
import type { Services } from '../../services/index.js';
import { uuidOf, versionOf } from './ids.js';

/** The Fastify instance Arize routes are declared on: TypeBox schemas type their handlers. */
export type ArizeApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

/** The caller's workspace: AX's one space. */
export function spaceOf(services: Services, actor: Actor): Promise<Workspace> {
  return services.workspaces.find(actor.workspaceId);
}

/**
 * Whether a space id given as a filter is the caller's space. Another space (another workspace, or
 * one that never existed) simply holds nothing the caller can see.
 */
export function isOwnSpace(actor: Actor, spaceId: string, pointer: string): boolean {
  return uuidOf('Space', spaceId, pointer, 'query') === actor.workspaceId;
}

/** The caller's space named in a body: another space answers 404, as any id the caller cannot see. */
export function requireOwnSpace(actor: Actor, spaceId: string, pointer: string): void {
  if (uuidOf('Space', spaceId, pointer, 'body') !== actor.workspaceId) {
    throw new NotFoundError('Space', spaceId, [{ pointer, detail: 'is not a space of this API key', in: 'body' }]);
  }
}

/** The version number a `dataset_version_id` names, which must be a version of the dataset `datasetId`. */
export function versionOfDataset(datasetId: string, versionId: string, pointer: string, where: 'query' | 'body'): number {
  const { datasetId: owner, version } = versionOf(versionId, pointer, where);
  if (owner !== datasetId || version < 1) {
    throw new NotFoundError('Dataset version', versionId, [{ pointer, detail: 'is not a version of the dataset', in: where }]);
  }
  return version;
}

/** Refuses a cursor on a list that never hands one out. */
export function noCursor(cursor: string | undefined): void {
  if (cursor) throw ValidationError.field('/cursor', 'is not a cursor this list handed out', { in: 'query' });
}
