import { ValidationError } from '../../../domain/errors.js';
import { LIMITS } from '../../../domain/limits.js';
import type { Actor, DatasetRecord, DatasetVersion } from '../../../domain/types.js';
import type { SurfaceApp } from '../../../http/app.js';
import { bufferedParts } from '../../../http/multipart.js';
import type { Services } from '../../../services/index.js';
import type { ChangeResult, RecordPatch } from '../../../services/records.js';
import { EXAMPLE_FIELDS } from '../errors.js';
import { examplesOfParts, locateExamplePart, reviseArrays, toNewRecord, toRecordPatch } from '../examples.js';
import { rememberParts } from '../parts.js';
import { langsmithTime, presentExample } from '../present.js';
import { jsonObjectParam, refuseFilter, versionAsOf } from '../requests.js';
import {
  DatasetParams,
  ExampleCreate,
  ExampleIdsQuery,
  ExampleParams,
  ExampleQuery,
  ExamplesBulkCreate,
  ExamplesBulkUpdate,
  ExamplesDelete,
  ExampleSplitChange,
  ExamplesMetadataChange,
  ExampleUpdate,
} from '../schemas.js';

/** The multipart routes are LangSmith's Go "platform" routes, at `/v1/platform/…` (bare endpoint) or `/platform/…` (under `/api/v1`). */
const PLATFORM = ['/v1/platform', '/platform'];

/** The multipart routes: Go's error format, bodies up to the bulk limit, faults of examples located in their parts. */
const multipartWrite = (list: '/add' | '/update') => ({
  bodyLimit: LIMITS.bulkBodyBytes,
  config: { langsmithGoErrors: true, restate: { lists: [[list, '/examples']] as const, fields: EXAMPLE_FIELDS, locate: locateExamplePart } },
  schema: { hide: true, params: DatasetParams },
});

/**
 * LangSmith's example routes (spec §3.2, §4): the SDK's multipart create and update, the JSON routes
 * other clients use, reads with filters, deletes, and split changes. Each request that changes
 * examples commits one dataset version (none when it changes nothing).
 */
