import { sql } from 'kysely';
import { ConflictError, ValidationError } from '../domain/errors.js';
import { checkTextLengths } from '../domain/input-bounds.js';
import { newId, parseId } from '../domain/ids.js';
import type { Json, JsonObject } from '../domain/json.js';
import { nowIso, optionalTime } from '../domain/time.js';
import type { Actor, DatasetManager, Experiment } from '../domain/types.js';
import type { Store } from '../store/database.js';
import type { ExperimentTable } from '../store/schema.js';
import { checkedOffset, decodeCursor, orderByValue, pageSize, toPage, valueCursor, type Page } from './pagination.js';
import type { ProjectService } from './projects.js';
import { chunks } from './rows/chunks.js';
import { findDatasetRow, findExperimentRow, findProjectRow } from './rows/finders.js';
import { presentExperiment } from './rows/present.js';
import { resolveVersion, type VersionRef } from './rows/versions.js';
import { checkWriter } from './rows/writers.js';
import type { AppendOptions, NewRun, RunService } from './runs.js';
import { withTransaction, type TransactionOptions } from './transaction.js';
import { creating, writeUnique } from './unique.js';
import { metadataMatches } from './rows/metadata-filters.js';

export interface ExperimentInput {
  name: string;
  /** The dataset the experiment runs on; none makes a log stream. */
  dataset_id?: string | null;
  /** The version it runs on (number, name or `latest`); the latest when omitted. */
  dataset_version?: VersionRef;
  /** Defaults to the dataset's project, else the workspace's default project. */
  project_id?: string;
  description?: string | null;
  metadata?: JsonObject;
  start_time?: string | number | null;
  end_time?: string | number | null;
  /** The surface creating it; `native` when omitted. */
  source?: string;
  /** Runs recorded with the experiment, in the same transaction (by the rules of RunService.append). */
  runs?: NewRun[];
}

/** A new experiment, with the ids of the runs it was created with (in input order). */
export type CreatedExperiment = Experiment & { run_ids?: string[] };

export type ExperimentPatch = Partial<Pick<ExperimentInput, 'name' | 'description' | 'metadata' | 'start_time' | 'end_time'>>;

export interface ExperimentWriteOptions extends AppendOptions {
  /**
   * Who writes: a dataset's experiments are added only by its manager (`evalstore` when omitted). Only
   * the experiment upload flow (services/experiment-uploads.ts) writes as `external`.
   */
  writer?: DatasetManager;
  /**
   * Refuse (409) a name that any experiment of the workspace has, whatever its dataset: for clients
   * that name experiments across datasets (LangSmith's session names are unique in a workspace).
   */
  uniqueInWorkspace?: boolean;
}

/** What a dataset's experiments add up to. */
export interface DatasetExperimentSummary {
  experiment_count: number;
  /** The latest start time of its experiments; null when none has one. */
  last_start_time: string | null;
  /** When the latest of its experiments was created. */
  last_created_at?: string;
}

/** What a list of experiments is ordered by: creation (the id), name, or latest activity (its newest run, else its last update). */
export type ExperimentSort = 'created' | 'name' | 'activity';

export interface ExperimentQuery {
  cursor?: string;
  limit?: number;
  /** Experiments to skip before the page (instead of a cursor), for clients that can only ask for page N. */
  offset?: number;
  /** Only these experiments. */
  ids?: readonly string[];
  /** Only experiments on one of these datasets. */
  dataset_ids?: readonly string[];
  /** Experiments whose metadata has each of these key/value pairs. */
  metadata?: Record<string, Json>;
  dataset_id?: string;
  project_id?: string;
  name?: string;
  name_contains?: string;
  /** true: only experiments on a dataset; false: only log streams. */
  on_dataset?: boolean;
  /** `created` (the default, newest first), `name` (A to Z first) or `activity`. */
  sort?: ExperimentSort;
  /** The default: descending for `created` and `activity`, ascending for `name`. */
  order?: 'asc' | 'desc';
}

export class ExperimentService {
  constructor(
    private readonly store: Store,
    private readonly projects: ProjectService,
    private readonly runs: RunService,
  ) {}

