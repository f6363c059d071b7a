import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { compare, comparisonRows, getDataset, getExperiment, listRuns } from '../api/endpoints.js';
import type { DatasetRecord, Experiment, Run, RunWithScores } from '../api/types.js';
import { DownloadButton } from '../components/DownloadButton.js';
import { Drawer } from '../components/Drawer.js';
import { JsonView } from '../components/JsonView.js';
import { Pager, useCursorPager } from '../components/Pager.js';
import { Empty, QueryState } from '../components/States.js';
import { formatCost, formatCount, formatDateTime, formatMs, formatPercent, formatScore, preview, shortId } from '../lib/format.js';
import { TraceTree } from './experiment/TraceTree.js';

const PAGE_SIZE = 50;

interface ResultRow {
  run: Run & { scores?: RunWithScores['scores'] };
  record?: DatasetRecord;
}

/** An experiment: its aggregates, its results (runs with their scores), and each run's trace. */
export function ExperimentPage() {
  const experimentId = useParams().experimentId!;
  const experiment = useQuery({ queryKey: ['experiment', experimentId], queryFn: () => getExperiment(experimentId) });
  if (!experiment.isSuccess) return <QueryState query={experiment} loading="Loading the experiment…" failure="Could not open the experiment" />;
  return <ExperimentView experiment={experiment.data} />;
}

function ExperimentView({ experiment }: { experiment: Experiment }) {
  const onDataset = experiment.dataset_id !== null;
  const dataset = useQuery({ queryKey: ['dataset', experiment.dataset_id], queryFn: () => getDataset(experiment.dataset_id!), enabled: onDataset });
  const stats = useQuery({ queryKey: ['stats', [experiment.id]], queryFn: () => compare({ experiment_ids: [experiment.id] }), enabled: onDataset });
  const s = stats.data?.stats[0];
  return (
    <div className="page">
      <div className="breadcrumbs">
        <Link to="/datasets">Datasets</Link> /{' '}
        {onDataset && (
          <>
            <Link to={`/datasets/${experiment.dataset_id}?tab=experiments`}>{dataset.data?.name ?? '…'}</Link> /
          </>
        )}
      </div>
      <div className="page-header">
        <div>
          <h1>{experiment.name}</h1>
          {experiment.description && <p className="muted">{experiment.description}</p>}
          <div className="facts">
            {onDataset && <span>dataset version {experiment.dataset_version}</span>}
            <span>via {experiment.source}</span>
            <span>
              {formatDateTime(experiment.start_time ?? experiment.created_at)}
              {experiment.end_time && ` → ${formatDateTime(experiment.end_time)}`}
            </span>
          </div>
        </div>
        <div className="actions">
          <span className="muted small">Export results:</span>
          <DownloadButton path={`/experiments/${experiment.id}/export`} query={{ format: 'jsonl' }} fileName={`${experiment.name}.jsonl`} label="JSONL" />
          <DownloadButton path={`/experiments/${experiment.id}/export`} query={{ format: 'csv' }} fileName={`${experiment.name}.csv`} label="CSV" />
        </div>
      </div>
      {s && (
        <div className="stat-strip" data-testid="experiment-stats">
          <Stat label="Runs" value={formatCount(s.run_count)} />
          <Stat label="Records" value={formatCount(s.record_count)} />
          <Stat label="Errors" value={`${formatCount(s.error_count)} (${formatPercent(s.error_rate)})`} />
          <Stat label="Latency p50 / p99" value={`${formatMs(s.latency_ms.p50)} / ${formatMs(s.latency_ms.p99)}`} />
          <Stat label="Tokens" value={formatCount(s.total_tokens)} />
          <Stat label="Cost" value={formatCost(s.total_cost)} />
          {Object.entries(s.scores).map(([key, score]) => (
            <Stat
              key={key}
              label={key}
              value={score.n > 0 ? `${formatScore(score.mean)} ± ${formatScore(score.stdev)}` : Object.keys(score.values).join(', ')}
            />
          ))}
        </div>
      )}
      {Object.keys(experiment.metadata).length > 0 && (
        <details className="card">
          <summary>Metadata</summary>
          <JsonView value={experiment.metadata} />
        </details>
      )}
      <h2 className="section-title">Runs</h2>
      <ResultsTable experiment={experiment} />
    </div>
  );
}

