import type { Json, JsonObject } from '../../domain/json.js';
import { isJsonObject } from '../../domain/json.js';
import type { ScoreSource } from '../../domain/types.js';
import type { IngestedRun, RunBatch } from '../../services/run-ingest.js';
import type { PlacedScore } from '../../services/scores.js';
import { attributesToJson, flattenedList, parsedJson } from './attributes.js';
import { hexId, spanRunId, spanScoreId } from './ids.js';
import type { Scope, Span, SpanEvent, TraceRequest } from './schemas.js';
import type { PriceTable } from '../../domain/prices.js';

/**
 * One span as a run of a log stream, with the scores it carries: the OpenInference and OTel GenAI
 * attributes become the run's fields (docs/surfaces/otlp.md has the table), every attribute not moved
 * into a field is kept in the run's `extra.otel.attributes`.
 */
export interface MappedSpan {
  run: IngestedRun;
  scores: PlacedScore[];
}

/** Where a span's resource sends it, and what of the resource and scope a run keeps. */
export interface SpanContext {
  stream: string;
  resource: JsonObject;
  scope: Scope | undefined;
  /** Prices the costs of spans that name their model and tokens but carry no cost. */
  prices: PriceTable;
}

/** The log stream of a resource's spans: OpenInference's project, else the service, else `default`. */
export function streamOf(resource: JsonObject): string {
  for (const key of ['openinference.project.name', 'service.name']) {
    const value = resource[key];
    if (typeof value === 'string' && value.trim()) return value.trim();
  }
  return 'default';
}

const SPAN_KINDS = ['SPAN_KIND_UNSPECIFIED', 'SPAN_KIND_INTERNAL', 'SPAN_KIND_SERVER', 'SPAN_KIND_CLIENT', 'SPAN_KIND_PRODUCER', 'SPAN_KIND_CONSUMER'];
const STATUS_ERROR = 2;

/** GenAI operations (gen_ai.operation.name) as OpenInference's span kinds. */
const GENAI_KINDS: Record<string, string> = {
  chat: 'llm',
  text_completion: 'llm',
  generate_content: 'llm',
  embeddings: 'embedding',
  execute_tool: 'tool',
  invoke_agent: 'agent',
  create_agent: 'agent',
};

/** The deprecated GenAI message events, by the role they carry. */
const GENAI_MESSAGE_EVENTS: Record<string, string> = {
  'gen_ai.system.message': 'system',
  'gen_ai.user.message': 'user',
  'gen_ai.assistant.message': 'assistant',
  'gen_ai.tool.message': 'tool',
};

export const EVALUATION_EVENT = 'gen_ai.evaluation.result';

