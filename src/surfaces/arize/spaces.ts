import { NotFoundError } from '../../domain/errors.js';
import type { Actor, Workspace } from '../../domain/types.js';
import type { Services } from '../../services/index.js';
import { uuidOf } from './ids.js';

/** A key's workspace is AX's one space: the space ids a request names are checked against it. */

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
