import type { FastifyReply } from 'fastify';
import type { FieldIssue } from '../../domain/errors.js';
import type { NormalizedError } from '../../http/errors.js';
import { type FastApiValidationItem, locOf, mergeByLoc } from '../../http/fastapi.js';

/**
 * Phoenix's error format (a FastAPI app): an HTTPException's detail as `text/plain`; invalid input
 * 422 `{"detail": [{"loc": [...], "msg": "...", "type": "..."}]}`, one item per field at fault.
 */
export function presentError(reply: FastifyReply, error: NormalizedError): FastifyReply {
  if (error.code !== 'validation_failed') {
    const detail = error.status === 401 ? 'Invalid token' : error.detail;
    return reply.status(error.status).type('text/plain; charset=utf-8').send(detail);
  }
  const items = error.issues.length ? mergeByLoc(error.issues.map(toItem)) : [{ loc: ['body'], msg: error.detail, type: 'value_error' }];
  return reply
    .status(422)
    .type('application/json')
    .send(JSON.stringify({ detail: items }));
}

function toItem(issue: FieldIssue): FastApiValidationItem {
  return { loc: locOf(issue), msg: issue.detail, type: 'value_error' };
}
