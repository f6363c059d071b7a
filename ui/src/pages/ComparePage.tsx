import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { compare, getDataset } from '../api/endpoints.js';
import type { Experiment, GroupBy } from '../api/types.js';
import { Empty, QueryState } from '../components/States.js';
import { AggregateHeader } from './compare/AggregateHeader.js';
import { ComparisonRows } from './compare/ComparisonRows.js';
import { EXPERIMENT_COLORS, comparePath, groupFilter, orderedExperiments, parseCompareState, type CompareState } from './compare/compare-state.js';
import { ExperimentPicker } from './compare/ExperimentPicker.js';
import { GroupTable } from './compare/GroupTable.js';

/**
 * Experiments on one dataset against a baseline: aggregates and score distributions, per-key
 * improvements and regressions with their significance, groups of a metadata key, and the records
 * side by side.
 */
export function ComparePage() {
  const datasetId = useParams().datasetId!;
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const state = parseCompareState(params);
  const update = (changes: Partial<CompareState>) => navigate(comparePath(datasetId, { ...state, ...changes }), { replace: true });
  const [picking, setPicking] = useState(state.experiments.length < 2);
  const order = orderedExperiments(state);
  const dataset = useQuery({ queryKey: ['dataset', datasetId], queryFn: () => getDataset(datasetId) });
  const filters = groupFilter(state.groupBy, state.group);
  const comparison = useQuery({
    queryKey: ['comparison', order, state.baseline, filters],
    queryFn: ({ signal }) => compare({ experiment_ids: order, baseline_id: state.baseline, filters }, signal),
    enabled: order.length > 0,
    placeholderData: keepPreviousData,
  });
  const grouped = useQuery({
    queryKey: ['comparison-groups', order, state.groupBy],
    queryFn: ({ signal }) => compare({ experiment_ids: order, group_by: state.groupBy }, signal),
    enabled: order.length > 0 && state.groupBy !== undefined,
  });

  const experiments: Experiment[] = order.flatMap((id) => comparison.data?.experiments.find((e) => e.id === id) ?? []);
  const colors = new Map(order.map((id, index) => [id, EXPERIMENT_COLORS[index % EXPERIMENT_COLORS.length]!]));
  const scoreKeys = [
    ...new Set(
      comparison.data?.stats.flatMap((s) =>
        Object.entries(s.scores)
          .filter(([, v]) => v.n > 0)
          .map(([k]) => k),
      ) ?? [],
    ),
  ].sort();
  const scoreKey = state.key && scoreKeys.includes(state.key) ? state.key : scoreKeys[0];

  return (
    <div className="page compare-page">
      <div className="breadcrumbs">
        <Link to="/datasets">Datasets</Link> / <Link to={`/datasets/${datasetId}?tab=experiments`}>{dataset.data?.name ?? '…'}</Link> /
      </div>
      <div className="page-header">
        <h1>Comparison</h1>
        <div className="actions">
          {comparison.data && <span className="muted small">Records as of dataset version {comparison.data.dataset_version}</span>}
          <button type="button" onClick={() => setPicking((open) => !open)} aria-expanded={picking}>
            {picking ? 'Hide experiment picker' : `Experiments (${order.length})…`}
          </button>
        </div>
      </div>
      {picking && (
        <ExperimentPicker
          datasetId={datasetId}
          chosen={state.experiments}
          baseline={state.baseline}
          onChange={(chosen, baseline) => update({ experiments: chosen, baseline })}
        />
      )}
      {order.length < 2 ? (
        <Empty title="Choose the experiments to compare">Pick a baseline and at least one other experiment above.</Empty>
      ) : !comparison.isSuccess ? (
        <QueryState query={comparison} loading="Computing the comparison…" failure="Could not compare these experiments" />
      ) : (
        <>
          <AggregateHeader comparison={comparison.data} order={experiments} colors={colors} />
          <div className="toolbar compare-controls">
            <label className="inline-label">
              Score
              <select value={scoreKey ?? ''} onChange={(event) => update({ key: event.target.value || undefined })} disabled={scoreKeys.length === 0}>
                {scoreKeys.length === 0 && <option value="">No numeric scores</option>}
                {scoreKeys.map((key) => (
                  <option key={key} value={key}>
                    {key}
                  </option>
                ))}
              </select>
            </label>
            {/* biome-ignore lint/a11y/useSemanticElements: a row of toggle buttons, styled as one control; a fieldset would bring a legend and a border */}
            <div className="segmented" role="group" aria-label="Show records">
              {(
                [
                  [undefined, 'All records'],
                  ['regressed', 'Regressions only'],
                  ['improved', 'Improvements only'],
                ] as const
              ).map(([kind, label]) => (
                <button
                  key={label}
                  type="button"
                  aria-pressed={state.change === kind}
                  className={state.change === kind ? 'active' : undefined}
                  disabled={kind !== undefined && !scoreKey}
                  onClick={() => update({ change: kind, key: scoreKey })}
                >
                  {label}
                </button>
              ))}
            </div>
            <label className="inline-label">
              Sort
              <select
                aria-label="Sort records by"
                value={state.sort ?? ''}
                disabled={!scoreKey}
                onChange={(event) => update({ sort: (event.target.value || undefined) as CompareState['sort'], key: scoreKey })}
              >
                <option value="">record order</option>
                <option value="change">change against the baseline</option>
                <option value="score">score</option>
              </select>
            </label>
            {state.sort && (
              <select aria-label="Sort order" value={state.order ?? 'asc'} onChange={(event) => update({ order: event.target.value as 'asc' | 'desc' })}>
                <option value="asc">{state.sort === 'change' ? 'largest regression first' : 'lowest first'}</option>
                <option value="desc">{state.sort === 'change' ? 'largest improvement first' : 'highest first'}</option>
              </select>
            )}
            <SearchForm key={state.q ?? ''} q={state.q} onChange={(q) => update({ q })} />
            <ColumnChoice experiments={experiments} hidden={state.hidden ?? []} onChange={(hidden) => update({ hidden })} />
            <label className="checkbox">
              <input type="checkbox" checked={state.diff !== false} onChange={(event) => update({ diff: event.target.checked })} />
              Diff outputs against the baseline
            </label>
            <GroupByForm groupBy={state.groupBy} onChange={(groupBy) => update({ groupBy, group: undefined })} />
          </div>
          {state.groupBy && (
            <section className="card">
              <h2 className="section-title">
                Grouped by {state.groupBy.source} metadata “{state.groupBy.key}”
              </h2>
              {!grouped.isSuccess ? (
                <QueryState query={grouped} loading="Grouping…" failure="Could not group the comparison" />
              ) : (
                <GroupTable comparison={grouped.data} order={experiments} scoreKey={scoreKey} selected={state.group} onSelect={(group) => update({ group })} />
              )}
            </section>
          )}
          {state.group !== undefined && state.groupBy && (
            <div className="notice">
              Showing the group {state.groupBy.key} = <code>{state.group}</code> only; the aggregates above are of that group.{' '}
              <button type="button" className="link" onClick={() => update({ group: undefined })}>
                Show all groups
              </button>
            </div>
          )}
          <ComparisonRows
            query={{
              experimentIds: order,
              baselineId: state.baseline,
              change: state.change && scoreKey ? { kind: state.change, key: scoreKey } : undefined,
              filters,
              q: state.q,
              sort: state.sort && scoreKey ? { by: state.sort, key: scoreKey, order: state.order ?? 'asc' } : undefined,
            }}
            order={experiments.filter((experiment) => !state.hidden?.includes(experiment.id))}
            colors={colors}
            showDiff={state.diff !== false}
          />
        </>
      )}
    </div>
  );
}

