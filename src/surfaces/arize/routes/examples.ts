import { parseId } from '../../../domain/ids.js';
import { LIMITS } from '../../../domain/limits.js';
import type { Actor } from '../../../domain/types.js';
import type { SurfaceApp } from '../../../http/app.js';
import type { Services } from '../../../services/index.js';
import { toNewRecord, toRecordPatch } from '../examples.js';
import { uuidOf, versionOfDataset } from '../ids.js';
import { presentExample, presentPagination, presentWrittenVersion } from '../present.js';
import { ANNOTATION_FIELDS, annotationValues, annotatorOf, presentAnnotationResults } from '../annotations.js';
import { AnnotateBody, DatasetParams, ExampleQuery, ExamplesAppend, ExamplesDelete, ExamplesUpdate, VersionQuery } from '../schemas.js';

/** The version a write builds on is the request's `dataset_version_id`. */
const BASE_VERSION = ['/base_version', '/dataset_version_id'] as const;

/**
 * A dataset's examples. Evalstore never changes a committed version, so every write AX calls "in
 * place" commits a new version, which the response names (docs/surfaces/arize.md explains).
 */
export function exampleRoutes(app: SurfaceApp, services: Services): void {
  const datasetIdOf = (id: string) => uuidOf('Dataset', id, '/dataset_id', 'params');
  const versionInQuery = (datasetId: string, versionId: string | undefined) =>
    versionId === undefined ? undefined : versionOfDataset(datasetId, versionId, '/dataset_version_id', 'query');
  /** The answer to a write: the dataset, the version it committed (the latest when it changed nothing), the examples written. */
  const written = async (actor: Actor, id: string, version: number | undefined, exampleIds: readonly string[]) => {
    const dataset = await services.datasets.get(actor, id);
    return presentWrittenVersion(dataset, actor.workspaceId, version ?? dataset.latest_version, exampleIds);
  };

  app.get('/v2/datasets/:dataset_id/examples', {
    schema: { params: DatasetParams, querystring: ExampleQuery },
    config: { restate: { query: [['/version', '/dataset_version_id']] } },
    handler: async (request) => {
      const id = datasetIdOf(request.params.dataset_id);
      const { dataset_version_id: versionId, limit, cursor } = request.query;
      const page = await services.records.list(request.actor, id, { version: versionInQuery(id, versionId), limit, cursor });
      const annotations = await services.recordScores.ofRecords(
        request.actor,
        id,
        page.data.map((record) => record.id),
      );
      return { examples: page.data.map((record) => presentExample(record, annotations.get(record.id))), pagination: presentPagination(page.next_cursor) };
    },
  });

  app.post('/v2/datasets/:dataset_id/examples/annotate', {
    schema: { params: DatasetParams, body: AnnotateBody },
    config: { restate: { fields: ANNOTATION_FIELDS } },
    handler: async (request, reply) => {
      const id = datasetIdOf(request.params.dataset_id);
      const annotated = await services.recordScores.annotate(request.actor, id, annotationValues(request.body), annotatorOf(request.actor));
      return reply.status(202).send(presentAnnotationResults(request.body, annotated));
    },
  });

  app.post('/v2/datasets/:dataset_id/examples', {
    bodyLimit: LIMITS.bulkBodyBytes,
    schema: { params: DatasetParams, querystring: VersionQuery, body: ExamplesAppend },
    // An example row is the record's whole input.
    config: { restate: { lists: [['/add', '/examples'], BASE_VERSION], fields: [['input', '']] } },
    handler: async (request, reply) => {
      const id = datasetIdOf(request.params.dataset_id);
      const baseVersion = versionInQuery(id, request.query.dataset_version_id);
      const add = request.body.examples.map((row, index) => toNewRecord(row, `/examples/${index}`));
      const result = await services.records.change(request.actor, id, { add }, { baseVersion });
      return reply.status(201).send(
        await written(
          request.actor,
          id,
          result.version?.version,
          result.added.map((record) => record.id),
        ),
      );
    },
  });

  app.patch('/v2/datasets/:dataset_id/examples', {
    bodyLimit: LIMITS.bulkBodyBytes,
    schema: { params: DatasetParams, querystring: VersionQuery, body: ExamplesUpdate },
    config: { restate: { lists: [['/update', '/examples'], BASE_VERSION, ['/version_name', '/new_version']] } },
    handler: async (request) => {
      const id = datasetIdOf(request.params.dataset_id);
      const baseVersion = versionInQuery(id, request.query.dataset_version_id);
      const { examples, new_version: newVersion } = request.body;
      const update = examples.map((row, index) => toRecordPatch(row, `/examples/${index}`));
      // Examples whose id names no current example are ignored, as AX documents.
      const result = await services.records.change(request.actor, id, { update }, { skipMissing: true, baseVersion, versionName: newVersion || undefined });
      const changed = new Set([...result.updated, ...result.unchanged].map((record) => record.id));
      const exampleIds = examples.map((row) => parseId(row.id) ?? row.id).filter((exampleId) => changed.has(exampleId));
      return written(request.actor, id, result.version?.version, [...new Set(exampleIds)]);
    },
  });

  app.delete('/v2/datasets/:dataset_id/examples', {
    bodyLimit: LIMITS.bulkBodyBytes,
    schema: { params: DatasetParams, body: ExamplesDelete },
    config: { restate: { lists: [['/remove/ids', '/example_ids'], BASE_VERSION] } },
    handler: async (request) => {
      const id = datasetIdOf(request.params.dataset_id);
      const { dataset_version_id: versionId, example_ids: exampleIds } = request.body;
      const baseVersion = versionOfDataset(id, versionId, '/dataset_version_id', 'body');
      // Ids that name no current example are reported back rather than refused, so a retry is safe.
      const result = await services.records.change(request.actor, id, { remove: { ids: exampleIds } }, { skipMissing: true, baseVersion });
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
