import { type FieldIssue, ValidationError } from '../../../domain/errors.js';
import { isJsonObject } from '../../../domain/json.js';
import { compileChecker } from '../../../domain/validation.js';
import type { Actor, Run } from '../../../domain/types.js';
import type { SurfaceApp } from '../../../http/app.js';
import type { Services } from '../../../services/index.js';
import { type IntakeTarget, intakeSpanToRun, liveExperiment, metricToScore, recordIdsOf, tagValues } from '../experiments.js';
import { type EvalMetric, EvalMetricBody, IntakeBody, IntakeEvent, type IntakeSpan } from '../schemas.js';

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
        const events = checkedEvents(request.body);
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

const checkEvent = compileChecker(IntakeEvent);

/** The events of an intake body, each checked: a fault names its field (`/spans/0/start_ns`, `/1/spans/0/...` in a list). */
function checkedEvents(body: unknown): IntakeEvent[] {
  const list = Array.isArray(body);
  const events = (list ? body : [body]) as unknown[];
  const issues: FieldIssue[] = events.flatMap((event, index) =>
    checkEvent(event).map((issue) => ({ ...issue, pointer: `${list ? `/${index}` : ''}${issue.pointer}`, in: 'body' as const })),
  );
  if (issues.length) throw new ValidationError(`${issues[0]!.pointer || '/'} ${issues[0]!.detail}`, issues);
  return events as IntakeEvent[];
}

/**
 * The evaluation-metric intake (`/api/intake/llm-obs/v2/eval-metric`, what dd-trace's
 * `llmobs.submitEvaluation()` posts; v1 and the agent's EvP proxy path too): each metric joins on a span
 * evalstore has recorded (through the span intake or an experiment's events push) and becomes a score
 * of that span's run, by the rules of the events push (metricToScore). A metric whose span is not
 * recorded (or is another workspace's) is refused, naming it; the whole request then writes nothing.
 */
export function evalMetricRoutes(app: SurfaceApp, services: Services): void {
  for (const path of ['/api/intake/llm-obs/v2/eval-metric', '/api/intake/llm-obs/v1/eval-metric', '/evp_proxy/v2/api/intake/llm-obs/v2/eval-metric']) {
    app.post(path, {
      schema: { body: EvalMetricBody },
      bodyLimit: INTAKE_BODY_LIMIT,
      config: { restate: { lists: [['', '/data/attributes']] } },
      handler: async (request, reply) => {
        const metrics = request.body.data.attributes.metrics;
        const runs = await runsOfMetrics(services, request.actor, metrics);
        const experiments = new Map<string, Awaited<ReturnType<typeof liveExperiment>>>();
        const now = Date.now();
        const scores = [];
        for (const [index, metric] of metrics.entries()) {
          const run = runs[index]!;
          let experiment = experiments.get(run.experiment_id);
          if (!experiment) {
            experiment = await liveExperiment(services, request.actor, run.experiment_id);
            experiments.set(run.experiment_id, experiment);
          }
          const { span_id, trace_id } = joinOf(metric, index);
          const score = metricToScore(experiment, { ...metric, span_id, trace_id, metric_source: metric.metric_source ?? 'custom' }, index, now);
          scores.push({ ...score, run_id: run.id });
        }
        await services.runIngest.ingest(request.actor, { scores }, { source: 'datadog' });
        return reply.status(202).send({});
      },
    });
  }
}

/** The span a metric joins on. */
function joinOf(metric: EvalMetric, index: number): { span_id: string; trace_id: string } {
  const span_id = metric.join_on?.span.span_id ?? metric.span_id;
  const trace_id = metric.join_on?.span.trace_id ?? metric.trace_id;
  if (!span_id) throw ValidationError.field(`/metrics/${index}/join_on/span/span_id`, 'is required: the span the metric evaluates');
  if (!trace_id) throw ValidationError.field(`/metrics/${index}/join_on/span/trace_id`, 'is required: the trace of the span the metric evaluates');
  return { span_id, trace_id };
}

/** The run of each metric's span, found among the runs of its trace in the workspace. */
async function runsOfMetrics(services: Services, actor: Actor, metrics: readonly EvalMetric[]): Promise<Run[]> {
  const joins = metrics.map(joinOf);
  const spansOfTrace = new Map<string, Map<string, Run>>();
  for (const traceId of new Set(joins.map((join) => join.trace_id))) {
    const spans = new Map<string, Run>();
    let cursor: string | undefined;
    do {
      const page = await services.runs.search(actor, { trace_id: traceId, cursor, limit: 1_000 });
      for (const run of page.data) {
        const kept = run.extra.datadog;
        if (isJsonObject(kept) && typeof kept.span_id === 'string') spans.set(kept.span_id, run);
      }
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
    spansOfTrace.set(traceId, spans);
  }
  return joins.map(({ span_id, trace_id }, index) => {
    const run = spansOfTrace.get(trace_id)!.get(span_id);
    const at = metrics[index]!.join_on ? `/metrics/${index}/join_on/span/span_id` : `/metrics/${index}/span_id`;
    if (!run) throw ValidationError.field(at, `names span ${span_id} of trace ${trace_id}, which evalstore has not recorded`);
    return run;
  });
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
