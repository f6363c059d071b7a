import { ConflictError, ValidationError } from '../domain/errors.js';
import { checkTextLengths } from '../domain/input-bounds.js';
import { newId, parseId } from '../domain/ids.js';
import type { JsonObject } from '../domain/json.js';
import { nowIso, toIsoTime } from '../domain/time.js';
import type { Actor, ComparativeExperiment, Preference } from '../domain/types.js';
import type { Store } from '../store/database.js';
import type { ComparativeExperimentTable } from '../store/schema.js';
import { checkedOffset } from './pagination.js';
import { findDatasetRow, findOwnedRow, findOwnedRows } from './rows/finders.js';
import { presentComparativeExperiment } from './rows/present.js';
import { writeUnique } from './unique.js';

export interface NewComparativeExperiment {
  id?: string;
  name: string;
  description?: string | null;
  metadata?: JsonObject;
  dataset_id: string;
  /** Two or more experiments of the dataset, each named once. */
  experiment_ids: readonly string[];
  /** When it was made (ISO time or epoch milliseconds); now by default. */
  created_at?: string | number | null;
}

/** The metadata key a score names its comparative experiment by (LangSmith's feedback field, kept as sent). */
export const COMPARATIVE_EXPERIMENT_KEY = 'comparative_experiment_id';

/**
 * Comparative (pairwise) experiments: experiments of one dataset judged against each other record by
 * record. The judgements are ordinary scores of the experiments' runs whose metadata names the
 * comparative experiment (`comparative_experiment_id`), so they show wherever scores do.
 */
export class ComparativeExperimentService {
  constructor(private readonly store: Store) {}

  async create(actor: Actor, input: NewComparativeExperiment): Promise<ComparativeExperiment> {
    checkTextLengths(input);
    return this.store.transaction(async (tx) => {
      const dataset = await findDatasetRow(this.store, tx, actor, input.dataset_id, { issue: { pointer: '/dataset_id', detail: 'is not a dataset' } });
      if (new Set(input.experiment_ids).size < 2 || new Set(input.experiment_ids).size !== input.experiment_ids.length) {
        throw ValidationError.field('/experiment_ids', 'must name two or more experiments, each once');
      }
      const experiments = await findOwnedRows(this.store, tx, 'experiments', actor, input.experiment_ids, { pointerOf: (index) => `/experiment_ids/${index}` });
      experiments.forEach((experiment, index) => {
        if (experiment.dataset_id !== dataset.id) throw ValidationError.field(`/experiment_ids/${index}`, 'is an experiment of another dataset');
      });
      const id = input.id === undefined ? newId() : parseId(input.id);
      if (!id) throw ValidationError.field('/id', 'must be a UUID');
      const createdAt = input.created_at === undefined || input.created_at === null ? nowIso() : toIsoTime(input.created_at);
      if (!createdAt) throw ValidationError.field('/created_at', 'must be a date-time');
      const row: ComparativeExperimentTable = {
        id,
        workspace_id: actor.workspaceId,
        dataset_id: dataset.id,
        name: input.name,
        description: input.description ?? null,
        metadata: JSON.stringify(input.metadata ?? {}),
        experiment_ids: JSON.stringify(experiments.map((experiment) => experiment.id)),
        created_at: createdAt,
        updated_at: nowIso(),
      };
      await writeUnique(
        () => tx.insertInto('comparative_experiments').values(row).execute(),
        () =>
          new ConflictError(`A comparative experiment named ${JSON.stringify(input.name)} or with id ${id} already exists`, [
            { pointer: '/name', detail: 'is taken in the dataset (or the id is)' },
          ]),
      );
      return presentComparativeExperiment(row);
    });
  }

  async get(actor: Actor, id: string): Promise<ComparativeExperiment> {
    return presentComparativeExperiment(await findOwnedRow(this.store, this.store.db, 'comparative_experiments', actor, id));
  }

  /** The dataset's comparative experiments, newest first. */
  async list(actor: Actor, datasetId: string, query: { name?: string; offset?: number; limit?: number } = {}): Promise<ComparativeExperiment[]> {
    const dataset = await findDatasetRow(this.store, this.store.db, actor, datasetId);
    const rows = await this.store.db
      .selectFrom('comparative_experiments')
      .selectAll()
      .where('dataset_id', '=', dataset.id)
      .$if(query.name !== undefined, (q) => q.where('name', '=', query.name!))
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .offset(checkedOffset(query.offset) ?? 0)
      .limit(query.limit ?? 100)
      .execute();
    return rows.map(presentComparativeExperiment);
  }

  async delete(actor: Actor, id: string): Promise<void> {
    await this.store.transaction(async (tx) => {
      const row = await findOwnedRow(this.store, tx, 'comparative_experiments', actor, id, { lock: true });
      await tx.deleteFrom('comparative_experiments').where('id', '=', row.id).execute();
    });
  }

  /** The judgements recorded for the comparative experiment: its runs' scores that name it, by record. */
  async preferences(actor: Actor, id: string): Promise<Preference[]> {
    const comparative = await this.get(actor, id);
    const rows = await this.store.db
      .selectFrom('scores')
      .select(['id', 'record_id', 'experiment_id', 'run_id', 'key', 'score'])
      .where('workspace_id', '=', actor.workspaceId)
      .where('experiment_id', 'in', comparative.experiment_ids)
      .where('run_id', 'is not', null)
      .where(this.store.sql.jsonFieldEquals('metadata', COMPARATIVE_EXPERIMENT_KEY, comparative.id))
      .orderBy('record_id')
      .orderBy('key')
      .orderBy('experiment_id')
      .execute();
    return rows.map((row) => ({
      record_id: row.record_id,
      experiment_id: row.experiment_id,
      run_id: row.run_id!,
      score_id: row.id,
      key: row.key,
      score: row.score,
    }));
  }
}
