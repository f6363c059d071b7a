import { ValidationError } from '../../../domain/errors.js';
import { isJsonObject, type Json, type JsonObject } from '../../../domain/json.js';
import type { Actor, Experiment } from '../../../domain/types.js';
import type { SurfaceApp } from '../../../http/app.js';
import type { Services } from '../../../services/index.js';
import { datadogAttributes, storedMetadata, userMetadata } from '../experiments.js';
import { presentExperiment, sendJsonApi } from '../present.js';
import { pageOf } from '../requests.js';
import { DeleteExperimentsBody, ExperimentChangeBody, ExperimentListQuery, ExperimentParams, NewExperimentBody } from '../schemas.js';

/** Experiments: create (ensure_unique), list with Datadog's filters, get, update (status, error), soft delete. */
export function experimentRoutes(app: SurfaceApp, services: Services): void {
  app.post('/experiments', {
    schema: { body: NewExperimentBody },
    config: { restate: { lists: [['', '/data/attributes']], query: [['/version', '/dataset_version']] } },
    handler: async (request, reply) => {
      const experiment = await createExperiment(services, request.actor, request.body.data.attributes);
      return sendJsonApi(reply, 200, { data: presentExperiment(experiment) });
    },
  });

  app.get('/experiments', {
    schema: { querystring: ExperimentListQuery },
    handler: async (request, reply) => {
      const query = request.query;
      const metadata = metadataFilter(query['filter[metadata]']);
      const deleted = /^(true|1)$/i.test(query['filter[is_deleted]'] ?? '');
      const parents = listOf(query['filter[parent_experiment_id]']);
      const ids = listOf(query['filter[id]']);
      const datasetIds = listOf(query['filter[dataset_id]']);
      const projectIds = listOf(query['filter[project_id]']);
      const page = await services.experiments.list(request.actor, {
        ...pageOf(query),
        ...(ids ? { ids } : {}),
        ...(datasetIds ? { dataset_ids: datasetIds } : {}),
        ...(projectIds?.length === 1 ? { project_id: projectIds[0] } : {}),
        ...(query['filter[name]'] ? { name: query['filter[name]'] } : {}),
        ...(metadata ? { metadata } : {}),
      });
      // Filters the services do not know are applied to the page; its cursor still walks the whole list.
      const kept = page.data.filter((experiment) => {
        const datadog = datadogAttributes(experiment);
        if (Boolean(datadog.deleted_at) !== deleted) return false;
        if (projectIds && !projectIds.includes(experiment.project_id)) return false;
        if (query['filter[experiment]'] && datadog.experiment !== query['filter[experiment]']) return false;
        if (parents && !parents.includes(datadog.parent_experiment_id ?? '')) return false;
        return true;
      });
      const names = /^(true|1)$/i.test(query['include[dataset_names]'] ?? '') ? await datasetNames(services, request.actor, kept) : undefined;
      const withUser = /^(true|1)$/i.test(query['include[user_data]'] ?? '');
      return sendJsonApi(reply, 200, {
        data: kept.map((experiment) =>
          presentExperiment(experiment, {
            ...(names && experiment.dataset_id ? { dataset_name: names.get(experiment.dataset_id) } : {}),
            ...(withUser ? { author: { id: request.actor.keyId, name: request.actor.name } } : {}),
          }),
        ),
        meta: { after: page.next_cursor ?? '' },
      });
    },
  });

  app.get('/experiments/:experiment_id', {
    schema: { params: ExperimentParams },
    handler: async (request, reply) => {
      const experiment = await services.experiments.get(request.actor, request.params.experiment_id);
      return sendJsonApi(reply, 200, { data: presentExperiment(experiment) });
    },
  });

  // Datadog answers 200 with an empty body; its TypeScript client parses the experiment, so it is sent.
  app.patch('/experiments/:experiment_id', {
    schema: { params: ExperimentParams, body: ExperimentChangeBody },
    handler: async (request, reply) => {
      const change = request.body.data.attributes;
      const [experiment] = await services.experiments.revise(request.actor, [request.params.experiment_id], (current) => {
        const datadog = datadogAttributes(current);
        const finished = change.status !== undefined && change.status !== 'running';
        return {
          ...(change.name === undefined ? {} : { name: change.name }),
          ...(change.description === undefined ? {} : { description: change.description }),
          metadata: storedMetadata(change.metadata ?? userMetadata(current), {
            ...datadog,
            ...(change.status === undefined ? {} : { status: change.status }),
            ...(change.error === undefined ? {} : { error: change.error as Json }),
          }),
          ...(finished && !current.end_time ? { end_time: Math.max(Date.now(), Date.parse(current.start_time ?? current.created_at)) } : {}),
        };
      });
      return sendJsonApi(reply, 200, { data: presentExperiment(experiment!) });
    },
  });

  // Soft delete: the experiments stay, listed with filter[is_deleted]=true.
  app.post('/experiments/delete', {
    schema: { body: DeleteExperimentsBody },
    handler: async (request, reply) => {
      const deletedAt = new Date().toISOString();
      await services.experiments.revise(request.actor, request.body.data.attributes.experiment_ids, (current) => {
        const datadog = datadogAttributes(current);
        return { metadata: storedMetadata(userMetadata(current), { ...datadog, deleted_at: datadog.deleted_at ?? deletedAt }) };
      });
      return reply.status(204).send();
    },
  });
}

