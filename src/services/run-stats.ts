import { sql, type SelectQueryBuilder } from 'kysely';
import { formatCost } from '../domain/money.js';
import type { Store } from '../store/database.js';
import type { Database } from '../store/schema.js';

/** Two order statistics of a measure: the median and the 99th percentile. */
export interface RunPercentiles {
  p50: number | null;
  p99: number | null;
}

/** What a set of runs (any query's) adds up to: counts, latency percentiles, totals, and its scores per key. */
export interface RunStats {
  run_count: number;
  error_count: number;
  error_rate: number | null;
  /** Share of runs with a first-token time (they streamed). */
  streaming_rate: number | null;
  latency_ms: RunPercentiles & { mean: number | null };
  first_token_ms: RunPercentiles;
  /** Percentiles of the runs' total tokens. */
  tokens: RunPercentiles;
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  /** Decimal strings of US dollars. */
  prompt_cost: string;
  completion_cost: string;
  total_cost: string;
  min_start_time: string | null;
  max_start_time: string | null;
  /** Per score key: numeric scores counted, their mean, sample standard deviation, minimum and maximum; labels and how often each was given. */
  scores: Record<string, { n: number; mean: number | null; stdev: number | null; min: number | null; max: number | null; values: Record<string, number> }>;
}

type Runs = SelectQueryBuilder<Database, 'runs', object>;

const number = (value: number | string | null | undefined) => (value === null || value === undefined ? 0 : Number(value));
const numberOrNull = (value: number | string | null | undefined) => (value === null || value === undefined ? null : Number(value));

/**
 * The statistics of the runs `runs` selects, computed by the database: sums and counts in one query,
 * exact percentiles (linear interpolation between order statistics, as the comparison engine's) read
 * with LIMIT/OFFSET, scores grouped by key.
 */
export async function summarizeRuns(store: Store, workspaceId: string, runs: Runs): Promise<RunStats> {
  const totals = await runs
    .select([
      sql<number>`count(*)`.as('run_count'),
      sql<number | null>`avg(runs.latency_ms)`.as('latency_mean'),
      sql<number>`sum(case when runs.status = 'error' then 1 else 0 end)`.as('error_count'),
      sql<number>`sum(case when runs.first_token_ms is not null then 1 else 0 end)`.as('streaming_count'),
      sql<number | null>`sum(runs.prompt_tokens)`.as('prompt_tokens'),
      sql<number | null>`sum(runs.completion_tokens)`.as('completion_tokens'),
      sql<number | null>`sum(runs.total_tokens)`.as('total_tokens'),
      sql<number | null>`sum(runs.prompt_cost)`.as('prompt_cost'),
      sql<number | null>`sum(runs.completion_cost)`.as('completion_cost'),
      sql<number | null>`sum(runs.total_cost)`.as('total_cost'),
      sql<string | null>`min(runs.start_time)`.as('min_start_time'),
      sql<string | null>`max(runs.start_time)`.as('max_start_time'),
    ])
    .executeTakeFirstOrThrow();
  const runCount = number(totals.run_count);
  const ids = runs.select('runs.id');
  const [latency, firstToken, tokens, numeric, labels] = await Promise.all([
    percentiles(runs, 'latency_ms'),
    percentiles(runs, 'first_token_ms'),
    percentiles(runs, 'total_tokens'),
    sql<{ key: string; n: number; mean: number | null; stdev: number | null; min: number | null; max: number | null }>`
      select s.key, count(s.score) as n, avg(s.score) as mean,
        case when count(s.score) > 1 then sqrt(case
          when sum(s.score * s.score) - sum(s.score) * sum(s.score) / count(s.score) > 0
          then (sum(s.score * s.score) - sum(s.score) * sum(s.score) / count(s.score)) / (count(s.score) - 1)
          else 0 end) end as stdev,
        min(s.score) as min, max(s.score) as max
      from scores s where s.workspace_id = ${workspaceId} and s.score is not null and s.run_id in (${ids})
      group by s.key`.execute(store.db),
    sql<{ key: string; label: string; count: number }>`
      select s.key, s.label, count(*) as count from scores s where s.workspace_id = ${workspaceId} and s.label is not null and s.run_id in (${ids})
      group by s.key, s.label`.execute(store.db),
  ]);
  const scores: RunStats['scores'] = {};
  const entry = (key: string) => (scores[key] ??= { n: 0, mean: null, stdev: null, min: null, max: null, values: {} });
  for (const row of numeric.rows) {
    Object.assign(entry(row.key), {
      n: number(row.n),
      mean: numberOrNull(row.mean),
      stdev: numberOrNull(row.stdev),
      min: numberOrNull(row.min),
      max: numberOrNull(row.max),
    });
  }
  for (const row of labels.rows) entry(row.key).values[row.label] = number(row.count);
  const time = (value: string | Date | null) => (value === null ? null : value instanceof Date ? value.toISOString() : value);
  return {
    run_count: runCount,
    error_count: number(totals.error_count),
    error_rate: runCount ? number(totals.error_count) / runCount : null,
    streaming_rate: runCount ? number(totals.streaming_count) / runCount : null,
    latency_ms: { ...latency, mean: numberOrNull(totals.latency_mean) },
    first_token_ms: firstToken,
    tokens,
    prompt_tokens: number(totals.prompt_tokens),
    completion_tokens: number(totals.completion_tokens),
    total_tokens: number(totals.total_tokens),
    prompt_cost: formatCost(number(totals.prompt_cost)),
    completion_cost: formatCost(number(totals.completion_cost)),
    total_cost: formatCost(number(totals.total_cost)),
    min_start_time: time(totals.min_start_time),
    max_start_time: time(totals.max_start_time),
    scores,
  };
}

/** The median and 99th percentile of a measure over the runs: its count, then the two order statistics around each rank. */
async function percentiles(runs: Runs, measure: 'latency_ms' | 'first_token_ms' | 'total_tokens'): Promise<RunPercentiles> {
  const measured = runs.where(`runs.${measure}`, 'is not', null);
  const { n } = await measured.select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow();
  const count = Number(n);
  const at = async (percent: number): Promise<number | null> => {
    if (count === 0) return null;
    const rank = Math.floor((percent * (count - 1)) / 100);
    const fraction = ((percent * (count - 1)) % 100) / 100;
    const rows = await measured
      .select(sql<number>`${sql.ref(`runs.${measure}`)}`.as('x'))
      .orderBy(`runs.${measure}`, 'asc')
      .limit(2)
      .offset(rank)
      .execute();
    const lower = Number(rows[0]!.x);
    const upper = rows[1] === undefined ? lower : Number(rows[1].x);
    return lower + fraction * (upper - lower);
  };
  return { p50: await at(50), p99: await at(99) };
}
