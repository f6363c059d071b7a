import { ValidationError } from '../../domain/errors.js';
import { LIMITS } from '../../domain/limits.js';
import type { Actor, Dataset, DatasetRecord, Experiment, Project, Run } from '../../domain/types.js';
import type { Services } from '../../services/index.js';
import { decodeCursor, encodeCursor, type Page } from '../../services/pagination.js';
import { datadogAttributes } from './experiments.js';
import { datadogRecordId, presentDataset, presentExperiment, presentProject, presentRecord } from './present.js';

/**
 * Datadog's experimentation search: one query over the scopes it names, each answered by its own
 * service and presented as that scope's own routes present it. The query language is a small subset
 * of Datadog's (docs/surfaces/datadog.md): `key:value` terms and free words, all of which must match.
 */

export const SCOPES = ['projects', 'datasets', 'dataset_records', 'experiments', 'experiment_runs'] as const;
export type Scope = (typeof SCOPES)[number];

const QUERY_POINTER = '/data/attributes/filter/query';
const QUERY = QUERY_POINTER;
const CURSOR = '/data/attributes/page/cursor';
const FIELDS = ['id', 'name', 'project_id', 'dataset_id', 'experiment_id'] as const;
type Field = (typeof FIELDS)[number];

/** What a query asks: at most one value per field, and free words that a name must contain. */
export interface Criteria {
  terms: Partial<Record<Field, string>>;
  words: string[];
}

export interface SearchFilter {
  scope: string[];
  query?: string;
  version?: number;
  is_deleted?: boolean;
  include_deleted?: boolean;
}

/** Parses the supported subset; anything else (operators, wildcards, other fields) is a 400 naming `filter.query`. */
export function parseQuery(query: string | undefined, QUERY = QUERY_POINTER): Criteria {
  const criteria: Criteria = { terms: {}, words: [] };
  const text = (query ?? '').trim();
  if (text.length > 1_000) throw ValidationError.field(QUERY, 'is longer than 1000 characters');
  const token = /([A-Za-z_@.]+):(?:"([^"]*)"|(\S+))|"([^"]*)"|(\S+)/g;
  for (const match of text.matchAll(token)) {
    const [, key, quoted, bare, phrase, word] = match;
    if (key !== undefined) {
      const field = key as Field;
      if (!FIELDS.includes(field)) throw ValidationError.field(QUERY, `searches no field "${key}": the fields are ${FIELDS.join(', ')}`);
      if (criteria.terms[field] !== undefined) throw ValidationError.field(QUERY, `names "${key}" twice`);
      const value = quoted ?? bare ?? '';
      if (!value || /[*?()]/.test(value)) throw ValidationError.field(QUERY, `has an unsupported value for "${key}" (wildcards and groups are not supported)`);
      criteria.terms[field] = value;
      continue;
    }
    const value = phrase ?? word ?? '';
    if (/^(AND|OR|NOT)$/.test(value) || /^[-+!]/.test(value) || /[*?()":]/.test(value)) {
      throw ValidationError.field(QUERY, `uses "${value}": only key:value terms and free words are supported`);
    }
    if (value) criteria.words.push(value.toLowerCase());
  }
  return criteria;
}

/** The scopes asked, each once, in Datadog's order. */
export function scopesOf(scope: readonly string[]): Scope[] {
  const unknown = scope.find((name) => !(SCOPES as readonly string[]).includes(name));
  if (unknown !== undefined) throw ValidationError.field('/data/attributes/filter/scope', `has "${unknown}": the scopes are ${SCOPES.join(', ')}`);
  if (scope.length === 0) throw ValidationError.field('/data/attributes/filter/scope', 'names no scope');
  return SCOPES.filter((name) => scope.includes(name));
}

/** A search page's position: the scope it is in and that scope's own cursor. */
type Position = [number, string];

export function encodePosition(position: Position): string {
  return encodeCursor(position);
}

export function decodePosition(cursor: string | undefined, scopes: readonly Scope[]): Position {
  if (!cursor) return [0, ''];
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(key) && key.length === 2 && Number.isInteger(key[0]) && key[0] >= 0 && key[0] < scopes.length && typeof key[1] === 'string') {
      if (key[1]) decodeCursor(key[1], 'id');
      return [key[0], key[1]];
    }
  } catch {
    // answered below
  }
  throw ValidationError.field(CURSOR, 'is not a cursor this search handed out');
}

