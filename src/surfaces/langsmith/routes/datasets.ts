import { ValidationError } from '../../../domain/errors.js';
import { isJsonObject, type JsonObject } from '../../../domain/json.js';
import type { Actor, Dataset } from '../../../domain/types.js';
import type { SurfaceApp } from '../../../http/app.js';
import { LIMITS } from '../../../domain/limits.js';
import { bufferedParts } from '../../../http/multipart.js';
import type { Services } from '../../../services/index.js';
import { csvRows } from '../../../services/uploads/index.js';
import { csvUploadOf, piecesOf } from '../csv-upload.js';
import { presentDataset, presentDatasetVersion } from '../present.js';
import { namedListOptions, refuseUnsupported, versionAsOf } from '../requests.js';
import { AsOfQuery, DatasetCreate, DatasetParams, DatasetQuery, DatasetUpdate, PageQuery, TagBody, VersionDiffQuery, VersionQuery } from '../schemas.js';

/** What a dataset may say of its examples that evalstore does not do, refused by name rather than dropped. */
const NOT_KEPT_OF_EXAMPLES = {
  inputs_schema_definition: 'examples are not checked against schemas',
  outputs_schema_definition: 'examples are not checked against schemas',
  transformations: 'examples are not transformed',
};

/**
 * LangSmith's dataset routes (spec §3.1, §3.3, §4): datasets, their versions (named by time, `as_of`),
 * tags (version names) and splits. Examples are in examples.ts.
 */
