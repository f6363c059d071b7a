import { LIMITS } from '../../../domain/limits.js';
import type { SurfaceApp } from '../../../http/app.js';
import type { Services } from '../../../services/index.js';
import { allPages } from '../../../services/pagination.js';
import { uuidInPath } from '../ids.js';
import { presentV4Dataset } from '../present.js';
import { ProjectParams, V4DatasetCreate } from '../schemas.js';

/** v4 projects, as far as datasets live in them: a Humanloop project is an evalstore project. */
export function projectRoutes(app: SurfaceApp, services: Services): void {
  app.post('/v4/projects/:project_id/datasets', {
    schema: { hide: true, params: ProjectParams, body: V4DatasetCreate },
    handler: async (request) => {
      const { name, description } = request.body;
      return presentV4Dataset(
        await services.datasets.create(request.actor, { name, description, project_id: uuidInPath('project', request.params.project_id) }),
      );
    },
  });

  app.get('/v4/projects/:project_id/datasets', {
    schema: { hide: true, params: ProjectParams },
    handler: async (request) => {
      const projectId = uuidInPath('project', request.params.project_id);
      await services.projects.get(request.actor, projectId);
      const datasets = await allPages((cursor) => services.datasets.list(request.actor, { project_id: projectId, cursor, limit: LIMITS.pageSizeMax }));
      return datasets.map(presentV4Dataset);
    },
  });
}
