import type { ChangeFilter, GroupBy, Json, RunFilters } from '../../api/types.js';

/** Experiments a comparison shows besides its baseline. */
export const MAX_COMPARED = 10;

/** What the comparison page shows, kept in its address so that a view can be shared and reloaded. */
export interface CompareState {
  experiments: string[];
  baseline?: string;
  /** The score key that colours cells and that the change filter and group table read. */
  key?: string;
  change?: ChangeFilter['kind'];
  groupBy?: GroupBy;
  /** The group whose records the rows are limited to (JSON of its value). */
  group?: string;
  /** Show each output as a text diff against the baseline's. */
  diff?: boolean;
  /** Order the records by `key`: its change against the baseline (ascending: the largest regression first) or its score. */
  sort?: 'change' | 'score';
  order?: 'asc' | 'desc';
  /** Text in the records' input or expected output, or in a run's output or error. */
  q?: string;
  /** Experiments whose column the rows leave out (they are still compared). */
  hidden?: string[];
}

export function parseCompareState(params: URLSearchParams): CompareState {
  const experiments = (params.get('experiments') ?? '')
    .split(',')
    .filter(Boolean)
    .slice(0, MAX_COMPARED + 1);
  const baseline = params.get('baseline') ?? undefined;
  const change = params.get('change');
  const sort = params.get('sort');
  const group = /^(run|record):(.+)$/.exec(params.get('group_by') ?? '');
  return {
    experiments,
    baseline: baseline && experiments.includes(baseline) ? baseline : experiments[0],
    key: params.get('key') ?? undefined,
    change: change === 'regressed' || change === 'improved' ? change : undefined,
    groupBy: group ? { source: group[1] as GroupBy['source'], key: group[2]! } : undefined,
    group: params.get('group') ?? undefined,
    diff: params.get('diff') !== '0',
    sort: sort === 'change' || sort === 'score' ? sort : undefined,
    order: params.get('order') === 'desc' ? 'desc' : 'asc',
    q: params.get('q') || undefined,
    hidden: (params.get('hide') ?? '').split(',').filter((id) => id && experiments.includes(id)),
  };
}

export function compareSearch(state: CompareState): string {
  const params = new URLSearchParams();
  if (state.experiments.length) params.set('experiments', state.experiments.join(','));
  if (state.baseline) params.set('baseline', state.baseline);
  if (state.key) params.set('key', state.key);
  if (state.change) params.set('change', state.change);
  if (state.groupBy) params.set('group_by', `${state.groupBy.source}:${state.groupBy.key}`);
  if (state.groupBy && state.group !== undefined) params.set('group', state.group);
  if (state.diff === false) params.set('diff', '0');
  if (state.sort) params.set('sort', state.sort);
  if (state.sort && state.order === 'desc') params.set('order', 'desc');
  if (state.q) params.set('q', state.q);
  if (state.hidden?.length) params.set('hide', state.hidden.join(','));
  return params.toString();
}

export function comparePath(datasetId: string, state: CompareState): string {
  return `/datasets/${datasetId}/compare?${compareSearch(state)}`;
}

/** The run filter that limits a comparison to one group of a metadata key. */
export function groupFilter(groupBy: GroupBy | undefined, group: string | undefined): RunFilters | undefined {
  if (!groupBy || group === undefined) return undefined;
  const value = JSON.parse(group) as Json;
  return groupBy.source === 'run' ? { run_metadata: { [groupBy.key]: value } } : { record_metadata: { [groupBy.key]: value } };
}

/** Baseline first, then the others in the order chosen. */
export function orderedExperiments(state: CompareState): string[] {
  return state.baseline ? [state.baseline, ...state.experiments.filter((id) => id !== state.baseline)] : state.experiments;
}

/** One colour per compared experiment, the baseline's first, distinct enough side by side. */
export const EXPERIMENT_COLORS = ['#57606a', '#2b59c3', '#c2410c', '#0f766e', '#7c3aed', '#b45309', '#be185d', '#15803d', '#0369a1', '#a16207', '#9333ea'];
