import { ValidationError } from '../../../domain/errors.js';
import { LIMITS } from '../../../domain/limits.js';
import type { SurfaceApp } from '../../../http/app.js';
import type { Services } from '../../../services/index.js';
import { bodyChecker, inOneOrList, itemsOf } from '../bodies.js';
import { humanloopId, uuidOf } from '../ids.js';
import { runOfPromptLog, runOfV4Log } from '../logs.js';
import { V4Log, V4LogList, V5PromptLog, V5PromptLogQuery } from '../schemas.js';

const checkLog = bodyChecker<V4Log>(V4Log);
const checkLogList = bodyChecker<V4Log[]>(V4LogList);

/**
 * Logs of both APIs: runs of their project's (a v5 prompt's) log stream, the project made on first use
 * by name. v4 takes one log or a list; v5 one prompt log.
 */
export function logRoutes(app: SurfaceApp, services: Services): void {
  app.post('/v4/logs', {
    bodyLimit: LIMITS.bulkBodyBytes,
    schema: { hide: true },
    // The service's runs are the body (one log, or a list of them), and its destination the first log's project.
    config: {
      restate: {
        lists: [
          ['/runs', ''],
          ['/project_id', '/0/project_id'],
          ['/project_name', '/0/project'],
        ],
        locate: inOneOrList,
      },
    },
    handler: async (request) => {
      const logs = itemsOf(request.body, checkLog, checkLogList);
      const destination = logDestination(logs, Array.isArray(request.body));
      const logged = await services.logs.record(request.actor, { ...destination, source: 'humanloop' }, logs.map(runOfV4Log));
      const projectId = humanloopId('project', logged.stream.project_id);
      const responses = logged.run_ids.map((runId) => ({ id: humanloopId('log', runId), project_id: projectId }));
      return Array.isArray(request.body) ? responses : responses[0];
    },
  });

  app.post('/v5/prompts/log', {
    bodyLimit: LIMITS.bulkBodyBytes,
    schema: { hide: true, querystring: V5PromptLogQuery, body: V5PromptLog },
    // The service's one run is the body, and its destination the prompt the body names by `id` or `path`.
    config: {
      restate: {
        lists: [
          ['/runs/0', ''],
          ['/project_id', '/id'],
          ['/project_name', '/path'],
        ],
      },
    },
    handler: async (request) => {
      const log = request.body;
      if (log.path === undefined && log.id === undefined) throw ValidationError.field('', 'one of `path` or `id` is required', { in: 'body' });
      const projectId = log.id === undefined ? undefined : uuidOf('project', log.id);
      if (log.id !== undefined && !projectId) throw ValidationError.field('/id', 'is not a prompt id (pr_…)', { in: 'body' });
      // A prompt is an evalstore project (made on first use by path), its logs the runs of the project's log stream.
      const destination = projectId ? { project_id: projectId } : { project_name: log.path! };
      const logged = await services.logs.record(request.actor, { ...destination, source: 'humanloop' }, [runOfPromptLog(log)]);
      return {
        id: humanloopId('log', logged.run_ids[0]!),
        prompt_id: humanloopId('project', logged.stream.project_id),
        version_id: humanloopId('promptVersion', logged.stream.project_id),
      };
    },
  });
}

/**
 * The project the logs of one request go to, by name (made on first use, as Humanloop documents) or by
 * id; one request writes to one project, so that it is one transaction.
 */
function logDestination(logs: readonly V4Log[], inList: boolean): { project_name?: string; project_id?: string } {
  const at = (index: number) => (inList ? `/${index}` : '');
  const first = logs[0]!;
  if (first.project === undefined && first.project_id === undefined) {
    throw new ValidationError('One of `project` or `project_id` is required', [
      { pointer: `${at(0)}/project`, detail: 'or project_id is required', in: 'body' },
    ]);
  }
  const other = logs.findIndex((log) => log.project !== first.project || log.project_id !== first.project_id);
  if (other >= 0)
    throw ValidationError.field(`${at(other)}/project`, "must be the project of the request's first log: one request logs to one project", { in: 'body' });
  if (first.project_id === undefined) return { project_name: first.project! };
  const projectId = uuidOf('project', first.project_id);
  if (!projectId) throw ValidationError.field(`${at(0)}/project_id`, 'is not a project id (pr_…)', { in: 'body' });
  return { project_id: projectId };
}
