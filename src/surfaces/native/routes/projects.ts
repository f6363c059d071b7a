import type { SurfaceApp } from '../../../http/app.js';
import type { Services } from '../../../services/index.js';
import { presentDeletion } from '../present.js';
import { Errors, NoContent, Page } from '../schemas/common.js';
import { ProjectParams, Project, ProjectCreate, ProjectQuery, ProjectUpdate } from '../schemas/workspace.js';

const tags = ['Projects'];

export function projectRoutes(app: SurfaceApp, services: Services): void {
  app.post('/projects', {
    schema: { summary: 'Create a project', tags, body: ProjectCreate, response: { 201: Project, ...Errors } },
    handler: async (request, reply) => reply.status(201).send(await services.projects.create(request.actor, request.body)),
  });

  app.get('/projects', {
    schema: {
      summary: 'List projects',
      tags,
      querystring: ProjectQuery,
      response: { 200: Page(Project), ...Errors },
    },
    handler: (request) => services.projects.list(request.actor, request.query),
  });

  app.get('/projects/:project_id', {
    schema: { summary: 'Get a project', tags, params: ProjectParams, response: { 200: Project, ...Errors } },
    handler: (request) => services.projects.get(request.actor, request.params.project_id),
  });

  app.patch('/projects/:project_id', {
    schema: { summary: 'Update a project', tags, params: ProjectParams, body: ProjectUpdate, response: { 200: Project, ...Errors } },
    handler: (request) => services.projects.update(request.actor, request.params.project_id, request.body),
  });

  app.delete('/projects/:project_id', {
    schema: {
      summary: 'Delete a project',
      description: 'Refused (409) for the default project and for a project that still holds datasets.',
      tags,
      params: ProjectParams,
      response: NoContent,
    },
    handler: (request, reply) => presentDeletion(reply, services.projects.delete(request.actor, request.params.project_id)),
  });
}
