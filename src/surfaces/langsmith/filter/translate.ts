import { ValidationError } from '../../../domain/errors.js';
import { isJsonObject, type Json } from '../../../domain/json.js';
import type { Comparator, ConditionColumn, RunCondition, RunListFilters } from '../../../services/run-filters.js';
import { type FilterCall, type FilterLiteral, type FilterNode, FilterSyntaxError, parseFilter } from './parse.js';

/**
 * LangSmith's filter language (parse.ts) translated to the runs service's conditions (RunCondition).
 * The supported subset is documented in docs/surfaces/langsmith.md; what the language allows and
 * evalstore does not serve is refused naming the part, as is an expression outside the grammar,
 * naming the token.
 */

/** A body field holding a filter, translated; a fault is a 422 at `/<field>`. */
export function runConditionOf(text: string | null | undefined, field: string): RunCondition | undefined {
  if (text === undefined || text === null || text.trim() === '') return undefined;
  let call: FilterCall;
  try {
    call = parseFilter(text);
  } catch (error) {
    if (error instanceof FilterSyntaxError) throw ValidationError.field(`/${field}`, `is not a valid filter: ${error.message}`, { in: 'body' });
    throw error;
  }
  return new Translation(text, field).condition(call);
}

/** The conditions of a runs query's `filter`, `trace_filter`, `tree_filter` and `query` (text searched in the runs), as the runs service's filters. */
export function runFilterConditions(body: {
  filter?: string | null;
  trace_filter?: string | null;
  tree_filter?: string | null;
  query?: string | null;
}): Pick<RunListFilters, 'where' | 'trace_where' | 'tree_where'> {
  const filter = runConditionOf(body.filter, 'filter');
  const text = body.query?.trim() ? ({ text: body.query.trim() } as const) : undefined;
  const where = filter && text ? { all: [filter, text] } : (filter ?? text);
  const traceWhere = runConditionOf(body.trace_filter, 'trace_filter');
  const treeWhere = runConditionOf(body.tree_filter, 'tree_filter');
  return { ...(where ? { where } : {}), ...(traceWhere ? { trace_where: traceWhere } : {}), ...(treeWhere ? { tree_where: treeWhere } : {}) };
}

const COMPARATORS: Record<string, Comparator> = { eq: '=', neq: '<>', gt: '>', gte: '>=', lt: '<', lte: '<=' };

/** Run fields compared as they are (strings), or as numbers, or as times: LangSmith's name → evalstore's column. */
const TEXT_FIELDS: Record<string, ConditionColumn> = {
  id: 'id',
  name: 'name',
  run_type: 'run_type',
  status: 'status',
  trace_id: 'trace_id',
  parent_run_id: 'parent_run_id',
};
const NUMBER_FIELDS: Record<string, ConditionColumn> = {
  total_tokens: 'total_tokens',
  prompt_tokens: 'prompt_tokens',
  completion_tokens: 'completion_tokens',
  total_cost: 'total_cost',
  prompt_cost: 'prompt_cost',
  completion_cost: 'completion_cost',
};
const TIME_FIELDS: Record<string, ConditionColumn> = { start_time: 'start_time', end_time: 'end_time' };
/** Fields `search(field, "text")` looks in. */
const SEARCH_FIELDS: Record<string, ConditionColumn> = { name: 'name', error: 'error', run_type: 'run_type', status: 'status' };

/** `"2s"`, `"150ms"`, `"1.5m"`, `"1h"`, or a number of seconds: LangSmith's latencies. */
const DURATION = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(ms|s|m|h)?\s*$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

class Translation {
  constructor(
    private readonly text: string,
    private readonly field: string,
  ) {}

