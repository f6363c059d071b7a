import createClient, { type Client } from 'openapi-fetch';
import { EvalstoreError } from './errors.js';
import type { paths } from './generated/schema.js';

export interface ClientOptions {
  /** The server's address (`http://localhost:8080`); default `EVALSTORE_URL`, else http://localhost:8080. */
  url?: string;
  /**
   * An API key of the workspace; default `EVALSTORE_API_KEY`. Or a function giving the key each request
   * goes with, for a key that changes while the client lives (a browser session's); a request it gives
   * no key for goes without one, and the server answers 401.
   */
  apiKey?: string | (() => string | null | undefined);
  /** A fetch of your own (a proxy agent, tracing); default the global fetch. */
  fetch?: typeof fetch;
  /** Told when the server refuses the key (401), before the call throws: a session can sign out. */
  onUnauthorized?: (error: EvalstoreError) => void;
  /**
   * A browser signed in with a session cookie instead of a key (the web UI): the cookie goes by
   * itself (same origin), and each request carries the session's CSRF token (from `auth.me()` or
   * `auth.signIn()`), which the server requires of every request but GET made with the cookie.
   */
  session?: { csrfToken: () => string | null | undefined };
}

const DEFAULT_URL = 'http://localhost:8080';

/**
 * The HTTP side of the client: typed calls by the OpenAPI document's paths (openapi-fetch), and raw
 * requests for the routes that stream (uploads, exports). Every failure becomes an EvalstoreError.
 */
export class Transport {
  readonly baseUrl: string;
  readonly api: Client<paths>;
  private readonly apiKey: () => string | null | undefined;
  private readonly csrfToken: (() => string | null | undefined) | undefined;
  private readonly fetchImpl: typeof fetch;
  private readonly onUnauthorized: ((error: EvalstoreError) => void) | undefined;

  constructor(options: ClientOptions = {}) {
    const env = typeof process === 'undefined' ? {} : process.env;
    const url = options.url ?? env.EVALSTORE_URL ?? DEFAULT_URL;
    // The paths of the document start with /api/v1; a URL given with it is the same server.
    this.baseUrl = url.replace(/\/+$/, '').replace(/\/api\/v1$/, '');
    const apiKey = options.apiKey ?? env.EVALSTORE_API_KEY;
    if (!apiKey && !options.session) throw new TypeError('An API key is needed: pass apiKey or set EVALSTORE_API_KEY');
    this.apiKey = typeof apiKey === 'function' ? apiKey : () => apiKey;
    this.csrfToken = options.session?.csrfToken;
    this.onUnauthorized = options.onUnauthorized;
    this.fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
    const fetchImpl = this.fetchImpl;
    this.api = createClient<paths>({
      baseUrl: this.baseUrl,
      // The key is read per request, as it may change; a caller's own authorization header wins, as it did as a default header.
      fetch: (request) => {
        for (const [name, value] of Object.entries(this.authorization())) if (!request.headers.has(name)) request.headers.set(name, value);
        return fetchImpl(request);
      },
    });
  }

  /** The header that carries the key (none when a key getter has no key), or a session's CSRF token. */
  authorization(): Record<string, string> {
    const key = this.apiKey();
    if (key) return { authorization: `Bearer ${key}` };
    const csrf = this.csrfToken?.();
    return csrf ? { 'x-csrf-token': csrf } : {};
  }

  /** The address of `path` (under the server's root) with its query. */
  url(path: string, query?: URLSearchParams): string {
    return `${this.baseUrl}${path}${query?.size ? `?${query}` : ''}`;
  }

  /** The data of a typed call, or its failure as an EvalstoreError. */
  async call<T>(request: Promise<{ data?: unknown; error?: unknown; response: Response }>): Promise<T> {
    let result: { data?: unknown; error?: unknown; response: Response };
    try {
      result = await request;
    } catch (error) {
      throw unreachable(this.baseUrl, error);
    }
    if (!result.response.ok) throw this.failure(result.error, result.response);
    return result.data as T;
  }

  /** A raw request to `path` (under the server's root), for bodies and answers that stream. */
  async request(path: string, init: RequestInit & { query?: URLSearchParams } = {}): Promise<Response> {
    const { query, ...rest } = init;
    const url = this.url(path, query);
    let response: Response;
    try {
      response = await this.fetchImpl(url, { ...rest, headers: { ...this.authorization(), ...(rest.headers as Record<string, string> | undefined) } });
    } catch (error) {
      throw unreachable(url, error);
    }
    if (!response.ok) throw this.failure(await response.text().catch(() => ''), response);
    return response;
  }

  /**
   * The error of a failed answer, from its body (problem+json, or whatever else came); a refused key
   * is told to `onUnauthorized` first. For answers read another way than by fetch (an XMLHttpRequest's).
   */
  failure(body: unknown, response: Pick<Response, 'status' | 'statusText'>): EvalstoreError {
    const error = EvalstoreError.fromBody(body, response);
    if (response.status === 401) this.onUnauthorized?.(error);
    return error;
  }
}

/** A request that got no answer; an abort the caller asked for stays the abort it is. */
function unreachable(url: string, error: unknown): unknown {
  return (error as Error)?.name === 'AbortError' ? error : EvalstoreError.connectionFailed(url, error);
}
