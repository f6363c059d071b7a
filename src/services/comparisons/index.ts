import { ValidationError } from '../../domain/errors.js';
import { canonicalJson, type Json } from '../../domain/json.js';
import type { Actor, Experiment } from '../../domain/types.js';
import type { Store } from '../../store/database.js';
import type { ExperimentTable } from '../../store/schema.js';
import { presentExperiment } from '../rows/present.js';
import { compareGroups, computeStats, type ExperimentStats } from './aggregates.js';
import { compareWithBaseline, type ScoreChange } from './baseline.js';
import { comparisonRows, type ChangeFilter, type ComparisonRow, type RowSort, type RowsPage } from './rows.js';
import { ResultCache } from './cache.js';
import { groupBy } from './group-by.js';
import { POOLED, resolveScope, type ComparisonScope, type GroupBy, type RunFilters } from './scope.js';

export type { ExperimentStats, Percentiles, ScoreStats } from './aggregates.js';
export { summarizeScores } from './aggregates.js';
export type { ScoreChange } from './baseline.js';
export type { CellChange } from './changes.js';
export type { ChangeFilter, ComparisonRow, RowSort, RowsPage, RunWithScores } from './rows.js';
export { ROWS_PAGE_DEFAULT, ROWS_PAGE_MAX } from './rows.js';
export type { GroupBy, RunFilters } from './scope.js';
export { MAX_COMPARED_EXPERIMENTS, POOLED } from './scope.js';
export type { PairedTest } from './significance.js';

export interface ComparisonQuery {
  experiment_ids: string[];
  /** One of experiment_ids: the experiment the others are measured against. */
  baseline_id?: string;
  group_by?: GroupBy;
  filters?: RunFilters;
  /** Score keys for which a lower score is better. */
  lower_is_better?: string[];
}

export interface GroupStats {
  group: Json;
  experiments: ExperimentStats[];
}

export interface Comparison {
  dataset_id: string;
  /** Records are read as of this dataset version: the newest the compared experiments ran on. */
  dataset_version: number;
  experiments: Experiment[];
  /** One per experiment, in the order asked. */
  stats: ExperimentStats[];
  /** With group_by: the same statistics within each group. */
  groups?: GroupStats[];
  baseline?: { experiment_id: string; changes: ScoreChange[] };
}

export interface GroupedViewQuery {
  dataset_id: string;
  experiment_ids: string[];
  group_by: GroupBy;
  offset: number;
  limit: number;
  /** Records shown per group. */
  per_group_limit: number;
}

export interface GroupedView {
  /** The experiments compared, in the order asked. */
  experiments: Experiment[];
  total_groups: number;
  groups: (GroupStats & { pooled: ExperimentStats; rows: ComparisonRow[] })[];
}

export interface RowsQuery extends Omit<ComparisonQuery, 'group_by'> {
  cursor?: string;
  limit?: number;
  change?: ChangeFilter;
  q?: string;
  sort?: RowSort;
  count?: boolean;
}

/**
 * Compares experiments on one dataset: per-experiment aggregates, optionally per group of a metadata
 * key, against a baseline (improved/regressed counts and a paired test per score key), and the
 * records side by side. Everything is computed by the database.
 */
export class ComparisonService {
  private readonly cache = new ResultCache();

  constructor(private readonly store: Store) {}

  async compare(actor: Actor, query: ComparisonQuery): Promise<Comparison> {
    const scope = await resolveScope(this.store, actor, query.experiment_ids, { filters: query.filters });
    checkBaseline(query.baseline_id, query.experiment_ids);
    return this.cache.getOrCompute(cacheKey('compare', query, scope.experiments), () => this.computeComparison(scope, query));
  }

  private async computeComparison(scope: ComparisonScope, query: ComparisonQuery): Promise<Comparison> {
    const [stats, grouped, changes] = await Promise.all([
      computeStats(this.store, scope),
      query.group_by ? computeStats(this.store, { ...scope, groupBy: query.group_by }) : Promise.resolve(undefined),
      query.baseline_id
        ? compareWithBaseline(this.store, scope, { baselineId: query.baseline_id, lowerIsBetter: query.lower_is_better })
        : Promise.resolve(undefined),
    ]);
    return {
      dataset_id: scope.datasetId,
      dataset_version: scope.version,
      experiments: scope.experiments.map(presentExperiment),
      stats: scope.experiments.map((e) => stats.find((s) => s.experiment_id === e.id) ?? emptyStats(e.id)),
      ...(grouped ? { groups: groupsOf(grouped) } : {}),
      ...(changes && query.baseline_id ? { baseline: { experiment_id: query.baseline_id, changes } } : {}),
    };
  }

