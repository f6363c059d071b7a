import { sql } from 'kysely';
import type { Json } from '../../domain/json.js';
import { formatCost } from '../../domain/money.js';
import type { Store } from '../../store/database.js';
import { experimentOf, filtersRuns, parseGroup, POOLED, scopedRuns, scopedScores, type ComparisonScope } from './scope.js';

export interface Percentiles {
  p50: number | null;
  p99: number | null;
}

export interface ScoreStats {
  /** Numeric scores counted. */
  n: number;
  mean: number | null;
  /** Sample standard deviation; null below two scores. */
  stdev: number | null;
  min: number | null;
  max: number | null;
  /** Categorical values (string values) and how often each was given. */
  values: Record<string, number>;
}

/** What one experiment's runs add up to (within one group when grouped). */
export interface ExperimentStats {
  /** The experiment; POOLED when the statistics pool every compared experiment's runs. */
  experiment_id: string;
  /** The group's value of the grouping key (null: runs without it); absent when not grouped. */
  group?: Json;
  run_count: number;
  /** Distinct records with a run. */
  record_count: number;
  error_count: number;
  error_rate: number | null;
  /** Share of runs with a first-token time (they streamed). */
  streaming_rate: number | null;
  latency_ms: Percentiles;
  first_token_ms: Percentiles;
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_cost: string;
  completion_cost: string;
  total_cost: string;
  min_start_time: string | null;
  max_start_time: string | null;
  scores: Record<string, ScoreStats>;
}

/** A number the database may hand back as text (PostgreSQL's numeric), or null. */
const numberOrNull = (value: number | string | null): number | null => (value === null ? null : Number(value));

const groupKey = (experimentId: string, group: string | null) => `${experimentId}\u0000${group ?? '\u0001'}`;

/**
 * Per experiment (and per group when grouping) aggregates of the runs in scope, all computed by the
 * database: counts, sums, exact percentiles (linear interpolation between order statistics, as
 * PostgreSQL's percentile_cont, done with window functions so SQLite computes the same), and score
 * statistics.
 */
