import { keepPreviousData, useQueries, useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { compare, getDataset, getExperiment, getRecord, getRun, listRunsPage, listScores } from '../api/endpoints.js';
import type { Experiment } from '../api/types.js';
import { DownloadButton } from '../components/DownloadButton.js';
import { Drawer } from '../components/Drawer.js';
import { JsonView } from '../components/JsonView.js';
import { Pager } from '../components/Pager.js';
import { ScoreChart } from '../components/ScoreChart.js';
import { Empty, QueryState } from '../components/States.js';
import { distinctId, distinctIds } from '../lib/distinct-ids.js';
import { formatCost, formatCount, formatDateTime, formatMeanStdev, formatMs, formatPercent, formatScore, preview } from '../lib/format.js';
import { isFiltered, parseRunsState, runsQuery, runsSearch, type RunSortChoice, type RunsState } from './experiment/runs-state.js';
import { TraceTree } from './experiment/TraceTree.js';

const PAGE_SIZE = 50;

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
            <Stat key={key} label={key} value={score.n > 0 ? formatMeanStdev(score.mean ?? 0, score.stdev) : Object.keys(score.values).join(', ')} />
          ))}
        </div>
      )}
      {s && Object.keys(s.scores).length > 0 && (
        <div className="charts" data-testid="experiment-charts">
          {Object.keys(s.scores)
            .sort()
            .map((key) => (
              <ScoreChart key={key} scoreKey={key} series={[{ experimentId: experiment.id, name: experiment.name, color: '#2b59c3', stats: s.scores[key] }]} />
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
      <ResultsTable experiment={experiment} scoreKeys={s ? Object.keys(s.scores) : []} />
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

function ResultsTable({ experiment, scoreKeys }: { experiment: Experiment; scoreKeys: string[] }) {
  const [params, setParams] = useSearchParams();
  const state = parseRunsState(params);
  const onDataset = experiment.dataset_id !== null;
  const update = (changes: Partial<RunsState>, options: { push?: boolean } = {}) =>
    setParams(runsSearch({ ...state, ...changes }, params), { replace: !options.push });
  const query = runsQuery(state, onDataset, PAGE_SIZE);
  const runs = useQuery({
    queryKey: ['runs-page', experiment.id, query],
    queryFn: () => listRunsPage(experiment.id, query),
    placeholderData: keepPreviousData,
  });
  const rows = runs.data?.data ?? [];
  const scores = useQueries({
    queries: rows.map((run) => ({ queryKey: ['run-scores', run.id], queryFn: () => listScores(experiment.id, { run_id: run.id, limit: 100 }) })),
  });
  const recordIds = [...new Set(rows.flatMap((run) => (run.record_id ? [run.record_id] : [])))];
  const records = useQueries({
    queries: recordIds.map((id) => ({
      queryKey: ['record', experiment.dataset_id, id, experiment.dataset_version],
      queryFn: () => getRecord(experiment.dataset_id!, id, experiment.dataset_version ?? undefined),
      enabled: onDataset,
    })),
  });
  const recordOf = new Map(recordIds.map((id, index) => [id, records[index]?.data]));
  const scoresOf = new Map(rows.map((run, index) => [run.id, scores[index]?.data?.data]));
  const recordLabels = distinctIds(recordIds.map((id) => recordOf.get(id) ?? { id }));
  const runLabels = distinctIds(rows);
  const keys = [...new Set([...scoreKeys, ...[...scoresOf.values()].flatMap((list) => list?.map((score) => score.key) ?? [])])].sort();
  const filterChanges = (changes: Partial<RunsState>) => update({ ...changes, cursors: [], run: undefined, node: undefined });

  return (
    <>
      <RunFilterForm key={draftKey(state)} state={state} scoreKeys={keys} onDataset={onDataset} onApply={filterChanges} />
      <div className="toolbar">
        <label className="inline-label">
          Sort by
          <select value={state.sort} onChange={(event) => filterChanges({ sort: event.target.value as RunSortChoice })} aria-label="Sort runs by">
            <option value="id">order recorded</option>
            <option value="start_time">start time</option>
            <option value="latency_ms">latency</option>
            <option value="total_tokens">tokens</option>
            <option value="total_cost">cost</option>
            {keys.map((key) => (
              <option key={key} value={`score:${key}`}>
                score “{key}”
              </option>
            ))}
          </select>
        </label>
        <select value={state.order} onChange={(event) => filterChanges({ order: event.target.value as RunsState['order'] })} aria-label="Sort order">
          <option value="asc">ascending</option>
          <option value="desc">descending</option>
        </select>
        {runs.data && (
          <span className="muted" data-testid="runs-total" data-total={runs.data.total}>
            {formatCount(runs.data.total)} {runs.data.total === 1 ? 'run matches' : 'runs match'}
            {isFiltered(state) ? ' these filters' : ''}
            {runs.isPlaceholderData ? ' (updating…)' : ''}
          </span>
        )}
      </div>
      {!runs.isSuccess ? (
        <QueryState query={runs} loading="Loading runs…" failure="Could not list the runs" />
      ) : rows.length === 0 ? (
        isFiltered(state) ? (
          <Empty title="No run matches these filters">Loosen or clear the filters.</Empty>
        ) : (
          <Empty title="No runs yet">
            Runs are appended with <code>POST /api/v1/experiments/{experiment.id}/runs</code>.
          </Empty>
        )
      ) : (
        <>
          <table className="data-table clickable" data-testid="runs-table">
            <thead>
              <tr>
                {onDataset && <th>Record input</th>}
                <th>Run</th>
                <th>Output</th>
                <th className="num">Latency</th>
                <th className="num">Tokens</th>
                <th className="num">Cost</th>
                <th>Error</th>
                {keys.map((key) => (
                  <th key={key} className="num">
                    {key}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((run) => {
                const record = run.record_id ? recordOf.get(run.record_id) : undefined;
                const runScores = scoresOf.get(run.id);
                const open = () => update({ run: run.id, node: undefined }, { push: true });
                return (
                  <tr
                    key={run.id}
                    onClick={open}
                    tabIndex={0}
                    onKeyDown={(event) => event.key === 'Enter' && open()}
                    data-run-id={run.id}
                    data-status={run.status}
                  >
                    {onDataset && (
                      <td className="clip">
                        <span className="mono muted small record-label" title={run.record_id ?? undefined}>
                          {run.record_id ? recordLabels.get(run.record_id) : ''}
                        </span>{' '}
                        {record ? preview(record.input, 100) : '…'}
                        {(run.repetition ?? 1) > 1 && <span className="badge">rep {run.repetition}</span>}
                      </td>
                    )}
                    <td className="mono small" title={run.id}>
                      {runLabels.get(run.id)}
                    </td>
                    <td className="clip">{preview(run.output, 140)}</td>
                    <td className="num">{formatMs(run.latency_ms)}</td>
                    <td className="num">{formatCount(run.total_tokens)}</td>
                    <td className="num">{formatCost(run.total_cost)}</td>
                    <td className="clip bad">{run.error}</td>
                    {keys.map((key) => {
                      const score = runScores?.find((candidate) => candidate.key === key);
                      return (
                        <td key={key} className="num" data-score-key={key}>
                          {runScores === undefined ? '…' : score ? (score.score !== null ? formatScore(score.score) : preview(score.value, 20)) : '–'}
                        </td>
                      );
                    })}
                  </tr>
                );
              })}
            </tbody>
          </table>
          <Pager
            page={state.cursors.length + 1}
            nextCursor={runs.data.next_cursor}
            onNext={(cursor) => update({ cursors: [...state.cursors, cursor] }, { push: true })}
            onPrevious={() => update({ cursors: state.cursors.slice(0, -1) }, { push: true })}
            label={`${formatCount(runs.data.total)} runs, ${PAGE_SIZE} a page`}
          />
        </>
      )}
      {state.run && (
        <RunDrawer
          experiment={experiment}
          runId={state.run}
          node={state.node}
          onNode={(node) => update({ node })}
          onClose={() => update({ run: undefined, node: undefined }, { push: true })}
        />
      )}
    </>
  );
}

/** The fields of the form that the address fills: the form starts again from them when they change (a reload, Back). */
const draftKey = (state: RunsState) =>
  JSON.stringify([
    state.latencyMin,
    state.latencyMax,
    state.scoreKey,
    state.scoreMin,
    state.scoreMax,
    state.scoreValue,
    state.q,
    state.metadata,
    state.recordMetadata,
    state.tags,
  ]);

/** The filters as fields; they apply together when the form is sent (Enter or Apply). */
function RunFilterForm({
  state,
  scoreKeys,
  onDataset,
  onApply,
}: {
  state: RunsState;
  scoreKeys: string[];
  onDataset: boolean;
  onApply: (changes: Partial<RunsState>) => void;
}) {
  const text = (value: number | string | undefined) => (value === undefined ? '' : String(value));
  const [draft, setDraft] = useState({
    latencyMin: text(state.latencyMin),
    latencyMax: text(state.latencyMax),
    scoreKey: state.scoreKey ?? '',
    scoreMin: text(state.scoreMin),
    scoreMax: text(state.scoreMax),
    scoreValue: state.scoreValue ?? '',
    q: state.q ?? '',
    metadata: state.metadata.join(', '),
    recordMetadata: state.recordMetadata.join(', '),
    tags: state.tags.join(', '),
  });
  const field = (name: keyof typeof draft) => ({
    value: draft[name],
    onChange: (event: { target: { value: string } }) => setDraft((current) => ({ ...current, [name]: event.target.value })),
  });
  const number = (value: string) => (value.trim() === '' || !Number.isFinite(Number(value)) ? undefined : Number(value));
  const list = (value: string) =>
    value
      .split(',')
      .map((part) => part.trim())
      .filter(Boolean);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onApply({
      latencyMin: number(draft.latencyMin),
      latencyMax: number(draft.latencyMax),
      scoreKey: draft.scoreKey.trim() || undefined,
      scoreMin: number(draft.scoreMin),
      scoreMax: number(draft.scoreMax),
      scoreValue: draft.scoreValue.trim() || undefined,
      q: draft.q.trim() || undefined,
      metadata: list(draft.metadata).filter((pair) => /^[^=]+=/.test(pair)),
      recordMetadata: list(draft.recordMetadata).filter((pair) => /^[^=]+=/.test(pair)),
      tags: list(draft.tags),
    });
  };
  return (
    <form className="run-filters card" onSubmit={submit} aria-label="Filter runs">
      <label className="checkbox">
        <input type="checkbox" checked={state.errorsOnly} onChange={(event) => onApply({ errorsOnly: event.target.checked })} />
        Errors only
      </label>
      <input type="search" placeholder="Text in input, output, error or record" aria-label="Search runs" {...field('q')} className="grow" />
      <span className="field-group">
        <span className="muted small">Latency (ms)</span>
        <input inputMode="decimal" placeholder="min" aria-label="Latency at least (ms)" size={6} {...field('latencyMin')} />
        <input inputMode="decimal" placeholder="max" aria-label="Latency at most (ms)" size={6} {...field('latencyMax')} />
      </span>
      <span className="field-group">
        <select aria-label="Score key" {...field('scoreKey')}>
          <option value="">any score</option>
          {[...new Set([...scoreKeys, ...(draft.scoreKey ? [draft.scoreKey] : [])])].map((key) => (
            <option key={key} value={key}>
              {key}
            </option>
          ))}
        </select>
        <input inputMode="decimal" placeholder="min" aria-label="Score at least" size={5} {...field('scoreMin')} disabled={!draft.scoreKey} />
        <input inputMode="decimal" placeholder="max" aria-label="Score at most" size={5} {...field('scoreMax')} disabled={!draft.scoreKey} />
        <input placeholder="or value" aria-label="Score value" size={8} {...field('scoreValue')} disabled={!draft.scoreKey} />
      </span>
      <input placeholder="run metadata: key=value" aria-label="Filter by run metadata" {...field('metadata')} title="key=value pairs, comma-separated" />
      {onDataset && (
        <>
          <input
            placeholder="record metadata: key=value"
            aria-label="Filter by record metadata"
            {...field('recordMetadata')}
            title="key=value pairs of the record's metadata, comma-separated"
          />
          <input placeholder="record tags: a, b" aria-label="Filter by record tags" {...field('tags')} title="Runs whose record has every one of these tags" />
        </>
      )}
      <button type="submit" className="primary">
        Apply filters
      </button>
      {isFiltered(state) && (
        <button
          type="button"
          className="ghost"
          onClick={() =>
            onApply({
              errorsOnly: false,
              latencyMin: undefined,
              latencyMax: undefined,
              scoreKey: undefined,
              scoreMin: undefined,
              scoreMax: undefined,
              scoreValue: undefined,
              q: undefined,
              metadata: [],
              recordMetadata: [],
              tags: [],
            })
          }
        >
          Clear filters
        </button>
      )}
    </form>
  );
}

/** One run in full: its record, its scores and its trace, read by id so that the address alone opens it. */
function RunDrawer({
  experiment,
  runId,
  node,
  onNode,
  onClose,
}: {
  experiment: Experiment;
  runId: string;
  node: string | undefined;
  onNode: (runId: string) => void;
  onClose: () => void;
}) {
  const run = useQuery({ queryKey: ['run', runId], queryFn: () => getRun(runId) });
  const scores = useQuery({ queryKey: ['run-scores', runId], queryFn: () => listScores(experiment.id, { run_id: runId, limit: 100 }) });
  const recordId = run.data?.record_id ?? undefined;
  const record = useQuery({
    queryKey: ['record', experiment.dataset_id, recordId, experiment.dataset_version],
    queryFn: () => getRecord(experiment.dataset_id!, recordId!, experiment.dataset_version ?? undefined),
    enabled: experiment.dataset_id !== null && recordId !== undefined,
  });
  return (
    <Drawer title={`Run ${distinctId({ id: runId })}${record.data ? ` of record ${distinctId(record.data)}` : ''}`} onClose={onClose} wide>
      {!run.isSuccess ? (
        <QueryState query={run} loading="Loading the run…" failure="Could not open the run" />
      ) : (
        <>
          {record.data && <JsonView label="Record input" value={record.data.input} />}
          {record.data && <JsonView label="Expected output" value={record.data.expected_output} />}
          {scores.data && scores.data.data.length > 0 && (
            <table className="compact" data-testid="run-scores">
              <tbody>
                {scores.data.data.map((score) => (
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
          <TraceTree root={run.data} selected={node} onSelect={onNode} />
        </>
      )}
    </Drawer>
  );
}
