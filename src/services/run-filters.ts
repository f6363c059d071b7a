import { sql, type ExpressionBuilder, type RawBuilder, type SelectQueryBuilder, type SqlBool } from 'kysely';
import { ValidationError } from '../domain/errors.js';
import type { Json } from '../domain/json.js';
import type { DialectSql } from '../store/dialect.js';
import type { Database } from '../store/schema.js';

/**
 * What a user looks for among an experiment's runs, beyond the fields of the run row itself: a score
 * in a range or of a value, text anywhere in the run or its record, metadata of either, the record's
 * tags and splits. Each is one `exists` subquery, so they combine freely and keep one row a run.
 */
export interface RunFilters {
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

export function hasRecordFilters(filters: RunFilters): boolean {
  return (
    filters.q !== undefined || Object.keys(filters.record_metadata ?? {}).length > 0 || (filters.tags?.length ?? 0) > 0 || (filters.splits?.length ?? 0) > 0
  );
}

/** Narrows a select of runs by the filters; `scope` is required when a filter looks at the runs' records. */
export function applyRunFilters<O>(select: RunsQuery<O>, filters: RunFilters, sqlOf: DialectSql, scope: RecordScope | undefined): RunsQuery<O> {
  let query = select;
  if (filters.score_key !== undefined) {
    const { score_key: key, score_min: min, score_max: max, score_value: value } = filters;
    query = query.where(({ exists, selectFrom }) =>
      exists(
        selectFrom('scores')
          .select(sql`1`.as('one'))
          .whereRef('scores.run_id', '=', 'runs.id')
          .whereRef('scores.workspace_id', '=', 'runs.workspace_id')
          .where('scores.key', '=', key)
          .$if(min !== undefined, (q) => q.where('scores.score', '>=', min!))
          .$if(max !== undefined, (q) => q.where('scores.score', '<=', max!))
          .$if(value !== undefined, (q) =>
            q.where((eb) => {
              const number = Number(value);
              const byLabel = eb('scores.label', '=', value!);
              return value!.trim() !== '' && Number.isFinite(number) ? eb.or([byLabel, eb('scores.score', '=', number)]) : byLabel;
            }),
          ),
      ),
    );
  } else if (filters.score_min !== undefined || filters.score_max !== undefined || filters.score_value !== undefined) {
    throw ValidationError.field('/score_key', 'is required with score_min, score_max or score_value', { in: 'query' });
  }
  if (filters.missing_score_key !== undefined) {
    const key = filters.missing_score_key;
    query = query.where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('scores')
            .select(sql`1`.as('one'))
            .whereRef('scores.run_id', '=', 'runs.id')
            .whereRef('scores.workspace_id', '=', 'runs.workspace_id')
            .where('scores.key', '=', key),
        ),
      ),
    );
  }
  for (const [key, value] of Object.entries(filters.metadata ?? {})) query = query.where(sqlOf.jsonFieldEquals('runs.metadata', key, value));
  if (filters.min_total_tokens !== undefined) query = query.where('runs.total_tokens', '>=', filters.min_total_tokens);
  if (filters.max_total_tokens !== undefined) query = query.where('runs.total_tokens', '<=', filters.max_total_tokens);

  if (!hasRecordFilters(filters)) return query;
  if (!scope) throw ValidationError.field('/q', 'filters on records need an experiment with a dataset', { in: 'query' });
  const recordHas = (eb: ExpressionBuilder<Database, 'runs'>, condition: (rr: 'record_revisions') => RawBuilder<SqlBool>[]) =>
    eb.exists(
      eb
        .selectFrom('record_revisions')
        .select(sql`1`.as('one'))
        .where('record_revisions.dataset_id', '=', scope.datasetId)
        .whereRef('record_revisions.record_id', '=', 'runs.record_id')
        .where('record_revisions.valid_from', '<=', scope.version)
        .where('record_revisions.valid_to', '>', scope.version)
        .where((inner) => inner.and(condition('record_revisions'))),
    );
  if (filters.q !== undefined) {
    const text = filters.q;
    query = query.where((eb) =>
      eb.or([
        sqlOf.containsText('runs.input', text),
        sqlOf.containsText('runs.output', text),
        sqlOf.containsText('runs.error', text),
        recordHas(eb, (rr) => [sql<SqlBool>`(${sqlOf.containsText(`${rr}.input`, text)} or ${sqlOf.containsText(`${rr}.expected_output`, text)})`]),
      ]),
    );
  }
  const recordConditions = (rr: 'record_revisions') => [
    ...Object.entries(filters.record_metadata ?? {}).map(([key, value]) => sqlOf.jsonFieldEquals(`${rr}.metadata`, key, value)),
    ...(filters.tags ?? []).map((tag) => sqlOf.jsonArrayIncludes(`${rr}.tags`, tag)),
    ...(filters.splits?.length
      ? [
          sql<SqlBool>`(${sql.join(
            filters.splits.map((split) => sqlOf.jsonArrayIncludes(`${rr}.splits`, split)),
            sql` or `,
          )})`,
        ]
      : []),
  ];
  if (recordConditions('record_revisions').length > 0) query = query.where((eb) => recordHas(eb, recordConditions));
  return query;
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