/** A span as a run and its scores, or why it is rejected (the other spans of the request are kept). */
export function mapSpan(span: Span, context: SpanContext): MappedSpan | { rejected: string } {
  const traceId = hexId(span.traceId, 16);
  if (!traceId) return { rejected: 'a span has no valid trace_id (16 bytes, not all zero)' };
  const spanId = hexId(span.spanId, 8);
  if (!spanId) return { rejected: 'a span has no valid span_id (8 bytes, not all zero)' };
  const parentSpanId = hexId(span.parentSpanId, 8);
  const start = nanos(span.startTimeUnixNano);
  const end = nanos(span.endTimeUnixNano);
  if (start !== undefined && end !== undefined && end < start) return { rejected: `span ${spanId} ends before it starts` };

  const attributes = attributesToJson(span.attributes);
  const used = new Set<string>();
  const take = (...keys: string[]): Json | undefined => {
    for (const key of keys) {
      if (attributes[key] !== undefined && attributes[key] !== null) {
        used.add(key);
        return attributes[key];
      }
    }
    return undefined;
  };
  const events = span.events.map((event) => ({ event, attributes: attributesToJson(event.attributes) }));
  const usedEvents = new Set<SpanEvent>();

  const input = inputOf(attributes, events, take, used, usedEvents);
  const output = outputOf(attributes, events, take, used, usedEvents);
  const operation = take('gen_ai.operation.name');
  const openinferenceKind = take('openinference.span.kind');
  const runType =
    typeof openinferenceKind === 'string' ? openinferenceKind.toLowerCase() : typeof operation === 'string' ? (GENAI_KINDS[operation] ?? operation) : null;

  const metadata: JsonObject = {};
  const given = parsedJson(take('metadata'));
  if (isJsonObject(given)) Object.assign(metadata, given);
  const model = take('llm.model_name', 'gen_ai.response.model', 'gen_ai.request.model');
  if (model !== undefined) metadata.model = model;
  const provider = take('llm.provider', 'gen_ai.provider.name', 'llm.system', 'gen_ai.system');
  if (provider !== undefined) metadata.provider = provider;
  const session = take('session.id', 'gen_ai.conversation.id');
  if (session !== undefined) metadata.session_id = session;
  const user = take('user.id');
  if (user !== undefined) metadata.user_id = user;
  const tags = parsedJson(take('tag.tags'));
  if (tags !== undefined) metadata.tags = tags;
  if (typeof operation === 'string') metadata.operation = operation;

  const failed = span.status?.code === STATUS_ERROR;
  const exception = events.find(({ event }) => event.name === 'exception');
  const error = failed ? errorOf(span.status?.message, exception?.attributes) : null;

  const promptTokens = integer(take('llm.token_count.prompt', 'gen_ai.usage.input_tokens', 'gen_ai.usage.prompt_tokens'));
  const completionTokens = integer(take('llm.token_count.completion', 'gen_ai.usage.output_tokens', 'gen_ai.usage.completion_tokens'));
  const runId = spanRunId(traceId, spanId);
  const scores = [...eventScores(events, usedEvents, traceId, spanId, runId), ...annotationScores(attributes, used, traceId, spanId, runId)];

  const run: IngestedRun = {
    destination: { stream: context.stream },
    id: runId,
    trace_id: traceId,
    parent_run_id: parentSpanId ? spanRunId(traceId, parentSpanId) : null,
    name: span.name || null,
    run_type: runType,
    status: failed ? 'error' : 'success',
    error,
    start_time: start === undefined ? null : isoOf(start),
    end_time: end === undefined ? null : isoOf(end),
    latency_ms: start !== undefined && end !== undefined ? Number(end - start) / 1e6 : null,
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: integer(take('llm.token_count.total', 'gen_ai.usage.total_tokens')),
    ...costsOf(take, typeof model === 'string' ? model : undefined, promptTokens, completionTokens, context.prices),
    metadata,
    extra: {
      otel: {
        span_id: spanId,
        ...(parentSpanId ? { parent_span_id: parentSpanId } : {}),
        kind: SPAN_KINDS[span.kind ?? 0] ?? String(span.kind),
        ...(span.status?.code ? { status: { code: span.status.code, message: span.status.message ?? '' } } : {}),
        ...(context.scope?.name ? { scope: { name: context.scope.name, version: context.scope.version ?? '' } } : {}),
        resource: context.resource,
        attributes: Object.fromEntries(Object.entries(attributes).filter(([key]) => !used.has(key))),
        events: events
          .filter(({ event }) => !usedEvents.has(event))
          .map(({ event, attributes: eventAttributes }) => ({
            name: event.name ?? '',
            time: event.timeUnixNano && event.timeUnixNano !== '0' ? isoOf(BigInt(event.timeUnixNano)) : null,
            attributes: eventAttributes,
          })),
        links: span.links.map((link) => ({
          trace_id: hexId(link.traceId, 16) ?? '',
          span_id: hexId(link.spanId, 8) ?? '',
          attributes: attributesToJson(link.attributes),
        })),
      },
    },
  };
  if (input !== undefined) run.input = input;
  if (output !== undefined) run.output = output;
  return { run, scores };
}

type Take = (...keys: string[]) => Json | undefined;
type ReadEvent = { event: SpanEvent; attributes: JsonObject };

/** The value of `input.value`/`output.value` as its mime type says (JSON parsed, text kept). */
function mimeValue(take: Take, prefix: 'input' | 'output'): Json | undefined {
  const value = take(`${prefix}.value`);
  const mime = take(`${prefix}.mime_type`);
  if (value === undefined) return undefined;
  return typeof mime === 'string' && mime.toLowerCase().includes('json') ? parsedJson(value) : value;
}

function inputOf(attributes: JsonObject, events: ReadEvent[], take: Take, used: Set<string>, usedEvents: Set<SpanEvent>): Json | undefined {
  const messages = messagesOf(attributes, events, 'input', take, used, usedEvents);
  const value = mimeValue(take, 'input');
  if (messages === undefined) return value;
  const system = parsedJson(take('gen_ai.system_instructions'));
  return { messages, ...(system === undefined ? {} : { system }), ...(value === undefined ? {} : { value }) };
}

