import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { ValidationError } from '../../../domain/errors.js';
import { isJsonObject, type Json, type JsonObject } from '../../../domain/json.js';
import { LIMITS } from '../../../domain/limits.js';
import type { Actor, DatasetRecord, DatasetVersion } from '../../../domain/types.js';
import { compileChecker } from '../../../domain/validation.js';
import { bufferedParts } from '../../../http/multipart.js';
import type { Services } from '../../../services/index.js';
import type { ChangeResult, RecordChanges, RecordPatch } from '../../../services/records.js';
import type { SurfaceApp } from '../../../http/app.js';
import type { BodyLocator } from '../errors.js';
import { exampleFieldLoc, toNewRecord, toRecordPatch, type ExampleFields } from '../examples.js';
import { langsmithTime, presentExample } from '../present.js';
import { ExampleCreate, ExamplePart, ExampleUpdate, ExampleUpdateWithId, OffsetPage, OneOf, Repeated, Uuid } from '../schemas.js';
import { checkPart, jsonObjectParam, jsonOfPart, partPointer, refuseFilter, versionAsOf } from './shared.js';

const datasetParams = Type.Object({ dataset_id: Uuid });
const exampleParams = Type.Object({ example_id: Uuid });

/** The multipart routes are LangSmith's Go "platform" routes, at `/v1/platform/…` (bare endpoint) or `/platform/…` (under `/api/v1`). */
const PLATFORM = ['/v1/platform', '/platform'];

/** The example ids of a multipart request, in order, for the locations of faults (see multipartLocator). */
const exampleIdsOf = new WeakMap<FastifyRequest, string[]>();

/**
 * LangSmith's example routes (spec §3.2, §4): the SDK's multipart create and update, the JSON routes
 * other clients use, reads with filters, deletes, and split changes. Each request that changes
 * examples commits one dataset version (none when it changes nothing).
 */
