import { LIMITS } from '../../../domain/limits.js';
import { parseId } from '../../../domain/ids.js';
import type { Actor, Dataset } from '../../../domain/types.js';
import type { Services } from '../../../services/index.js';
import { allPages } from '../../../services/pagination.js';
import { isOwnSpace, requireOwnSpace, spaceOf, versionOfDataset, type ArizeApp } from '../app.js';
import { toExample, toNewRecord, toRecordPatch } from '../examples.js';
import { uuidOf } from '../ids.js';
import { arizeDataset, arizePagination, arizeWrittenVersion } from '../present.js';
import { inArizeTerms } from '../problems.js';
import {
  DatasetCreate,
  DatasetParams,
  DatasetQuery,
  DatasetUpdate,
  ExampleQuery,
  ExamplesAppend,
  ExamplesDelete,
  ExamplesUpdate,
  VersionQuery,
} from '../schemas.js';

/**
 * Datasets and their examples. Evalstore never changes a committed version, so every write AX calls
 * "in place" commits a new version, which the response names (docs/surfaces/arize.md explains).
 */
export function datasetRoutes(app: ArizeApp, services: Services): void {
  const datasetIdOf = (id: string) => uuidOf('Dataset', id, '/dataset_id', 'params');
  /** The dataset with every version, newest first, as AX's get embeds them. */
  const withVersions = async (actor: Actor, dataset: Dataset) => {
    const versions = await allPages((cursor) => services.versions.list(actor, dataset.id, { cursor, limit: LIMITS.pageSizeMax }));
    return arizeDataset(dataset, actor.workspaceId, versions);
  };

  app.get('/v2/datasets', {
    schema: { querystring: DatasetQuery },
    handler: async (request) => {
      const { space_id: spaceId, space_name: spaceName, name, limit, cursor } = request.query;
      const empty = { datasets: [], pagination: arizePagination(null) };
      if (spaceId !== undefined && !isOwnSpace(request.actor, spaceId, '/space_id')) return empty;
      if (spaceName !== undefined && !(await spaceOf(services, request.actor)).name.toLowerCase().includes(spaceName.toLowerCase())) return empty;
      const page = await services.datasets.list(request.actor, { name_contains: name || undefined, limit, cursor });
      return { datasets: page.data.map((dataset) => arizeDataset(dataset, request.actor.workspaceId)), pagination: arizePagination(page.next_cursor) };
    },
  });

  app.post('/v2/datasets', {
    bodyLimit: LIMITS.bulkBodyBytes,
    schema: { body: DatasetCreate },
    handler: async (request, reply) => {
      const { name, space_id: spaceId, examples } = request.body;
      requireOwnSpace(request.actor, spaceId, '/space_id');
      const records = examples.map((row, index) => toNewRecord(row, `/examples/${index}`));
      const dataset = await inArizeTerms(() => services.datasets.create(request.actor, { name, records }), {
        lists: [['/records', '/examples']],
        fields: [['input', '']],
      });
      return reply.status(201).send(await withVersions(request.actor, dataset));
    },
  });

  app.get('/v2/datasets/:dataset_id', {
    schema: { params: DatasetParams },
    handler: async (request) => {
      const id = datasetIdOf(request.params.dataset_id);
      const dataset = await inArizeTerms(() => services.datasets.get(request.actor, id), { ids: { [id]: request.params.dataset_id } });
      return withVersions(request.actor, dataset);
    },
  });

  app.patch('/v2/datasets/:dataset_id', {
    schema: { params: DatasetParams, body: DatasetUpdate },
    handler: async (request) => {
      const id = datasetIdOf(request.params.dataset_id);
      const dataset = await inArizeTerms(() => services.datasets.update(request.actor, id, { name: request.body.name }), {
        ids: { [id]: request.params.dataset_id },
      });
      return withVersions(request.actor, dataset);
    },
  });

  app.delete('/v2/datasets/:dataset_id', {
    schema: { params: DatasetParams },
    handler: async (request, reply) => {
      const id = datasetIdOf(request.params.dataset_id);
      await inArizeTerms(() => services.datasets.delete(request.actor, id), { ids: { [id]: request.params.dataset_id } });
      return reply.status(204).send();
    },
  });

  app.get('/v2/datasets/:dataset_id/examples', {
    schema: { params: DatasetParams, querystring: ExampleQuery },
    handler: async (request) => {
      const id = datasetIdOf(request.params.dataset_id);
      const { dataset_version_id: versionId, limit, cursor } = request.query;
      const version = versionId === undefined ? undefined : versionOfDataset(id, versionId, '/dataset_version_id', 'query');
      const page = await inArizeTerms(() => services.records.list(request.actor, id, { version, limit, cursor }), {
        lists: [['/version', '/dataset_version_id']],
        ids: { [id]: request.params.dataset_id },
      });
      return { examples: page.data.map(toExample), pagination: arizePagination(page.next_cursor) };
    },
  });

  app.post('/v2/datasets/:dataset_id/examples', {
    bodyLimit: LIMITS.bulkBodyBytes,
    schema: { params: DatasetParams, querystring: VersionQuery, body: ExamplesAppend },
    handler: async (request, reply) => {
      const id = datasetIdOf(request.params.dataset_id);
      const versionId = request.query.dataset_version_id;
      const baseVersion = versionId === undefined ? undefined : versionOfDataset(id, versionId, '/dataset_version_id', 'query');
      const add = request.body.examples.map((row, index) => toNewRecord(row, `/examples/${index}`));
      const result = await inArizeTerms(
        () => services.records.change(request.actor, id, { add }, { pointers: { add: '/examples' }, baseVersion }),
        { lists: [['/base_version', '/dataset_version_id']], fields: [['input', '']], ids: { [id]: request.params.dataset_id } },
      );
      const dataset = await services.datasets.get(request.actor, id);
      const exampleIds = result.added.map((record) => record.id);
      return reply.status(201).send(arizeWrittenVersion(dataset, request.actor.workspaceId, result.version?.version ?? dataset.latest_version, exampleIds));
    },
  });

  app.patch('/v2/datasets/:dataset_id/examples', {
    bodyLimit: LIMITS.bulkBodyBytes,
    schema: { params: DatasetParams, querystring: VersionQuery, body: ExamplesUpdate },
    handler: async (request) => {
      const id = datasetIdOf(request.params.dataset_id);
      const versionId = request.query.dataset_version_id;
      const baseVersion = versionId === undefined ? undefined : versionOfDataset(id, versionId, '/dataset_version_id', 'query');
      const { examples, new_version: newVersion } = request.body;
      const update = examples.map((row, index) => toRecordPatch(row, `/examples/${index}`));
      // Examples whose id names no current example are ignored, as AX documents.
      const result = await inArizeTerms(
        () =>
          services.records.change(
            request.actor,
            id,
            { update },
            { pointers: { update: '/examples' }, skipMissing: true, baseVersion, versionName: newVersion || undefined },
          ),
        { lists: [['/base_version', '/dataset_version_id'], ['/version_name', '/new_version']], ids: { [id]: request.params.dataset_id } },
      );
      const written = new Set([...result.updated, ...result.unchanged].map((record) => record.id));
      const exampleIds = examples.map((row) => parseId(row.id) ?? row.id).filter((exampleId) => written.has(exampleId));
      const dataset = await services.datasets.get(request.actor, id);
      return arizeWrittenVersion(dataset, request.actor.workspaceId, result.version?.version ?? dataset.latest_version, [...new Set(exampleIds)]);
    },
  });

  app.delete('/v2/datasets/:dataset_id/examples', {
    bodyLimit: LIMITS.bulkBodyBytes,
    schema: { params: DatasetParams, body: ExamplesDelete },
    handler: async (request) => {
      const id = datasetIdOf(request.params.dataset_id);
      const { dataset_version_id: versionId, example_ids: exampleIds } = request.body;
      const baseVersion = versionOfDataset(id, versionId, '/dataset_version_id', 'body');
      // Ids that name no current example are reported back rather than refused, so a retry is safe.
      const result = await inArizeTerms(
        () => services.records.change(request.actor, id, { remove: { ids: exampleIds } }, { pointers: { remove: '/example_ids' }, skipMissing: true, baseVersion }),
        { lists: [['/example_ids/ids', '/example_ids'], ['/base_version', '/dataset_version_id']], ids: { [id]: request.params.dataset_id } },
      );
      const removed = new Set(result.removed.map((record) => record.id));
      const isRemoved = (exampleId: string) => removed.has(parseId(exampleId) ?? exampleId);
      return {
        completed: true,
        deleted_example_ids: exampleIds.filter(isRemoved),
        not_deleted_example_ids: exampleIds.filter((exampleId) => !isRemoved(exampleId)),
      };
    },
  });
}
