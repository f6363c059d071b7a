import type { JsonObject } from '../../../domain/json.js';
import { NotFoundError } from '../../../domain/errors.js';
import { LIMITS } from '../../../domain/limits.js';
import type { SurfaceApp } from '../../../http/app.js';
import type { Services } from '../../../services/index.js';
import { allPages } from '../../../services/pagination.js';
import { kindOf, presentFile, upsertFile } from '../files.js';
import { uuidInPath, type FileType } from '../ids.js';
import { presentPage } from '../present.js';
import { FileListQuery, FileParams, V5EvaluatorUpsert, V5FlowUpsert, V5KernelUpsert } from '../schemas.js';

const PLURALS: Record<FileType, string> = { prompt: 'prompts', flow: 'flows', tool: 'tools', evaluator: 'evaluators' };

/**
 * v5 files: prompts, flows, tools and evaluators, upserted by path (made when new) or id, read and
 * listed. Each is an evalstore project (files.ts); the upsert's version is the file's one version.
 */
export function fileRoutes(app: SurfaceApp, services: Services): void {
  app.post('/v5/flows', {
    schema: { hide: true, body: V5FlowUpsert },
    handler: async (request) => {
      const { path, id, ...kernel } = request.body;
      return presentFile(await upsertFile(services, request.actor, 'flow', { path, id }, kernel as JsonObject));
    },
  });

  for (const type of ['prompt', 'tool'] as const) {
    app.post(`/v5/${PLURALS[type]}`, {
      schema: { hide: true, body: V5KernelUpsert },
      handler: async (request) => {
        const { path, id, ...kernel } = request.body as V5KernelUpsert;
        return presentFile(await upsertFile(services, request.actor, type, { path, id }, kernel as JsonObject));
      },
    });
  }

  app.post('/v5/evaluators', {
    schema: { hide: true, body: V5EvaluatorUpsert },
    handler: async (request) => {
      const { path, id, ...kernel } = request.body;
      return presentFile(await upsertFile(services, request.actor, 'evaluator', { path, id }, kernel as JsonObject));
    },
  });

  for (const type of ['prompt', 'flow', 'tool', 'evaluator'] as const) {
    app.get(`/v5/${PLURALS[type]}`, {
      schema: { hide: true, querystring: FileListQuery },
      handler: async (request) => {
        const { page = 1, size = 10, name, order } = request.query;
        // Files are a workspace's projects of the type: few enough to read whole and page here, by name.
        const projects = await allPages((cursor) => services.projects.list(request.actor, { cursor, limit: LIMITS.pageSizeMax }));
        const files = projects
          .filter((project) => !project.is_default && kindOf(project) === type)
          .filter((project) => !name || project.name.toLowerCase().includes(name.toLowerCase()));
        if (order === 'desc') files.reverse();
        return presentPage(files.slice((page - 1) * size, page * size).map(presentFile), page, size, files.length);
      },
    });

    app.get(`/v5/${PLURALS[type]}/:id`, {
      schema: { hide: true, params: FileParams },
      handler: async (request) => {
        const project = await services.projects.get(request.actor, uuidInPath('project', request.params.id));
        if (project.is_default || kindOf(project) !== type) throw new NotFoundError(type[0]!.toUpperCase() + type.slice(1), request.params.id);
        return presentFile(project);
      },
    });
  }
}