export interface SearchItem {
  scope: Scope;
  item: unknown;
}

/** One service page of a scope, already filtered: what is presented, and the scope's next cursor. */
type ScopePage = { data: unknown[]; next_cursor: string | null };

const contains = (name: string | null | undefined, words: readonly string[]) => words.every((word) => (name ?? '').toLowerCase().includes(word));

/** The experiments the filter's deletion flags keep. */
function deletionKept(filter: SearchFilter) {
  return (experiment: Experiment) => {
    if (filter.include_deleted) return true;
    return Boolean(datadogAttributes(experiment).deleted_at) === Boolean(filter.is_deleted);
  };
}

const EMPTY: ScopePage = { data: [], next_cursor: null };

/** One page of one scope's matches, after `cursor`, at most `limit` long (possibly shorter: filtered on the page). */
async function scopePage(
  services: Services,
  actor: Actor,
  scope: Scope,
  criteria: Criteria,
  filter: SearchFilter,
  cursor: string | undefined,
  limit: number,
): Promise<ScopePage> {
  const { terms, words } = criteria;
  const page = { cursor, limit };
  switch (scope) {
    case 'projects': {
      if (terms.dataset_id || terms.experiment_id) return EMPTY;
      if (terms.id && terms.project_id && terms.id !== terms.project_id) return EMPTY;
      const result: Page<Project> = await services.projects.list(actor, { ...page, id: terms.id ?? terms.project_id, name: terms.name });
      return { data: result.data.filter((p) => contains(p.name, words)).map(presentProject), next_cursor: result.next_cursor };
    }
    case 'datasets': {
      if (terms.experiment_id) return EMPTY;
      if (terms.id && terms.dataset_id && terms.id !== terms.dataset_id) return EMPTY;
      const result: Page<Dataset> = await services.datasets.list(actor, {
        ...page,
        id: terms.id ?? terms.dataset_id,
        project_id: terms.project_id,
        name: terms.name,
        ...(words.length ? { name_contains: words[0] } : {}),
      });
      return { data: result.data.filter((d) => contains(d.name, words)).map((d) => presentDataset(d)), next_cursor: result.next_cursor };
    }
    case 'dataset_records': {
      if (!terms.dataset_id) throw ValidationError.field(QUERY, 'must name a dataset (dataset_id:<id>) to search dataset_records');
      if (terms.experiment_id || terms.name || words.length) return EMPTY;
      const dataset = await services.datasets.get(actor, terms.dataset_id);
      if (terms.project_id && dataset.project_id !== terms.project_id) return EMPTY;
      const result = await services.records.list(actor, dataset.id, { ...page, ...(filter.version === undefined ? {} : { version: filter.version }) });
      const kept = result.data.filter((record: DatasetRecord) => !terms.id || datadogRecordId(record) === terms.id || record.id === terms.id);
      return { data: kept.map((record) => presentRecord(record)), next_cursor: result.next_cursor };
    }
    case 'experiments': {
      if (terms.id && terms.experiment_id && terms.id !== terms.experiment_id) return EMPTY;
      const id = terms.id ?? terms.experiment_id;
      const result: Page<Experiment> = await services.experiments.list(actor, {
        ...page,
        ...(id ? { ids: [id] } : {}),
        ...(terms.dataset_id ? { dataset_id: terms.dataset_id } : {}),
        ...(terms.project_id ? { project_id: terms.project_id } : {}),
        ...(words.length ? { name_contains: words[0] } : {}),
      });
      // `name:` is the unique run name or the name as requested (Datadog's `experiment`).
      const named = (e: Experiment) => !terms.name || e.name === terms.name || datadogAttributes(e).experiment === terms.name;
      const kept = result.data.filter((e) => deletionKept(filter)(e) && named(e) && contains(e.name, words));
      return { data: kept.map(presentSearchExperiment), next_cursor: result.next_cursor };
    }
    case 'experiment_runs': {
      if (terms.dataset_id || terms.project_id) return EMPTY;
      const result: Page<Run> = await services.runs.search(actor, {
        ...page,
        ...(terms.experiment_id ? { experiment_ids: [terms.experiment_id] } : {}),
        ...(terms.id ? { ids: [terms.id] } : {}),
        ...(terms.name ? { name: terms.name } : {}),
        root_only: true,
      });
      return { data: result.data.filter((run) => contains(run.name, words)).map(presentExperimentRun), next_cursor: result.next_cursor };
    }
  }
}

