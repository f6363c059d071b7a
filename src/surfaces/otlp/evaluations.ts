import type { PlacedScore } from '../../services/scores.js';
import { attributesToJson } from './attributes.js';
import { hexId, spanRunId, spanScoreId } from './ids.js';
import type { LogsRequest } from './schemas.js';
import { EVALUATION_EVENT, evaluationScore, genaiEvaluation } from './spans.js';

/**
 * OTLP log records that are GenAI evaluation events (`gen_ai.evaluation.result`, by the record's
 * event name or its `event.name` attribute) as scores of the span they name (by the record's trace
 * and span ids); a score of a span not received yet is kept until it arrives. Other records are
 * rejected: evalstore keeps evaluations, not logs.
 */
export function evaluationScores(request: LogsRequest): { scores: PlacedScore[]; rejected: string[] } {
  const scores: PlacedScore[] = [];
  const rejected: string[] = [];
  for (const resourceLogs of request.resourceLogs) {
    for (const scopeLogs of resourceLogs.scopeLogs) {
      for (const [index, record] of scopeLogs.logRecords.entries()) {
        const attributes = attributesToJson(record.attributes);
        const event = record.eventName || attributes['event.name'];
        if (event !== EVALUATION_EVENT) {
          rejected.push(`only ${EVALUATION_EVENT} events are kept (a log record is ${event ? `a ${JSON.stringify(event)} event` : 'no event'})`);
          continue;
        }
        const traceId = hexId(record.traceId, 16);
        const spanId = hexId(record.spanId, 8);
        if (!traceId || !spanId) {
          rejected.push(`an ${EVALUATION_EVENT} record names no span (its trace_id and span_id)`);
          continue;
        }
        const fields = genaiEvaluation(attributes);
        const time = record.timeUnixNano || record.observedTimeUnixNano;
        const score = evaluationScore(fields, spanScoreId(traceId, spanId, `log:${time ?? ''}`, index, String(fields.name)), spanRunId(traceId, spanId));
        if (score) scores.push(score);
        else rejected.push(`an ${EVALUATION_EVENT} record has no gen_ai.evaluation.name`);
      }
    }
  }
  return { scores, rejected };
}
