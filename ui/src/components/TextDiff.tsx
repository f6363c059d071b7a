import { useMemo } from 'react';
import { textDiff } from '../lib/text-diff.js';

/** `after` with the words added since `before` marked, and those removed struck through. */
export function TextDiff({ before, after }: { before: string; after: string }) {
  const parts = useMemo(() => textDiff(before, after), [before, after]);
  if (!parts) {
    return (
      <div className="text-diff">
        <div className="muted small">Too different from the baseline to diff; shown whole.</div>
        {after}
      </div>
    );
  }
  return (
    <div className="text-diff">
      {parts.map((part, index) =>
        part.kind === 'added' ? (
          <ins key={index}>{part.text}</ins>
        ) : part.kind === 'removed' ? (
          <del key={index}>{part.text}</del>
        ) : (
          <span key={index}>{part.text}</span>
        ),
      )}
    </div>
  );
}
