import type { RunListQuery } from '../../api/types.js';

/** The sorts the runs table offers; `score:<key>` sorts by the run's mean score of that key. */
export type RunSortChoice = 'id' | 'latency_ms' | 'total_tokens' | 'total_cost' | 'start_time' | `score:${string}`;

/** What the runs table shows, kept in the page's address so that a reload or a shared link shows the same. */
export interface RunsState {
  errorsOnly: boolean;
  latencyMin?: number;
  latencyMax?: number;
  scoreKey?: string;
  scoreMin?: number;
  scoreMax?: number;
  scoreValue?: string;
  q?: string;
  /** `key=value` pairs of the run's metadata. */
  metadata: string[];
  /** `key=value` pairs of the run's record's metadata. */
  recordMetadata: string[];
  tags: string[];
  sort: RunSortChoice;
  order: 'asc' | 'desc';
  /** The cursors of the pages before this one were left by (empty: the first page). */
  cursors: string[];
  /** The run whose drawer is open, and the run of its trace selected in it. */
  run?: string;
  node?: string;
}

const FILTER_PARAMS = [
  'errors',
  'latency_min',
  'latency_max',
  'score_key',
  'score_min',
  'score_max',
  'score_value',
  'q',
  'metadata',
  'record_metadata',
  'tag',
  'sort',
  'order',
] as const;

const numberOf = (value: string | null): number | undefined => {
  if (value === null || value.trim() === '') return undefined;
  const number = Number(value);
  return Number.isFinite(number) ? number : undefined;
};
const textOf = (value: string | null): string | undefined => (value === null || value === '' ? undefined : value);

export function parseRunsState(params: URLSearchParams): RunsState {
  const sort = params.get('sort') ?? 'id';
  return {
    errorsOnly: params.get('errors') === '1',
    latencyMin: numberOf(params.get('latency_min')),
    latencyMax: numberOf(params.get('latency_max')),
    scoreKey: textOf(params.get('score_key')),
    scoreMin: numberOf(params.get('score_min')),
    scoreMax: numberOf(params.get('score_max')),
    scoreValue: textOf(params.get('score_value')),
    q: textOf(params.get('q')),
    metadata: params.getAll('metadata').filter((pair) => /^[^=]+=/.test(pair)),
    recordMetadata: params.getAll('record_metadata').filter((pair) => /^[^=]+=/.test(pair)),
    tags: params.getAll('tag').filter(Boolean),
    sort: /^(id|latency_ms|total_tokens|total_cost|start_time|score:.+)$/.test(sort) ? (sort as RunSortChoice) : 'id',
    order: params.get('order') === 'desc' ? 'desc' : 'asc',
    cursors: params.getAll('cursor').filter(Boolean),
    run: textOf(params.get('run')),
    node: textOf(params.get('node')),
  };
}

/** The state as search parameters; the other parameters of `base` (another view's) are kept. */
export function runsSearch(state: RunsState, base = new URLSearchParams()): URLSearchParams {
  const params = new URLSearchParams(base);
  for (const name of [...FILTER_PARAMS, 'cursor', 'run', 'node']) params.delete(name);
  const set = (name: string, value: string | number | undefined) => value !== undefined && params.set(name, String(value));
  if (state.errorsOnly) params.set('errors', '1');
  set('latency_min', state.latencyMin);
  set('latency_max', state.latencyMax);
  set('score_key', state.scoreKey);
  if (state.scoreKey) {
    set('score_min', state.scoreMin);
    set('score_max', state.scoreMax);
    set('score_value', state.scoreValue);
  }
  set('q', state.q);
  for (const pair of state.metadata) params.append('metadata', pair);
  for (const pair of state.recordMetadata) params.append('record_metadata', pair);
  for (const tag of state.tags) params.append('tag', tag);
  if (state.sort !== 'id') params.set('sort', state.sort);
  if (state.order === 'desc') params.set('order', 'desc');
  for (const cursor of state.cursors) params.append('cursor', cursor);
  set('run', state.run);
  if (state.run) set('node', state.node);
  return params;
}

/** The native runs list's query for the state (the results only: runs without a parent), with the total. */
export function runsQuery(state: RunsState, onDataset: boolean, limit: number): RunListQuery {
  return {
    root_only: true,
    limit,
    cursor: state.cursors.at(-1),
    ...(state.errorsOnly ? { status: 'error' as const } : {}),
    min_latency_ms: state.latencyMin,
    max_latency_ms: state.latencyMax,
    ...(state.scoreKey ? { score_key: state.scoreKey, score_min: state.scoreMin, score_max: state.scoreMax, score_value: state.scoreValue } : {}),
    q: state.q,
    metadata: state.metadata.length ? state.metadata : undefined,
    // Record filters need the experiment's dataset; a log stream's runs have no records.
    ...(onDataset ? { record_metadata: state.recordMetadata.length ? state.recordMetadata : undefined, tag: state.tags.length ? state.tags : undefined } : {}),
    sort: state.sort,
    order: state.order,
  };
}

/** Whether any filter narrows the runs. */
export function isFiltered(state: RunsState): boolean {
  return (
    state.errorsOnly ||
    state.latencyMin !== undefined ||
    state.latencyMax !== undefined ||
    state.scoreKey !== undefined ||
    state.q !== undefined ||
    state.metadata.length + state.recordMetadata.length + state.tags.length > 0
  );
}
