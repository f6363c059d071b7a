import type { Kysely } from 'kysely';
import { NotFoundError, type FieldIssue } from '../../domain/errors.js';
import { parseId } from '../../domain/ids.js';
import type { Actor } from '../../domain/types.js';
import type { Store } from '../../store/database.js';
import type { Database, DatasetTable, ExperimentTable, ProjectTable, RunTable, ScoreTable } from '../../store/schema.js';
import { chunks } from './chunks.js';

// Finders take the same arguments in the same order: the store, where to read (the caller's
// transaction, or `store.db`), whose rows, what to find, and options; a row of another workspace is
// simply not found. The lookups at the end, which answer which of many ids exist rather than failing,
// take where to read, whose rows and the ids.

/** Whose rows: an actor, or anything naming its workspace. */
export type Owner = Pick<Actor, 'workspaceId'>;

export interface FindOptions {
  /**
   * Keep the row locked until the transaction ends: this is what serializes commits to one dataset,
   * or appends to one experiment, across server processes.
   */
  lock?: boolean;
  /** What the NotFound says of where the id sits in the service's input (it says nothing of where by default). */
  issue?: FieldIssue;
}

/** The tables whose rows belong to a workspace and are named by an id. */
type OwnedTable =
  | 'api_keys'
  | 'projects'
  | 'datasets'
  | 'experiments'
  | 'runs'
  | 'scores'
  | 'comparative_experiments'
  | 'score_configs'
  | 'annotation_queues'
  | 'annotation_items';

/** What a NotFound calls a row of each table. */
const THING: Record<OwnedTable, string> = {
  api_keys: 'API key',
  projects: 'Project',
  datasets: 'Dataset',
  experiments: 'Experiment',
  runs: 'Run',
  scores: 'Score',
  comparative_experiments: 'Comparative experiment',
  score_configs: 'Score config',
  annotation_queues: 'Annotation queue',
  annotation_items: 'Annotation queue item',
};

/** Any owned table, seen through the two columns every finder reads it by. */
type ById = Kysely<{ owned: { id: string; workspace_id: string } }>;

/** The row `id` of `table` in the owner's workspace, or NotFound (also for an id that is not a UUID). */
export async function findOwnedRow<T extends OwnedTable>(
  store: Store,
  db: Kysely<Database>,
  table: T,
  owner: Owner,
  id: string,
  options: FindOptions = {},
): Promise<Database[T]> {
  const rowId = parseId(id);
  const row = rowId
    ? await (db as unknown as ById)
        .selectFrom(table as unknown as 'owned')
        .selectAll()
        .where('id', '=', rowId)
        .where('workspace_id', '=', owner.workspaceId)
        .$if(options.lock === true, (q) => q.modifyEnd(store.sql.forUpdate))
        .executeTakeFirst()
    : undefined;
  if (!row) throw new NotFoundError(THING[table], id, options.issue ? [options.issue] : []);
  return row as unknown as Database[T];
}

/**
 * The rows `ids` name in `table`, in the order given (an id given twice answers its row twice). NotFound
 * names the first id that names no row, pointing at `pointerOf(index)` when given.
 */
export async function findOwnedRows<T extends OwnedTable>(
  store: Store,
  db: Kysely<Database>,
  table: T,
  owner: Owner,
  ids: readonly string[],
  options: Omit<FindOptions, 'issue'> & { pointerOf?: (index: number) => string } = {},
): Promise<Database[T][]> {
  const found = new Map<string, Database[T]>();
  for (const chunk of chunks([...new Set(ids.flatMap((id) => parseId(id) ?? []))])) {
    const rows = await (db as unknown as ById)
      .selectFrom(table as unknown as 'owned')
      .selectAll()
      .where('workspace_id', '=', owner.workspaceId)
      .where('id', 'in', chunk)
      .$if(options.lock === true, (q) => q.modifyEnd(store.sql.forUpdate))
      .execute();
    for (const row of rows) found.set(row.id, row as unknown as Database[T]);
  }
  return ids.map((id, index) => {
    const row = found.get(parseId(id) ?? '');
    if (row) return row;
    const { pointerOf } = options;
    const thing = THING[table];
    throw new NotFoundError(thing, id, pointerOf ? [{ pointer: pointerOf(index), detail: `is not a ${thing.toLowerCase()} of the workspace` }] : []);
  });
}