export async function computeStats(store: Store, scope: ComparisonScope): Promise<ExperimentStats[]> {
  const runs = scopedRuns(store, scope);
  const [totals, latency, firstToken, numeric, labels] = await Promise.all([
    sql<{
      experiment_id: string;
      g: string | null;
      run_count: number;
      record_count: number;
      error_count: number;
      streaming_count: number;
      prompt_tokens: number | null;
      completion_tokens: number | null;
      total_tokens: number | null;
      prompt_cost: number | null;
      completion_cost: number | null;
      total_cost: number | null;
      min_start_time: string | null;
      max_start_time: string | null;
    }>`
      select s.experiment_id, s.g,
        count(*) as run_count,
        count(distinct s.record_id) as record_count,
        sum(case when s.status = 'error' then 1 else 0 end) as error_count,
        sum(case when s.first_token_ms is not null then 1 else 0 end) as streaming_count,
        sum(s.prompt_tokens) as prompt_tokens, sum(s.completion_tokens) as completion_tokens, sum(s.total_tokens) as total_tokens,
        sum(s.prompt_cost) as prompt_cost, sum(s.completion_cost) as completion_cost, sum(s.total_cost) as total_cost,
        min(s.start_time) as min_start_time, max(s.start_time) as max_start_time
      from ${runs
        .leftJoin(spanTotals(store, scope).as('spans'), (join) =>
          join.onRef('spans.experiment_id', '=', 'r.experiment_id').onRef('spans.trace_id', '=', 'r.trace_id'),
        )
        .select([
          experimentOf(scope, 'r').as('experiment_id'),
          'r.record_id',
          'r.status',
          'r.first_token_ms',
          'r.start_time',
          ...(['prompt_tokens', 'completion_tokens', 'total_tokens', 'prompt_cost', 'completion_cost', 'total_cost'] as const).map((column) =>
            sql<number | null>`coalesce(${sql.ref(`r.${column}`)}, ${sql.ref(`spans.${column}`)})`.as(column),
          ),
        ])} as s
      group by s.experiment_id, s.g`.execute(store.db),
    percentiles(store, scope, 'latency_ms'),
    percentiles(store, scope, 'first_token_ms'),
    sql<{ experiment_id: string; g: string | null; key: string; n: number; mean: number | null; stdev: number | null; min: number | null; max: number | null }>`
      select s.experiment_id, s.g, s.key, count(s.score) as n, avg(s.score) as mean,
        case when count(s.score) > 1 then sqrt(case
          when sum(s.score * s.score) - sum(s.score) * sum(s.score) / count(s.score) > 0
          then (sum(s.score * s.score) - sum(s.score) * sum(s.score) / count(s.score)) / (count(s.score) - 1)
          else 0 end) end as stdev,
        min(s.score) as min, max(s.score) as max
      from ${scopedScores(store, scope).where('s.score', 'is not', null)} as s
      group by s.experiment_id, s.g, s.key`.execute(store.db),
    sql<{ experiment_id: string; g: string | null; key: string; label: string; count: number }>`
      select s.experiment_id, s.g, s.key, s.label, count(*) as count
      from ${scopedScores(store, scope).where('s.label', 'is not', null)} as s
      group by s.experiment_id, s.g, s.key, s.label`.execute(store.db),
  ]);

  const stats = new Map<string, ExperimentStats>();
  for (const row of totals.rows) {
    const runCount = Number(row.run_count);
    stats.set(groupKey(row.experiment_id, row.g), {
      experiment_id: row.experiment_id,
      ...(scope.groupBy ? { group: parseGroup(row.g) } : {}),
      run_count: runCount,
      record_count: Number(row.record_count),
      error_count: Number(row.error_count),
      error_rate: runCount ? Number(row.error_count) / runCount : null,
      streaming_rate: runCount ? Number(row.streaming_count) / runCount : null,
      latency_ms: latency.get(groupKey(row.experiment_id, row.g)) ?? { p50: null, p99: null },
      first_token_ms: firstToken.get(groupKey(row.experiment_id, row.g)) ?? { p50: null, p99: null },
      prompt_tokens: Number(row.prompt_tokens ?? 0),
      completion_tokens: Number(row.completion_tokens ?? 0),
      total_tokens: Number(row.total_tokens ?? 0),
      prompt_cost: formatCost(Number(row.prompt_cost ?? 0)),
      completion_cost: formatCost(Number(row.completion_cost ?? 0)),
      total_cost: formatCost(Number(row.total_cost ?? 0)),
      min_start_time: row.min_start_time,
      max_start_time: row.max_start_time,
      scores: {},
    });
  }
  const scoreStats = (experimentId: string, g: string | null, key: string): ScoreStats | undefined => {
    const owner = stats.get(groupKey(experimentId, g));
    if (!owner) return undefined;
    owner.scores[key] ??= { n: 0, mean: null, stdev: null, min: null, max: null, values: {} };
    return owner.scores[key];
  };
  for (const row of numeric.rows) {
    const target = scoreStats(row.experiment_id, row.g, row.key);
    if (!target) continue;
    Object.assign(target, {
      n: Number(row.n),
      mean: numberOrNull(row.mean),
      stdev: numberOrNull(row.stdev),
      min: numberOrNull(row.min),
      max: numberOrNull(row.max),
    });
  }
  for (const row of labels.rows) {
    const target = scoreStats(row.experiment_id, row.g, row.key);
    if (target) target.values[row.label] = Number(row.count);
  }
  const order = new Map([...scope.experiments.map((e, i) => [e.id, i] as const), [POOLED, 0]]);
  return [...stats.values()].sort((a, b) => order.get(a.experiment_id)! - order.get(b.experiment_id)! || compareGroups(a.group ?? null, b.group ?? null));
}

/**
 * Token and cost sums of the spans of each trace. A result's tokens and costs are its own when it has
 * them, else those of its trace's spans (LangSmith's SDK reports usage on the LLM spans under a target,
 * not on the target itself): so a trace counts once, whichever level reported it.
 */
function spanTotals(store: Store, scope: ComparisonScope) {
  return store.db
    .selectFrom('runs as span')
    .where(
      'span.experiment_id',
      'in',
      scope.experiments.map((e) => e.id),
    )
    .where('span.parent_run_id', 'is not', null)
    .where('span.trace_id', 'is not', null)
    .groupBy(['span.experiment_id', 'span.trace_id'])
    .select((eb) => [
      'span.experiment_id',
      'span.trace_id',
      eb.fn.sum<number | null>('span.prompt_tokens').as('prompt_tokens'),
      eb.fn.sum<number | null>('span.completion_tokens').as('completion_tokens'),
      eb.fn.sum<number | null>('span.total_tokens').as('total_tokens'),
      eb.fn.sum<number | null>('span.prompt_cost').as('prompt_cost'),
      eb.fn.sum<number | null>('span.completion_cost').as('completion_cost'),
      eb.fn.sum<number | null>('span.total_cost').as('total_cost'),
    ]);
}

/**
 * p50 and p99 of a run measure per experiment and group. Order statistics come from ROW_NUMBER over
 * each partition; p = k/100 sits at rank 1 + k(n-1)/100, interpolated between its neighbours.
 */
