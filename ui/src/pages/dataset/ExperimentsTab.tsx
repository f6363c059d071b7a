import { keepPreviousData, useQueries, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { compare, listExperiments } from '../../api/endpoints.js';
import type { Dataset, ExperimentStats } from '../../api/types.js';
import { Pager, useCursorPager } from '../../components/Pager.js';
import { Empty, ErrorState, QueryState } from '../../components/States.js';
import { formatAgo, formatCost, formatCount, formatDateTime, formatMs, formatPercent, formatScore } from '../../lib/format.js';
import { MAX_COMPARED, comparePath } from '../compare/compare-state.js';
import { ScoreTrends } from './ScoreTrend.js';

const PAGE_SIZE = 50;
/** The compare API takes at most 20 experiments at once. */
const STATS_CHUNK = 20;

/** Aggregates of experiments (runs, errors, latency, tokens, cost, scores), computed by the server. */
function useExperimentStats(ids: string[]) {
  const chunks: string[][] = [];
  for (let i = 0; i < ids.length; i += STATS_CHUNK) chunks.push(ids.slice(i, i + STATS_CHUNK));
  const results = useQueries({
    queries: chunks.map((chunk) => ({ queryKey: ['stats', chunk], queryFn: () => compare({ experiment_ids: chunk }) })),
  });
  const stats = new Map<string, ExperimentStats>();
  for (const result of results) for (const entry of result.data?.stats ?? []) stats.set(entry.experiment_id, entry);
  return { stats, pending: results.some((r) => r.isPending), error: results.find((r) => r.isError)?.error };
}

export function ExperimentsTab({ dataset }: { dataset: Dataset }) {
  const navigate = useNavigate();
  const pager = useCursorPager();
  const [selected, setSelected] = useState<string[]>([]);
  const experiments = useQuery({
    queryKey: ['experiments', dataset.id, pager.cursor],
    queryFn: () => listExperiments({ dataset_id: dataset.id, cursor: pager.cursor, limit: PAGE_SIZE }),
    placeholderData: keepPreviousData,
  });
  const ids = experiments.data?.data.map((e) => e.id) ?? [];
  const { stats, error: statsError } = useExperimentStats(ids);

  if (!experiments.isSuccess) return <QueryState query={experiments} loading="Loading experiments…" failure="Could not list the experiments" />;
  if (experiments.data.data.length === 0) {
    return (
      <Empty title="No experiments on this dataset yet">
        Experiments are created by running your application over the dataset and recording its runs: <code>POST /api/v1/experiments</code> with{' '}
        <code>dataset_id</code> and <code>runs</code>, or the LangSmith, Arize, Datadog or Humanloop SDKs pointed at this server.
      </Empty>
    );
  }
  const scoreKeys = [...new Set([...stats.values()].flatMap((s) => Object.keys(s.scores)))].sort().slice(0, 4);
  const toggle = (id: string) =>
    setSelected((current) => (current.includes(id) ? current.filter((x) => x !== id) : current.length > MAX_COMPARED ? current : [...current, id]));
  return (
    <div>
      <div className="toolbar">
        <span className="muted">
          {selected.length === 0
            ? `Select 2 to ${MAX_COMPARED + 1} experiments to compare them (the first you select is the baseline).`
            : `${selected.length} selected${selected.length > MAX_COMPARED ? ' (the most a comparison takes)' : ''}`}
        </span>
        <button
          type="button"
          className="primary"
          disabled={selected.length < 2}
          onClick={() => navigate(comparePath(dataset.id, { experiments: selected, baseline: selected[0] }))}
        >
          Compare selected
        </button>
      </div>
      <ScoreTrends
        experiments={experiments.data.data}
        stats={stats}
        scoreKeys={[...new Set([...stats.values()].flatMap((s) => Object.entries(s.scores).flatMap(([key, score]) => (score.n > 0 ? [key] : []))))].sort()}
      />
      {statsError !== undefined && <ErrorState title="Could not compute the experiments' aggregates" error={statsError} />}
      <table className="data-table" data-testid="experiments-table">
        <thead>
          <tr>
            <th aria-label="Select" />
            <th>Experiment</th>
            <th className="num">Version</th>
            <th className="num">Runs</th>
            <th className="num">Errors</th>
            <th className="num">Latency p50 / p99</th>
            <th className="num">Tokens</th>
            <th className="num">Cost</th>
            {scoreKeys.map((key) => (
              <th key={key} className="num" title={`Mean score “${key}”`}>
                {key}
              </th>
            ))}
            <th>Created</th>
          </tr>
        </thead>
        <tbody>
          {experiments.data.data.map((experiment) => {
            const s = stats.get(experiment.id);
            return (
              <tr key={experiment.id} data-experiment={experiment.name}>
                <td>
                  <input
                    type="checkbox"
                    aria-label={`Select ${experiment.name}`}
                    checked={selected.includes(experiment.id)}
                    onChange={() => toggle(experiment.id)}
                  />
                </td>
                <td>
                  <Link to={`/experiments/${experiment.id}`}>{experiment.name}</Link>
                </td>
                <td className="num">v{experiment.dataset_version ?? '–'}</td>
                <td className="num">{s ? formatCount(s.run_count) : '…'}</td>
                <td className="num">{s ? `${formatCount(s.error_count)} (${formatPercent(s.error_rate)})` : '…'}</td>
                <td className="num">{s ? `${formatMs(s.latency_ms.p50)} / ${formatMs(s.latency_ms.p99)}` : '…'}</td>
                <td className="num">{s ? formatCount(s.total_tokens) : '…'}</td>
                <td className="num">{s ? formatCost(s.total_cost) : '…'}</td>
                {scoreKeys.map((key) => (
                  <td key={key} className="num">
                    {s?.scores[key] ? formatScore(s.scores[key].mean) : '–'}
                  </td>
                ))}
                <td title={formatDateTime(experiment.created_at)}>{formatAgo(experiment.created_at)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <Pager page={pager.page} nextCursor={experiments.data.next_cursor} onNext={pager.next} onPrevious={pager.previous} />
    </div>
  );
}
