import { NotFoundError, ValidationError } from '../../../domain/errors.js';
import type { SurfaceApp } from '../../../http/app.js';
import type { Services } from '../../../services/index.js';
import { uuidOf } from '../ids.js';
import { presentSpace } from '../present.js';
import { SpaceParams, SpaceQuery } from '../schemas.js';
import { spaceOf } from '../spaces.js';

/**
 * Spaces, enough for the SDKs' name resolution: a key sees one space, its workspace. `org_id` is
 * accepted and ignored (evalstore has no organizations above workspaces).
 */
export function spaceRoutes(app: SurfaceApp, services: Services): void {
  app.get('/v2/spaces', {
    schema: { querystring: SpaceQuery },
    handler: async (request) => {
      // The list is one space long, so it never hands out a cursor.
      if (request.query.cursor) throw ValidationError.field('/cursor', 'is not a cursor this list handed out', { in: 'query' });
      const space = await spaceOf(services, request.actor);
      const wanted = request.query.name?.toLowerCase();
      const matches = wanted === undefined || space.name.toLowerCase().includes(wanted);
      return { spaces: matches ? [presentSpace(space)] : [], pagination: { has_more: false } };
    },
  });

  app.get('/v2/spaces/:space_id', {
    schema: { params: SpaceParams },
    handler: async (request) => {
      const { space_id: spaceId } = request.params;
      if (uuidOf('Space', spaceId, '/space_id', 'params') !== request.actor.workspaceId) throw new NotFoundError('Space', spaceId);
      return presentSpace(await spaceOf(services, request.actor));
    },
  });
}
