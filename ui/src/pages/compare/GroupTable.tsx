import type { Comparison, Experiment } from '../../api/types.js';
import { formatCount, formatScore } from '../../lib/format.js';

/**
 * The comparison within each group of a metadata key: per experiment, its runs and its mean of the
 * chosen score key. Choosing a group limits the rows to it.
 */
export function GroupTable({
  comparison,
  order,
  scoreKey,
  selected,
  onSelect,
}: {
  comparison: Comparison;
  order: Experiment[];
  scoreKey: string | undefined;
  selected: string | undefined;
  onSelect: (group: string | undefined) => void;
}) {
  const groups = comparison.groups ?? [];
  if (groups.length === 0) return <div className="muted">No runs in scope, so no groups.</div>;
  return (
    <table className="data-table compact group-table" data-testid="group-table">
      <thead>
        <tr>
          <th>Group</th>
          {order.map((experiment) => (
            <th key={experiment.id} className="num" title={experiment.name}>
              {experiment.name}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        <tr className={selected === undefined ? 'selected' : undefined}>
          <td>
            <button type="button" className="link" onClick={() => onSelect(undefined)}>
              All groups
            </button>
          </td>
          <td colSpan={order.length} className="muted small">
            {scoreKey ? `Cells: runs, and mean “${scoreKey}”` : 'Cells: runs'}
          </td>
        </tr>
        {groups.map(({ group, experiments }) => {
          const value = JSON.stringify(group);
          return (
            <tr key={value} className={selected === value ? 'selected' : undefined} data-group={value}>
              <td>
                {group === null ? (
                  <span className="muted" title="Records without the key cannot be picked out by a metadata filter">
                    (no value)
                  </span>
                ) : (
                  <button type="button" className="link" onClick={() => onSelect(value)}>
                    {typeof group === 'string' ? group : value}
                  </button>
                )}
              </td>
              {order.map((experiment) => {
                const stats = experiments.find((s) => s.experiment_id === experiment.id);
                const score = scoreKey ? stats?.scores[scoreKey] : undefined;
                return (
                  <td key={experiment.id} className="num">
                    {stats ? formatCount(stats.run_count) : '–'}
                    {score && score.n > 0 && <span className="muted"> · {formatScore(score.mean)}</span>}
                  </td>
                );
              })}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
