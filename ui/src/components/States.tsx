import type { ReactNode } from 'react';
import { EvalstoreError } from '../api/client.js';

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="state state-loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      {label}
    </div>
  );
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="state state-empty">
      <strong>{title}</strong>
      {children && <div className="state-hint">{children}</div>}
    </div>
  );
}

/** What went wrong, in the server's words, and what the user can do about it. */
export function ErrorState({ error, retry, title = 'Something went wrong' }: { error: unknown; retry?: () => void; title?: string }) {
  const problem = error instanceof EvalstoreError ? error : undefined;
  return (
    <div className="state state-error" role="alert">
      <strong>{problem ? `${title}: ${problem.title}` : title}</strong>
      <div>{failureDetail(error)}</div>
      {problem?.errors && problem.errors.length > 0 && (
        <ul className="problem-errors">
          {problem.errors.map((issue, index) => (
            <li key={index}>
              {issue.line !== undefined && <span className="mono">line {issue.line}: </span>}
              <span className="mono">{issue.pointer || '/'}</span> {issue.detail}
            </li>
          ))}
        </ul>
      )}
      <div className="state-hint">{hintFor(problem?.status)}</div>
      {retry && (
        <button type="button" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}

/** What QueryState reads of a query (of any of TanStack Query's results). */
interface UnsettledQuery {
  isPending: boolean;
  error: unknown;
  refetch: () => unknown;
}

/**
 * A query that has nothing to show yet: it is loading, or it failed (with a retry). Call sites show it
 * while `!query.isSuccess`, which also narrows the query to its data after.
 */
export function QueryState({ query, loading, failure }: { query: UnsettledQuery; loading: string; failure: string }) {
  if (query.isPending) return <Loading label={loading} />;
  return <ErrorState title={failure} error={query.error} retry={() => void query.refetch()} />;
}

/**
 * What the UI says of a failure: the server's words, or, when it did not answer, what to check (the
 * browser's own words for it, such as "Failed to fetch", tell a person nothing).
 */
export function failureDetail(error: unknown): string {
  if (error instanceof EvalstoreError) {
    return error.code === 'connection_failed' ? 'The server did not answer. Check that it is running and that this page is served by it.' : error.detail;
  }
  return error instanceof Error ? error.message : String(error);
}

function hintFor(status: number | undefined): string {
  switch (status) {
    case undefined:
      return 'Reload the page; if it persists, the browser console has details.';
    case 0:
      return 'Check that the evalstore server is running and reachable, then try again.';
    case 401:
      return 'The server refused your API key: sign in again with a valid key.';
    case 403:
      return "Your key's role does not allow this: use a key with the write or admin role.";
    case 404:
      return 'It may have been deleted, or it belongs to another workspace than your key’s.';
    case 400:
    case 409:
    case 413:
    case 415:
      return 'Correct what the message names and try again.';
    default:
      return status >= 500 ? 'The server failed; its log has the details. Try again in a moment.' : 'Try again.';
  }
}
