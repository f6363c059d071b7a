import { NotFoundError, ValidationError } from '../../../domain/errors.js';
import { isJsonObject } from '../../../domain/json.js';
import { LIMITS } from '../../../domain/limits.js';
import type { Services } from '../../../services/index.js';
import { allPages } from '../../../services/pagination.js';
import { bodyChecker, datasetInPath, type HumanloopApp } from '../app.js';
import { DATAPOINT_ADDITION, datapointOfLog, recordOfDatapoint } from '../datapoints.js';
import { inHumanloopTerms } from '../errors.js';
import { humanloopId, uuidOf } from '../ids.js';
import { runOfV4Log } from '../logs.js';
import { humanloopPage, v4Dataset, v4Datapoint } from '../present.js';
import {
  DatapointInput,
  DatapointList,
  DatapointsFromLogs,
  DatasetParams,
  PageQuery,
  ProjectParams,
  V4DatasetCreate,
  V4DatasetUpdate,
  V4Log,
  V4LogList,
} from '../schemas.js';

const checkDatapoint = bodyChecker<DatapointInput>(DatapointInput);
const checkDatapointList = bodyChecker<DatapointInput[]>(DatapointList);
const checkLogIds = bodyChecker<{ log_ids: string[] }>(DatapointsFromLogs);
const checkLog = bodyChecker<V4Log>(V4Log);
const checkLogList = bodyChecker<V4Log[]>(V4LogList);

/**
 * Humanloop's v4 API as its v4 SDK (humanloop@0.5.x) uses it: datasets in projects, their datapoints,
 * and logs. A project is an evalstore project; a dataset is an evalstore dataset, whose every change
 * commits a version.
 */