  /** A fault in a part of the expression, quoting it. */
  private refuse(node: FilterNode, why: string): never {
    const part = node.kind === 'call' ? this.text.slice(node.at, node.end) : this.text.slice(node.at).split(/[,)]/)[0]!.trim();
    throw ValidationError.field(`/${this.field}`, `${JSON.stringify(part)} (at character ${node.at + 1}): ${why}`, { in: 'body' });
  }

  condition(node: FilterNode): RunCondition {
    if (node.kind !== 'call') return this.refuse(node, 'expected a call such as eq(name, "x"), and(...), or(...) or not(...)');
    const name = node.name.toLowerCase();
    if (name === 'and' || name === 'or') {
      if (node.args.length === 0) return this.refuse(node, `${name} needs at least one condition`);
      const parts = name === 'and' ? this.conjunction(node.args) : node.args.map((arg) => this.condition(arg));
      if (parts.length === 1) return parts[0]!;
      return name === 'and' ? { all: parts } : { any: parts };
    }
    if (name === 'not') {
      if (node.args.length !== 1) return this.refuse(node, 'not takes exactly one condition');
      return { not: this.condition(node.args[0]!) };
    }
    if (name === 'search') return this.search(node);
    if (name === 'has') return this.has(node);
    if (name === 'in') return this.in(node);
    const is = COMPARATORS[name];
    if (is === undefined)
      return this.refuse(node, `${node.name} is not a comparator of this server (eq, neq, gt, gte, lt, lte, has, search, in, and, or, not)`);
    return this.comparison(node, is);
  }

  /**
   * The conditions of an `and`. LangSmith reads a feedback key and score (or value) compared in the
   * same `and` as one feedback's, and a metadata key and value as one pair's: so are they read here.
   */
  private conjunction(args: readonly FilterNode[]): RunCondition[] {
    const calls = args.filter((arg): arg is FilterCall => arg.kind === 'call');
    const about = (call: FilterCall, field: string, comparators: readonly string[]) => {
      const first = call.args[0];
      return comparators.includes(call.name.toLowerCase()) && call.args.length === 2 && first?.kind === 'name' && first.name === field;
    };
    const feedbackKeys = calls.filter((call) => about(call, 'feedback_key', ['eq']));
    const feedbackScores = calls.filter((call) => about(call, 'feedback_score', Object.keys(COMPARATORS)));
    const feedbackValues = calls.filter((call) => about(call, 'feedback_value', ['eq']));
    const metadataKeys = calls.filter((call) => about(call, 'metadata_key', ['eq']));
    const metadataValues = calls.filter((call) => about(call, 'metadata_value', ['eq']));
    const paired = new Set<FilterNode>();
    const conditions: RunCondition[] = [];
    if (feedbackKeys.length === 1 && feedbackScores.length + feedbackValues.length > 0 && feedbackValues.length <= 1) {
      const scores = feedbackScores.map((call) => this.scoreComparison(call));
      const label = feedbackValues[0] ? this.string(feedbackValues[0].args[1]!, feedbackValues[0]) : undefined;
      conditions.push({
        score: { key: this.string(feedbackKeys[0]!.args[1]!, feedbackKeys[0]!), scores, ...(label !== undefined ? { label } : {}) },
      });
      for (const call of [...feedbackKeys, ...feedbackScores, ...feedbackValues]) paired.add(call);
    }
    if (metadataKeys.length === 1 && metadataValues.length === 1) {
      conditions.push(this.metadataPair(this.string(metadataKeys[0]!.args[1]!, metadataKeys[0]!), metadataValues[0]!.args[1]!, metadataValues[0]!));
      paired.add(metadataKeys[0]!).add(metadataValues[0]!);
    }
    for (const arg of args) if (!paired.has(arg)) conditions.push(this.condition(arg));
    return conditions;
  }

  private metadataPair(key: string, valueNode: FilterNode, call: FilterCall): RunCondition {
    const value = this.scalar(valueNode, call);
    // A value written as text also matches the same number or boolean kept as JSON.
    const alternatives: Json[] = [value];
    if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) alternatives.push(Number(value));
    if (value === 'true' || value === 'false') alternatives.push(value === 'true');
    if (typeof value === 'number' || typeof value === 'boolean') alternatives.push(String(value));
    const conditions = alternatives.map((alternative): RunCondition => ({ metadata_key: key, value: alternative }));
    return conditions.length === 1 ? conditions[0]! : { any: conditions };
  }

  private scoreComparison(call: FilterCall): { is: Comparator; value: number } {
    const value = call.args[1]!;
    if (value.kind !== 'number') return this.refuse(call, 'feedback_score is compared with a number');
    return { is: COMPARATORS[call.name.toLowerCase()]!, value: value.value };
  }

  /** `eq(field, value)` and the other comparators. */
  private comparison(call: FilterCall, is: Comparator): RunCondition {
    const [fieldNode, value] = this.fieldAndValue(call);
    const field = fieldNode.name;
    const equality = is === '=' || is === '<>';
    const negated = (condition: RunCondition): RunCondition => (is === '<>' ? { not: condition } : condition);
    if (field in TEXT_FIELDS) {
      if (value.kind === 'null')
        return equality ? { column: TEXT_FIELDS[field]!, is, value: null } : this.refuse(call, `${field} is compared with null by eq or neq only`);
      return { column: TEXT_FIELDS[field]!, is, value: this.string(value, call) };
    }
    if (field in NUMBER_FIELDS)
      return { column: NUMBER_FIELDS[field]!, is, value: value.kind === 'null' ? this.nullValue(call, is) : this.number(value, call) };
    if (field in TIME_FIELDS) return { column: TIME_FIELDS[field]!, is, value: value.kind === 'null' ? this.nullValue(call, is) : this.time(value, call) };
    if (field === 'latency') return { column: 'latency_ms', is, value: value.kind === 'null' ? this.nullValue(call, is) : this.duration(value, call) };
    if (field === 'error') {
      if (!equality) return this.refuse(call, 'error is compared by eq or neq, with true, false or null');
      if (value.kind === 'null') return { column: 'error', is, value: null };
      if (value.kind === 'boolean') return { column: 'error', is: value.value === (is === '=') ? '<>' : '=', value: null };
      return { column: 'error', is, value: this.string(value, call) };
    }
    if (field === 'is_root') {
      if (!equality || value.kind !== 'boolean') return this.refuse(call, 'is_root is compared by eq or neq with true or false');
      return { column: 'parent_run_id', is: value.value === (is === '=') ? '=' : '<>', value: null };
    }
    if (field === 'tags' || field === 'tag') {
      if (!equality) return this.refuse(call, `${field} is compared by eq, neq or has`);
      return negated({ tag: this.string(value, call) });
    }
    if (field === 'metadata_key') {
      if (!equality) return this.refuse(call, 'metadata_key is compared by eq or neq');
      return negated({ metadata_key: this.string(value, call) });
    }
    if (field === 'metadata_value') {
      if (!equality) return this.refuse(call, 'metadata_value is compared by eq or neq (ordering metadata values is not supported by this server)');
      return negated({ metadata_value: String(this.scalar(value, call)) });
    }
    if (field === 'feedback_key') {
      if (!equality) return this.refuse(call, 'feedback_key is compared by eq or neq');
      return negated({ score: { key: this.string(value, call) } });
    }
    if (field === 'feedback_score') return { score: { scores: [this.scoreComparison(call)] } };
    if (field === 'feedback_value') {
      if (is !== '=') return this.refuse(call, 'feedback_value is compared by eq only');
      return { score: { label: this.string(value, call) } };
    }
    return this.unsupportedField(fieldNode);
  }

  /** `has(tags, "x")`, `has(metadata, '{"k": "v"}')`. */
  private has(call: FilterCall): RunCondition {
    const [fieldNode, value] = this.fieldAndValue(call);
    if (fieldNode.name === 'tags' || fieldNode.name === 'tag') return { tag: this.string(value, call) };
    if (fieldNode.name === 'metadata') {
      const text = this.string(value, call);
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        return this.refuse(call, 'has(metadata, …) takes a JSON object as text');
      }
      if (!isJsonObject(parsed)) return this.refuse(call, 'has(metadata, …) takes a JSON object as text');
      const pairs = Object.entries(parsed).map(([key, pair]): RunCondition => ({ metadata_key: key, value: pair }));
      return pairs.length === 1 ? pairs[0]! : { all: pairs };
    }
    if (fieldNode.name in TEXT_FIELDS || fieldNode.name in NUMBER_FIELDS || fieldNode.name in TIME_FIELDS || KNOWN_ELSEWHERE.has(fieldNode.name)) {
      return this.refuse(call, `has applies to tags and metadata; compare ${fieldNode.name} with eq, or look in it with search`);
    }
    return this.unsupportedField(fieldNode);
  }

  /** `search("text")` (in the run's inputs, outputs and error) or `search(field, "text")`. */
  private search(call: FilterCall): RunCondition {
    if (call.args.length === 1) return { text: this.string(call.args[0]!, call) };
    const [fieldNode, value] = this.fieldAndValue(call);
    const column = SEARCH_FIELDS[fieldNode.name];
    if (fieldNode.name === 'inputs' || fieldNode.name === 'outputs') return { text: this.string(value, call) };
    if (column === undefined)
      return this.refuse(
        call,
        `search looks in name, error, run_type, status, or inputs, outputs and error (one argument) on this server, not in ${fieldNode.name}`,
      );
    return { column, contains: this.string(value, call) };
  }

  /** `in(field, ["a", "b"])`. */
  private in(call: FilterCall): RunCondition {
    const [fieldNode, list] = this.fieldAndValue(call);
    if (list.kind !== 'list') return this.refuse(call, 'in takes a field and a list, as in in(run_type, ["llm", "chain"])');
    const field = fieldNode.name;
    if (field in TEXT_FIELDS) return { column: TEXT_FIELDS[field]!, in: list.items.map((item) => this.string(item, call)) };
    if (field in NUMBER_FIELDS) return { column: NUMBER_FIELDS[field]!, in: list.items.map((item) => this.number(item, call)) };
    const each = (one: (item: FilterLiteral) => RunCondition): RunCondition => ({ any: list.items.map(one) });
    if (field === 'tags' || field === 'tag') return each((item) => ({ tag: this.string(item, call) }));
    if (field === 'metadata_key') return each((item) => ({ metadata_key: this.string(item, call) }));
    if (field === 'feedback_key') return each((item) => ({ score: { key: this.string(item, call) } }));
    if (field === 'metadata_value') return each((item) => ({ metadata_value: String(this.scalar(item, call)) }));
    if (KNOWN_ELSEWHERE.has(field) || field in TIME_FIELDS) return this.refuse(call, `in does not apply to ${field} on this server`);
    return this.unsupportedField(fieldNode);
  }

  private fieldAndValue(call: FilterCall): [Extract<FilterNode, { kind: 'name' }>, FilterNode] {
    if (call.args.length !== 2) return this.refuse(call, `${call.name} takes a field and a value`);
    const [field, value] = call.args as [FilterNode, FilterNode];
    if (field.kind !== 'name') return this.refuse(field, `the first argument of ${call.name} is a field name (unquoted), such as run_type`);
    if (value.kind === 'call' || value.kind === 'name')
      return this.refuse(value, `the second argument of ${call.name} is a value (a string, a number, true, false, null or a list)`);
    return [field, value];
  }

  private unsupportedField(node: Extract<FilterNode, { kind: 'name' }>): never {
    return this.refuse(node, `${node.name} is not a field this server filters runs by`);
  }

  private nullValue(call: FilterCall, is: Comparator): null {
    if (is !== '=' && is !== '<>') return this.refuse(call, 'null is compared by eq or neq only');
    return null;
  }

  private string(node: FilterNode, call: FilterCall): string {
    if (node.kind === 'string') return node.value;
    if (node.kind === 'number' || node.kind === 'boolean') return String(node.value);
    return this.refuse(call, 'expects a string');
  }

  private scalar(node: FilterNode, call: FilterCall): string | number | boolean {
    if (node.kind === 'string' || node.kind === 'number' || node.kind === 'boolean') return node.value;
    return this.refuse(call, 'expects a string, a number or a boolean');
  }

  private number(node: FilterNode, call: FilterCall): number {
    if (node.kind === 'number') return node.value;
    if (node.kind === 'string' && node.value.trim() !== '' && Number.isFinite(Number(node.value))) return Number(node.value);
    return this.refuse(call, 'expects a number');
  }

  private time(node: FilterNode, call: FilterCall): string {
    if (node.kind === 'string' && /^\d{4}-\d{2}-\d{2}/.test(node.value) && !Number.isNaN(Date.parse(node.value))) return node.value;
    return this.refuse(call, 'expects an ISO-8601 time such as "2026-01-31T12:00:00Z"');
  }

  /** A latency in milliseconds, from seconds (a number) or a duration such as "2s" or "150ms". */
  private duration(node: FilterNode, call: FilterCall): number {
    if (node.kind === 'number') return node.value * 1_000;
    const match = node.kind === 'string' ? DURATION.exec(node.value) : null;
    if (!match) return this.refuse(call, 'latency is a number of seconds or a duration such as "2s", "150ms" or "1.5m"');
    return Number(match[1]) * UNIT_MS[match[2] ?? 's']!;
  }
}

/** Fields this server filters by, that some comparators do not apply to. */
const KNOWN_ELSEWHERE = new Set(['latency', 'error', 'is_root', 'metadata_key', 'metadata_value', 'feedback_key', 'feedback_score', 'feedback_value']);
