import type { SurfaceApp } from '../../../http/app.js';
import type { Services } from '../../../services/index.js';
import { decodeLogs, formatOf, inflateBody } from '../bodies.js';
import { evaluationScores } from '../evaluations.js';
import { sendExportResponse, summarizeRejections } from '../present.js';
import { LOGS_RESPONSE } from '../proto.js';

/** OTLP/HTTP log export: evaluation events as scores of the spans they name, in one transaction. */
export function logRoutes(app: SurfaceApp, services: Services, maxBytes: number): void {
  app.post('/logs', { schema: { hide: true } }, async (request, reply) => {
    const format = formatOf(request);
    const { scores, rejected } = evaluationScores(decodeLogs(await inflateBody(request, maxBytes), format));
    if (scores.length) await services.runIngest.ingest(request.actor, { scores }, { source: 'otlp' });
    return sendExportResponse(reply, format, LOGS_RESPONSE, 'rejectedLogRecords', summarizeRejections(rejected));
  });
}
