import type { FastifyReply } from 'fastify';
import type { NormalizedError } from '../../http/errors.js';
import { formatOf } from './bodies.js';
import { sendMessage } from './present.js';
import { STATUS } from './proto.js';

/** gRPC's status codes for the HTTP statuses the receiver answers (OTLP's Status.code). */
const GRPC_CODES: Record<number, number> = {
  400: 3,
  401: 16,
  403: 7,
  404: 5,
  409: 10,
  413: 8,
  415: 3,
  429: 8,
  500: 13,
  503: 14,
};

/** Statuses a client may retry (OTLP/HTTP "Retryable Response Codes"): they come with Retry-After. */
const RETRYABLE = new Set([429, 502, 503, 504]);

/**
 * OTLP/HTTP's error format: a `google.rpc.Status` in the request's encoding (protobuf, or JSON for
 * JSON requests), its message naming the field at fault when there is one.
 */
export function presentError(reply: FastifyReply, error: NormalizedError): FastifyReply {
  const issue = error.issues[0];
  const where = issue?.pointer && !error.detail.includes(issue.pointer) ? ` (${issue.pointer}: ${issue.detail})` : '';
  if (RETRYABLE.has(error.status) && !reply.hasHeader('retry-after')) reply.header('retry-after', '1');
  return sendMessage(reply, error.status, formatOf(reply.request), STATUS, {
    code: GRPC_CODES[error.status] ?? (error.status >= 500 ? 13 : 3),
    message: `${error.detail}${where}`,
  });
}
