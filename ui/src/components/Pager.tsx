import { useCallback, useState } from 'react';

/**
 * Page-by-page through a cursor-paginated list: the cursors of the pages seen are kept, so Previous
 * goes back without the server needing offsets.
 */
export function useCursorPager() {
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors[cursors.length - 1];
  const next = useCallback((nextCursor: string) => setCursors((seen) => [...seen, nextCursor]), []);
  const previous = useCallback(() => setCursors((seen) => (seen.length > 1 ? seen.slice(0, -1) : seen)), []);
  const reset = useCallback(() => setCursors([undefined]), []);
  return { cursor, page: cursors.length, next, previous, reset };
}

export function Pager({
  page,
  nextCursor,
  onNext,
  onPrevious,
  label,
}: {
  page: number;
  nextCursor: string | null | undefined;
  onNext: (cursor: string) => void;
  onPrevious: () => void;
  label?: string;
}) {
  if (page === 1 && !nextCursor) return label ? <div className="pager muted">{label}</div> : null;
  return (
    <nav className="pager" aria-label="Pages">
      <button type="button" onClick={onPrevious} disabled={page === 1}>
        ← Previous
      </button>
      <span className="muted">
        Page {page}
        {label ? ` · ${label}` : ''}
      </span>
      <button type="button" onClick={() => nextCursor && onNext(nextCursor)} disabled={!nextCursor}>
        Next →
      </button>
    </nav>
  );
}
