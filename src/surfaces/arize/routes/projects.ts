import { NotFoundError, ValidationError } from '../../../domain/errors.js';
import type { SurfaceApp } from '../../../http/app.js';
import type { Services } from '../../../services/index.js';
import { uuidOf } from '../ids.js';
import { presentPagination, presentProject } from '../present.js';
import { ProjectParams, ProjectQuery } from '../schemas.js';
import { isOwnSpace, spaceOf } from '../spaces.js';

/**
 * AX projects are evalstore's projects (which group datasets), in the key's one space: enough for the
 * SDK's project name resolution (`listProjects`, and `listSpans`, `annotateSpans` before they call
 * their span routes). A name matches exactly, as the SDK compares it.
 */
export function projectRoutes(app: SurfaceApp, services: Services): void {
  app.get('/v2/projects', {
    schema: { querystring: ProjectQuery },
    handler: async (request) => {
      const { space_id: spaceId, space_name: spaceName, name, limit, cursor } = request.query;
      const empty = { projects: [], pagination: presentPagination(null) };
      if (spaceId !== undefined && !isOwnSpace(request.actor, spaceId, '/space_id')) return empty;
      if (spaceName !== undefined && (await spaceOf(services, request.actor)).name !== spaceName) return empty;
      const page = await services.projects.list(request.actor, { name: name || undefined, limit, cursor });
      return { projects: page.data.map((project) => presentProject(project, request.actor.workspaceId)), pagination: presentPagination(page.next_cursor) };
    },
  });

  // listSpans resolves its project, then asks for the spans: evalstore keeps none in AX projects.
  app.post('/v2/spans', {
    config: { access: 'read' },
    handler: async () => {
      throw ValidationError.field(
        '/project_id',
        'names a project whose spans are not offered by this server: evalstore keeps no tracing spans in AX projects',
        {
          in: 'body',
        },
      );
    },
  });

  app.get('/v2/projects/:project_id', {
    schema: { params: ProjectParams },
    handler: async (request) => {
      const id = uuidOf('Project', request.params.project_id, '/project_id', 'params');
      const project = await services.projects.get(request.actor, id).catch((error: unknown) => {
        throw error instanceof NotFoundError ? new NotFoundError('Project', request.params.project_id) : error;
      });
      return presentProject(project, request.actor.workspaceId);
    },
  });
}
