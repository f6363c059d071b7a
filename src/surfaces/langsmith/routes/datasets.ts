import { Type } from '@sinclair/typebox';
import { ValidationError } from '../../../domain/errors.js';
import type { Services } from '../../../services/index.js';
import type { SurfaceApp } from '../../../http/app.js';
import { presentDatasetVersion } from '../present.js';
import { DatasetCreate, DatasetUpdate, OffsetPage, Repeated, Uuid } from '../schemas.js';
import { jsonObjectParam, metadataIn, presentDatasets, refuseUnsupported, versionAsOf } from './shared.js';

const datasetParams = Type.Object({ dataset_id: Uuid });

/**
 * LangSmith's dataset routes (spec §3.1, §3.3, §4): datasets, their versions (named by time, `as_of`),
 * tags (version names) and splits. Examples are in examples.ts.
 */
export function datasetRoutes(app: SurfaceApp, services: Services): void {
  app.post('/datasets', {
    schema: { hide: true, body: DatasetCreate },
    handler: async (request) => {
      const body = request.body;
      if (body.data_type && body.data_type !== 'kv') throw ValidationError.field('/data_type', 'must be "kv": only key-value datasets are supported by this server');
      refuseUnsupported(body.inputs_schema_definition, '/inputs_schema_definition', 'examples are not checked against schemas');
      refuseUnsupported(body.outputs_schema_definition, '/outputs_schema_definition', 'examples are not checked against schemas');
      refuseUnsupported(body.transformations, '/transformations', 'examples are not transformed');
      refuseUnsupported(body.tag_value_ids, '/tag_value_ids', 'resource tags are not kept');
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

  app.get('/datasets', {
    schema: {
      hide: true,
      querystring: Type.Object({
        id: Repeated(Uuid),
        name: Type.Optional(Type.String()),
        name_contains: Type.Optional(Type.String()),
        metadata: Type.Optional(Type.String()),
        data_type: Type.Optional(Type.Array(Type.String())),
        ...OffsetPage,
      }),
    },
    handler: async (request) => {
      const query = request.query;
      // Every dataset here is key-value: asking only for other kinds finds none.
      if (query.data_type?.length && !query.data_type.includes('kv')) return [];
      const page = await services.datasets.list(request.actor, {
        ...(query.id ? { ids: query.id } : {}),
        name: query.name,
        name_contains: query.name_contains,
        metadata: jsonObjectParam(query.metadata, 'metadata'),
        offset: query.offset,
        limit: query.limit,
      });
      return presentDatasets(services, request.actor, page.data);
    },
  });

  app.get('/datasets/:dataset_id', {
    schema: { hide: true, params: datasetParams },
    handler: async (request) => (await presentDatasets(services, request.actor, [await services.datasets.get(request.actor, request.params.dataset_id)]))[0],
  });

  app.patch('/datasets/:dataset_id', {
    schema: { hide: true, params: datasetParams, body: DatasetUpdate },
    handler: async (request) => {
      const body = request.body;
      refuseUnsupported(body.inputs_schema_definition, '/inputs_schema_definition', 'examples are not checked against schemas');
      refuseUnsupported(body.outputs_schema_definition, '/outputs_schema_definition', 'examples are not checked against schemas');
      refuseUnsupported(body.transformations, '/transformations', 'examples are not transformed');
      refuseUnsupported(body.patch_examples, '/patch_examples', 'change examples through the examples routes');
      refuseUnsupported(body.baseline_experiment_id, '/baseline_experiment_id', 'datasets have no baseline experiment here');
      const dataset = await services.datasets.update(request.actor, request.params.dataset_id, {
        ...(body.name ? { name: body.name } : {}),
        ...(body.description !== undefined && body.description !== null ? { description: body.description } : {}),
        ...(body.metadata ? { metadata: body.metadata } : {}),
      });
      return (await presentDatasets(services, request.actor, [dataset]))[0];
    },
  });

  app.delete('/datasets/:dataset_id', {
    schema: { hide: true, params: datasetParams },
    handler: async (request) => {
      await services.datasets.delete(request.actor, request.params.dataset_id);
      return {};
    },
  });

  app.get('/datasets/:dataset_id/versions', {
    schema: { hide: true, params: datasetParams, querystring: Type.Object({ ...OffsetPage }) },
    handler: async (request) => {
      const page = await services.versions.list(request.actor, request.params.dataset_id, { offset: request.query.offset, limit: request.query.limit });
      return page.data.map((version) => presentDatasetVersion(version, version.created_at));
    },
  });

  app.get('/datasets/:dataset_id/version', {
    schema: { hide: true, params: datasetParams, querystring: Type.Object({ as_of: Type.Optional(Type.String()), tag: Type.Optional(Type.String()) }) },
    handler: async (request) => {
      const { as_of: asOf, tag } = request.query;
      if ((asOf === undefined) === (tag === undefined)) {
        throw new ValidationError('Exactly one of as_of and tag is required', [
          { pointer: '/as_of', detail: 'or tag is required, not both', in: 'query' },
          { pointer: '/tag', detail: 'or as_of is required, not both', in: 'query' },
        ]);
      }
      return presentVersion(services, request.actor, request.params.dataset_id, tag ?? (await versionAsOf(services, request.actor, request.params.dataset_id, asOf)));
    },
  });

  app.put('/datasets/:dataset_id/tags', {
    schema: {
      hide: true,
      params: datasetParams,
      body: Type.Object({ as_of: Type.String({ minLength: 1 }), tag: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false }),
    },
    handler: async (request) => {
      const { dataset_id: datasetId } = request.params;
      const version = await versionAsOf(services, request.actor, datasetId, request.body.as_of);
      const named = await services.versions.name(request.actor, datasetId, version ?? 'latest', request.body.tag, { move: true });
      return presentDatasetVersion(named, named.created_at);
    },
  });

  app.get('/datasets/:dataset_id/versions/diff', {
    schema: { hide: true, params: datasetParams, querystring: Type.Object({ from_version: Type.String(), to_version: Type.String() }) },
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
    schema: { hide: true, params: datasetParams, querystring: Type.Object({ as_of: Type.Optional(Type.String()) }) },
    handler: async (request) => {
      const { dataset_id: datasetId } = request.params;
      return services.records.splits(request.actor, datasetId, await versionAsOf(services, request.actor, datasetId, request.query.as_of));
    },
  });
}

/** A version as LangSmith's `DatasetVersion`; version 0 (before any example) is the dataset's creation. */
async function presentVersion(services: Services, actor: Parameters<Services['versions']['get']>[0], datasetId: string, ref: string | number | undefined) {
  const dataset = await services.datasets.get(actor, datasetId);
  if (ref === 0 || (ref === undefined && dataset.latest_version === 0)) return presentDatasetVersion(null, dataset.created_at);
  return presentDatasetVersion(await services.versions.get(actor, datasetId, ref ?? 'latest'), dataset.created_at);
}
