import type { SurfaceApp } from '../../../http/app.js';
import type { Services } from '../../../services/index.js';
import { Errors, Page } from '../schemas/common.js';
import { ApiKey, ApiKeyCreate, ApiKeyCreated, KeyPageQuery, KeyParams, Workspace } from '../schemas/workspace.js';

const tags = ['Workspace and API keys'];

export function workspaceRoutes(app: SurfaceApp, services: Services): void {
  app.get('/workspace', {
    schema: { summary: 'The workspace of the calling key', tags, response: { 200: Workspace, ...Errors } },
    handler: (request) => services.workspaces.find(request.actor.workspaceId),
  });

  app.post('/keys', {
    config: { access: 'admin' },
    schema: {
      summary: 'Create an API key',
      description: 'The key is in the response this once; only its hash is stored.',
      tags,
      body: ApiKeyCreate,
      response: { 201: ApiKeyCreated, ...Errors },
    },
    handler: async (request, reply) => {
      const created = await services.keys.create(request.actor.workspaceId, { ...request.body, createdBy: request.actor.userId });
      return reply.status(201).send({ api_key: created.apiKey, key: created.key });
    },
  });

  app.get('/keys', {
    config: { access: 'admin' },
    schema: { summary: 'List API keys', tags, querystring: KeyPageQuery, response: { 200: Page(ApiKey), ...Errors } },
    handler: (request) => services.keys.list(request.actor.workspaceId, request.query),
  });

  app.get('/keys/:key_id', {
    config: { access: 'admin' },
    schema: { summary: 'Get an API key', tags, params: KeyParams, response: { 200: ApiKey, ...Errors } },
    handler: (request) => services.keys.get(request.actor.workspaceId, request.params.key_id),
  });

  app.delete('/keys/:key_id', {
    config: { access: 'admin' },
    schema: {
      summary: 'Revoke an API key',
      description: 'Revocation is permanent and takes effect on the next request.',
      tags,
      params: KeyParams,
      response: { 200: ApiKey, ...Errors },
    },
    handler: (request) => services.keys.revoke(request.actor, request.params.key_id),
  });
}