type NewExperiment = NewExperimentBody['data']['attributes'];

/**
 * `ensure_unique` (the default) makes a new experiment whose name is `<name>-<epoch ms>`, the name as
 * requested kept as `experiment`; without it an experiment of that name in the project is answered
 * unmodified.
 */
async function createExperiment(services: Services, actor: Actor, input: NewExperiment): Promise<Experiment> {
  if (input.ensure_unique === false) {
    const existing = await services.experiments.list(actor, { project_id: input.project_id, name: input.name, limit: 100 });
    const live = existing.data.find((experiment) => !datadogAttributes(experiment).deleted_at);
    if (live) return live;
  }
  if (input.parent_experiment_id) await services.experiments.get(actor, input.parent_experiment_id);
  const now = Date.now();
  return services.experiments.create(actor, {
    name: input.ensure_unique === false ? input.name : `${input.name}-${now}`,
    project_id: input.project_id,
    ...(input.dataset_id ? { dataset_id: input.dataset_id } : {}),
    ...(input.dataset_id && input.dataset_version !== undefined && input.dataset_version !== null ? { dataset_version: input.dataset_version } : {}),
    description: input.description ?? null,
    metadata: storedMetadata(input.metadata ?? {}, {
      experiment: input.name,
      config: input.config ?? {},
      run_count: input.run_count ?? 1,
      status: 'running',
      error: null,
      parent_experiment_id: input.parent_experiment_id ?? null,
      deleted_at: null,
    }),
    source: 'datadog',
    start_time: now,
  });
}

/** `filter[metadata]`: a JSON object the experiment's metadata must contain. */
function metadataFilter(text: string | undefined): Record<string, Json> | undefined {
  if (text === undefined || text === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  if (!isJsonObject(value as Json)) throw ValidationError.field('/filter[metadata]', 'must be a JSON object', { in: 'query' });
  return value as JsonObject;
}

/** A filter given once, repeated, or as a comma-separated list. */
function listOf(value: string | string[] | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const items = (Array.isArray(value) ? value : [value]).flatMap((item) => item.split(',')).filter(Boolean);
  return items.length ? items : undefined;
}

async function datasetNames(services: Services, actor: Actor, experiments: readonly Experiment[]): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  for (const id of new Set(experiments.flatMap((experiment) => experiment.dataset_id ?? []))) {
    names.set(id, (await services.datasets.get(actor, id)).name);
  }
  return names;
}