/** Text search of the records and their runs' outputs, sent with Enter. */
function SearchForm({ q, onChange }: { q: string | undefined; onChange: (q: string | undefined) => void }) {
  const [text, setText] = useState(q ?? '');
  return (
    <form
      className="group-by"
      aria-label="Search the records"
      onSubmit={(event) => {
        event.preventDefault();
        onChange(text.trim() || undefined);
      }}
    >
      <input
        type="search"
        value={text}
        onChange={(event) => setText(event.target.value)}
        placeholder="Search records and outputs"
        aria-label="Search records"
      />
      <button type="submit">Search</button>
    </form>
  );
}

/** Which experiments' columns the rows show; hidden ones stay in the comparison. */
function ColumnChoice({ experiments, hidden, onChange }: { experiments: Experiment[]; hidden: string[]; onChange: (hidden: string[]) => void }) {
  return (
    <details className="column-choice">
      <summary>
        Columns ({experiments.length - hidden.length} of {experiments.length})
      </summary>
      <div className="column-choice-menu">
        {experiments.map((experiment) => (
          <label key={experiment.id} className="checkbox">
            <input
              type="checkbox"
              checked={!hidden.includes(experiment.id)}
              aria-label={`Show the column of ${experiment.name}`}
              onChange={(event) => onChange(event.target.checked ? hidden.filter((id) => id !== experiment.id) : [...hidden, experiment.id])}
            />
            {experiment.name}
          </label>
        ))}
      </div>
    </details>
  );
}

function GroupByForm({ groupBy, onChange }: { groupBy: GroupBy | undefined; onChange: (groupBy: GroupBy | undefined) => void }) {
  const [source, setSource] = useState<GroupBy['source']>(groupBy?.source ?? 'record');
  const [key, setKey] = useState(groupBy?.key ?? '');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onChange(key.trim() ? { source, key: key.trim() } : undefined);
  };
  return (
    <form className="group-by" onSubmit={submit} aria-label="Group by metadata">
      <span>Group by</span>
      <select value={source} onChange={(event) => setSource(event.target.value as GroupBy['source'])} aria-label="Metadata of">
        <option value="record">record metadata</option>
        <option value="run">run metadata</option>
      </select>
      <input value={key} onChange={(event) => setKey(event.target.value)} placeholder="key" aria-label="Metadata key" size={10} />
      <button type="submit">Group</button>
      {groupBy && (
        <button
          type="button"
          className="ghost"
          onClick={() => {
            setKey('');
            onChange(undefined);
          }}
        >
          Ungroup
        </button>
      )}
    </form>
  );
}
