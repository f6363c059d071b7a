import type { ServerProblem } from './types.js';

type ProblemFields = Pick<ServerProblem, 'type' | 'title' | 'status' | 'detail' | 'code'> & Partial<Pick<ServerProblem, 'instance' | 'errors'>>;

/**
 * A call the server refused or could not answer, with its problem details (RFC 9457): `status`,
 * the stable `code` (`not_found`, `validation_failed`, ...), `detail`, and in `errors` the fields or
 * lines at fault. A server that could not be reached gives status 0 and code `connection_failed`.
 */
export class EvalstoreError extends Error implements ProblemFields {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly code: string;
  readonly instance: string | undefined;
  readonly errors: ServerProblem['errors'];

  constructor(problem: ProblemFields, options?: { cause?: unknown }) {
    super(problem.detail || problem.title, options);
    this.name = 'EvalstoreError';
    this.type = problem.type;
    this.title = problem.title;
    this.status = problem.status;
    this.detail = problem.detail;
    this.code = problem.code;
    this.instance = problem.instance;
    this.errors = problem.errors;
  }

  /** The error of a failed response: its problem+json body, or one made up from the status. */
  static async fromResponse(response: Response): Promise<EvalstoreError> {
    return EvalstoreError.fromBody(await response.text().catch(() => ''), response);
  }

  static fromBody(body: unknown, response: Pick<Response, 'status' | 'statusText'>): EvalstoreError {
    const parsed = typeof body === 'string' ? parseJson(body) : body;
    if (isProblem(parsed)) return new EvalstoreError({ ...parsed, status: parsed.status ?? response.status });
    const title = response.statusText || `HTTP ${response.status}`;
    return new EvalstoreError({
      type: 'about:blank',
      title,
      status: response.status,
      detail: `The server answered ${response.status} ${response.statusText}`.trim(),
      code: `http_${response.status}`,
    });
  }

  static connectionFailed(url: string, cause: unknown): EvalstoreError {
    return new EvalstoreError(
      {
        type: 'urn:evalstore:problem:connection_failed',
        title: 'Server unreachable',
        status: 0,
        detail: `Could not reach ${url}: ${(cause as Error)?.message ?? String(cause)}`,
        code: 'connection_failed',
      },
      { cause },
    );
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isProblem(value: unknown): value is ProblemFields {
  return (
    typeof value === 'object' && value !== null && typeof (value as ProblemFields).detail === 'string' && typeof (value as ProblemFields).code === 'string'
  );
}
