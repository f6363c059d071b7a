import { NotFoundError } from '../../../domain/errors.js';
import type { Services } from '../../../services/index.js';
import { noCursor, spaceOf, type ArizeApp } from '../app.js';
import { uuidOf } from '../ids.js';
import { arizeSpace } from '../present.js';
import { SpaceParams, SpaceQuery } from '../schemas.js';

/**
 * Spaces, enough for the SDKs' name resolution: a key sees one space, its workspace. `org_id` is
 * accepted and ignored (evalstore has no organizations above workspaces).
 */
export function spaceRoutes(app: ArizeApp, services: Services): void {
  app.get('/v2/spaces', {
    schema: { querystring: SpaceQuery },
    handler: async (request) => {
      noCursor(request.query.cursor);
      const space = await spaceOf(services, request.actor);
      const wanted = request.query.name?.toLowerCase();
      const matches = wanted === undefined || space.name.toLowerCase().includes(wanted);
      return { spaces: matches ? [arizeSpace(space)] : [], pagination: { has_more: false } };
    },
  });

  app.get('/v2/spaces/:space_id', {
    schema: { params: SpaceParams },
    handler: async (request) => {
      const { space_id: spaceId } = request.params;
      if (uuidOf('Space', spaceId, '/space_id', 'params') !== request.actor.workspaceId) throw new NotFoundError('Space', spaceId);
      return arizeSpace(await spaceOf(services, request.actor));
    },
  });
}
