import { ValidationError } from '../../domain/errors.js';
import { LIMITS } from '../../domain/limits.js';
import type { Actor, Score } from '../../domain/types.js';
import type { Services } from '../../services/index.js';
import { presentMetric } from './present.js';
import { parseQuery } from './search.js';

/**
 * Datadog's experimentation analytics over its `experiment-evals` index: the experiments' metrics
 * (evalstore's scores) counted or aggregated, grouped by a field. A small, documented subset.
 */

const AT = '/data/attributes/aggregate';
export const INDEX = 'experiment-evals';
const FUNCTIONS = ['count', 'avg', 'sum', 'min', 'max'] as const;
type Fn = (typeof FUNCTIONS)[number];
export const GROUP_FIELDS = ['experiment_id', 'span_id', 'label', 'metric_type'] as const;
/** The most scores one aggregation reads (`hit_count` says how many it read). */
export const SCAN_CAP = LIMITS.pageSizeMax * 10;

export interface Aggregate {
  compute: { metric: string; name?: string }[];
  group_by?: { field: string }[];
  indexes: string[];
  search: { query: string };
  limit?: number;
  time?: { from: number; to: number };
}

/** `count`, or `avg|sum|min|max` of the numeric value, written bare or as `<fn>:@score_value`. */
function functionOf(metric: string, index: number): Fn {
  const [fn, of] = metric.split(':', 2) as [string, string | undefined];
  if ((FUNCTIONS as readonly string[]).includes(fn) && (of === undefined || /^@?score_value$/.test(of) || (fn === 'count' && of === '*'))) return fn as Fn;
  throw ValidationError.field(`${AT}/compute/${index}/metric`, `is not supported: use ${FUNCTIONS.join(', ')} (optionally ":@score_value")`);
}

export async function aggregate(services: Services, actor: Actor, request: Aggregate) {
  if (request.indexes.length === 0 || request.indexes.some((index) => index !== INDEX)) {
    throw ValidationError.field(`${AT}/indexes`, `must be ["${INDEX}"]: the only index evalstore serves`);
  }
  const computes = request.compute.map((compute, index) => ({ fn: functionOf(compute.metric, index), name: compute.name || compute.metric }));
  const groups = (request.group_by ?? []).map(({ field }, index) => {
    if (!(GROUP_FIELDS as readonly string[]).includes(field))
      throw ValidationError.field(`${AT}/group_by/${index}/field`, `is not one of ${GROUP_FIELDS.join(', ')}`);
    return field as (typeof GROUP_FIELDS)[number];
  });
  const criteria = parseQuery(request.search.query, `${AT}/search/query`);
  const unsupported = Object.keys(criteria.terms).find((field) => field !== 'experiment_id' && field !== 'name');
  if (unsupported || criteria.words.length) {
    throw ValidationError.field(`${AT}/search/query`, 'supports only experiment_id:<id> and name:<metric label> here');
  }
  const scores: Score[] = [];
  let cursor: string | undefined;
  do {
    const page = await services.scores.search(actor, {
      cursor,
      limit: Math.min(LIMITS.pageSizeMax, SCAN_CAP - scores.length),
      ...(criteria.terms.experiment_id ? { experiment_ids: [criteria.terms.experiment_id] } : {}),
      ...(criteria.terms.name ? { key: criteria.terms.name } : {}),
    });
    scores.push(...page.data);
    cursor = page.next_cursor ?? undefined;
  } while (cursor && scores.length < SCAN_CAP);

  const time = request.time;
  const metrics = scores
    .map((score) => ({ score, event: presentMetric(score, undefined) }))
    .filter(({ event }) => !time || (Number(event.timestamp_ms) >= time.from && Number(event.timestamp_ms) <= time.to));
  const buckets = new Map<string, { by: Record<string, unknown>; values: (number | null)[] }>();
  for (const { score, event } of metrics) {
    const by: Record<string, unknown> = {};
    for (const field of groups) by[field] = (event as Record<string, unknown>)[field] ?? '';
    const key = JSON.stringify(by);
    const bucket = buckets.get(key) ?? { by, values: [] };
    bucket.values.push(score.score);
    buckets.set(key, bucket);
  }
  const values = [...buckets.values()].slice(0, request.limit ?? LIMITS.pageSizeMax).map(({ by, values: numbers }) => ({
    ...(groups.length ? { by } : {}),
    metrics: Object.fromEntries(computes.map(({ fn, name }) => [name, compute(fn, numbers)])),
  }));
  return { hit_count: metrics.length, result: { values } };
}

function compute(fn: Fn, values: readonly (number | null)[]): number | null {
  if (fn === 'count') return values.length;
  const numbers = values.filter((value): value is number => value !== null);
  if (numbers.length === 0) return null;
  if (fn === 'sum') return numbers.reduce((a, b) => a + b, 0);
  if (fn === 'avg') return numbers.reduce((a, b) => a + b, 0) / numbers.length;
  return fn === 'min' ? Math.min(...numbers) : Math.max(...numbers);
}
