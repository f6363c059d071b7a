/** How much of something is done, as a bar and in words. */
export function ProgressBar({ done, total, label }: { done: number; total: number; label: string }) {
  const share = total === 0 ? 0 : done / total;
  return (
    <div className="progress" role="progressbar" aria-valuemin={0} aria-valuemax={total} aria-valuenow={done} aria-label={label}>
      <div className="progress-fill" style={{ width: `${Math.round(share * 100)}%` }} />
      <span className="progress-label">
        {done} / {total} {label}
      </span>
    </div>
  );
}