export function datasetRoutes(app: SurfaceApp, services: Services): void {
  app.post('/datasets', {
    schema: { hide: true, body: DatasetCreate },
    handler: async (request) => {
      const body = request.body;
      if (body.data_type && body.data_type !== 'kv')
        throw ValidationError.field('/data_type', 'must be "kv": only key-value datasets are supported by this server');
      refuseUnsupported(body, { ...NOT_KEPT_OF_EXAMPLES, tag_value_ids: 'resource tags are not kept' });
      const dataset = await services.datasets.create(request.actor, {
        ...(body.id ? { id: body.id } : {}),
        name: body.name,
        description: body.description ?? null,
        metadata: body.metadata ?? metadataIn(body.extra) ?? {},
        managed_by: body.externally_managed ? 'external' : 'evalstore',
      });
      return (await presentDatasets(services, request.actor, [dataset]))[0];
    },
  });

  // A new dataset from a CSV file (csv-upload.ts): made, then filled by the streamed upload pipeline
  // as its first version; a file that fails leaves no dataset behind.
  app.post('/datasets/upload', {
    bodyLimit: LIMITS.bulkBodyBytes,
    schema: { hide: true },
    handler: async (request) => {
      const upload = csvUploadOf(bufferedParts(request));
      const dataset = await services.datasets.create(request.actor, { name: upload.name, description: upload.description, metadata: {} });
      try {
        await services.uploads.upload(request.actor, dataset.id, csvRows(piecesOf(upload.file.data), { mapping: upload.mapping }), {
          format: 'csv',
          filename: upload.file.filename,
        });
      } catch (error) {
        await services.datasets.delete(request.actor, dataset.id);
        throw error;
      }
      return (await presentDatasets(services, request.actor, [await services.datasets.get(request.actor, dataset.id)]))[0];
    },
  });

  app.get('/datasets', {
    schema: { hide: true, querystring: DatasetQuery },
    handler: async (request) => {
      const query = request.query;
      // Every dataset here is key-value: asking only for other kinds finds none.
      if (query.data_type?.length && !query.data_type.includes('kv')) return [];
      const page = await services.datasets.list(request.actor, namedListOptions(query));
      return presentDatasets(services, request.actor, page.data);
    },
  });

  app.get('/datasets/:dataset_id', {
    schema: { hide: true, params: DatasetParams },
    handler: async (request) => (await presentDatasets(services, request.actor, [await services.datasets.get(request.actor, request.params.dataset_id)]))[0],
  });

  app.patch('/datasets/:dataset_id', {
    schema: { hide: true, params: DatasetParams, body: DatasetUpdate },
    handler: async (request) => {
      const body = request.body;
      refuseUnsupported(body, {
        ...NOT_KEPT_OF_EXAMPLES,
        patch_examples: 'change examples through the examples routes',
        baseline_experiment_id: 'datasets have no baseline experiment here',
      });
      const dataset = await services.datasets.update(request.actor, request.params.dataset_id, {
        ...(body.name ? { name: body.name } : {}),
        ...(body.description !== undefined && body.description !== null ? { description: body.description } : {}),
        ...(body.metadata ? { metadata: body.metadata } : {}),
      });
      return (await presentDatasets(services, request.actor, [dataset]))[0];
    },
  });

  app.delete('/datasets/:dataset_id', {
    schema: { hide: true, params: DatasetParams },
    handler: async (request) => {
      await services.datasets.delete(request.actor, request.params.dataset_id);
      return {};
    },
  });

  app.get('/datasets/:dataset_id/versions', {
    schema: { hide: true, params: DatasetParams, querystring: PageQuery },
    handler: async (request) => {
      const page = await services.versions.list(request.actor, request.params.dataset_id, { offset: request.query.offset, limit: request.query.limit });
      return page.data.map((version) => presentDatasetVersion(version, version.created_at));
    },
  });

  app.get('/datasets/:dataset_id/version', {
    schema: { hide: true, params: DatasetParams, querystring: VersionQuery },
    handler: async (request) => {
      const { as_of: asOf, tag } = request.query;
      if ((asOf === undefined) === (tag === undefined)) {
        throw new ValidationError('Exactly one of as_of and tag is required', [
          { pointer: '/as_of', detail: 'or tag is required, not both', in: 'query' },
          { pointer: '/tag', detail: 'or as_of is required, not both', in: 'query' },
        ]);
      }
      return presentVersion(
        services,
        request.actor,
        request.params.dataset_id,
        tag ?? (await versionAsOf(services, request.actor, request.params.dataset_id, asOf)),
      );
    },
  });

  app.put('/datasets/:dataset_id/tags', {
    schema: { hide: true, params: DatasetParams, body: TagBody },
    handler: async (request) => {
      const { dataset_id: datasetId } = request.params;
      const version = await versionAsOf(services, request.actor, datasetId, request.body.as_of);
      const named = await services.versions.name(request.actor, datasetId, version ?? 'latest', request.body.tag, { move: true });
      return presentDatasetVersion(named, named.created_at);
    },
  });

  app.get('/datasets/:dataset_id/versions/diff', {
    schema: { hide: true, params: DatasetParams, querystring: VersionDiffQuery },
    handler: async (request) => {
      const { dataset_id: datasetId } = request.params;
      const from = (await versionAsOf(services, request.actor, datasetId, request.query.from_version)) ?? 'latest';
      const to = (await versionAsOf(services, request.actor, datasetId, request.query.to_version)) ?? 'latest';
      const changes = { examples_modified: [] as string[], examples_added: [] as string[], examples_removed: [] as string[] };
      const list = { changed: changes.examples_modified, added: changes.examples_added, removed: changes.examples_removed };
      for (let cursor: string | undefined; ; ) {
        const page = await services.versions.diff(request.actor, datasetId, { from, to, cursor, limit: 1_000 });
        for (const change of page.data) list[change.change].push(change.record_id);
        if (!page.next_cursor) return changes;
        cursor = page.next_cursor;
      }
    },
  });

  app.get('/datasets/:dataset_id/splits', {
    schema: { hide: true, params: DatasetParams, querystring: AsOfQuery },
    handler: async (request) => {
      const { dataset_id: datasetId } = request.params;
      return services.records.splits(request.actor, datasetId, await versionAsOf(services, request.actor, datasetId, request.query.as_of));
    },
  });
}

/** Datasets as LangSmith's `Dataset`s, with what their experiments add up to. */
async function presentDatasets(services: Services, actor: Actor, datasets: readonly Dataset[]) {
  const summaries = await services.experiments.summarizeByDataset(
    actor,
    datasets.map((d) => d.id),
  );
  return datasets.map((dataset) => presentDataset(dataset, actor.workspaceId, summaries.get(dataset.id) ?? { experiment_count: 0, last_start_time: null }));
}

/** The metadata an object given as LangSmith's `extra` holds (the SDK keeps metadata in `extra.metadata`). */
function metadataIn(extra: JsonObject | null | undefined): JsonObject | undefined {
  const metadata = extra?.metadata;
  return isJsonObject(metadata) ? metadata : undefined;
}

/** A version as LangSmith's `DatasetVersion`; version 0 (before any example) is the dataset's creation. */
async function presentVersion(services: Services, actor: Actor, datasetId: string, ref: string | number | undefined) {
  const dataset = await services.datasets.get(actor, datasetId);
  if (ref === 0 || (ref === undefined && dataset.latest_version === 0)) return presentDatasetVersion(null, dataset.created_at);
  return presentDatasetVersion(await services.versions.get(actor, datasetId, ref ?? 'latest'), dataset.created_at);
}