export function findDatasetRow(store: Store, db: Kysely<Database>, owner: Owner, id: string, options?: FindOptions): Promise<DatasetTable> {
  return findOwnedRow(store, db, 'datasets', owner, id, options);
}

export function findExperimentRow(store: Store, db: Kysely<Database>, owner: Owner, id: string, options?: FindOptions): Promise<ExperimentTable> {
  return findOwnedRow(store, db, 'experiments', owner, id, options);
}

export function findProjectRow(store: Store, db: Kysely<Database>, owner: Owner, id: string, options?: FindOptions): Promise<ProjectTable> {
  return findOwnedRow(store, db, 'projects', owner, id, options);
}

export function findScoreRow(store: Store, db: Kysely<Database>, owner: Owner, id: string, options?: FindOptions): Promise<ScoreTable> {
  return findOwnedRow(store, db, 'scores', owner, id, options);
}

export function findRunRow(store: Store, db: Kysely<Database>, owner: Owner, id: string, options?: FindOptions): Promise<RunTable> {
  return findOwnedRow(store, db, 'runs', owner, id, options);
}

/** The runs `ids` name, in the order given; NotFound names the first unknown one, at `pointerOf(index)`. */
export function findRunRows(
  store: Store,
  db: Kysely<Database>,
  owner: Owner,
  ids: readonly string[],
  options?: Omit<FindOptions, 'issue'> & { pointerOf?: (index: number) => string },
): Promise<RunTable[]> {
  return findOwnedRows(store, db, 'runs', owner, ids, options);
}

/** The ids of the experiments `ids` name, in the order given (NotFound for the first that is none). */
export async function findExperimentIds(store: Store, db: Kysely<Database>, owner: Owner, ids: readonly string[]): Promise<string[]> {
  return (await findOwnedRows(store, db, 'experiments', owner, ids)).map((row) => row.id);
}

/** The project a dataset or an experiment lands in when its caller names none. */
export async function findDefaultProjectRow(store: Store, db: Kysely<Database>, owner: Owner, options: Pick<FindOptions, 'lock'> = {}): Promise<ProjectTable> {
  const row = await db
    .selectFrom('projects')
    .selectAll()
    .where('workspace_id', '=', owner.workspaceId)
    .where('is_default', '=', 1)
    .$if(options.lock === true, (q) => q.modifyEnd(store.sql.forUpdate))
    .executeTakeFirst();
  if (!row) throw new NotFoundError('Default project');
  return row;
}

/** The experiment of each of `runIds` that is a run of the workspace (the others are absent). */
export async function experimentsOfRuns(db: Kysely<Database>, owner: Owner, runIds: readonly string[]): Promise<Map<string, string>> {
  const experimentOf = new Map<string, string>();
  for (const chunk of chunks(runIds)) {
    const rows = await db.selectFrom('runs').select(['id', 'experiment_id']).where('workspace_id', '=', owner.workspaceId).where('id', 'in', chunk).execute();
    for (const row of rows) experimentOf.set(row.id, row.experiment_id);
  }
  return experimentOf;
}

/** The result run (a run of a record, without a parent) whose trace each of `traceIds` is, where there is one. */
export async function resultRunsOfTraces(
  db: Kysely<Database>,
  owner: Owner,
  traceIds: readonly string[],
): Promise<Map<string, { id: string; experiment_id: string }>> {
  const owners = new Map<string, { id: string; experiment_id: string }>();
  for (const chunk of chunks([...new Set(traceIds)])) {
    const rows = await db
      .selectFrom('runs')
      .select(['id', 'experiment_id', 'trace_id'])
      .where('workspace_id', '=', owner.workspaceId)
      .where('trace_id', 'in', chunk)
      .where('parent_run_id', 'is', null)
      .where('record_id', 'is not', null)
      .orderBy('id')
      .execute();
    for (const row of rows) if (!owners.has(row.trace_id!)) owners.set(row.trace_id!, { id: row.id, experiment_id: row.experiment_id });
  }
  return owners;
}

/** Which of `ids` are ids of scores already recorded in the workspace. */
export async function existingScoreIds(db: Kysely<Database>, owner: Owner, ids: readonly string[]): Promise<Set<string>> {
  const existing = new Set<string>();
  for (const chunk of chunks(ids)) {
    const rows = await db.selectFrom('scores').select('id').where('workspace_id', '=', owner.workspaceId).where('id', 'in', chunk).execute();
    for (const { id } of rows) existing.add(id);
  }
  return existing;
}