  async create(actor: Actor, input: ExperimentInput, options: ExperimentWriteOptions & TransactionOptions = {}): Promise<CreatedExperiment> {
    checkTextLengths(input);
    return withTransaction(this.store, options, async (tx) => {
      const dataset = input.dataset_id ? await findDatasetRow(this.store, tx, actor, input.dataset_id) : undefined;
      if (dataset) checkWriter(dataset, options.writer ?? 'evalstore');
      if (!dataset && input.dataset_version !== undefined) {
        throw ValidationError.field('/dataset_version', 'needs a dataset_id');
      }
      const projectId = input.project_id
        ? (await findProjectRow(this.store, tx, actor, input.project_id)).id
        : (dataset?.project_id ?? (await this.projects.defaultProject(actor.workspaceId, { transaction: tx })).id);
      const now = nowIso();
      const row: ExperimentTable = {
        id: newId(),
        workspace_id: actor.workspaceId,
        project_id: projectId,
        dataset_id: dataset?.id ?? null,
        dataset_version: dataset ? await resolveVersion(tx, dataset, input.dataset_version) : null,
        name: input.name,
        description: input.description ?? null,
        metadata: JSON.stringify(input.metadata ?? {}),
        source: input.source ?? 'native',
        start_time: optionalTime(input.start_time, '/start_time'),
        end_time: optionalTime(input.end_time, '/end_time'),
        revision: 0,
        created_at: now,
        updated_at: now,
      };
      checkWindow(row);
      if (options.uniqueInWorkspace) {
        const taken = await tx
          .selectFrom('experiments')
          .select('id')
          .where('workspace_id', '=', actor.workspaceId)
          .where('name', '=', row.name)
          .executeTakeFirst();
        if (taken) throw nameTaken(row.name, 'in this workspace');
      }
      await writeUnique(
        () => tx.insertInto('experiments').values(row).execute(),
        () => nameTaken(row.name),
      );
      if (input.runs === undefined) return presentExperiment(row);
      const { run_ids } = await this.runs.append(actor, row.id, input.runs, { requireRecords: options.requireRecords, transaction: tx });
      // Appending moved the experiment's updated_at on.
      return { ...presentExperiment(await findExperimentRow(this.store, tx, actor, row.id)), run_ids };
    });
  }

  async get(actor: Actor, id: string): Promise<Experiment> {
    return presentExperiment(await findExperimentRow(this.store, this.store.db, actor, id));
  }

  /**
   * The workspace's experiment named `name` (the newest, should several datasets have one of that
   * name), or a new log stream of that name: for clients that name where runs go rather than make it
   * first. Inside the caller's transaction, which must be run by `retryingCreationRaces`: a request
   * that makes the same stream at the same moment wins, and this one finds it on its second try.
   */
  async experimentNamed(actor: Actor, name: string, options: Required<TransactionOptions> & { source?: string }): Promise<Experiment> {
    const tx = options.transaction;
    const found = await tx
      .selectFrom('experiments')
      .selectAll()
      .where('workspace_id', '=', actor.workspaceId)
      .where('name', '=', name)
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (found) return presentExperiment(found);
    return creating(() => this.create(actor, { name, source: options.source }, { transaction: tx }));
  }

  /**
   * The ordinal of each experiment among its dataset's experiments (1 for the first made), for those
   * on a dataset.
   */
  async ordinals(actor: Actor, experiments: readonly Pick<Experiment, 'id' | 'dataset_id'>[]): Promise<Map<string, number>> {
    const datasetIds = [...new Set(experiments.flatMap((e) => (e.dataset_id ? [e.dataset_id] : [])))];
    const ordinals = new Map<string, number>();
    if (datasetIds.length === 0) return ordinals;
    const rows = await this.store.db
      .selectFrom('experiments')
      .select((eb) => [
        'id',
        eb.fn
          .agg<number>('row_number')
          .over((over) => over.partitionBy('dataset_id').orderBy('created_at').orderBy('id'))
          .as('ordinal'),
      ])
      .where('workspace_id', '=', actor.workspaceId)
      .where('dataset_id', 'in', datasetIds)
      .execute();
    const wanted = new Set(experiments.map((e) => e.id));
    for (const row of rows) if (wanted.has(row.id)) ordinals.set(row.id, Number(row.ordinal));
    return ordinals;
  }

  /**
   * How many experiments each dataset has, and when the latest started; datasets without experiments
   * are absent.
   */
  async summarizeByDataset(actor: Actor, datasetIds: readonly string[], options: TransactionOptions = {}): Promise<Map<string, DatasetExperimentSummary>> {
    const db = options.transaction ?? this.store.db;
    const summaries = new Map<string, DatasetExperimentSummary>();
    for (const chunk of chunks([...new Set(datasetIds.flatMap((id) => parseId(id) ?? []))])) {
      const rows = await db
        .selectFrom('experiments')
        .select((eb) => [
          'dataset_id',
          eb.fn.countAll<number>().as('experiment_count'),
          eb.fn.max('start_time').as('last_start_time'),
          eb.fn.max('created_at').as('last_created_at'),
        ])
        .where('workspace_id', '=', actor.workspaceId)
        .where('dataset_id', 'in', chunk)
        .groupBy('dataset_id')
        .execute();
      for (const row of rows) {
        summaries.set(row.dataset_id!, {
          experiment_count: Number(row.experiment_count),
          last_start_time: row.last_start_time ?? null,
          last_created_at: String(row.last_created_at),
        });
      }
    }
    return summaries;
  }

