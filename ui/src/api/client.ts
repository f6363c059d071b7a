import { reportUnauthorized, storedKey } from './session.js';
import type { Problem } from './types.js';

export const API_BASE = '/api/v1';

/** A failed API call, with the server's problem details (RFC 9457) when it sent them. */
export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail || problem.title);
    this.name = 'ApiError';
  }

  get status(): number {
    return this.problem.status;
  }
}

export type QueryValue = string | number | boolean | undefined | null | readonly string[];

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  query?: Record<string, QueryValue>;
  body?: unknown;
  signal?: AbortSignal;
  /** Sign in with this key instead of the stored one. */
  key?: string;
}

/** `/api/v1/<path>?query`; repeated parameters for arrays, nothing for undefined, null or empty values. */
export function apiUrl(path: string, query: Record<string, QueryValue> = {}): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    if (Array.isArray(value)) for (const item of value as readonly string[]) params.append(name, item);
    else params.append(name, String(value));
  }
  const search = params.toString();
  return `${API_BASE}${path}${search ? `?${search}` : ''}`;
}

export function authHeaders(key = storedKey()): Record<string, string> {
  return key ? { authorization: `Bearer ${key}` } : {};
}

/** Calls the native API and returns its JSON, or throws an ApiError. */
export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const response = await send(path, options);
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

/** Calls the native API and returns the response itself (for files), or throws an ApiError. */
export async function send(path: string, options: RequestOptions = {}): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(apiUrl(path, options.query), {
      method: options.method ?? 'GET',
      headers: {
        ...authHeaders(options.key),
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new ApiError({ status: 0, title: 'Server unreachable', detail: 'The server did not answer. Check that it is running and that this page is served by it.' });
  }
  if (!response.ok) {
    const problem = await problemOf(response);
    if (response.status === 401 && options.key === undefined) reportUnauthorized();
    throw new ApiError(problem);
  }
  return response;
}

/** The problem details of a failed response, or a stand-in when the body is not problem+json. */
export async function problemOf(response: Response): Promise<Problem> {
  const text = await response.text();
  return parseProblem(text, response.status, response.statusText);
}

export function parseProblem(text: string, status: number, statusText = ''): Problem {
  try {
    const parsed = JSON.parse(text) as Partial<Problem>;
    if (parsed && typeof parsed === 'object' && typeof parsed.detail === 'string') {
      return { ...parsed, title: parsed.title ?? statusText, status: parsed.status ?? status, detail: parsed.detail };
    }
  } catch {
    // Not JSON: a proxy's page, say. Fall through to a problem that names the status.
  }
  return { status, title: statusText || `HTTP ${status}`, detail: `The server answered ${status} ${statusText}`.trim() };
}
