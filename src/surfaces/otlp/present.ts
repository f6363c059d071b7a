import type { FastifyReply } from 'fastify';
import type protobuf from 'protobufjs';
import { JSON_TYPE, PROTOBUF, type WireFormat } from './bodies.js';

/** What an export answers when it kept only part of what was sent: how many items it rejected, and why. */
export interface PartialSuccess {
  rejected: number;
  message: string;
}

/**
 * An OTLP message written in the request's encoding: protobuf, or OTLP/JSON (lowerCamelCase names,
 * 64-bit integers as decimal strings).
 */
export function sendMessage(reply: FastifyReply, status: number, format: WireFormat, type: protobuf.Type, fields: Record<string, unknown>): FastifyReply {
  const message = type.fromObject(fields);
  if (format === 'json') {
    return reply
      .status(status)
      .type(JSON_TYPE)
      .send(JSON.stringify(type.toObject(message, { longs: String, enums: Number, bytes: String })));
  }
  return reply
    .status(status)
    .type(PROTOBUF)
    .send(Buffer.from(type.encode(message).finish()));
}

/**
 * An export's answer: empty when everything was kept; `partial_success` naming the count rejected
 * (`rejected_spans` or `rejected_log_records`, per `countField`) and the reasons otherwise.
 */
export function sendExportResponse(
  reply: FastifyReply,
  format: WireFormat,
  type: protobuf.Type,
  countField: 'rejectedSpans' | 'rejectedLogRecords',
  partial: PartialSuccess | undefined,
): FastifyReply {
  const fields = partial ? { partialSuccess: { [countField]: partial.rejected, errorMessage: partial.message } } : {};
  return sendMessage(reply, 200, format, type, fields);
}

/** Rejections of a request summed up: the count, and its distinct reasons (at most five). */
export function summarizeRejections(reasons: readonly string[]): PartialSuccess | undefined {
  if (reasons.length === 0) return undefined;
  const distinct = [...new Set(reasons)];
  const shown = distinct.slice(0, 5).join('; ');
  return { rejected: reasons.length, message: distinct.length > 5 ? `${shown}; and ${distinct.length - 5} other reasons` : shown };
}
