import type { Static } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { NormalizedError } from '../../http/errors.js';
import type { Problem } from './schemas/common.js';

/**
 * The native API's error format, which the server's own routes (docs, health, unknown paths) answer
 * in too: RFC 9457 problem details, with the fields at fault as JSON pointers (`errors`). The native
 * API speaks the services' terms, so it restates nothing.
 */
export type ProblemDetails = Static<typeof Problem>;

export function presentProblem(error: NormalizedError, request: FastifyRequest): ProblemDetails {
  return {
    type: `urn:evalstore:problem:${error.code}`,
    title: error.title,
    status: error.status,
    detail: error.detail,
    instance: request.url.split('?')[0] ?? request.url,
    code: error.code,
    ...(error.issues.length ? { errors: error.issues } : {}),
  };
}

/** The error handler's presenter (see handleErrorsWith). */
export function sendProblem(reply: FastifyReply, error: NormalizedError): FastifyReply {
  return reply
    .status(error.status)
    .type('application/problem+json')
    .send(JSON.stringify(presentProblem(error, reply.request)));
}
