import { ValidationError } from '../../../domain/errors.js';
import { isJsonObject } from '../../../domain/json.js';
import { LIMITS } from '../../../domain/limits.js';
import type { SurfaceApp } from '../../../http/app.js';
import type { Services } from '../../../services/index.js';
import { bodyChecker, inOneOrList, itemsOf } from '../bodies.js';
import { DATAPOINT_ADDITION, datapointOfLog, recordOfDatapoint } from '../datapoints.js';
import { uuidInPath, uuidOf } from '../ids.js';
import { presentPage, presentV4Datapoint, presentV5Datapoint, presentV5Dataset } from '../present.js';
import { DatapointInput, DatapointList, DatapointsFromLogs, DatasetParams, PageQuery, V5CsvUploadQuery, V5DatapointQuery } from '../schemas.js';
import { uploadDatapoints } from '../uploads.js';
import { findVersion, refuseEnvironment, selectVersion, versionInQuery } from '../versions.js';

const checkDatapoint = bodyChecker<DatapointInput>(DatapointInput);
const checkDatapointList = bodyChecker<DatapointInput[]>(DatapointList);
const checkLogIds = bodyChecker<{ log_ids: string[] }>(DatapointsFromLogs);

/**
 * A dataset's datapoints (its records). v4 adds them, one, a list, or made from logs, each addition
 * committing a version; both APIs page through a version's datapoints by page number.
 */
export function datapointRoutes(app: SurfaceApp, services: Services): void {
  app.get('/v4/datasets/:dataset_id/datapoints', {
    schema: { hide: true, params: DatasetParams, querystring: PageQuery },
    handler: async (request) => {
      const id = uuidInPath('dataset', request.params.dataset_id);
      const { page = 1, size = 10 } = request.query;
      const dataset = await services.datasets.get(request.actor, id);
      const records = await services.records.list(request.actor, id, { version: dataset.latest_version, offset: (page - 1) * size, limit: size });
      return presentPage(records.data.map(presentV4Datapoint), page, size, dataset.record_count);
    },
  });

  app.post('/v4/datasets/:dataset_id/datapoints', {
    bodyLimit: LIMITS.bulkBodyBytes,
    schema: { hide: true, params: DatasetParams },
    // The service's runs are the request's logs; its list of records is the body (one datapoint, or a list of them).
    config: {
      restate: {
        lists: [
          ['/run_ids', '/log_ids'],
          ['/add', ''],
        ],
        words: [
          ['Run', 'Log'],
          ['run', 'log'],
        ],
        locate: inOneOrList,
      },
    },
    handler: async (request) => {
      const id = uuidInPath('dataset', request.params.dataset_id);
      const body = request.body;
      if (isJsonObject(body) && 'log_ids' in body) {
        const runIds = checkLogIds(body).log_ids.map((logId, index) => {
          const runId = uuidOf('log', logId);
          if (!runId) throw ValidationError.field(`/log_ids/${index}`, 'is not a log id (data_…)', { in: 'body' });
          return runId;
        });
        const result = await services.records.addFromRuns(request.actor, id, runIds, { ...DATAPOINT_ADDITION, toRecord: datapointOfLog });
        return result.added.map(presentV4Datapoint);
      }
      const add = itemsOf(body, checkDatapoint, checkDatapointList).map(recordOfDatapoint);
      const result = await services.records.change(request.actor, id, { add }, DATAPOINT_ADDITION);
      return result.added.map(presentV4Datapoint);
    },
  });

  app.post('/v5/datasets/:dataset_id/datapoints/csv', {
    schema: { hide: true, params: DatasetParams, querystring: V5CsvUploadQuery },
    config: { restate: { lists: [['/base_version', '/version_id']] } },
    handler: async (request) => {
      const id = uuidInPath('dataset', request.params.dataset_id);
      refuseEnvironment(request.query.environment);
      // The new version builds on the latest: a version_id must name it (the upload refuses another with 409).
      const baseVersion = request.query.version_id === undefined ? undefined : versionInQuery(id, request.query.version_id);
      const summary = await uploadDatapoints(services, request, id, baseVersion);
      const dataset = await services.datasets.get(request.actor, id);
      return presentV5Dataset(dataset, summary.version ?? (await findVersion(services, request.actor, dataset, dataset.latest_version)));
    },
  });

  app.get('/v5/datasets/:dataset_id/datapoints', {
    schema: { hide: true, params: DatasetParams, querystring: V5DatapointQuery },
    handler: async (request) => {
      const { page = 1, size = 10 } = request.query;
      const { dataset, version } = await selectVersion(services, request.actor, request.params.dataset_id, request.query);
      const records = await services.records.list(request.actor, dataset.id, { version, offset: (page - 1) * size, limit: size });
      // The latest version holds the dataset's records: only an earlier one needs reading for its count.
      const total = version === dataset.latest_version ? dataset.record_count : (await findVersion(services, request.actor, dataset, version)).record_count;
      return presentPage(records.data.map(presentV5Datapoint), page, size, total);
    },
  });
}