async function percentiles(store: Store, scope: ComparisonScope, measure: Measure): Promise<Map<string, Percentiles>> {
  if (!scope.groupBy && !scope.pooled && !filtersRuns(scope.filters)) return percentilesFromIndex(store, scope, measure);
  const values = scopedRuns(store, scope)
    .select([experimentOf(scope, 'r').as('experiment_id'), sql.ref<number>(`r.${measure}`).as('x')])
    .where(`r.${measure}`, 'is not', null);
  const { rows } = await sql<{ experiment_id: string; g: string | null; p50: number | null; p99: number | null }>`
    select experiment_id, g,
      p50_lo + ((50 * (n - 1)) % 100) / 100.0 * (coalesce(p50_hi, p50_lo) - p50_lo) as p50,
      p99_lo + ((99 * (n - 1)) % 100) / 100.0 * (coalesce(p99_hi, p99_lo) - p99_lo) as p99
    from (
      select experiment_id, g, n,
        max(case when rn = 1 + (50 * (n - 1)) / 100 then x end) as p50_lo,
        max(case when rn = 2 + (50 * (n - 1)) / 100 then x end) as p50_hi,
        max(case when rn = 1 + (99 * (n - 1)) / 100 then x end) as p99_lo,
        max(case when rn = 2 + (99 * (n - 1)) / 100 then x end) as p99_hi
      from (
        select v.experiment_id, v.g, v.x,
          row_number() over (partition by v.experiment_id, v.g order by v.x) as rn,
          count(*) over (partition by v.experiment_id, v.g) as n
        from ${values} as v
      ) as ranked
      where rn in (1 + (50 * (n - 1)) / 100, 2 + (50 * (n - 1)) / 100, 1 + (99 * (n - 1)) / 100, 2 + (99 * (n - 1)) / 100)
      group by experiment_id, g, n
    ) as order_statistics`.execute(store.db);
  return new Map(rows.map((row) => [groupKey(row.experiment_id, row.g), { p50: numberOrNull(row.p50), p99: numberOrNull(row.p99) }]));
}

type Measure = 'latency_ms' | 'first_token_ms';

/**
 * The same percentiles for whole experiments, read from the index of results by measure: the count,
 * then for each percentile the two order statistics around its rank, fetched with LIMIT/OFFSET from
 * whichever end is nearer. No sort, and no pass over the runs.
 */
async function percentilesFromIndex(store: Store, scope: ComparisonScope, measure: Measure): Promise<Map<string, Percentiles>> {
  const found = new Map<string, Percentiles>();
  for (const experiment of scope.experiments) {
    const results = () =>
      store.db
        .selectFrom('runs')
        .where('experiment_id', '=', experiment.id)
        .where('parent_run_id', 'is', null)
        .where('record_id', 'is not', null)
        .where(measure, 'is not', null);
    const { n } = await results()
      .select((eb) => eb.fn.count<number>(measure).as('n'))
      .executeTakeFirstOrThrow();
    const count = Number(n);
    const at = async (percent: number): Promise<number | null> => {
      if (count === 0) return null;
      const rank = Math.floor((percent * (count - 1)) / 100); // 0-based rank of the lower neighbour
      const fraction = ((percent * (count - 1)) % 100) / 100;
      const fromTop = rank >= count / 2;
      const rows = await results()
        .select(`${measure} as x`)
        .orderBy(measure, fromTop ? 'desc' : 'asc')
        .limit(2)
        .offset(fromTop ? count - rank - 2 : rank)
        .execute();
      const values = rows.map((row) => Number(row.x));
      if (fromTop) values.reverse();
      const lower = values[0]!;
      const upper = values[1] ?? lower;
      return lower + fraction * (upper - lower);
    };
    found.set(groupKey(experiment.id, null), { p50: await at(50), p99: await at(99) });
  }
  return found;
}

/**
 * Statistics of a handful of scores already read (one run's, or an experiment's own), per key, as
 * computeStats gives them for many: `n` and the moments of the numeric scores, counts of string values.
 */
export function summarizeScores(scores: readonly { key: string; score: number | null; value: Json }[]): Record<string, ScoreStats> {
  const byKey = new Map<string, { numbers: number[]; values: Record<string, number> }>();
  for (const score of scores) {
    const entry = byKey.get(score.key) ?? { numbers: [], values: {} };
    if (score.score !== null) entry.numbers.push(score.score);
    if (typeof score.value === 'string') entry.values[score.value] = (entry.values[score.value] ?? 0) + 1;
    byKey.set(score.key, entry);
  }
  return Object.fromEntries(
    [...byKey].map(([key, { numbers, values }]) => {
      const n = numbers.length;
      const mean = n ? numbers.reduce((a, b) => a + b, 0) / n : null;
      const stdev = n > 1 && mean !== null ? Math.sqrt(numbers.reduce((sum, x) => sum + (x - mean) ** 2, 0) / (n - 1)) : null;
      return [key, { n, mean, stdev, min: n ? Math.min(...numbers) : null, max: n ? Math.max(...numbers) : null, values }];
    }),
  );
}

/** Groups in a stable order: by value (numbers before strings), the group without the key last. */
export function compareGroups(a: Json, b: Json): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'number') return -1;
  if (typeof b === 'number') return 1;
  const left = typeof a === 'string' ? a : JSON.stringify(a);
  const right = typeof b === 'string' ? b : JSON.stringify(b);
  return left < right ? -1 : left > right ? 1 : 0;
}
