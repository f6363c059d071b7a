import type { PriceTable } from '../../../domain/prices.js';
import type { SurfaceApp } from '../../../http/app.js';
import type { Services } from '../../../services/index.js';
import { decodeTraces, formatOf, inflateBody } from '../bodies.js';
import { sendExportResponse, summarizeRejections } from '../present.js';
import { TRACE_RESPONSE } from '../proto.js';
import { traceBatch } from '../spans.js';

/** OTLP/HTTP trace export: every span a run of its resource's log stream, with its evaluations as scores, in one transaction. */
export function traceRoutes(app: SurfaceApp, services: Services, maxBytes: number, prices: PriceTable): void {
  app.post('/traces', { schema: { hide: true } }, async (request, reply) => {
    const format = formatOf(request);
    const { batch, rejected } = traceBatch(decodeTraces(await inflateBody(request, maxBytes), format), prices);
    if (batch.create.length) await services.runIngest.ingest(request.actor, batch, { source: 'otlp', joinResultTraces: true });
    return sendExportResponse(reply, format, TRACE_RESPONSE, 'rejectedSpans', summarizeRejections(rejected));
  });
}
