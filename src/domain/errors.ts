/**
 * Errors that services raise. Each carries a stable `code` that clients may rely on; every surface
 * maps these onto its own wire format (problem+json, FastAPI detail, JSON:API errors...).
 */

/** Where an invalid value sits: a JSON pointer into the body, or a query/path parameter, or a line of an import. */
export interface FieldIssue {
  /** RFC 6901 JSON pointer into the part named by `in`, e.g. `/records/3/input`. */
  pointer: string;
  detail: string;
  in?: 'body' | 'query' | 'params' | 'headers' | 'line';
  /** 1-based line number of a streamed import. */
  line?: number;
  /** The column of a CSV import the value came from. */
  column?: string;
}

export type ErrorCode =
  | 'validation_failed'
  | 'not_found'
  | 'conflict'
  | 'unauthorized'
  | 'forbidden'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'rate_limited'
  | 'internal_error';

export abstract class DomainError extends Error {
  abstract readonly code: ErrorCode;
  abstract readonly status: number;
  readonly issues: FieldIssue[];

  constructor(message: string, issues: FieldIssue[] = []) {
    super(message);
    this.name = new.target.name;
    this.issues = issues;
  }
}

export class ValidationError extends DomainError {
  readonly code = 'validation_failed';
  readonly status = 400;

  static field(pointer: string, detail: string, extra: Partial<FieldIssue> = {}): ValidationError {
    const where = extra.line !== undefined ? `line ${extra.line}: ` : '';
    return new ValidationError(`${where}${pointer || '/'} ${detail}`, [{ pointer, detail, ...extra }]);
  }
}

export class NotFoundError extends DomainError {
  readonly code = 'not_found';
  readonly status = 404;

  constructor(entity: string, id?: string | number, issues: FieldIssue[] = []) {
    super(id === undefined ? `${entity} not found` : `${entity} ${JSON.stringify(String(id))} not found`, issues);
  }
}

export class ConflictError extends DomainError {
  readonly code = 'conflict';
  readonly status = 409;
}

export class UnauthorizedError extends DomainError {
  readonly code = 'unauthorized';
  readonly status = 401;
}

export class ForbiddenError extends DomainError {
  readonly code = 'forbidden';
  readonly status = 403;
}

export class PayloadTooLargeError extends DomainError {
  readonly code = 'payload_too_large';
  readonly status = 413;
}

/** Too many attempts (failed sign-ins): try again later. */
export class TooManyRequestsError extends DomainError {
  readonly code = 'rate_limited';
  readonly status = 429;
}

export class UnsupportedMediaTypeError extends DomainError {
  readonly code = 'unsupported_media_type';
  readonly status = 415;
}
