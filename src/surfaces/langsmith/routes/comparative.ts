import { isJsonObject } from '../../../domain/json.js';
import type { Actor, ComparativeExperiment } from '../../../domain/types.js';
import type { SurfaceApp } from '../../../http/app.js';
import type { Services } from '../../../services/index.js';
import { presentComparativeExperiment } from '../present.js';
import { ComparativeExperimentCreate, ComparativeExperimentParams, ComparativeExperimentQuery, DatasetParams } from '../schemas.js';
import { fromLangSmithTime } from '../times.js';

/**
 * LangSmith's comparative (pairwise) experiments: `createComparativeExperiment` (what
 * `evaluateComparative()` makes before it judges), a dataset's list of them, one by id, and deletion.
 * The judgements are feedback naming `comparative_experiment_id`, kept as scores of the runs judged.
 */
export function comparativeRoutes(app: SurfaceApp, services: Services): void {
  app.post('/datasets/comparative', {
    config: { restate: { fields: [['dataset_id', 'reference_dataset_id']] } },
    schema: { hide: true, body: ComparativeExperimentCreate },
    handler: async (request) => {
      const body = request.body;
      const metadata = body.extra?.metadata;
      const comparative = await services.comparativeExperiments.create(request.actor, {
        ...(body.id ? { id: body.id } : {}),
        name: body.name,
        description: body.description ?? null,
        metadata: isJsonObject(metadata) ? metadata : {},
        dataset_id: body.reference_dataset_id,
        experiment_ids: body.experiment_ids,
        created_at: body.created_at === undefined || body.created_at === null ? null : fromLangSmithTime(body.created_at),
      });
      return present(services, request.actor, comparative);
    },
  });

  app.get('/datasets/:dataset_id/comparative', {
    schema: { hide: true, params: DatasetParams, querystring: ComparativeExperimentQuery },
    handler: async (request) => {
      const list = await services.comparativeExperiments.list(request.actor, request.params.dataset_id, request.query);
      return Promise.all(list.map((comparative) => present(services, request.actor, comparative)));
    },
  });

  app.get('/datasets/comparative/:comparative_experiment_id', {
    schema: { hide: true, params: ComparativeExperimentParams },
    handler: async (request) =>
      present(services, request.actor, await services.comparativeExperiments.get(request.actor, request.params.comparative_experiment_id)),
  });

  app.delete('/datasets/comparative/:comparative_experiment_id', {
    schema: { hide: true, params: ComparativeExperimentParams },
    handler: async (request) => {
      await services.comparativeExperiments.delete(request.actor, request.params.comparative_experiment_id);
      return {};
    },
  });
}

async function present(services: Services, actor: Actor, comparative: ComparativeExperiment) {
  const experiments = await services.experiments.list(actor, { ids: comparative.experiment_ids, limit: comparative.experiment_ids.length });
  const names = new Map(experiments.data.map((experiment) => [experiment.id, experiment.name]));
  return presentComparativeExperiment(
    comparative,
    actor.workspaceId,
    comparative.experiment_ids.map((id) => ({ id, name: names.get(id) ?? '' })),
    await services.comparativeExperiments.preferences(actor, comparative.id),
  );
}
