import type { Kysely } from 'kysely';
import { columnTypes, type DialectName } from '../dialect.js';

/**
 * People: user accounts, their membership of workspaces with a role, their sign-in sessions, the
 * one-time tokens of invitations and password resets, and the failed sign-ins that rate-limit
 * guessing. API keys gain the user who made them.
 */
export function users(dialect: DialectName) {
  const t = columnTypes(dialect);
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('users')
        .addColumn('id', t.id, (c) => c.primaryKey())
        // Lower-cased on the way in, so that one address is one account.
        .addColumn('email', 'text', (c) => c.notNull().unique())
        .addColumn('display_name', 'text', (c) => c.notNull())
        // An argon2id PHC string; null for a user who signs in another way (OpenID Connect, later).
        .addColumn('password_hash', 'text')
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .addColumn('updated_at', t.timestamp, (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('memberships')
        .addColumn('workspace_id', t.id, (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
        .addColumn('user_id', t.id, (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .addPrimaryKeyConstraint('memberships_pk', ['workspace_id', 'user_id'])
        .execute();
      await db.schema.createIndex('memberships_user').on('memberships').columns(['user_id']).execute();

      await db.schema
        .createTable('sessions')
        .addColumn('id', t.id, (c) => c.primaryKey())
        .addColumn('user_id', t.id, (c) => c.notNull().references('users.id').onDelete('cascade'))
        // The cookie's token is random: a keyed hash is enough to store it (as API keys).
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        // How the user proved who they are: `password` today, `oidc` later.
        .addColumn('method', 'text', (c) => c.notNull())
        .addColumn('user_agent', 'text')
        .addColumn('ip', 'text')
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .addColumn('last_seen_at', t.timestamp, (c) => c.notNull())
        .addColumn('expires_at', t.timestamp, (c) => c.notNull())
        .addColumn('revoked_at', t.timestamp)
        .execute();
      await db.schema.createIndex('sessions_user').on('sessions').columns(['user_id', 'created_at']).execute();

      await db.schema
        .createTable('user_tokens')
        .addColumn('id', t.id, (c) => c.primaryKey())
        // `invitation` (to a workspace, with a role) or `reset` (of a user's password).
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('workspace_id', t.id, (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
        // The invited address; null for the setup link of a first start, which takes any.
        .addColumn('email', 'text')
        .addColumn('role', 'text')
        .addColumn('user_id', t.id, (c) => c.references('users.id').onDelete('cascade'))
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .addColumn('expires_at', t.timestamp, (c) => c.notNull())
        .addColumn('used_at', t.timestamp)
        .execute();
      await db.schema.createIndex('user_tokens_workspace').on('user_tokens').columns(['workspace_id', 'kind', 'created_at']).execute();

      await db.schema
        .createTable('sign_in_failures')
        .addColumn('id', t.id, (c) => c.primaryKey())
        .addColumn('email', 'text', (c) => c.notNull())
        .addColumn('ip', 'text', (c) => c.notNull())
        .addColumn('at', t.timestamp, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('sign_in_failures_email').on('sign_in_failures').columns(['email', 'at']).execute();
      await db.schema.createIndex('sign_in_failures_ip').on('sign_in_failures').columns(['ip', 'at']).execute();

      await db.schema
        .alterTable('api_keys')
        .addColumn('created_by', t.id, (c) => c.references('users.id').onDelete('set null'))
        .execute();
    },
  };
}