function outputOf(attributes: JsonObject, events: ReadEvent[], take: Take, used: Set<string>, usedEvents: Set<SpanEvent>): Json | undefined {
  const messages = messagesOf(attributes, events, 'output', take, used, usedEvents);
  const value = mimeValue(take, 'output');
  if (messages === undefined) return value;
  return { messages, ...(value === undefined ? {} : { value }) };
}

/**
 * A span's messages, in whichever convention it carries them: OpenInference's flattened
 * `llm.input_messages.N.message.*`, GenAI's `gen_ai.input.messages` (JSON), the deprecated
 * `gen_ai.prompt`/`gen_ai.completion` (JSON, text or flattened `gen_ai.prompt.N.*`), or the deprecated
 * message events (`gen_ai.user.message`, `gen_ai.choice`, ...).
 */
function messagesOf(
  attributes: JsonObject,
  events: ReadEvent[],
  side: 'input' | 'output',
  take: Take,
  used: Set<string>,
  usedEvents: Set<SpanEvent>,
): Json | undefined {
  const openinference = flattenedList(attributes, side === 'input' ? 'llm.input_messages' : 'llm.output_messages', 'message', used);
  if (openinference.length) return openinference;
  const genai = parsedJson(take(side === 'input' ? 'gen_ai.input.messages' : 'gen_ai.output.messages'));
  if (genai !== undefined) return genai;
  const deprecatedKey = side === 'input' ? 'gen_ai.prompt' : 'gen_ai.completion';
  const deprecated = take(deprecatedKey);
  if (deprecated !== undefined) {
    const parsed = parsedJson(deprecated);
    return Array.isArray(parsed) ? parsed : [{ role: side === 'input' ? 'user' : 'assistant', content: parsed ?? null }];
  }
  const flattened = flattenedList(attributes, deprecatedKey, '', used);
  if (flattened.length) return flattened;
  const fromEvents: Json[] = [];
  for (const read of events) {
    const name = read.event.name ?? '';
    const role = side === 'input' ? GENAI_MESSAGE_EVENTS[name] : name === 'gen_ai.choice' ? 'assistant' : undefined;
    if (!role) continue;
    usedEvents.add(read.event);
    const content = parsedJson(read.attributes['gen_ai.event.content'] ?? read.attributes.content);
    const message = isJsonObject(content) ? content : { content: content ?? null };
    fromEvents.push({ role, ...message });
  }
  return fromEvents.length ? fromEvents : undefined;
}

function errorOf(message: string | undefined, exception: JsonObject | undefined): string {
  if (message) return message;
  const type = exception?.['exception.type'];
  const text = exception?.['exception.message'];
  if (typeof type === 'string' && typeof text === 'string') return `${type}: ${text}`;
  if (typeof text === 'string') return text;
  if (typeof type === 'string') return type;
  return 'error';
}

/** Who made an evaluation, in evalstore's words: OpenInference's annotator kinds, and evalstore's own. */
function sourceOf(kind: Json | undefined): ScoreSource | undefined {
  if (typeof kind !== 'string') return undefined;
  switch (kind.toUpperCase()) {
    case 'HUMAN':
      return 'human';
    case 'LLM':
    case 'MODEL':
      return 'model';
    case 'CODE':
    case 'HEURISTIC':
      return 'code';
    case 'API':
      return 'api';
    default:
      return undefined;
  }
}

/** A score from the fields evaluations are written in (a name, a score, a label, an explanation, an annotator kind). */
export function evaluationScore(
  fields: { name: Json | undefined; score: Json | undefined; label: Json | undefined; explanation: Json | undefined; kind: Json | undefined; metadata?: Json },
  id: string,
  runId: string,
): PlacedScore | undefined {
  if (typeof fields.name !== 'string' || !fields.name) return undefined;
  const score =
    typeof fields.score === 'number' || typeof fields.score === 'boolean' ? fields.score : typeof fields.score === 'string' ? Number(fields.score) : null;
  const source = sourceOf(fields.kind);
  const metadata = parsedJson(fields.metadata);
  return {
    id,
    run_id: runId,
    key: fields.name,
    score: typeof score === 'number' && !Number.isFinite(score) ? null : score,
    ...(fields.label === undefined || fields.label === null ? {} : { value: String(fields.label) }),
    ...(typeof fields.explanation === 'string' ? { comment: fields.explanation } : {}),
    ...(source ? { source } : {}),
    ...(isJsonObject(metadata) ? { metadata } : {}),
  };
}

