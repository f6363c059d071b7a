import { LIMITS } from '../../../domain/limits.js';
import type { SurfaceApp } from '../../../http/app.js';
import type { Services } from '../../../services/index.js';
import { Errors } from '../schemas/common.js';
import { LogsRecord, LogsRecorded } from '../schemas/experiments.js';
import { toNewRun } from './experiments.js';

const tags = ['Logs'];

/** Logs: runs recorded into a log stream found by id or name, made (with its project) on first use. */
export function logRoutes(app: SurfaceApp, services: Services): void {
  app.post('/logs', {
    bodyLimit: LIMITS.bulkBodyBytes,
    schema: {
      summary: 'Record logs',
      description: `Records 1 to ${LIMITS.recordsPerRequest} runs into a log stream (an experiment without a dataset), in one transaction. The stream is \`stream_id\`, or the stream named \`stream_name\`, made on first use in \`project_id\`, or in the project named \`project_name\` (made on first use too), or in the default project; with only a project, the stream is the one named like the project. Runs follow the rules of appending runs: a run whose \`id\` was recorded before is not recorded again. Records can then be made from these runs (their \`source\` names the run).`,
      tags,
      body: LogsRecord,
      response: { 201: LogsRecorded, ...Errors },
    },
    handler: async (request, reply) => {
      const { runs, ...destination } = request.body;
      const { stream, ...appended } = await services.logs.record(request.actor, destination, runs.map(toNewRun));
      return reply.status(201).send({ ...appended, log_stream: stream });
    },
  });
}
