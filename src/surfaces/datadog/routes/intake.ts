import type { Actor } from '../../../domain/types.js';
import type { SurfaceApp } from '../../../http/app.js';
import type { Services } from '../../../services/index.js';
import { type IntakeTarget, intakeSpanToRun, liveExperiment, recordIdsOf, tagValues } from '../experiments.js';
import { IntakeBody, type IntakeSpan } from '../schemas.js';

/** The EvP intake takes payloads up to 5 MB (dd-trace's EVP_PAYLOAD_SIZE_LIMIT); some room above. */
const INTAKE_BODY_LIMIT = 10 * 1024 * 1024;

/**
 * The LLM Observability span intake the tracers post to (`/api/v2/llmobs`; the agent's EvP proxy path
 * `/evp_proxy/v2/api/v2/llmobs` too, though the agent mode sends no API key, so only requests that
 * carry one are taken). Experiment spans (those tagged `experiment_id`, `_dd.scope: experiments`) and
 * the spans of their traces become that experiment's runs; other spans become runs of the log stream
 * named by their `ml_app` tag. One transaction a request; 202 as the intake answers.
 */
export function intakeRoutes(app: SurfaceApp, services: Services): void {
  for (const path of ['/api/v2/llmobs', '/evp_proxy/v2/api/v2/llmobs']) {
    app.post(path, {
      schema: { body: IntakeBody },
      bodyLimit: INTAKE_BODY_LIMIT,
      config: { restate: { lists: [['/create', '/spans']] } },
      handler: async (request, reply) => {
        const events = Array.isArray(request.body) ? request.body : [request.body];
        const spans = events.flatMap((event) => event.spans);
        const targets = await targetsOf(services, request.actor, spans);
        await services.runIngest.ingest(
          request.actor,
          { create: spans.map((span, index) => intakeSpanToRun(span, index, targets[index]!)) },
          { source: 'datadog' },
        );
        return reply.status(202).send({});
      },
    });
  }
}

/** Each span's target: the experiment its tags (or its trace's experiment span) name, else its ml_app's stream. */
async function targetsOf(services: Services, actor: Actor, spans: readonly IntakeSpan[]): Promise<IntakeTarget[]> {
  const experimentOfTrace = new Map<string, string>();
  for (const span of spans) {
    const experimentId = tagValues(span.tags).experiment_id;
    if (experimentId) experimentOfTrace.set(span.trace_id, experimentId);
  }
  const experiments = new Map<string, IntakeTarget>();
  for (const experimentId of new Set(experimentOfTrace.values())) {
    const experiment = await liveExperiment(services, actor, experimentId);
    experiments.set(experimentId, { experiment, records: await recordIdsOf(services, actor, experiment) });
  }
  return spans.map((span) => {
    const experimentId = tagValues(span.tags).experiment_id ?? experimentOfTrace.get(span.trace_id);
    if (experimentId) return experiments.get(experimentId)!;
    return { stream: tagValues(span.tags).ml_app || 'default' };
  });
}
