import type { SurfaceApp } from '../../../http/app.js';
import type { Services } from '../../../services/index.js';
import { presentPage, presentProject, sendJsonApi } from '../present.js';
import { pageOf } from '../requests.js';
import { DeleteProjectsBody, ListQuery, NewProjectBody, ProjectChangeBody, ProjectParams } from '../schemas.js';

export function projectRoutes(app: SurfaceApp, services: Services): void {
  app.get('/projects', {
    schema: { querystring: ListQuery },
    handler: async (request, reply) => {
      const page = await services.projects.list(request.actor, {
        ...pageOf(request.query),
        id: request.query['filter[id]'],
        name: request.query['filter[name]'],
      });
      return sendJsonApi(reply, 200, presentPage(page, presentProject));
    },
  });

  // Get-or-create by name; creates answer 200, never 201, which dd-trace-py takes for a failure.
  app.post('/projects', {
    schema: { body: NewProjectBody },
    handler: async (request, reply) => {
      const { name, description } = request.body.data.attributes;
      const { project } = await services.projects.getOrCreate(request.actor, { name, description: description ?? null });
      return sendJsonApi(reply, 200, { data: presentProject(project) });
    },
  });

  app.patch('/projects/:project_id', {
    schema: { params: ProjectParams, body: ProjectChangeBody },
    handler: async (request, reply) => {
      const { name, description } = request.body.data.attributes;
      const project = await services.projects.update(request.actor, request.params.project_id, {
        ...(name === undefined ? {} : { name }),
        ...(description === undefined ? {} : { description }),
      });
      return sendJsonApi(reply, 200, { data: presentProject(project) });
    },
  });

  app.post('/projects/delete', {
    schema: { body: DeleteProjectsBody },
    handler: async (request, reply) => {
      await services.projects.deleteMany(request.actor, request.body.data.attributes.project_ids);
      return reply.status(204).send();
    },
  });
}
