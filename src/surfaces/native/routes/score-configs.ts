import { Type } from '@sinclair/typebox';
import type { SurfaceApp } from '../../../http/app.js';
import type { Services } from '../../../services/index.js';
import { presentDeletion } from '../present.js';
import { Errors, NoContent } from '../schemas/common.js';
import { ScoreConfig, ScoreConfigCreate, ScoreConfigParams, ScoreConfigUpdate } from '../schemas/review.js';

const tags = ['Review'];

export function scoreConfigRoutes(app: SurfaceApp, services: Services): void {
  app.post('/score-configs', {
    schema: {
      summary: 'Create a score config',
      description:
        'A named score and what it may hold. Every score of its key, sent through any surface, is checked against it: a numeric score within [min, max], a boolean 0/1 (true/false), a categorical value among `categories`, and a comment when `comment_required`; otherwise 400 naming the field, and nothing is written.',
      tags,
      body: ScoreConfigCreate,
      response: { 201: ScoreConfig, ...Errors },
    },
    handler: async (request, reply) => reply.status(201).send(await services.scoreConfigs.create(request.actor, request.body)),
  });

  app.get('/score-configs', {
    schema: { summary: "List the workspace's score configs, by name", tags, response: { 200: Type.Object({ data: Type.Array(ScoreConfig) }), ...Errors } },
    handler: async (request) => ({ data: await services.scoreConfigs.list(request.actor) }),
  });

  app.get('/score-configs/:score_config_id', {
    schema: { summary: 'Get a score config', tags, params: ScoreConfigParams, response: { 200: ScoreConfig, ...Errors } },
    handler: (request) => services.scoreConfigs.get(request.actor, request.params.score_config_id),
  });

  app.patch('/score-configs/:score_config_id', {
    schema: {
      summary: 'Update a score config',
      description: 'Its name and type stay; scores written before are not checked again.',
      tags,
      params: ScoreConfigParams,
      body: ScoreConfigUpdate,
      response: { 200: ScoreConfig, ...Errors },
    },
    handler: (request) => services.scoreConfigs.update(request.actor, request.params.score_config_id, request.body),
  });

  app.delete('/score-configs/:score_config_id', {
    schema: {
      summary: 'Delete a score config',
      description: 'Refused (409) while an annotation queue uses it.',
      tags,
      params: ScoreConfigParams,
      response: NoContent,
    },
    handler: (request, reply) => presentDeletion(reply, services.scoreConfigs.delete(request.actor, request.params.score_config_id)),
  });
}
