import { sql, type ExpressionBuilder, type RawBuilder, type SelectQueryBuilder, type SqlBool } from 'kysely';
import { ValidationError } from '../domain/errors.js';
import { parseId } from '../domain/ids.js';
import { checkStorable } from '../domain/input-bounds.js';
import { toIsoTime } from '../domain/time.js';
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
  /** Runs that meet this condition (any combination of the run's fields, metadata, tags and scores). */
  where?: RunCondition;
  /** Runs whose trace's root run meets this condition. */
  trace_where?: RunCondition;
  /** Runs of a trace any run of which meets this condition. */
  tree_where?: RunCondition;
}

/** The run columns a condition compares (costs in US dollars, latencies in milliseconds, times ISO-8601). */
export const CONDITION_COLUMNS = [
  'id',
  'name',
  'run_type',
  'status',
  'error',
  'start_time',
  'end_time',
  'latency_ms',
  'first_token_ms',
  'prompt_tokens',
  'completion_tokens',
  'total_tokens',
  'prompt_cost',
  'completion_cost',
  'total_cost',
  'trace_id',
  'parent_run_id',
] as const;
export type ConditionColumn = (typeof CONDITION_COLUMNS)[number];
export type Comparator = '=' | '<>' | '>' | '>=' | '<' | '<=';

/**
 * A condition on a run, as a tree: what a query language (LangSmith's filters) translates to. A
 * comparison with null is `is null` (`=`) or `is not null` (`<>`); a comparison of a null column is
 * false, as in SQL.
 */
export type RunCondition =
  | { all: readonly RunCondition[] }
  | { any: readonly RunCondition[] }
  | { not: RunCondition }
  | { column: ConditionColumn; is: Comparator; value: string | number | null }
  | { column: ConditionColumn; in: readonly (string | number)[] }
  /** The column's text contains this (ASCII case ignored). */
  | { column: ConditionColumn; contains: string }
  /** The run's input, output or error contains this text (ASCII case ignored). */
  | { text: string }
  /** The run's metadata has this key (and, with `value`, of this value). */
  | { metadata_key: string; value?: Json }
  /** Some key of the run's metadata has this scalar value (as text). */
  | { metadata_value: string }
  /** The run's own tags (`extra.tags`, where surfaces with run tags keep them) hold this one. */
  | { tag: string }
  /** The run has a score (of `key`, whose number compares so to each value of `scores`, whose label is `label`). */
  | { score: { key?: string; scores?: readonly { is: Comparator; value: number }[]; label?: string } };

const NUMERIC_COLUMNS: ReadonlySet<ConditionColumn> = new Set([
  'latency_ms',
  'first_token_ms',
  'prompt_tokens',
  'completion_tokens',
  'total_tokens',
  'prompt_cost',
  'completion_cost',
  'total_cost',
]);
const COST_COLUMNS: ReadonlySet<ConditionColumn> = new Set(['prompt_cost', 'completion_cost', 'total_cost']);
const TIME_COLUMNS: ReadonlySet<ConditionColumn> = new Set(['start_time', 'end_time']);
const SQL_COMPARATORS: Record<Comparator, string> = { '=': '=', '<>': '<>', '>': '>', '>=': '>=', '<': '<', '<=': '<=' };

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

  if (filters.where) query = query.where(conditionSql(filters.where, 'runs', sqlOf, '/where'));
  if (filters.trace_where) {
    const root = conditionSql(filters.trace_where, 'trace_root', sqlOf, '/trace_where');
    query = query.where(
      sql<SqlBool>`exists (select 1 from runs trace_root where trace_root.workspace_id = runs.workspace_id and trace_root.parent_run_id is null and cast(trace_root.id as text) = coalesce(runs.trace_id, cast(runs.id as text)) and ${root})`,
    );
  }
  if (filters.tree_where) {
    const any = conditionSql(filters.tree_where, 'tree_run', sqlOf, '/tree_where');
    query = query.where(
      sql<SqlBool>`exists (select 1 from runs tree_run where tree_run.workspace_id = runs.workspace_id and coalesce(tree_run.trace_id, cast(tree_run.id as text)) = coalesce(runs.trace_id, cast(runs.id as text)) and ${any})`,
    );
  }

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

