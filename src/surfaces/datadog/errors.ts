import type { FastifyReply } from 'fastify';
import type { FieldIssue } from '../../domain/errors.js';
import type { NormalizedError } from '../../http/errors.js';
import { sendJsonApi } from './present.js';

/**
 * Datadog's error format. Service faults reach it already restated in the request's terms: each
 * records route says where the service's lists sit in its body (`config.restate`).
 */

/** JSON:API errors: one per field at fault, each with `source` naming it (pointer, parameter or header). */
export function presentError(reply: FastifyReply, error: NormalizedError): FastifyReply {
  const issues: (FieldIssue | undefined)[] = error.issues.length ? error.issues.slice(0, 20) : [undefined];
  const errors = issues.map((issue, index) => ({
    status: String(error.status),
    title: error.title,
    detail: index === 0 || !issue ? error.detail : `${issue.pointer || '/'} ${issue.detail}`,
    ...(issue ? { source: sourceOf(issue) } : {}),
    meta: { code: error.code, ...placeOf(issue) },
  }));
  return sendJsonApi(reply, error.status, { errors });
}

/** The `error` event that ends an upload's event stream: the message, and the line and column at fault. */
export function presentUploadError(error: NormalizedError) {
  return { message: error.detail, status: error.status, code: error.code, ...placeOf(error.issues[0]) };
}

/** Where in an uploaded file the fault is, when it is in the file. */
function placeOf(issue: FieldIssue | undefined): { line?: number; column?: string } {
  return {
    ...(issue?.line === undefined ? {} : { line: issue.line }),
    ...(issue?.column === undefined ? {} : { column: issue.column }),
  };
}

function sourceOf(issue: FieldIssue): Record<string, string> {
  switch (issue.in) {
    case 'query':
    case 'params':
      return { parameter: issue.pointer.replace(/^\//, '') };
    case 'headers':
      return { header: issue.pointer.replace(/^\//, '') };
    case 'line':
      return { pointer: '/file' };
    default:
      return { pointer: issue.pointer };
  }
}
