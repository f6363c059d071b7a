import { keepPreviousData, useQueries, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { compare, listExperiments } from '../../api/endpoints.js';
import type { Dataset, ExperimentStats } from '../../api/types.js';
import { Pager, useCursorPager } from '../../components/Pager.js';
import { Empty, ErrorState, QueryState } from '../../components/States.js';
import { useDebounced } from '../../lib/use-debounced.js';
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

const SORTS = [
  { id: 'created', label: 'Newest first', sort: 'created', order: 'desc' },
  { id: 'activity', label: 'Latest activity first', sort: 'activity', order: 'desc' },
  { id: 'name', label: 'Name A–Z', sort: 'name', order: 'asc' },
  { id: 'name-desc', label: 'Name Z–A', sort: 'name', order: 'desc' },
  { id: 'oldest', label: 'Oldest first', sort: 'created', order: 'asc' },
] as const;

/** The experiments of a dataset, searched by name, sorted and with chosen metadata columns (all of it in the address: `eq`, `esort`, `ecols`). */
export function ExperimentsTab({ dataset }: { dataset: Dataset }) {
  const navigate = useNavigate();
  const pager = useCursorPager();
  const [params, setParams] = useSearchParams();
  const [selected, setSelected] = useState<string[]>([]);
  const [typed, setTyped] = useState(params.get('eq') ?? '');
  const q = useDebounced(typed.trim());
  const sort = SORTS.find((s) => s.id === params.get('esort')) ?? SORTS[0];
  const columns = (params.get('ecols') ?? '').split(',').filter((key) => key !== '');
  const setParam = (name: string, value: string) => {
    pager.reset();
    setParams(
      (current) => {
        const next = new URLSearchParams(current);
        if (value === '') next.delete(name);
        else next.set(name, value);
        return next;
      },
      { replace: true },
    );
  };
  if (q !== (params.get('eq') ?? '')) setParam('eq', q);
  const experiments = useQuery({
    queryKey: ['experiments', dataset.id, pager.cursor, q, sort.id],
    queryFn: () => listExperiments({ dataset_id: dataset.id, cursor: pager.cursor, limit: PAGE_SIZE, q: q || undefined, sort: sort.sort, order: sort.order }),
    placeholderData: keepPreviousData,
  });
  const ids = experiments.data?.data.map((e) => e.id) ?? [];
  const { stats, error: statsError } = useExperimentStats(ids);

  if (!experiments.isSuccess) return <QueryState query={experiments} loading="Loading experiments…" failure="Could not list the experiments" />;
  const metadataKeys = [...new Set([...experiments.data.data.flatMap((e) => Object.keys(e.metadata)), ...columns])].sort();
  const filters = (
    <div className="toolbar" data-testid="experiments-filters">
      <input
        type="search"
        placeholder="Search experiments by name"
        aria-label="Search experiments"
        value={typed}
        onChange={(event) => setTyped(event.target.value)}
        className="grow"
      />
      <label>
        Sort{' '}
        <select
          aria-label="Sort experiments"
          value={sort.id}
          onChange={(event) => setParam('esort', event.target.value === 'created' ? '' : event.target.value)}
        >
          {SORTS.map((s) => (
            <option key={s.id} value={s.id}>
              {s.label}
            </option>
          ))}
        </select>
      </label>
      {metadataKeys.length > 0 && (
        <details className="column-choice">
          <summary>Metadata columns{columns.length > 0 ? ` (${columns.length})` : ''}</summary>
          <div className="column-choice-menu">
            {metadataKeys.map((key) => (
              <label key={key} className="checkbox">
                <input
                  type="checkbox"
                  checked={columns.includes(key)}
                  aria-label={`Show the metadata column ${key}`}
                  onChange={() => setParam('ecols', (columns.includes(key) ? columns.filter((c) => c !== key) : [...columns, key]).join(','))}
                />
                {key}
              </label>
            ))}
          </div>
        </details>
      )}
    </div>
  );
  if (experiments.data.data.length === 0 && q !== '') {
    return (
      <div>
        {filters}
        <Empty title="No experiment matches">No experiment of this dataset has “{q}” in its name.</Empty>
      </div>
    );
  }
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
      {filters}
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
            {columns.map((key) => (
              <th key={key} title={`Metadata “${key}”`}>
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
                {columns.map((key) => (
                  <td key={key} data-metadata={key}>
                    {experiment.metadata[key] === undefined ? '–' : <MetadataValue value={experiment.metadata[key]} />}
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

/** A metadata value in a cell: text as is, anything else as compact JSON. */
function MetadataValue({ value }: { value: unknown }) {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return <>{String(value)}</>;
  return <code>{JSON.stringify(value)}</code>;
}
