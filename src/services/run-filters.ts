import { sql, type ExpressionBuilder, type RawBuilder, type SelectQueryBuilder, type SqlBool } from 'kysely';
import { ValidationError } from '../domain/errors.js';
import type { Json } from '../domain/json.js';
import type { DialectSql } from '../store/dialect.js';
import { metadataMatches } from './rows/metadata-filters.js';
import type { Database } from '../store/schema.js';

/**
 * What a user looks for among an experiment's runs, beyond the fields of the run row itself: a score
 * in a range or of a value, text anywhere in the run or its record, metadata of either, the record's
 * tags and splits. Each is one `exists` subquery, so they combine freely and keep one row a run.
 * (A comparison's own filters, in comparisons/scope.ts, choose which runs are compared, on its aliases.)
 */
export interface RunListFilters {
  /** Runs with a score of this key (with `score_min`/`score_max`/`score_value`: a score of this key within them). */
  score_key?: string;
  score_min?: number;
  score_max?: number;
  /** The score's label (a categorical value) or its number, as text. */
  score_value?: string;
  /** Runs with no score of this key at all. */
  missing_score_key?: string;
  /** Text in the run's input, output or error, or in its record's input or expected output (ASCII case ignored). */
  q?: string;
  /** Runs whose metadata has each of these key/value pairs. */
  metadata?: Record<string, Json>;
  /** Runs whose record has each of these metadata key/value pairs. */
  record_metadata?: Record<string, Json>;
  /** Runs whose record has each of these tags. */
  tags?: readonly string[];
  /** Runs whose record is in any of these splits. */
  splits?: readonly string[];
  min_total_tokens?: number;
  max_total_tokens?: number;
}

/** The run columns a list can be sorted by; `score:<key>` sorts by the run's (mean) score of that key. */
export const RUN_SORT_COLUMNS = ['id', 'latency_ms', 'total_tokens', 'total_cost', 'start_time'] as const;
export type RunSort = (typeof RUN_SORT_COLUMNS)[number] | `score:${string}`;

/** The dataset version the experiment's runs ran on, where record filters look. */
export interface RecordScope {
  datasetId: string;
  version: number;
}

type RunsQuery<O> = SelectQueryBuilder<Database, 'runs', O>;

/** Narrows a select of runs by the filters; `scope` is required when a filter looks at the runs' records. */
export function applyRunFilters<O>(select: RunsQuery<O>, filters: RunListFilters, sqlOf: DialectSql, scope: RecordScope | undefined): RunsQuery<O> {
  let query = select;
  const { score_key: key, score_min: min, score_max: max, score_value: value } = filters;
  if (key !== undefined) {
    query = query.where((eb) =>
      eb.exists(
        scoresOfRun(eb, key)
          .$if(min !== undefined, (q) => q.where('scores.score', '>=', min!))
          .$if(max !== undefined, (q) => q.where('scores.score', '<=', max!))
          .$if(value !== undefined, (q) =>
            q.where((inner) => {
              const number = Number(value);
              const byLabel = inner('scores.label', '=', value!);
              return value!.trim() !== '' && Number.isFinite(number) ? inner.or([byLabel, inner('scores.score', '=', number)]) : byLabel;
            }),
          ),
      ),
    );
  } else if (min !== undefined || max !== undefined || value !== undefined) {
    throw ValidationError.field('/score_key', 'is required with score_min, score_max or score_value', { in: 'query' });
  }
  const missing = filters.missing_score_key;
  if (missing !== undefined) query = query.where((eb) => eb.not(eb.exists(scoresOfRun(eb, missing))));
  for (const condition of metadataMatches(sqlOf, 'runs.metadata', filters.metadata, '/metadata')) query = query.where(condition);
  if (filters.min_total_tokens !== undefined) query = query.where('runs.total_tokens', '>=', filters.min_total_tokens);
  if (filters.max_total_tokens !== undefined) query = query.where('runs.total_tokens', '<=', filters.max_total_tokens);

  const text = filters.q;
  const recordConditions = [
    ...metadataMatches(sqlOf, 'record_revisions.metadata', filters.record_metadata, '/record_metadata'),
    ...(filters.tags ?? []).map((tag) => sqlOf.jsonArrayIncludes('record_revisions.tags', tag)),
    ...(filters.splits?.length
      ? [
          sql<SqlBool>`(${sql.join(
            filters.splits.map((split) => sqlOf.jsonArrayIncludes('record_revisions.splits', split)),
            sql` or `,
          )})`,
        ]
      : []),
  ];
  if (text === undefined && recordConditions.length === 0) return query;
  if (!scope)
    throw ValidationError.field(text === undefined ? '/record_metadata' : '/q', 'filters on records need an experiment with a dataset', { in: 'query' });
  /** The run's record, at the version the runs ran on, meets the conditions. */
  const recordHas = (eb: ExpressionBuilder<Database, 'runs'>, conditions: RawBuilder<SqlBool>[]) =>
    eb.exists(
      eb
        .selectFrom('record_revisions')
        .select(sql`1`.as('one'))
        .where('record_revisions.dataset_id', '=', scope.datasetId)
        .whereRef('record_revisions.record_id', '=', 'runs.record_id')
        .where('record_revisions.valid_from', '<=', scope.version)
        .where('record_revisions.valid_to', '>', scope.version)
        .where((inner) => inner.and(conditions)),
    );
  if (text !== undefined) {
    query = query.where((eb) =>
      eb.or([
        sqlOf.containsText('runs.input', text),
        sqlOf.containsText('runs.output', text),
        sqlOf.containsText('runs.error', text),
        recordHas(eb, [
          sql<SqlBool>`(${sqlOf.containsText('record_revisions.input', text)} or ${sqlOf.containsText('record_revisions.expected_output', text)})`,
        ]),
      ]),
    );
  }
  if (recordConditions.length > 0) query = query.where((eb) => recordHas(eb, recordConditions));
  return query;
}

/** The run's scores of a key, for an `exists`. */
function scoresOfRun(eb: ExpressionBuilder<Database, 'runs'>, key: string) {
  return eb
    .selectFrom('scores')
    .select(sql`1`.as('one'))
    .whereRef('scores.run_id', '=', 'runs.id')
    .whereRef('scores.workspace_id', '=', 'runs.workspace_id')
    .where('scores.key', '=', key);
}

/** What a sort orders by: a column of the run, or its mean score of a key (null when it has none). */
export function sortExpression(sort: RunSort): RawBuilder<number | string | null> {
  if (sort.startsWith('score:')) {
    const key = sort.slice('score:'.length);
    if (key === '') throw ValidationError.field('/sort', 'names no score key after "score:"', { in: 'query' });
    // As a double on both databases, so that the value a cursor carries is the one compared again.
    return sql<
      number | null
    >`cast((select avg(s.score) from scores s where s.run_id = runs.id and s.workspace_id = runs.workspace_id and s.key = ${key}) as double precision)`;
  }
  if (!(RUN_SORT_COLUMNS as readonly string[]).includes(sort)) {
    throw ValidationError.field('/sort', `must be one of ${RUN_SORT_COLUMNS.join(', ')} or score:<key>`, { in: 'query' });
  }
  return sql<number | string | null>`${sql.ref(`runs.${sort}`)}`;
}