/** An experiment in a search answer: Datadog's client reads its attributes at the top level, so they are there too. */
function presentSearchExperiment(experiment: Experiment) {
  const resource = presentExperiment(experiment);
  return { ...resource.attributes, ...resource };
}

/** A run of an experiment, as Datadog's experiment run: its repetition is the run number. */
function presentExperimentRun(run: Run) {
  return { id: run.id, experiment_id: run.experiment_id, run_number: run.repetition ?? 1, created_at: run.created_at, aggregate_data: {} };
}

/** How many service pages one search request may read while filters on the page leave it short. */
const SCAN_PAGES = 20;

/**
 * The next page of matches over the scopes in order, at most `limit` long, after `cursor`; the cursor
 * it answers is null when nothing is left. A page may be shorter than `limit` when filters applied on
 * the page drop items: a non-null cursor still means "ask again".
 */
export async function searchPage(
  services: Services,
  actor: Actor,
  filter: SearchFilter,
  cursor: string | undefined,
  limit: number,
): Promise<{ items: SearchItem[]; next_cursor: string | null; scopes: Scope[] }> {
  const scopes = scopesOf(filter.scope);
  const criteria = parseQuery(filter.query);
  let [index, inner] = decodePosition(cursor, scopes);
  const items: SearchItem[] = [];
  for (let scanned = 0; scanned < SCAN_PAGES && index < scopes.length && items.length < limit; scanned++) {
    const scope = scopes[index]!;
    const page = await scopePage(services, actor, scope, criteria, filter, inner || undefined, limit - items.length);
    for (const item of page.data) items.push({ scope, item });
    if (page.next_cursor) inner = page.next_cursor;
    else {
      index += 1;
      inner = '';
    }
  }
  return { items, next_cursor: index < scopes.length ? encodePosition([index, inner]) : null, scopes };
}

/** Every match, up to `cap` (simple search counts and numbers pages over them). */
export async function searchAll(services: Services, actor: Actor, filter: SearchFilter, cap: number = LIMITS.pageSizeMax * 10) {
  const all: SearchItem[] = [];
  let cursor: string | undefined;
  let scopes: Scope[] = [];
  do {
    const page = await searchPage(services, actor, filter, cursor, Math.min(LIMITS.pageSizeMax, cap - all.length));
    all.push(...page.items);
    scopes = page.scopes;
    cursor = page.next_cursor ?? undefined;
  } while (cursor && all.length < cap);
  return { items: all, scopes, complete: !cursor };
}

/** A search answer's attributes: one list per scope asked (empty when nothing matched). */
export function presentResults(scopes: readonly Scope[], items: readonly SearchItem[]) {
  const results: Record<string, unknown[]> = {};
  for (const scope of scopes) results[scope] = [];
  for (const { scope, item } of items) results[scope]!.push(item);
  return results;
}