export function v4Routes(app: HumanloopApp, services: Services): void {
  app.post('/v4/projects/:project_id/datasets', {
    schema: { hide: true, params: ProjectParams, body: V4DatasetCreate },
    handler: async (request) => {
      const projectId = projectInPath(request.params.project_id);
      const { name, description } = request.body;
      const dataset = await inHumanloopTerms(() => services.datasets.create(request.actor, { name, description, project_id: projectId }), {
        ids: { [projectId]: request.params.project_id },
      });
      return v4Dataset(dataset);
    },
  });

  app.get('/v4/projects/:project_id/datasets', {
    schema: { hide: true, params: ProjectParams },
    handler: async (request) => {
      const projectId = projectInPath(request.params.project_id);
      const terms = { ids: { [projectId]: request.params.project_id } };
      await inHumanloopTerms(() => services.projects.get(request.actor, projectId), terms);
      const datasets = await allPages((cursor) => services.datasets.list(request.actor, { project_id: projectId, cursor, limit: LIMITS.pageSizeMax }));
      return datasets.map(v4Dataset);
    },
  });

  app.get('/v4/datasets/:dataset_id', {
    schema: { hide: true, params: DatasetParams },
    handler: async (request) => {
      const id = datasetInPath(request.params.dataset_id);
      return v4Dataset(await inHumanloopTerms(() => services.datasets.get(request.actor, id), { ids: { [id]: request.params.dataset_id } }));
    },
  });

  app.patch('/v4/datasets/:dataset_id', {
    schema: { hide: true, params: DatasetParams, body: V4DatasetUpdate },
    handler: async (request) => {
      const id = datasetInPath(request.params.dataset_id);
      const { name, description } = request.body;
      const dataset = await inHumanloopTerms(() => services.datasets.update(request.actor, id, { name, description }), { ids: { [id]: request.params.dataset_id } });
      return v4Dataset(dataset);
    },
  });

  app.delete('/v4/datasets/:dataset_id', {
    schema: { hide: true, params: DatasetParams },
    handler: async (request) => {
      const id = datasetInPath(request.params.dataset_id);
      // Answered as it was just before it went, read in the deleting transaction. The service's faults
      // point into its list of ids; here they are about the path's dataset, so they stay 404s.
      const [deleted] = await inHumanloopTerms(() => services.datasets.deleteMany(request.actor, [id]), {
        ids: { [id]: request.params.dataset_id },
        pointer: () => '',
      });
      return v4Dataset(deleted!);
    },
  });

  app.get('/v4/datasets/:dataset_id/datapoints', {
    schema: { hide: true, params: DatasetParams, querystring: PageQuery },
    handler: async (request) => {
      const id = datasetInPath(request.params.dataset_id);
      const { page = 1, size = 10 } = request.query;
      const terms = { ids: { [id]: request.params.dataset_id } };
      const dataset = await inHumanloopTerms(() => services.datasets.get(request.actor, id), terms);
      const records = await services.records.list(request.actor, id, { version: dataset.latest_version, offset: (page - 1) * size, limit: size });
      return humanloopPage(records.data.map(v4Datapoint), page, size, dataset.record_count);
    },
  });

  app.post('/v4/datasets/:dataset_id/datapoints', {
    bodyLimit: LIMITS.bulkBodyBytes,
    schema: { hide: true, params: DatasetParams },
    handler: async (request) => {
      const id = datasetInPath(request.params.dataset_id);
      const body = request.body;
      const ids: Record<string, string> = { [id]: request.params.dataset_id };
      if (isJsonObject(body) && 'log_ids' in body) {
        const logIds = checkLogIds(body).log_ids;
        const runIds = logIds.map((logId, index) => {
          const runId = uuidOf('log', logId);
          if (!runId) throw ValidationError.field(`/log_ids/${index}`, 'is not a log id (data_…)', { in: 'body' });
          ids[runId] = logId;
          return runId;
        });
        const result = await inHumanloopTerms(
          () => services.records.addFromRuns(request.actor, id, runIds, { ...DATAPOINT_ADDITION, toRecord: datapointOfLog }),
          { ids, words: [['Run', 'Log'], ['run', 'log']], pointer: (pointer) => pointer.replace(/^\/run_ids/, '/log_ids') },
        );
        return result.added.map(v4Datapoint);
      }
      // One datapoint, or a list of them: pointers into the service's list become pointers into the body.
      const items = Array.isArray(body) ? checkDatapointList(body) : [checkDatapoint(body)];
      const result = await inHumanloopTerms(
        () => services.records.change(request.actor, id, { add: items.map(recordOfDatapoint) }, { ...DATAPOINT_ADDITION, pointers: { add: '' } }),
        { ids, pointer: (pointer) => (Array.isArray(body) ? pointer : pointer.replace(/^\/0(?=\/|$)/, '')) },
      );
      return result.added.map(v4Datapoint);
    },
  });

  app.post('/v4/logs', {
    bodyLimit: LIMITS.bulkBodyBytes,
    schema: { hide: true },
    handler: async (request) => {
      const body = request.body;
      const logs = Array.isArray(body) ? checkLogList(body) : [checkLog(body)];
      const at = (index: number) => (Array.isArray(body) ? `/${index}` : '');
      const destination = logDestination(logs, at);
      const logged = await inHumanloopTerms(() => services.logs.record(request.actor, { ...destination, source: 'humanloop' }, logs.map(runOfV4Log)), {
        pointer: (pointer) =>
          pointer
            .replace(/^\/runs\/(\d+)/, (_, index: string) => at(Number(index)))
            .replace(/^\/project_id$/, `${at(0)}/project_id`)
            .replace(/^\/project_name$/, `${at(0)}/project`),
        ...(destination.project_id ? { ids: { [destination.project_id]: logs[0]!.project_id! } } : {}),
      });
      const projectId = humanloopId('project', logged.stream.project_id);
      const responses = logged.run_ids.map((runId) => ({ id: humanloopId('log', runId), project_id: projectId }));
      return Array.isArray(body) ? responses : responses[0];
    },
  });
}

/** A project id in the path: a value that is not a project id names no project (404). */
function projectInPath(id: string): string {
  const uuid = uuidOf('project', id);
  if (!uuid) throw new NotFoundError('Project', id);
  return uuid;
}

/**
 * The project the logs of one request go to, by name (made on first use, as Humanloop documents) or by
 * id; one request writes to one project, so that it is one transaction.
 */
function logDestination(logs: readonly V4Log[], at: (index: number) => string): { project_name?: string; project_id?: string } {
  const first = logs[0]!;
  if (first.project === undefined && first.project_id === undefined) {
    throw new ValidationError('One of `project` or `project_id` is required', [{ pointer: `${at(0)}/project`, detail: 'or project_id is required', in: 'body' }]);
  }
  const other = logs.findIndex((log) => log.project !== first.project || log.project_id !== first.project_id);
  if (other >= 0) throw ValidationError.field(`${at(other)}/project`, 'must be the project of the request\'s first log: one request logs to one project', { in: 'body' });
  if (first.project_id === undefined) return { project_name: first.project! };
  const projectId = uuidOf('project', first.project_id);
  if (!projectId) throw ValidationError.field(`${at(0)}/project_id`, 'is not a project id (pr_…)', { in: 'body' });
  return { project_id: projectId };
}
