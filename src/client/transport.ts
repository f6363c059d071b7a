import createClient, { type Client } from 'openapi-fetch';
import { EvalstoreError } from './errors.js';
import type { paths } from './generated/schema.js';

export interface ClientOptions {
  /** The server's address (`http://localhost:8080`); default `EVALSTORE_URL`, else http://localhost:8080. */
  url?: string;
  /** An API key of the workspace; default `EVALSTORE_API_KEY`. */
  apiKey?: string;
  /** A fetch of your own (a proxy agent, tracing); default the global fetch. */
  fetch?: typeof fetch;
}

const DEFAULT_URL = 'http://localhost:8080';

/**
 * The HTTP side of the client: typed calls by the OpenAPI document's paths (openapi-fetch), and raw
 * requests for the routes that stream (uploads, exports). Every failure becomes an EvalstoreError.
 */
export class Transport {
  readonly baseUrl: string;
  readonly api: Client<paths>;
  private readonly apiKey: string;
  private readonly fetchImpl: typeof fetch;

  constructor(options: ClientOptions = {}) {
    const env = typeof process === 'undefined' ? {} : process.env;
    const url = options.url ?? env.EVALSTORE_URL ?? DEFAULT_URL;
    // The paths of the document start with /api/v1; a URL given with it is the same server.
    this.baseUrl = url.replace(/\/+$/, '').replace(/\/api\/v1$/, '');
    const apiKey = options.apiKey ?? env.EVALSTORE_API_KEY;
    if (!apiKey) throw new TypeError('An API key is needed: pass apiKey or set EVALSTORE_API_KEY');
    this.apiKey = apiKey;
    this.fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
    const fetchImpl = this.fetchImpl;
    this.api = createClient<paths>({
      baseUrl: this.baseUrl,
      headers: { authorization: `Bearer ${apiKey}` },
      fetch: (request) => fetchImpl(request),
    });
  }

  /** The data of a typed call, or its failure as an EvalstoreError. */
  async call<T>(request: Promise<{ data?: unknown; error?: unknown; response: Response }>): Promise<T> {
    let result: { data?: unknown; error?: unknown; response: Response };
    try {
      result = await request;
    } catch (error) {
      throw EvalstoreError.connectionFailed(this.baseUrl, error);
    }
    if (!result.response.ok) throw EvalstoreError.fromBody(result.error, result.response);
    return result.data as T;
  }

  /** A raw request to `path` (under the server's root), for bodies and answers that stream. */
  async request(path: string, init: RequestInit & { query?: URLSearchParams } = {}): Promise<Response> {
    const { query, ...rest } = init;
    const url = `${this.baseUrl}${path}${query && query.size ? `?${query}` : ''}`;
    let response: Response;
    try {
      response = await this.fetchImpl(url, {
        ...rest,
        headers: { authorization: `Bearer ${this.apiKey}`, ...(rest.headers as Record<string, string> | undefined) },
      });
    } catch (error) {
      if ((error as Error)?.name === 'AbortError') throw error;
      throw EvalstoreError.connectionFailed(url, error);
    }
    if (!response.ok) throw await EvalstoreError.fromResponse(response);
    return response;
  }
}