  /**
   * The groups of a metadata key, a page of them in group order: for each, every experiment's statistics
   * within it, the statistics of all its runs pooled, and its first records side by side (LangSmith's
   * grouped comparison view is this).
   */
  async groupedView(actor: Actor, query: GroupedViewQuery): Promise<GroupedView> {
    const scope = await resolveScope(this.store, actor, query.experiment_ids, {
      groupBy: query.group_by,
      datasetId: query.dataset_id,
    });
    const [perExperiment, pooled] = await Promise.all([
      this.cache.getOrCompute(cacheKey('groups', query.group_by, scope.experiments), () => computeStats(this.store, scope)),
      this.cache.getOrCompute(cacheKey('pooled-groups', query.group_by, scope.experiments), () => computeStats(this.store, { ...scope, pooled: true })),
    ]);
    const groups = groupsOf(perExperiment);
    const page = groups.slice(query.offset, query.offset + query.limit);
    const filterOf = (group: Json): RunFilters =>
      query.group_by.source === 'run' ? { run_metadata: { [query.group_by.key]: group } } : { record_metadata: { [query.group_by.key]: group } };
    return {
      experiments: scope.experiments.map(presentExperiment),
      total_groups: groups.length,
      groups: await Promise.all(
        page.map(async (group) => ({
          group: group.group,
          experiments: group.experiments,
          pooled: pooled.find((stats) => keyOfGroup(stats) === keyOfGroup(group)) ?? emptyStats(POOLED),
          rows: (await comparisonRows(this.store, { ...scope, groupBy: undefined, filters: filterOf(group.group) }, { limit: query.per_group_limit })).data,
        })),
      ),
    };
  }

  async rows(actor: Actor, query: RowsQuery): Promise<RowsPage> {
    const scope = await resolveScope(this.store, actor, query.experiment_ids, { filters: query.filters });
    checkBaseline(query.baseline_id, query.experiment_ids);
    if (query.change?.experiment_id && !query.experiment_ids.includes(query.change.experiment_id)) {
      throw ValidationError.field('/change/experiment_id', 'must be one of experiment_ids');
    }
    return comparisonRows(this.store, scope, {
      cursor: query.cursor,
      limit: query.limit,
      baselineId: query.baseline_id,
      change: query.change,
      lowerIsBetter: query.lower_is_better,
      q: query.q,
      sort: query.sort,
      count: query.count,
    });
  }
}

/** The question, and the state of every experiment it reads (see ResultCache). */
function cacheKey(kind: string, question: object, experiments: readonly ExperimentTable[]): string {
  return canonicalJson({ kind, question, experiments: experiments.map((e) => [e.id, e.revision]) });
}

function checkBaseline(baselineId: string | undefined, experimentIds: readonly string[]): void {
  if (baselineId !== undefined && !experimentIds.includes(baselineId)) {
    throw ValidationError.field('/baseline_id', 'must be one of experiment_ids');
  }
}

function groupsOf(stats: ExperimentStats[]): GroupStats[] {
  return [...groupBy(stats, keyOfGroup).values()]
    .map((experiments) => ({ group: experiments[0]!.group ?? null, experiments }))
    .sort((a, b) => compareGroups(a.group, b.group));
}

/** The same key for the statistics of one group, whichever query computed them (group values are JSON). */
function keyOfGroup(stats: { group?: Json }): string {
  return JSON.stringify(stats.group ?? null);
}

function emptyStats(experimentId: string): ExperimentStats {
  return {
    experiment_id: experimentId,
    run_count: 0,
    record_count: 0,
    error_count: 0,
    error_rate: null,
    streaming_rate: null,
    latency_ms: { p50: null, p99: null },
    first_token_ms: { p50: null, p99: null },
    prompt_tokens: 0,
    completion_tokens: 0,
    total_tokens: 0,
    prompt_cost: '0',
    completion_cost: '0',
    total_cost: '0',
    min_start_time: null,
    max_start_time: null,
    scores: {},
  };
}