/** A condition on the run `alias` names, as SQL; a value that cannot be compared is a fault at `pointer`. */
function conditionSql(condition: RunCondition, alias: string, sqlOf: DialectSql, pointer: string): RawBuilder<SqlBool> {
  const column = (name: ConditionColumn) => sql.ref(`${alias}.${name}`);
  const recurse = (inner: RunCondition) => conditionSql(inner, alias, sqlOf, pointer);
  const operand = (name: ConditionColumn, value: string | number): RawBuilder<unknown> => {
    if (NUMERIC_COLUMNS.has(name)) {
      const number = typeof value === 'number' ? value : Number(value);
      if (typeof value === 'string' ? value.trim() === '' || !Number.isFinite(number) : !Number.isFinite(number)) {
        throw ValidationError.field(pointer, `compares ${name} with ${JSON.stringify(value)}, which is not a number`);
      }
      return sql`${COST_COLUMNS.has(name) ? Math.round(number * 1e9) : number}`;
    }
    if (TIME_COLUMNS.has(name)) {
      const time = toIsoTime(value);
      if (time === undefined) throw ValidationError.field(pointer, `compares ${name} with ${JSON.stringify(value)}, which is not a time`);
      return sql`${time}`;
    }
    return sql`${String(value)}`;
  };
  /** A column as compared: costs as numbers on SQLite too. */
  const left = (name: ConditionColumn) => (NUMERIC_COLUMNS.has(name) ? sql`cast(${column(name)} as double precision)` : column(name));
  if ('all' in condition) return condition.all.length === 0 ? sql<SqlBool>`1 = 1` : sql<SqlBool>`(${sql.join(condition.all.map(recurse), sql` and `)})`;
  if ('any' in condition) return condition.any.length === 0 ? sql<SqlBool>`1 = 0` : sql<SqlBool>`(${sql.join(condition.any.map(recurse), sql` or `)})`;
  // A condition on a null column is unknown, not false: its negation is true then (a run with no name is not named x).
  if ('not' in condition) return sql<SqlBool>`not coalesce(${recurse(condition.not)}, false)`;
  if ('text' in condition) {
    return sql<SqlBool>`(${sql.join(
      (['input', 'output', 'error'] as const).map((name) => sqlOf.containsText(`${alias}.${name}`, condition.text)),
      sql` or `,
    )})`;
  }
  if ('metadata_key' in condition) {
    checkStorable(condition.value ?? null, pointer);
    const metadata = `${alias}.metadata`;
    return condition.value === undefined
      ? sqlOf.jsonHasKey(metadata, condition.metadata_key)
      : sqlOf.jsonFieldEquals(metadata, condition.metadata_key, condition.value);
  }
  if ('metadata_value' in condition) return sqlOf.jsonSomeValueIs(`${alias}.metadata`, condition.metadata_value);
  if ('tag' in condition) return sqlOf.jsonFieldArrayIncludes(`${alias}.extra`, 'tags', condition.tag);
  if ('score' in condition) {
    const { key, scores, label } = condition.score;
    const parts = [sql`s.run_id = ${sql.ref(`${alias}.id`)}`, sql`s.workspace_id = ${sql.ref(`${alias}.workspace_id`)}`];
    if (key !== undefined) parts.push(sql`s.key = ${key}`);
    for (const { is, value } of scores ?? []) parts.push(sql`s.score ${sql.raw(SQL_COMPARATORS[is])} ${value}`);
    if (label !== undefined) parts.push(sql`s.label = ${label}`);
    return sql<SqlBool>`exists (select 1 from scores s where ${sql.join(parts, sql` and `)})`;
  }
  if (!(CONDITION_COLUMNS as readonly string[]).includes(condition.column)) throw ValidationError.field(pointer, `names no run column ${condition.column}`);
  if ('contains' in condition) return sqlOf.containsText(`${alias}.${condition.column}`, condition.contains);
  if ('in' in condition) {
    if (condition.in.length === 0) return sql<SqlBool>`1 = 0`;
    const name = condition.column;
    // An id that is no UUID matches no run.
    const values = condition.in.flatMap((value) => {
      if (name !== 'id') return [operand(name, value)];
      const id = parseId(String(value));
      return id === undefined ? [] : [sql`${id}`];
    });
    return values.length === 0 ? sql<SqlBool>`1 = 0` : sql<SqlBool>`${left(name)} in (${sql.join(values)})`;
  }
  const { column: name, is, value } = condition;
  if (value === null) {
    if (is !== '=' && is !== '<>') throw ValidationError.field(pointer, `compares ${name} with null by ${is}; only = and <> can`);
    return is === '=' ? sql<SqlBool>`${column(name)} is null` : sql<SqlBool>`${column(name)} is not null`;
  }
  if (name === 'id') {
    const id = parseId(String(value));
    if (id === undefined) return is === '<>' ? sql<SqlBool>`1 = 1` : sql<SqlBool>`1 = 0`;
    return sql<SqlBool>`${column(name)} ${sql.raw(SQL_COMPARATORS[is])} ${id}`;
  }
  return sql<SqlBool>`${left(name)} ${sql.raw(SQL_COMPARATORS[is])} ${operand(name, value)}`;
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
