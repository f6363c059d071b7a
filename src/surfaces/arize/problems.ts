import type { FastifyReply } from 'fastify';
import { DomainError, ValidationError } from '../../domain/errors.js';
import { RestatedError, type NormalizedError } from '../../http/errors.js';

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

export function sendArizeProblem(reply: FastifyReply, error: NormalizedError): FastifyReply {
  const known = PROBLEMS[error.status] ?? (error.status >= 500 ? { title: 'Internal server error', fragment: 'internal-server-error' } : PROBLEMS[400]!);
  const body = {
    status: error.status,
    title: known.title,
    type: `${ERRORS_PAGE}#${known.fragment}`,
    detail: error.detail,
    instance: reply.request.url.split('?')[0] ?? reply.request.url,
    error_code: error.code,
    ...(error.issues.length ? { errors: error.issues } : {}),
  };
  return reply.status(error.status).type('application/problem+json').send(JSON.stringify(body));
}

/** How the service's input differs from the Arize request it was made from. */
export interface RequestTerms {
  /** Pointer prefixes: where the service's lists sit, and where the request's do (`['/runs', '/experiment_runs']`). */
  lists?: [service: string, request: string][];
  /** Field names the service uses for the request's (`['record_id', 'example_id']`). */
  fields?: [service: string, request: string][];
  /** UUIDs that the request named by their Arize ids. */
  ids?: Record<string, string>;
}

/**
 * Runs a service call and restates its faults for an Arize client: pointers and field names become
 * the request's, ids become the Arize ids the client sent, and a request that was well-formed but
 * names what cannot be (an example outside the experiment's dataset version, a run without the
 * example it needs) is 422 Unprocessable Entity, as Arize answers; a malformed one stays 400.
 */
export async function inArizeTerms<T>(work: () => Promise<T>, terms: RequestTerms = {}): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    const pointer = (text: string) => {
      let out = text;
      for (const [service, request] of terms.lists ?? []) {
        if (out === service || out.startsWith(`${service}/`)) out = request + out.slice(service.length);
      }
      for (const [service, request] of terms.fields ?? []) out = out.replace(new RegExp(`/${service}(?=/|$)`, 'g'), `/${request}`);
      return out;
    };
    const issues = error.issues.map((issue) => ({ ...issue, pointer: pointer(issue.pointer) }));
    let message = error.message;
    error.issues.forEach((issue, index) => {
      if (issue.pointer) message = message.split(issue.pointer).join(issues[index]!.pointer);
    });
    for (const [uuid, arizeId] of Object.entries(terms.ids ?? {})) message = message.split(uuid).join(arizeId);
    const semantic = error instanceof ValidationError && issues.every((issue) => issue.in !== 'query' && issue.in !== 'params');
    throw new RestatedError(error.code, semantic ? 422 : error.status, message, issues);
  }
}