function Stat({ label, value }: { label: string; value: string }) {
  return (
    <div className="stat">
      <div className="stat-label">{label}</div>
      <div className="stat-value">{value}</div>
    </div>
  );
}

/**
 * The experiment's results a page at a time: on a dataset, its records with their runs and scores
 * (the comparison rows of this one experiment); for a log stream, its root runs.
 */
function useResults(experiment: Experiment, cursor: string | undefined) {
  return useQuery({
    queryKey: ['results', experiment.id, cursor],
    placeholderData: keepPreviousData,
    queryFn: async (): Promise<{ rows: ResultRow[]; next: string | null }> => {
      if (experiment.dataset_id) {
        const page = await comparisonRows({ experiment_ids: [experiment.id], cursor, limit: PAGE_SIZE });
        return { rows: page.data.flatMap((row) => (row.runs[experiment.id] ?? []).map((run) => ({ run, record: row.record }))), next: page.next_cursor };
      }
      const page = await listRuns(experiment.id, { root_only: true, cursor, limit: PAGE_SIZE });
      return { rows: page.data.map((run) => ({ run })), next: page.next_cursor };
    },
  });
}

function ResultsTable({ experiment }: { experiment: Experiment }) {
  const pager = useCursorPager();
  const results = useResults(experiment, pager.cursor);
  const [open, setOpen] = useState<ResultRow>();
  if (!results.isSuccess) return <QueryState query={results} loading="Loading runs…" failure="Could not list the runs" />;
  if (results.data.rows.length === 0) {
    return (
      <Empty title="No runs yet">
        Runs are appended with <code>POST /api/v1/experiments/{experiment.id}/runs</code>.
      </Empty>
    );
  }
  const scoreKeys = [...new Set(results.data.rows.flatMap((row) => row.run.scores?.map((score) => score.key) ?? []))].sort();
  return (
    <>
      <table className="data-table clickable" data-testid="runs-table">
        <thead>
          <tr>
            {experiment.dataset_id && <th>Record input</th>}
            <th>Output</th>
            <th className="num">Latency</th>
            <th className="num">Tokens</th>
            <th className="num">Cost</th>
            <th>Error</th>
            {scoreKeys.map((key) => (
              <th key={key} className="num">
                {key}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {results.data.rows.map((row) => (
            <tr
              key={row.run.id}
              onClick={() => setOpen(row)}
              tabIndex={0}
              onKeyDown={(event) => event.key === 'Enter' && setOpen(row)}
              data-run-id={row.run.id}
            >
              {experiment.dataset_id && (
                <td className="clip">
                  {preview(row.record?.input, 100)}
                  {(row.run.repetition ?? 1) > 1 && <span className="badge">rep {row.run.repetition}</span>}
                </td>
              )}
              <td className="clip">{preview(row.run.output, 140)}</td>
              <td className="num">{formatMs(row.run.latency_ms)}</td>
              <td className="num">{formatCount(row.run.total_tokens)}</td>
              <td className="num">{formatCost(row.run.total_cost)}</td>
              <td className="clip bad">{row.run.error}</td>
              {scoreKeys.map((key) => {
                const score = row.run.scores?.find((candidate) => candidate.key === key);
                return (
                  <td key={key} className="num">
                    {score ? (score.score !== null ? formatScore(score.score) : preview(score.value, 20)) : '–'}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      <Pager page={pager.page} nextCursor={results.data.next} onNext={pager.next} onPrevious={pager.previous} />
      {open && (
        <Drawer title={`Run ${shortId(open.run.id)}`} onClose={() => setOpen(undefined)} wide>
          {open.record && <JsonView label="Record input" value={open.record.input} />}
          {open.record && <JsonView label="Expected output" value={open.record.expected_output} />}
          {open.run.scores && open.run.scores.length > 0 && (
            <table className="compact">
              <tbody>
                {open.run.scores.map((score) => (
                  <tr key={score.id}>
                    <th>{score.key}</th>
                    <td className="num">{score.score !== null ? formatScore(score.score) : preview(score.value)}</td>
                    <td className="muted small">
                      {score.source}
                      {score.comment ? `: ${score.comment}` : ''}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <h3>Trace</h3>
          <TraceTree root={open.run} />
        </Drawer>
      )}
    </>
  );
}
