import { apiKeyPreview, generateApiKey, hashApiKey, MIN_CHOSEN_KEY_LENGTH, type ApiKeyRole } from '../domain/api-keys.js';
import { UnauthorizedError, ValidationError } from '../domain/errors.js';
import { newId } from '../domain/ids.js';
import { nowIso } from '../domain/time.js';
import type { Actor, ApiKey } from '../domain/types.js';
import type { Store } from '../store/database.js';
import type { ApiKeyTable } from '../store/schema.js';
import { decodeCursor, pageSize, toPage, type Page } from './pagination.js';
import { findOwnedRow } from './rows/finders.js';
import { withTransaction, type TransactionOptions } from './transaction.js';

export interface CreatedApiKey {
  apiKey: ApiKey;
  /** The key itself: shown once, never stored. */
  key: string;
}

export class ApiKeyService {
  constructor(private readonly store: Store) {}

  /** The actor a presented key stands for; unknown and revoked keys are refused alike. */
  async authenticate(presented: string): Promise<Actor> {
    const row = await this.store.db
      .selectFrom('api_keys')
      .select(['id', 'workspace_id', 'name', 'role', 'revoked_at', 'created_by'])
      .where('key_hash', '=', hashApiKey(presented))
      .executeTakeFirst();
    if (!row || row.revoked_at !== null) throw new UnauthorizedError('The API key is not valid or was revoked');
    return { workspaceId: row.workspace_id, keyId: row.id, userId: row.created_by, name: row.name, role: row.role as ApiKeyRole };
  }

  /**
   * Creates a key in a workspace. `chosenKey` lets an operator set the key's value (EVALSTORE_ADMIN_KEY);
   * otherwise a random one is made. `createdBy` is the user making it: the key then says who.
   */
  async create(
    workspaceId: string,
    input: { name: string; role: ApiKeyRole; chosenKey?: string; createdBy?: string | null },
    options: TransactionOptions = {},
  ): Promise<CreatedApiKey> {
    if (input.chosenKey !== undefined && input.chosenKey.length < MIN_CHOSEN_KEY_LENGTH) {
      throw ValidationError.field('/key', `must be at least ${MIN_CHOSEN_KEY_LENGTH} characters long`);
    }
    const key = input.chosenKey ?? generateApiKey();
    const row: ApiKeyTable = {
      id: newId(),
      workspace_id: workspaceId,
      name: input.name,
      role: input.role,
      key_hash: hashApiKey(key),
      key_preview: apiKeyPreview(key),
      created_at: nowIso(),
      revoked_at: null,
      created_by: input.createdBy ?? null,
    };
    await withTransaction(this.store, options, (tx) => tx.insertInto('api_keys').values(row).execute());
    return { apiKey: presentApiKey(row), key };
  }

  async list(workspaceId: string, query: { cursor?: string; limit?: number } = {}): Promise<Page<ApiKey>> {
    const limit = pageSize(query.limit);
    const after = decodeCursor(query.cursor, 'id');
    let select = this.store.db.selectFrom('api_keys').selectAll().where('workspace_id', '=', workspaceId);
    if (after) select = select.where('id', '>', String(after[0]));
    const rows = await select
      .orderBy('id')
      .limit(limit + 1)
      .execute();
    return toPage(rows, limit, presentApiKey, (row) => [row.id]);
  }

  async get(workspaceId: string, id: string): Promise<ApiKey> {
    return presentApiKey(await this.findRow(workspaceId, id));
  }

  /** Revoking is permanent and takes effect on the next request, in every server process. */
  async revoke(actor: Actor | { workspaceId: string }, id: string): Promise<ApiKey> {
    const row = await this.findRow(actor.workspaceId, id);
    if (row.revoked_at === null) {
      row.revoked_at = nowIso();
      const revokedAt = row.revoked_at;
      await this.store.transaction((tx) => tx.updateTable('api_keys').set({ revoked_at: revokedAt }).where('id', '=', row.id).execute());
    }
    return presentApiKey(row);
  }

  private findRow(workspaceId: string, id: string): Promise<ApiKeyTable> {
    return findOwnedRow(this.store, this.store.db, 'api_keys', { workspaceId }, id);
  }
}

function presentApiKey(row: ApiKeyTable): ApiKey {
  return {
    id: row.id,
    workspace_id: row.workspace_id,
    name: row.name,
    role: row.role as ApiKeyRole,
    preview: row.key_preview,
    created_at: row.created_at,
    revoked_at: row.revoked_at,
    created_by: row.created_by,
  };
}