export function exampleRoutes(app: SurfaceApp, services: Services): void {
  for (const platform of PLATFORM) {
    app.post(`${platform}/datasets/:dataset_id/examples`, {
      bodyLimit: LIMITS.bulkBodyBytes,
      config: { langsmithBody: multipartLocator, langsmithGoErrors: true },
      schema: { hide: true, params: datasetParams },
      handler: async (request, reply) => {
        const examples = examplesOfParts(request, 'create');
        const add = examples.map(({ id, fields }, index) => toNewRecord({ ...fields, id }, `/examples/${index}`));
        const result = await services.records.change(request.actor, request.params.dataset_id, { add }, { pointers: { add: '/examples' } });
        return reply.status(201).send(await writeAnswer(services, request.actor, request.params.dataset_id, result, examples.map((e) => e.id)));
      },
    });

    app.patch(`${platform}/datasets/:dataset_id/examples`, {
      bodyLimit: LIMITS.bulkBodyBytes,
      config: { langsmithBody: multipartLocator, langsmithGoErrors: true },
      schema: { hide: true, params: datasetParams },
      handler: async (request, reply) => {
        const examples = examplesOfParts(request, 'update');
        const update = examples.map(({ id, fields }, index) => toRecordPatch(id, fields, `/examples/${index}`));
        const result = await services.records.change(request.actor, request.params.dataset_id, { update }, { pointers: { update: '/examples' } });
        return reply.status(201).send(await writeAnswer(services, request.actor, request.params.dataset_id, result, examples.map((e) => e.id)));
      },
    });

    app.patch(`${platform}/datasets/:dataset_id/examples/metadata`, {
      config: { langsmithGoErrors: true },
      schema: {
        hide: true,
        params: datasetParams,
        body: Type.Object(
          {
            example_ids: Type.Array(Uuid, { minItems: 1, maxItems: LIMITS.recordsPerRequest }),
            operations: Type.Array(
              Type.Object(
                {
                  key: Type.String({ minLength: 1 }),
                  // Either case: the endpoint first took lower case only (the SDK still sends it so).
                  operation: OneOf(['array_add', 'array_remove', 'ARRAY_ADD', 'ARRAY_REMOVE'] as const),
                  values: Type.Array(Type.String()),
                },
                { additionalProperties: false },
              ),
              { minItems: 1 },
            ),
          },
          { additionalProperties: false },
        ),
      },
      handler: async (request) => {
        const { example_ids: ids, operations } = request.body;
        const update = ids.map((id): RecordPatch => ({ id, revise: (current) => reviseArrays(current, operations) }));
        const result = await services.records.change(request.actor, request.params.dataset_id, { update }, { pointers: { update: '/example_ids' } });
        return writeAnswer(services, request.actor, request.params.dataset_id, result, ids);
      },
    });

    app.post(`${platform}/datasets/examples/delete`, {
      config: { langsmithGoErrors: true },
      schema: {
        hide: true,
        body: Type.Object(
          { example_ids: Type.Array(Uuid, { minItems: 1, maxItems: LIMITS.recordsPerRequest }), hard_delete: Type.Optional(Type.Boolean()) },
          { additionalProperties: false },
        ),
      },
      handler: async (request) => {
        await removeExamples(services, request.actor, request.body.example_ids, '/example_ids');
        return {};
      },
    });
  }

  app.get('/examples/:example_id', {
    schema: { hide: true, params: exampleParams },
    handler: async (request) => presentExample(await services.records.find(request.actor, request.params.example_id)),
  });

  app.get('/examples', {
    schema: {
      hide: true,
      querystring: Type.Object({
        dataset: Type.Optional(Uuid),
        id: Repeated(Uuid),
        as_of: Type.Optional(Type.String()),
        splits: Repeated(Type.String()),
        metadata: Type.Optional(Type.String()),
        filter: Type.Optional(Type.String()),
        ...OffsetPage,
      }),
    },
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
      const splits = [...(query.splits ?? []), ...(splitFilter === undefined ? [] : Array.isArray(splitFilter) ? splitFilter.map(String) : [String(splitFilter)])];
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
    schema: { hide: true, params: exampleParams },
    handler: async (request) => {
      await removeExamples(services, request.actor, [request.params.example_id], '/example_id');
      return {};
    },
  });

  app.delete('/examples', {
    schema: { hide: true, querystring: Type.Object({ example_ids: Type.Array(Uuid, { minItems: 1, maxItems: LIMITS.recordsPerRequest }) }) },
    handler: async (request) => {
      await removeExamples(services, request.actor, request.query.example_ids, '/example_ids');
      return {};
    },
  });

  app.post('/examples', {
    schema: { hide: true, body: ExampleCreate },
    handler: async (request) => {
      const { dataset_id: datasetId, ...fields } = request.body;
      const result = await services.records.change(request.actor, datasetId, { add: [toNewRecord(fields, '')] }, { pointers: { add: '' } });
      return presentExample(result.added[0]!);
    },
  });

  app.post('/examples/bulk', {
    bodyLimit: LIMITS.bulkBodyBytes,
    schema: { hide: true, body: Type.Array(ExampleCreate, { minItems: 1, maxItems: LIMITS.recordsPerRequest }) },
    handler: async (request) => {
      const datasetId = oneDataset(request.body.map((example) => example.dataset_id), '');
      const add = request.body.map(({ dataset_id: _datasetId, ...fields }, index) => toNewRecord(fields, `/${index}`));
      const result = await services.records.change(request.actor, datasetId, { add }, { pointers: { add: '' } });
      return result.added.map(presentExample);
    },
  });

  app.patch('/examples/:example_id', {
    schema: { hide: true, params: exampleParams, body: ExampleUpdate },
    handler: async (request) => {
      const record = await services.records.find(request.actor, request.params.example_id);
      const [datasetId] = datasetsOf([record], [request.body.dataset_id], '');
      const result = await changeRecords(services, request.actor, datasetId!, { update: [toRecordPatch(record.id, request.body, '')] }, '');
      return presentExample(result.updated[0] ?? result.unchanged[0]!);
    },
  });

  app.patch('/examples/bulk', {
    bodyLimit: LIMITS.bulkBodyBytes,
    schema: { hide: true, body: Type.Array(ExampleUpdateWithId, { minItems: 1, maxItems: LIMITS.recordsPerRequest }) },
    handler: async (request) => {
      const records = await Promise.all(request.body.map((example) => services.records.find(request.actor, example.id)));
      const datasetId = oneDataset(datasetsOf(records, request.body.map((example) => example.dataset_id), ''), '');
      const update = request.body.map(({ id, dataset_id: _datasetId, ...fields }, index) => toRecordPatch(id, fields, `/${index}`));
      const result = await changeRecords(services, request.actor, datasetId, { update }, '');
      return [...result.updated, ...result.unchanged].map(presentExample);
    },
  });

  app.put('/datasets/:dataset_id/splits', {
    schema: {
      hide: true,
      params: datasetParams,
      body: Type.Object(
        { split_name: Type.String({ minLength: 1 }), examples: Type.Array(Uuid, { minItems: 1, maxItems: LIMITS.recordsPerRequest }), remove: Type.Optional(Type.Boolean()) },
        { additionalProperties: false },
      ),
    },
    handler: async (request) => {
      const { split_name: split, examples, remove } = request.body;
      const operation = [{ key: 'dataset_split', operation: remove ? 'array_remove' : 'array_add', values: [split] }];
      const update = examples.map((id): RecordPatch => ({ id, revise: (current) => reviseArrays(current, operation) }));
      await services.records.change(request.actor, request.params.dataset_id, { update }, { pointers: { update: '/examples' } });
      return examples;
    },
  });
}

/** What the multipart routes answer: the examples written and the version they are in (`as_of`). */
async function writeAnswer(services: Services, actor: Actor, datasetId: string, result: ChangeResult, ids: string[]) {
  const version: Pick<DatasetVersion, 'created_at'> | null =
    result.version ?? (await services.versions.list(actor, datasetId, { limit: 1 })).data[0] ?? null;
  const asOf = version?.created_at ?? (await services.datasets.get(actor, datasetId)).created_at;
  return { example_ids: ids, count: ids.length, as_of: langsmithTime(asOf) };
}

