import { LIMITS } from '../../../domain/limits.js';
import type { SurfaceApp } from '../../../http/app.js';
import type { Services } from '../../../services/index.js';
import { allPages } from '../../../services/pagination.js';
import { uuidInPath } from '../ids.js';
import { presentPage, presentV4Dataset, presentV4Project } from '../present.js';
import { ProjectParams, V4DatasetCreate, V4ProjectCreate, V4ProjectList, V4ProjectUpdate } from '../schemas.js';

/** v4 projects and the datasets in them: a Humanloop project is an evalstore project. */
export function projectRoutes(app: SurfaceApp, services: Services): void {
  app.post('/v4/projects', {
    schema: { hide: true, body: V4ProjectCreate },
    handler: async (request) => presentV4Project(await services.projects.create(request.actor, { name: request.body.name }), request.actor.workspaceId),
  });

  app.get('/v4/projects', {
    schema: { hide: true, querystring: V4ProjectList },
    handler: async (request) => {
      const { page = 1, size = 10, filter, sort_by: sortBy, order } = request.query;
      // A workspace's projects are few enough to read whole, filter by name and page here.
      const projects = (await allPages((cursor) => services.projects.list(request.actor, { cursor, limit: LIMITS.pageSizeMax }))).filter(
        (project) => !filter || project.name.toLowerCase().includes(filter.toLowerCase()),
      );
      if (sortBy !== undefined) {
        const field = sortBy === 'name' ? 'name' : sortBy === 'updated_at' ? 'updated_at' : 'created_at';
        projects.sort((a, b) => a[field].localeCompare(b[field]));
      }
      if (order === 'desc') projects.reverse();
      const records = projects.slice((page - 1) * size, page * size).map((project) => presentV4Project(project, request.actor.workspaceId));
      return presentPage(records, page, size, projects.length);
    },
  });

  app.get('/v4/projects/:project_id', {
    schema: { hide: true, params: ProjectParams },
    handler: async (request) =>
      presentV4Project(await services.projects.get(request.actor, uuidInPath('project', request.params.project_id)), request.actor.workspaceId),
  });

  app.patch('/v4/projects/:project_id', {
    schema: { hide: true, params: ProjectParams, body: V4ProjectUpdate },
    handler: async (request) => {
      const id = uuidInPath('project', request.params.project_id);
      const { name } = request.body;
      const project = name === undefined ? await services.projects.get(request.actor, id) : await services.projects.update(request.actor, id, { name });
      return presentV4Project(project, request.actor.workspaceId);
    },
  });

  app.delete('/v4/projects/:project_id', {
    schema: { hide: true, params: ProjectParams },
    handler: async (request, reply) => {
      await services.projects.delete(request.actor, uuidInPath('project', request.params.project_id));
      return reply.status(200).send();
    },
  });

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
