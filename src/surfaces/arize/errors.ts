import type { FastifyReply } from 'fastify';
import type { NormalizedError } from '../../http/errors.js';
import type { SurfaceTerms } from '../../http/restate.js';
import { uuidNamedBy } from './ids.js';

/**
 * Arize AX's errors: RFC 9457 problem details (application/problem+json) with Arize's titles and
 * `type` URIs (https://arize.com/docs/ax/rest-reference/errors). The SDKs show `detail` (else `title`),
 * so `detail` names the field at fault. Two extensions: `error_code` (evalstore's stable code; AX's
 * docs describe such a field) and `errors`, the fields at fault as JSON pointers into the request.
 */
const ERRORS_PAGE = 'https://arize.com/docs/ax/rest-reference/errors';

const PROBLEMS: Record<number, { title: string; fragment: string }> = {
  400: { title: 'Invalid request parameters', fragment: 'invalid-request' },
  401: { title: 'Authentication required', fragment: 'authentication-required' },
  403: { title: 'Access forbidden', fragment: 'access-forbidden' },
  404: { title: 'Resource not found', fragment: 'resource-not-found' },
  409: { title: 'Resource conflict', fragment: 'resource-conflict' },
  // Not in Arize's list (its bodies are bounded by its gateway); stated in the same shape.
  413: { title: 'Payload too large', fragment: 'payload-too-large' },
  415: { title: 'Unsupported media type', fragment: 'invalid-request' },
  422: { title: 'Unprocessable Entity', fragment: 'unprocessable-entity' },
  429: { title: 'Rate limit exceeded', fragment: 'rate-limit-exceeded' },
  503: { title: 'Service Unavailable', fragment: 'service-unavailable' },
};

/** Every Arize route names the entities of its faults by the global ids its client sent (`Dataset "RGF0YXNldDo…" not found`). */
export const ARIZE_TERMS: SurfaceTerms = { idOf: uuidNamedBy };

export function presentError(reply: FastifyReply, error: NormalizedError): FastifyReply {
  const status = isUnprocessable(error) ? 422 : error.status;
  const known = PROBLEMS[status] ?? (status >= 500 ? { title: 'Internal server error', fragment: 'internal-server-error' } : PROBLEMS[400]!);
  const body = {
    status,
    title: known.title,
    type: `${ERRORS_PAGE}#${known.fragment}`,
    detail: error.detail,
    instance: reply.request.url.split('?')[0] ?? reply.request.url,
    error_code: error.code,
    ...(error.issues.length ? { errors: error.issues } : {}),
  };
  return reply.status(status).type('application/problem+json').send(JSON.stringify(body));
}

/**
 * A request that was well-formed but names what cannot be (an example outside the experiment's
 * dataset version, a run without the example it needs: what a service finds in its input) is 422
 * Unprocessable Entity, as Arize answers; a malformed one, which the schema or the surface refuses
 * as sent, stays 400.
 */
function isUnprocessable(error: NormalizedError): boolean {
  return error.fromService && error.code === 'validation_failed';
}
