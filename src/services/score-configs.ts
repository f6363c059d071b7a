import { ConflictError, ValidationError } from '../domain/errors.js';
import { newId } from '../domain/ids.js';
import { nowIso } from '../domain/time.js';
import { SCORE_CONFIG_TYPES, type Actor, type ScoreConfig, type ScoreConfigType } from '../domain/types.js';
import type { Store, Transaction } from '../store/database.js';
import type { ScoreConfigTable } from '../store/schema.js';
import { findOwnedRow } from './rows/finders.js';
import { presentScoreConfig } from './rows/score-configs.js';
import { withTransaction, type TransactionOptions } from './transaction.js';
import { writeUnique } from './unique.js';

export interface NewScoreConfig {
  /** The score key it governs, unique in the workspace. */
  name: string;
  type: ScoreConfigType;
  min?: number | null;
  max?: number | null;
  categories?: string[] | null;
  description?: string | null;
  comment_required?: boolean;
}

export type ScoreConfigPatch = Partial<Omit<NewScoreConfig, 'name' | 'type'>>;

/**
 * Score configs: what a named score may hold in a workspace. Every score written with a config's key,
 * on any surface, is checked against it (rows/score-configs.ts, called by the score and run services).
 */
export class ScoreConfigService {
  constructor(private readonly store: Store) {}

  async create(actor: Actor, input: NewScoreConfig, options: TransactionOptions = {}): Promise<ScoreConfig> {
    const now = nowIso();
    const row = toRow(actor.workspaceId, newId(), input, now, now);
    return withTransaction(this.store, options, async (tx) => {
      await writeUnique(
        () => tx.insertInto('score_configs').values(row).execute(),
        () =>
          new ConflictError(`A score config named ${JSON.stringify(input.name)} already exists`, [{ pointer: '/name', detail: 'is taken in the workspace' }]),
      );
      return presentScoreConfig(row);
    });
  }

  /** The config of this name, made with `input` when there is none yet. */
  async findOrCreate(actor: Actor, input: NewScoreConfig, options: TransactionOptions = {}): Promise<ScoreConfig> {
    return withTransaction(this.store, options, async (tx) => {
      const found = await tx
        .selectFrom('score_configs')
        .selectAll()
        .where('workspace_id', '=', actor.workspaceId)
        .where('name', '=', input.name)
        .executeTakeFirst();
      return found ? presentScoreConfig(found) : this.create(actor, input, { transaction: tx });
    });
  }

  async list(actor: Actor): Promise<ScoreConfig[]> {
    const rows = await this.store.db.selectFrom('score_configs').selectAll().where('workspace_id', '=', actor.workspaceId).orderBy('name').execute();
    return rows.map(presentScoreConfig);
  }

  async get(actor: Actor, id: string): Promise<ScoreConfig> {
    return presentScoreConfig(await findOwnedRow(this.store, this.store.db, 'score_configs', actor, id));
  }

  async update(actor: Actor, id: string, patch: ScoreConfigPatch): Promise<ScoreConfig> {
    return this.store.transaction(async (tx) => {
      const row = await findOwnedRow(this.store, tx, 'score_configs', actor, id, { lock: true });
      const current = presentScoreConfig(row);
      const next = toRow(actor.workspaceId, row.id, { ...current, ...patch }, row.created_at, nowIso());
      await tx.updateTable('score_configs').set(next).where('id', '=', row.id).execute();
      return presentScoreConfig(next);
    });
  }

  /** Deletes a config no queue uses (scores of its key are no longer checked). */
  async delete(actor: Actor, id: string): Promise<void> {
    await this.store.transaction(async (tx: Transaction) => {
      const row = await findOwnedRow(this.store, tx, 'score_configs', actor, id, { lock: true });
      const queues = await tx.selectFrom('annotation_queues').select(['id', 'score_config_ids']).where('workspace_id', '=', actor.workspaceId).execute();
      const user = queues.find((queue) => (JSON.parse(queue.score_config_ids) as string[]).includes(row.id));
      if (user) throw new ConflictError(`Score config ${row.id} is used by annotation queue ${user.id}`);
      await tx.deleteFrom('score_configs').where('id', '=', row.id).execute();
    });
  }
}

function toRow(workspaceId: string, id: string, input: NewScoreConfig, createdAt: string, updatedAt: string): ScoreConfigTable {
  if (!input.name?.trim()) throw ValidationError.field('/name', 'must not be empty');
  if (!SCORE_CONFIG_TYPES.includes(input.type)) throw ValidationError.field('/type', `must be one of ${SCORE_CONFIG_TYPES.join(', ')}`);
  const min = input.min ?? null;
  const max = input.max ?? null;
  if (input.type !== 'numeric' && (min !== null || max !== null)) throw ValidationError.field(min !== null ? '/min' : '/max', 'is only for numeric configs');
  if (min !== null && max !== null && min > max) throw ValidationError.field('/max', 'must not be below min');
  const categories = input.categories ?? null;
  if (input.type === 'categorical') {
    if (!categories || categories.length === 0) throw ValidationError.field('/categories', 'must list the allowed values of a categorical config');
    if (new Set(categories).size !== categories.length) throw ValidationError.field('/categories', 'must not list a value twice');
    if (categories.some((c) => c === '')) throw ValidationError.field('/categories', 'must not hold an empty value');
  } else if (categories !== null) {
    throw ValidationError.field('/categories', 'is only for categorical configs');
  }
  return {
    id,
    workspace_id: workspaceId,
    name: input.name,
    type: input.type,
    min,
    max,
    categories: categories === null ? null : JSON.stringify(categories),
    description: input.description ?? null,
    comment_required: input.comment_required ? 1 : 0,
    created_at: createdAt,
    updated_at: updatedAt,
  };
}