export function exampleRoutes(app: SurfaceApp, services: Services): void {
  for (const platform of PLATFORM) {
    app.post(`${platform}/datasets/:dataset_id/examples`, {
      ...multipartWrite('/add'),
      handler: async (request, reply) => {
        const examples = examplesOfParts(bufferedParts(request), 'create');
        rememberParts(request, { examples: examples.map((example) => example.id) });
        const add = examples.map(({ id, fields }, index) => toNewRecord({ ...fields, id }, `/examples/${index}`));
        const result = await services.records.change(request.actor, request.params.dataset_id, { add });
        return reply.status(201).send(await writeAnswer(services, request.actor, request.params.dataset_id, result, examples));
      },
    });

    app.patch(`${platform}/datasets/:dataset_id/examples`, {
      ...multipartWrite('/update'),
      handler: async (request, reply) => {
        const examples = examplesOfParts(bufferedParts(request), 'update');
        rememberParts(request, { examples: examples.map((example) => example.id) });
        const update = examples.map(({ id, fields }, index) => toRecordPatch(id, fields, `/examples/${index}`));
        const result = await services.records.change(request.actor, request.params.dataset_id, { update });
        return reply.status(201).send(await writeAnswer(services, request.actor, request.params.dataset_id, result, examples));
      },
    });

    app.patch(`${platform}/datasets/:dataset_id/examples/metadata`, {
      config: { langsmithGoErrors: true, restate: { lists: [['/update', '/example_ids']] } },
      schema: { hide: true, params: DatasetParams, body: ExamplesMetadataChange },
      handler: async (request) => {
        const { example_ids: ids, operations } = request.body;
        const update = ids.map((id): RecordPatch => ({ id, revise: (current) => reviseArrays(current, operations) }));
        const result = await services.records.change(request.actor, request.params.dataset_id, { update });
        return writeAnswer(
          services,
          request.actor,
          request.params.dataset_id,
          result,
          ids.map((id) => ({ id })),
        );
      },
    });

    app.post(`${platform}/datasets/examples/delete`, {
      config: { langsmithGoErrors: true },
      schema: { hide: true, body: ExamplesDelete },
      handler: async (request) => {
        await removeExamples(services, request.actor, request.body.example_ids, '/example_ids');
        return {};
      },
    });
  }

  app.get('/examples/:example_id', {
    schema: { hide: true, params: ExampleParams },
    handler: async (request) => presentExample(await services.records.find(request.actor, request.params.example_id)),
  });

  app.get('/examples', {
    schema: { hide: true, querystring: ExampleQuery },
    handler: async (request) => {
      const query = request.query;
      refuseFilter(query.filter, 'filter', 'query');
      if (query.dataset === undefined) {
        if (!query.id?.length) throw ValidationError.field('/dataset', 'is required when no example id is given', { in: 'query' });
        const found = await Promise.all(query.id.map((id) => services.records.find(request.actor, id).catch(() => undefined)));
        return found.flatMap((record) => (record ? [presentExample(record)] : [])).slice(query.offset ?? 0, (query.offset ?? 0) + (query.limit ?? 100));
      }
      const metadata = jsonObjectParam(query.metadata, 'metadata');
      // Splits are the records' own, not metadata: a metadata filter on them filters splits.
      const { dataset_split: splitFilter, ...otherMetadata } = metadata ?? {};
      const splits = [
        ...(query.splits ?? []),
        ...(splitFilter === undefined ? [] : Array.isArray(splitFilter) ? splitFilter.map(String) : [String(splitFilter)]),
      ];
      const page = await services.records.list(request.actor, query.dataset, {
        version: await versionAsOf(services, request.actor, query.dataset, query.as_of),
        ...(query.id ? { ids: query.id } : {}),
        ...(splits.length ? { splits } : {}),
        metadata: otherMetadata,
        offset: query.offset,
        limit: query.limit,
      });
      return page.data.map(presentExample);
    },
  });

  app.delete('/examples/:example_id', {
    schema: { hide: true, params: ExampleParams },
    handler: async (request) => {
      await removeExamples(services, request.actor, [request.params.example_id], '/example_id');
      return {};
    },
  });

  app.delete('/examples', {
    schema: { hide: true, querystring: ExampleIdsQuery },
    handler: async (request) => {
      await removeExamples(services, request.actor, request.query.example_ids, '/example_ids');
      return {};
    },
  });

  app.post('/examples', {
    config: { restate: { lists: [['/add/0', '']], fields: EXAMPLE_FIELDS } },
    schema: { hide: true, body: ExampleCreate },
    handler: async (request) => {
      const { dataset_id: datasetId, ...fields } = request.body;
      const result = await services.records.change(request.actor, datasetId, { add: [toNewRecord(fields, '')] });
      return presentExample(result.added[0]!);
    },
  });

  app.post('/examples/bulk', {
    bodyLimit: LIMITS.bulkBodyBytes,
    config: { restate: { lists: [['/add', '']], fields: EXAMPLE_FIELDS } },
    schema: { hide: true, body: ExamplesBulkCreate },
    handler: async (request) => {
      const datasetId = oneDataset(
        request.body.map((example) => example.dataset_id),
        '',
      );
      const add = request.body.map(({ dataset_id: _datasetId, ...fields }, index) => toNewRecord(fields, `/${index}`));
      const result = await services.records.change(request.actor, datasetId, { add });
      return result.added.map(presentExample);
    },
  });

  app.patch('/examples/:example_id', {
    config: { restate: { lists: [['/update/0', '']], fields: EXAMPLE_FIELDS } },
    schema: { hide: true, params: ExampleParams, body: ExampleUpdate },
    handler: async (request) => {
      const record = await services.records.find(request.actor, request.params.example_id);
      const [datasetId] = datasetsOf([record], [request.body.dataset_id], '');
      const result = await services.records.change(request.actor, datasetId!, { update: [toRecordPatch(record.id, request.body, '')] });
      return presentExample(result.updated[0] ?? result.unchanged[0]!);
    },
  });

  app.patch('/examples/bulk', {
    bodyLimit: LIMITS.bulkBodyBytes,
    config: { restate: { lists: [['/update', '']], fields: EXAMPLE_FIELDS } },
    schema: { hide: true, body: ExamplesBulkUpdate },
    handler: async (request) => {
      const records = await Promise.all(request.body.map((example) => services.records.find(request.actor, example.id)));
      const datasetId = oneDataset(
        datasetsOf(
          records,
          request.body.map((example) => example.dataset_id),
          '',
        ),
        '',
      );
      const update = request.body.map(({ id, dataset_id: _datasetId, ...fields }, index) => toRecordPatch(id, fields, `/${index}`));
      const result = await services.records.change(request.actor, datasetId, { update });
      return [...result.updated, ...result.unchanged].map(presentExample);
    },
  });

  app.put('/datasets/:dataset_id/splits', {
    config: { restate: { lists: [['/update', '/examples']] } },
    schema: { hide: true, params: DatasetParams, body: ExampleSplitChange },
    handler: async (request) => {
      const { split_name: split, examples, remove } = request.body;
      const operation = [{ key: 'dataset_split', operation: remove ? 'array_remove' : 'array_add', values: [split] }];
      const update = examples.map((id): RecordPatch => ({ id, revise: (current) => reviseArrays(current, operation) }));
      await services.records.change(request.actor, request.params.dataset_id, { update });
      return examples;
    },
  });
}

