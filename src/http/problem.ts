import type { FastifyReply, FastifyRequest } from 'fastify';
import type { NormalizedError } from './errors.js';

/** RFC 9457 problem details, with the fields at fault as JSON pointers (`errors`). */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  code: string;
  errors?: { pointer: string; detail: string; in?: string; line?: number }[];
}

export function toProblem(error: NormalizedError, request: FastifyRequest): ProblemDetails {
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

export function sendProblem(reply: FastifyReply, error: NormalizedError): FastifyReply {
  return reply
    .status(error.status)
    .type('application/problem+json')
    .send(JSON.stringify(toProblem(error, reply.request)));
}
