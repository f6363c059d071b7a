import { Type } from '@sinclair/typebox';
import type { Services } from '../../../services/index.js';
import type { NativeApp } from '../app.js';
import { Errors, Id, Page, PageQuery, Project, ProjectCreate, ProjectUpdate } from '../schemas.js';

const tags = ['Projects'];
const params = Type.Object({ project_id: Id });

export function projectRoutes(app: NativeApp, services: Services): void {
  app.post('/projects', {
    schema: { summary: 'Create a project', tags, body: ProjectCreate, response: { 201: Project, ...Errors } },
    handler: async (request, reply) => reply.status(201).send(await services.projects.create(request.actor, request.body)),
  });

  app.get('/projects', {
    schema: {
      summary: 'List projects',
      tags,
      querystring: Type.Object({ ...PageQuery, name: Type.Optional(Type.String()) }, { additionalProperties: false }),
      response: { 200: Page(Project), ...Errors },
    },
    handler: (request) => services.projects.list(request.actor, request.query),
  });

  app.get('/projects/:project_id', {
    schema: { summary: 'Get a project', tags, params, response: { 200: Project, ...Errors } },
    handler: (request) => services.projects.get(request.actor, request.params.project_id),
  });

  app.patch('/projects/:project_id', {
    schema: { summary: 'Update a project', tags, params, body: ProjectUpdate, response: { 200: Project, ...Errors } },
    handler: (request) => services.projects.update(request.actor, request.params.project_id, request.body),
  });

  app.delete('/projects/:project_id', {
    schema: {
      summary: 'Delete a project',
      description: 'Refused (409) for the default project and for a project that still holds datasets.',
      tags,
      params,
      response: { 204: Type.Null(), ...Errors },
    },
    handler: async (request, reply) => {
      await services.projects.delete(request.actor, request.params.project_id);
      return reply.status(204).send(null);
    },
  });
}