/** What the multipart routes answer: the examples written and the version they are in (`as_of`). */
async function writeAnswer(services: Services, actor: Actor, datasetId: string, result: ChangeResult, examples: readonly { id: string }[]) {
  const version: Pick<DatasetVersion, 'created_at'> | null = result.version ?? (await services.versions.list(actor, datasetId, { limit: 1 })).data[0] ?? null;
  const asOf = version?.created_at ?? (await services.datasets.get(actor, datasetId)).created_at;
  return { example_ids: examples.map((example) => example.id), count: examples.length, as_of: langsmithTime(asOf) };
}

/** The dataset of each example, checked against the `dataset_id` a request gives for it (examples do not move between datasets). */
function datasetsOf(records: readonly DatasetRecord[], given: readonly (string | null | undefined)[], base: string): string[] {
  return records.map((record, index) => {
    const claimed = given[index];
    if (claimed && claimed.toLowerCase() !== record.dataset_id) {
      throw ValidationError.field(
        `${base}${records.length > 1 ? `/${index}` : ''}/dataset_id`,
        `is not the example's dataset (${record.dataset_id}): examples do not move between datasets`,
      );
    }
    return record.dataset_id;
  });
}

/** The one dataset of the examples of a request: a request changes one dataset, in one version. */
function oneDataset(datasetIds: readonly string[], base: string): string {
  const first = datasetIds[0]!;
  const other = datasetIds.findIndex((id) => id.toLowerCase() !== first.toLowerCase());
  if (other >= 0) throw ValidationError.field(`${base}/${other}/dataset_id`, 'must be the dataset of the other examples: one request changes one dataset');
  return first;
}

/** Removes examples named by id alone (an unknown one is 404); all must be of one dataset, changed in one version. */
async function removeExamples(services: Services, actor: Actor, ids: readonly string[], pointer: string) {
  const records = await Promise.all(ids.map((id) => services.records.find(actor, id)));
  const datasetId = oneDataset(
    records.map((record) => record.dataset_id),
    pointer,
  );
  await services.records.change(actor, datasetId, { remove: { ids: records.map((record) => record.id) } });
}