/** The GenAI evaluation fields of an event's or a log record's attributes. */
export function genaiEvaluation(attributes: JsonObject) {
  return {
    name: attributes['gen_ai.evaluation.name'],
    score: attributes['gen_ai.evaluation.score.value'],
    label: attributes['gen_ai.evaluation.score.label'],
    explanation: attributes['gen_ai.evaluation.explanation'],
    kind: attributes['gen_ai.evaluation.annotator_kind'] ?? attributes.annotator_kind,
  };
}

function eventScores(events: ReadEvent[], usedEvents: Set<SpanEvent>, traceId: string, spanId: string, runId: string): PlacedScore[] {
  const scores: PlacedScore[] = [];
  for (const [index, read] of events.entries()) {
    if (read.event.name !== EVALUATION_EVENT) continue;
    const fields = genaiEvaluation(read.attributes);
    const score = evaluationScore(fields, spanScoreId(traceId, spanId, 'event', index, String(fields.name)), runId);
    if (!score) continue;
    usedEvents.add(read.event);
    scores.push(score);
  }
  return scores;
}

/** OpenInference's annotations and evaluations on a span: `annotations.N.annotation.*`, `evaluations.N.evaluation.*`. */
function annotationScores(attributes: JsonObject, used: Set<string>, traceId: string, spanId: string, runId: string): PlacedScore[] {
  const scores: PlacedScore[] = [];
  for (const [prefix, inner] of [
    ['annotations', 'annotation'],
    ['evaluations', 'evaluation'],
  ] as const) {
    for (const [index, item] of flattenedList(attributes, prefix, inner, used).entries()) {
      const result = isJsonObject(item.result) ? item.result : item;
      const score = evaluationScore(
        {
          name: item.name,
          score: result.score,
          label: result.label,
          explanation: result.explanation,
          kind: item.annotator_kind ?? item.kind,
          metadata: item.metadata,
        },
        spanScoreId(traceId, spanId, prefix, index, String(item.name)),
        runId,
      );
      if (score) scores.push(score);
    }
  }
  return scores;
}

/** Nanoseconds since the epoch (OTLP's times); 0 means unset. */
function nanos(value: string | undefined): bigint | undefined {
  if (value === undefined || value === '0') return undefined;
  try {
    return BigInt(value);
  } catch {
    return undefined;
  }
}

export function isoOf(nanoseconds: bigint): string {
  return new Date(Number(nanoseconds / 1_000_000n)).toISOString();
}

function integer(value: Json | undefined): number | null {
  const number = typeof value === 'string' ? Number(value) : value;
  return typeof number === 'number' && Number.isSafeInteger(number) && number >= 0 ? number : null;
}

function cost(value: Json | undefined): number | string | null {
  return typeof value === 'number' || (typeof value === 'string' && value.trim() !== '') ? value : null;
}

/** The span's own costs (`llm.cost.*`) when it carries any; else, for a priced model, what its tokens cost. */
function costsOf(take: Take, model: string | undefined, promptTokens: number | null, completionTokens: number | null, prices: PriceTable) {
  const given = { prompt_cost: cost(take('llm.cost.prompt')), completion_cost: cost(take('llm.cost.completion')), total_cost: cost(take('llm.cost.total')) };
  if (given.prompt_cost !== null || given.completion_cost !== null || given.total_cost !== null || model === undefined) return given;
  return prices.costs(model, promptTokens, completionTokens) ?? given;
}

/** An export request's spans as one batch of runs and scores, and the reason for each span rejected. */
export function traceBatch(request: TraceRequest, prices: PriceTable): { batch: Required<Pick<RunBatch, 'create' | 'scores'>>; rejected: string[] } {
  const runs = new Map<string, MappedSpan>();
  const rejected: string[] = [];
  for (const resourceSpans of request.resourceSpans) {
    const resource = attributesToJson(resourceSpans.resource?.attributes ?? []);
    const stream = streamOf(resource);
    for (const scopeSpans of resourceSpans.scopeSpans) {
      for (const span of scopeSpans.spans) {
        const mapped = mapSpan(span, { stream, resource, scope: scopeSpans.scope, prices });
        if ('rejected' in mapped) rejected.push(mapped.rejected);
        else {
          if (runs.has(mapped.run.id!))
            rejected.push(`span ${mapped.run.extra?.otel && (mapped.run.extra.otel as JsonObject).span_id} is sent twice (the last copy is kept)`);
          runs.set(mapped.run.id!, mapped);
        }
      }
    }
  }
  const mapped = [...runs.values()];
  return { batch: { create: mapped.map((m) => m.run), scores: mapped.flatMap((m) => m.scores) }, rejected };
}
