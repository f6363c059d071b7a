import type { Kysely } from 'kysely';
import { ValidationError } from '../../domain/errors.js';
import type { ScoreConfig, ScoreConfigType } from '../../domain/types.js';
import type { Database, ScoreConfigTable, ScoreTable } from '../../store/schema.js';
import { chunks } from './chunks.js';

export function presentScoreConfig(row: ScoreConfigTable): ScoreConfig {
  return {
    id: row.id,
    name: row.name,
    type: row.type as ScoreConfigType,
    min: row.min,
    max: row.max,
    categories: row.categories === null ? null : (JSON.parse(row.categories) as string[]),
    description: row.description,
    comment_required: Boolean(row.comment_required),
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

/** The workspace's score configs of these keys, by key. */
export async function scoreConfigsOf(db: Kysely<Database>, workspaceId: string, keys: readonly string[]): Promise<Map<string, ScoreConfig>> {
  const found = new Map<string, ScoreConfig>();
  for (const chunk of chunks([...new Set(keys)])) {
    const rows = await db.selectFrom('score_configs').selectAll().where('workspace_id', '=', workspaceId).where('name', 'in', chunk).execute();
    for (const row of rows) found.set(row.name, presentScoreConfig(row));
  }
  return found;
}

/** What a score holds, as a config reads it. */
export type ScoreContent = Pick<ScoreTable, 'score' | 'value' | 'label' | 'comment'>;

/**
 * Why a score does not fit its config (the field at fault, relative to the score, and what is wrong
 * with it), or null when it fits. Numeric: a `score` within [min, max]. Boolean: a `score` of 0 or 1
 * (true, false), or a boolean `value`. Categorical: a `value` that is one of the categories.
 */
export function misfit(config: ScoreConfig, score: ScoreContent): { field: string; detail: string } | null {
  const value = score.value === null ? null : (JSON.parse(score.value) as unknown);
  if (config.type === 'numeric') {
    if (score.score === null) return { field: 'score', detail: `is required by the score config "${config.name}" (numeric)` };
    if (config.min !== null && score.score < config.min) return { field: 'score', detail: `must be at least ${config.min} (score config "${config.name}")` };
    if (config.max !== null && score.score > config.max) return { field: 'score', detail: `must be at most ${config.max} (score config "${config.name}")` };
  } else if (config.type === 'boolean') {
    if (score.score === null && typeof value !== 'boolean') return { field: 'score', detail: `is required by the score config "${config.name}" (boolean)` };
    if (score.score !== null && score.score !== 0 && score.score !== 1) {
      return { field: 'score', detail: `must be true or false, 1 or 0 (score config "${config.name}" is boolean)` };
    }
    if (value !== null && typeof value !== 'boolean' && value !== score.score) {
      return { field: 'value', detail: `must be a boolean (score config "${config.name}")` };
    }
  } else {
    const categories = config.categories ?? [];
    if (score.label === null || !categories.includes(score.label)) {
      return { field: 'value', detail: `must be one of ${categories.map((c) => JSON.stringify(c)).join(', ')} (score config "${config.name}")` };
    }
  }
  if (config.comment_required && !score.comment?.trim()) return { field: 'comment', detail: `is required by the score config "${config.name}"` };
  return null;
}

/**
 * Checks score rows about to be written against the workspace's configs of their keys: the first that
 * does not fit is a ValidationError pointing at its field (`pointerOf(i)` names the i-th row).
 */
export async function checkScoreConfigs(
  db: Kysely<Database>,
  workspaceId: string,
  rows: readonly (ScoreContent & Pick<ScoreTable, 'key'>)[],
  pointerOf: (index: number) => string,
): Promise<void> {
  if (rows.length === 0) return;
  const configs = await scoreConfigsOf(
    db,
    workspaceId,
    rows.map((row) => row.key),
  );
  if (configs.size === 0) return;
  for (const [index, row] of rows.entries()) {
    const config = configs.get(row.key);
    const fault = config && misfit(config, row);
    if (fault) throw ValidationError.field(`${pointerOf(index)}/${fault.field}`, fault.detail);
  }
}