  /** Newest first, or by `query.sort`. */
  async list(actor: Actor, query: ExperimentQuery = {}): Promise<Page<Experiment>> {
    const limit = pageSize(query.limit);
    const sort = query.sort ?? 'created';
    const after = sort === 'created' ? decodeCursor(query.cursor, 'id') : undefined;
    const afterValue = sort === 'created' ? undefined : decodeCursor(query.cursor, 'value');
    const datasetId = query.dataset_id === undefined ? undefined : parseId(query.dataset_id);
    const projectId = query.project_id === undefined ? undefined : parseId(query.project_id);
    // A filter by an id that cannot exist matches nothing.
    if ((query.dataset_id !== undefined && !datasetId) || (query.project_id !== undefined && !projectId)) {
      return { data: [], next_cursor: null };
    }
    let select = this.store.db.selectFrom('experiments').selectAll().where('workspace_id', '=', actor.workspaceId);
    if (query.ids !== undefined) {
      const ids = query.ids.flatMap((id) => parseId(id) ?? []);
      if (ids.length === 0) return { data: [], next_cursor: null };
      select = select.where('id', 'in', ids);
    }
    if (query.dataset_ids !== undefined) {
      const ids = query.dataset_ids.flatMap((id) => parseId(id) ?? []);
      if (ids.length === 0) return { data: [], next_cursor: null };
      select = select.where('dataset_id', 'in', ids);
    }
    for (const condition of metadataMatches(this.store.sql, 'metadata', query.metadata, '/metadata')) select = select.where(condition);
    if (datasetId) select = select.where('dataset_id', '=', datasetId);
    if (projectId) select = select.where('project_id', '=', projectId);
    if (query.name !== undefined) select = select.where('name', '=', query.name);
    if (query.name_contains) select = select.where(this.store.sql.containsText('name', query.name_contains));
    if (query.on_dataset !== undefined) select = select.where('dataset_id', query.on_dataset ? 'is not' : 'is', null);
    if (sort !== 'created') {
      const value =
        sort === 'name'
          ? sql`experiments.name`
          : sql`coalesce((select max(runs.created_at) from runs where runs.experiment_id = experiments.id), experiments.updated_at)`;
      const desc = (query.order ?? (sort === 'name' ? 'asc' : 'desc')) === 'desc';
      let sorted = orderByValue(select.select(value.as('sort_value')), value, 'experiments.id', { desc, after: afterValue });
      if (checkedOffset(query.offset)) sorted = sorted.offset(query.offset!);
      const rows = await sorted.limit(limit + 1).execute();
      return toPage(rows, limit, presentExperiment, (row) => valueCursor(row.sort_value, row.id, 'text'));
    }
    if (after) select = select.where('id', query.order === 'asc' ? '>' : '<', String(after[0]));
    if (checkedOffset(query.offset)) select = select.offset(query.offset!);
    const rows = await select
      .orderBy('id', query.order === 'asc' ? 'asc' : 'desc')
      .limit(limit + 1)
      .execute();
    return toPage(rows, limit, presentExperiment, (row) => [row.id]);
  }

  async update(actor: Actor, id: string, patch: ExperimentPatch, options: TransactionOptions = {}): Promise<Experiment> {
    checkTextLengths(patch);
    return withTransaction(this.store, options, async (tx) => {
      const row = await findExperimentRow(this.store, tx, actor, id, { lock: true });
      const next: ExperimentTable = {
        ...row,
        name: patch.name ?? row.name,
        description: patch.description === undefined ? row.description : patch.description,
        metadata: patch.metadata === undefined ? row.metadata : JSON.stringify(patch.metadata),
        start_time: patch.start_time === undefined ? row.start_time : optionalTime(patch.start_time, '/start_time'),
        end_time: patch.end_time === undefined ? row.end_time : optionalTime(patch.end_time, '/end_time'),
        updated_at: nowIso(),
      };
      checkWindow(next);
      await writeUnique(
        () => tx.updateTable('experiments').set(next).where('id', '=', row.id).execute(),
        () => nameTaken(next.name),
      );
      return presentExperiment(next);
    });
  }

  /**
   * Changes each experiment by what `revise` makes of its current state, in one transaction, each row
   * locked while it is read and written (for changes computed from the experiment, such as merging
   * into its metadata).
   */
  async revise(
    actor: Actor,
    ids: readonly string[],
    revise: (experiment: Experiment) => ExperimentPatch,
    options: TransactionOptions = {},
  ): Promise<Experiment[]> {
    return withTransaction(this.store, options, async (tx) => {
      const revised: Experiment[] = [];
      for (const id of ids) {
        const row = await findExperimentRow(this.store, tx, actor, id, { lock: true });
        revised.push(await this.update(actor, id, revise(presentExperiment(row)), { transaction: tx }));
      }
      return revised;
    });
  }

  /** Deletes the experiment with its runs and scores. */
  async delete(actor: Actor, id: string): Promise<void> {
    await this.store.transaction(async (tx) => {
      const row = await findExperimentRow(this.store, tx, actor, id, { lock: true });
      await tx.deleteFrom('experiments').where('id', '=', row.id).execute();
    });
  }
}

function checkWindow(row: Pick<ExperimentTable, 'start_time' | 'end_time'>): void {
  if (row.start_time && row.end_time && row.end_time < row.start_time) {
    throw ValidationError.field('/end_time', 'must not be before start_time');
  }
}

function nameTaken(name: string, where = 'on this dataset'): ConflictError {
  return new ConflictError(`An experiment named ${JSON.stringify(name)} already exists ${where}`, [{ pointer: '/name', detail: 'is already taken' }]);
}
