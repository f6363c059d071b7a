import { useQuery } from '@tanstack/react-query';
import { listExperiments } from '../../api/endpoints.js';
import { QueryState } from '../../components/States.js';
import { formatAgo } from '../../lib/format.js';
import { MAX_COMPARED } from './compare-state.js';

/** Which of the dataset's experiments to compare, and which is the baseline. */
export function ExperimentPicker({
  datasetId,
  chosen,
  baseline,
  onChange,
}: {
  datasetId: string;
  chosen: string[];
  baseline: string | undefined;
  onChange: (chosen: string[], baseline: string | undefined) => void;
}) {
  const experiments = useQuery({
    queryKey: ['experiments', datasetId, 'picker'],
    queryFn: () => listExperiments({ dataset_id: datasetId, limit: 200 }),
  });
  if (!experiments.isSuccess) return <QueryState query={experiments} loading="Loading experiments…" failure="Could not list the experiments" />;
  const full = chosen.length > MAX_COMPARED;
  const toggle = (id: string) => {
    if (chosen.includes(id)) {
      const rest = chosen.filter((x) => x !== id);
      onChange(rest, baseline === id ? rest[0] : baseline);
    } else if (!full) {
      onChange([...chosen, id], baseline ?? id);
    }
  };
  return (
    <div className="picker" data-testid="experiment-picker">
      <div className="muted small">
        Pick a baseline and up to {MAX_COMPARED} experiments to measure against it ({chosen.length} chosen). Newest 200 shown.
      </div>
      <table className="data-table compact">
        <thead>
          <tr>
            <th>Compare</th>
            <th>Baseline</th>
            <th>Experiment</th>
            <th className="num">Version</th>
            <th>Created</th>
          </tr>
        </thead>
        <tbody>
          {experiments.data.data.map((experiment) => (
            <tr key={experiment.id}>
              <td>
                <input
                  type="checkbox"
                  aria-label={`Compare ${experiment.name}`}
                  checked={chosen.includes(experiment.id)}
                  disabled={full && !chosen.includes(experiment.id)}
                  onChange={() => toggle(experiment.id)}
                />
              </td>
              <td>
                <input
                  type="radio"
                  name="baseline"
                  aria-label={`Baseline ${experiment.name}`}
                  checked={baseline === experiment.id}
                  disabled={!chosen.includes(experiment.id)}
                  onChange={() => onChange(chosen, experiment.id)}
                />
              </td>
              <td>{experiment.name}</td>
              <td className="num">v{experiment.dataset_version ?? '–'}</td>
              <td>{formatAgo(experiment.created_at)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
