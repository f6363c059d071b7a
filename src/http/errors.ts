import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, NotFoundError, type ErrorCode, type FieldIssue } from '../domain/errors.js';
import { toFieldIssues } from '../domain/validation.js';
import { restateFault, type SurfaceTerms } from './restate.js';

/**
 * Any error a request can end in, reduced to what every surface needs to present it in its own
 * format: an HTTP status, a stable code, a sentence, and the fields at fault.
 */
export interface NormalizedError {
  status: number;
  code: ErrorCode | string;
  title: string;
  detail: string;
  issues: FieldIssue[];
  /** True for faults of the server (5xx): their details are logged, not shown. */
  internal: boolean;
  /**
   * True for a fault a service found in its input (a domain error with fields at fault that no
   * request part claims): its pointers were restated in the request's terms (src/http/restate.ts),
   * and a surface may answer it otherwise than a request that failed validation (Arize's 422).
   */
  fromService: boolean;
}

const TITLES: Record<number, string> = {
  400: 'Bad request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  406: 'Not acceptable',
  409: 'Conflict',
  413: 'Payload too large',
  415: 'Unsupported media type',
  422: 'Unprocessable content',
  429: 'Too many requests',
  500: 'Internal server error',
  503: 'Service unavailable',
};

/** Codes of the errors Fastify raises itself, as our stable codes. */
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'validation_failed',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'validation_failed',
  FST_ERR_CTP_INVALID_JSON_BODY: 'validation_failed',
  FST_ERR_VALIDATION: 'validation_failed',
};

export function titleOf(status: number): string {
  return TITLES[status] ?? (status >= 500 ? 'Server error' : 'Client error');
}

export function normalizeError(error: unknown): NormalizedError {
  if (error instanceof DomainError) {
    const fromService = error.issues.some((issue) => issue.in === undefined);
    return { status: error.status, code: error.code, title: titleOf(error.status), detail: error.message, issues: error.issues, internal: false, fromService };
  }
  const fastifyError = error as Partial<FastifyError> & { validation?: unknown; validationContext?: string };
  if (Array.isArray(fastifyError.validation)) {
    const where = validationPart(fastifyError.validationContext);
    const issues = toFieldIssues(fastifyError.validation, where);
    const first = issues[0];
    const detail = first ? `${where} ${first.pointer || '/'} ${first.detail}` : 'The request is not valid';
    return { status: 400, code: 'validation_failed', title: 'Request validation failed', detail, issues, internal: false, fromService: false };
  }
  if (error instanceof SyntaxError || fastifyError.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
    const detail = (error as Error).message;
    return {
      status: 400,
      code: 'validation_failed',
      title: 'Malformed JSON',
      detail,
      issues: [{ pointer: '', detail, in: 'body' }],
      internal: false,
      fromService: false,
    };
  }
  const status = typeof fastifyError.statusCode === 'number' ? fastifyError.statusCode : 500;
  if (status >= 400 && status < 500) {
    const code = (fastifyError.code && FASTIFY_CODES[fastifyError.code]) || codeForStatus(status);
    return { status, code, title: titleOf(status), detail: fastifyError.message ?? titleOf(status), issues: [], internal: false, fromService: false };
  }
  return {
    status: Math.max(status, 500),
    code: 'internal_error',
    title: titleOf(500),
    detail: 'The server failed to handle the request; the failure is logged.',
    issues: [],
    internal: true,
    fromService: false,
  };
}

function codeForStatus(status: number): ErrorCode | string {
  switch (status) {
    case 401:
      return 'unauthorized';
    case 403:
      return 'forbidden';
    case 404:
      return 'not_found';
    case 409:
      return 'conflict';
    case 413:
      return 'payload_too_large';
    case 415:
      return 'unsupported_media_type';
    default:
      return 'bad_request';
  }
}

function validationPart(context: string | undefined): FieldIssue['in'] {
  switch (context) {
    case 'querystring':
      return 'query';
    case 'params':
      return 'params';
    case 'headers':
      return 'headers';
    default:
      return 'body';
  }
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The terms of the surface serving the request (set by handleErrorsWith). */
    surfaceTerms: SurfaceTerms | null;
  }
}

/**
 * Any failure of a request, normalized, with a domain error's message, fields and ids restated in
 * the terms of the request (the route's `config.restate` and the surface's terms).
 */
export function explainFailure(request: FastifyRequest, error: unknown): NormalizedError {
  const normalized = normalizeError(error);
  if (!(error instanceof DomainError)) return normalized;
  const { message, issues } = restateFault(normalized.detail, normalized.issues, request, request.surfaceTerms ?? {});
  return { ...normalized, detail: message, issues };
}

/** Logs a failure once: a server fault with its stack, anything else as one line of what the client was told. */
export function logFailure(request: FastifyRequest, error: unknown, explained: NormalizedError): void {
  if (explained.internal) request.log.error({ err: error }, 'request failed');
  else request.log.info({ status: explained.status, code: explained.code }, explained.detail);
}

/**
 * Installs a surface's error and not-found handlers: every failure is normalized and restated in the
 * request's terms (`terms`, then each route's `config.restate`), logged once, and `present` writes the
 * surface's own error format.
 */
export function handleErrorsWith(
  app: FastifyInstance,
  present: (reply: FastifyReply, error: NormalizedError) => FastifyReply,
  terms: SurfaceTerms = {},
  /** Answers a not-found first when it returns a reply (the web UI's page for a browser's page load). */
  notFoundPage?: (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply> | undefined,
): void {
  if (!app.hasRequestDecorator('surfaceTerms')) app.decorateRequest('surfaceTerms', null);
  app.addHook('onRequest', async (request) => {
    request.surfaceTerms = terms;
  });
  app.setErrorHandler((error, request, reply) => {
    const explained = explainFailure(request, error);
    logFailure(request, error, explained);
    return present(reply, explained);
  });
  app.setNotFoundHandler(
    (request, reply) =>
      notFoundPage?.(request, reply) ?? present(reply, normalizeError(new NotFoundError('Route', `${request.method} ${request.url.split('?')[0]}`))),
  );
}