/**
 * The examples of a multipart upload (spec §4.1), in the order their parts first appear: a part
 * `<id>` holds the example's own fields, `<id>.inputs` and `<id>.outputs` its inputs and reference
 * outputs; `<id>.attachment.<name>` (or `.attachments.`) parts are attachments.
 */
function examplesOfParts(request: FastifyRequest, mode: 'create' | 'update'): { id: string; fields: ExampleFields }[] {
  const parts = bufferedParts(request);
  const examples = new Map<string, ExampleFields & { main: boolean }>();
  for (const part of parts) {
    const match = /^([0-9a-fA-F-]{36})(?:\.(inputs|outputs|attachments_operations|attachments?\.(.+)))?$/.exec(part.name);
    if (!match) throw ValidationError.field(partPointer(part.name), 'is not a part of an example: parts are named <example id>, <example id>.inputs, <example id>.outputs or <example id>.attachment.<name>', { in: 'body' });
    const id = match[1]!.toLowerCase();
    const example = examples.get(id) ?? { main: false };
    examples.set(id, example);
    if (match[3] !== undefined) {
      example.attachments = [...(example.attachments ?? []), match[3]];
      continue;
    }
    const value = jsonOfPart(part);
    const field = match[2];
    if (field === undefined) {
      checkPart(checkExamplePart, value, part.name);
      Object.assign(example, value);
      example.main = true;
    } else if (field === 'attachments_operations') {
      example.attachments = [...(example.attachments ?? []), 'operations'];
    } else {
      if (!isJsonObject(value)) throw ValidationError.field(partPointer(part.name), 'must be a JSON object', { in: 'body' });
      example[field as 'inputs' | 'outputs'] = value;
    }
  }
  if (examples.size === 0) throw ValidationError.field('', 'must hold at least one example', { in: 'body' });
  const ids = [...examples.keys()];
  exampleIdsOf.set(request, ids);
  return ids.map((id) => {
    const { main, ...fields } = examples.get(id)!;
    if (!main) throw ValidationError.field(`/${id}`, `is required: each example has a part named by its id (${mode === 'create' ? 'its fields, or {}' : 'the fields it changes, or {}'})`, { in: 'body' });
    return { id, fields };
  });
}

const checkExamplePart = compileChecker(ExamplePart);

/** Faults of `/examples/<i>/<field>` as the part that carried the field. */
const multipartLocator: BodyLocator = (segments, request) => {
  const [top, index, field, ...rest] = segments;
  const id = top === 'examples' && index !== undefined ? exampleIdsOf.get(request)?.[Number(index)] : undefined;
  if (id === undefined) return segments;
  const [wire, ...inner] = exampleFieldLoc(field === undefined ? [] : [field, ...rest]);
  if (wire === 'inputs' || wire === 'outputs') return [`${id}.${wire}`, ...inner];
  return wire === undefined || wire === 'id' ? [id] : [id, wire, ...inner];
};

/**
 * Array operations on an example's metadata (`PATCH …/examples/metadata`); the key `dataset_split`
 * is the example's splits.
 */
function reviseArrays(current: { metadata: JsonObject; splits: string[] }, operations: readonly { key: string; operation: string; values: string[] }[]) {
  let metadata = current.metadata;
  let splits = current.splits;
  for (const { key, operation, values } of operations) {
    const apply = (list: readonly Json[]) => (operation.toLowerCase() === 'array_add' ? [...list, ...values.filter((v) => !list.includes(v))] : list.filter((v) => !values.includes(v as string)));
    if (key === 'dataset_split') splits = apply(splits) as string[];
    else {
      const existing = metadata[key];
      metadata = { ...metadata, [key]: apply(Array.isArray(existing) ? existing : existing === undefined || existing === null ? [] : [existing]) };
    }
  }
  return { metadata, splits };
}

/** The dataset of each example, checked against the `dataset_id` a request gives for it (examples do not move between datasets). */
function datasetsOf(records: readonly DatasetRecord[], given: readonly (string | null | undefined)[], base: string): string[] {
  return records.map((record, index) => {
    const claimed = given[index];
    if (claimed && claimed.toLowerCase() !== record.dataset_id) {
      throw ValidationError.field(`${base}${records.length > 1 ? `/${index}` : ''}/dataset_id`, `is not the example's dataset (${record.dataset_id}): examples do not move between datasets`);
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

async function changeRecords(services: Services, actor: Actor, datasetId: string, changes: RecordChanges, base: string) {
  return services.records.change(actor, datasetId, changes, { pointers: { update: base } });
}

/** Removes examples named by id alone (an unknown one is 404); all must be of one dataset, changed in one version. */
async function removeExamples(services: Services, actor: Actor, ids: readonly string[], pointer: string) {
  const records = await Promise.all(ids.map((id) => services.records.find(actor, id)));
  const datasetId = oneDataset(records.map((record) => record.dataset_id), pointer);
  await services.records.change(actor, datasetId, { remove: { ids: records.map((record) => record.id) } });
}
