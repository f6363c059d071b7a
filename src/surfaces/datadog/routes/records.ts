import { ValidationError } from '../../../domain/errors.js';
import { LIMITS } from '../../../domain/limits.js';
import type { Actor } from '../../../domain/types.js';
import type { SurfaceApp } from '../../../http/app.js';
import type { Services } from '../../../services/index.js';
import type { ChangeOptions, RecordChanges } from '../../../services/records.js';
import { presentChanges, presentPage, presentRecord, sendJsonApi } from '../present.js';
import { booleanParam, datasetIn, pageOf, toNewRecord, toPatch } from '../requests.js';
import { AddRecordsBody, BatchUpdateBody, DatasetParams, DeleteRecordsBody, RecordsQuery, UpdateRecordsBody } from '../schemas.js';

/**
 * Records of a dataset. The mutations answer the records they changed; each says, in `config.restate`,
 * where the service's lists (`/add`, `/update`, `/remove`) sit in its body, for the pointers of errors.
 */
export function recordRoutes(app: SurfaceApp, services: Services): void {
  app.get('/:project_id/datasets/:dataset_id/records', {
    schema: { params: DatasetParams, querystring: RecordsQuery },
    handler: async (request, reply) => {
      const dataset = await datasetIn(services, request.actor, request.params);
      // Records keep no author of their own: the parameter is read (and checked) and adds nothing.
      booleanParam(request.query['include[user_data]'], 'include[user_data]', false);
      const version = request.query['filter[version]'];
      if (version !== undefined && (version < 0 || version > dataset.latest_version)) {
        // Datadog's own wording and status for a version out of range.
        throw ValidationError.field('/filter[version]', 'invalid version: version is greater than the current version or negative', { in: 'query' });
      }
      const tags = request.query['filter[tags]'];
      const page = await services.records.list(request.actor, dataset.id, { version, ...pageOf(request.query), ...(tags?.length ? { tags_any: tags } : {}) });
      return sendJsonApi(reply, 200, presentPage(page, presentRecord));
    },
  });

  app.post('/:project_id/datasets/:dataset_id/records', {
    bodyLimit: LIMITS.bulkBodyBytes,
    schema: { params: DatasetParams, body: AddRecordsBody },
    config: { restate: { lists: [['/add', '/data/attributes/records']] } },
    handler: async (request, reply) => {
      const { records, deduplicate } = request.body.data.attributes;
      const changes = { add: records.map((item) => toNewRecord(item)) };
      return sendJsonApi(reply, 200, await changeRecords(services, request, changes, { deduplicate: deduplicate ?? true }));
    },
  });

  app.patch('/:project_id/datasets/:dataset_id/records', {
    bodyLimit: LIMITS.bulkBodyBytes,
    schema: { params: DatasetParams, body: UpdateRecordsBody },
    config: { restate: { lists: [['/update', '/data/attributes/records']] } },
    handler: async (request, reply) => {
      const changes = { update: request.body.data.attributes.records.map(toPatch) };
      return sendJsonApi(reply, 200, await changeRecords(services, request, changes));
    },
  });

  app.post('/:project_id/datasets/:dataset_id/records/delete', {
    bodyLimit: LIMITS.bulkBodyBytes,
    schema: { params: DatasetParams, body: DeleteRecordsBody },
    config: { restate: { lists: [['/remove', '/data/attributes/record_ids']] } },
    handler: async (request, reply) => {
      await changeRecords(services, request, { remove: { refs: request.body.data.attributes.record_ids } });
      return reply.status(204).send();
    },
  });

  // evalstore's versions are immutable: every batch that changes something commits a version of its
  // own, whatever `create_new_version` says (see docs/surfaces/datadog.md).
  app.post('/:project_id/datasets/:dataset_id/batch_update', {
    bodyLimit: LIMITS.bulkBodyBytes,
    schema: { params: DatasetParams, body: BatchUpdateBody },
    config: {
      restate: {
        lists: [
          ['/add', '/data/attributes/insert_records'],
          ['/update', '/data/attributes/update_records'],
          ['/remove', '/data/attributes/delete_records'],
        ],
      },
    },
    handler: async (request, reply) => {
      const { insert_records, update_records, delete_records, tags, deduplicate } = request.body.data.attributes;
      const changes = {
        add: (insert_records ?? []).map((item) => toNewRecord(item, tags)),
        update: (update_records ?? []).map(toPatch),
        remove: { refs: delete_records ?? [] },
      };
      return sendJsonApi(reply, 200, await changeRecords(services, request, changes, { deduplicate: deduplicate ?? true }));
    },
  });
}

/** Changes the records of the dataset the path names: the mutation's answer. */
async function changeRecords(
  services: Services,
  request: { actor: Actor; params: { project_id: string; dataset_id: string } },
  changes: RecordChanges,
  options: ChangeOptions = {},
) {
  const dataset = await datasetIn(services, request.actor, request.params);
  return presentChanges(await services.records.change(request.actor, dataset.id, changes, options), dataset);
}
