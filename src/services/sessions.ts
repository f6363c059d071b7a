import type { ApiKeyRole } from '../domain/api-keys.js';
import { ForbiddenError, NotFoundError, UnauthorizedError } from '../domain/errors.js';
import { newId, parseId } from '../domain/ids.js';
import { nowIso } from '../domain/time.js';
import type { Actor } from '../domain/types.js';
import { csrfTokenOf, generateSessionToken, hashToken, SESSION_ABSOLUTE_MS, SESSION_IDLE_MS } from '../domain/users.js';
import type { Store } from '../store/database.js';
import type { SessionTable } from '../store/schema.js';
import { withTransaction, type TransactionOptions } from './transaction.js';

/** How long sessions live: idle (since last used) and absolute (since made). */
export interface SessionLifetimes {
  idleMs: number;
  absoluteMs: number;
}

/** A session as its user sees it in their list; its token is never shown again. */
export interface SessionInfo {
  id: string;
  method: string;
  user_agent: string | null;
  ip: string | null;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
}

export interface CreatedSession {
  session: SessionInfo;
  /** The cookie's value: given once, only its hash is stored. */
  token: string;
  csrfToken: string;
}

/** Who a valid session cookie stands for. */
export interface SignedIn {
  sessionId: string;
  userId: string;
  displayName: string;
  email: string;
  expiresAt: string;
}

/** Refreshing last_seen_at on every request would write on every read: once a minute is enough for idle expiry. */
const TOUCH_EVERY_MS = 60_000;

const DEFAULT_LIFETIMES: SessionLifetimes = { idleMs: SESSION_IDLE_MS, absoluteMs: SESSION_ABSOLUTE_MS };

/**
 * Sign-in sessions, independent of how the user proved who they are (`method`: `password` today; an
 * OpenID Connect sign-in would call `create` the same way once it has found its user).
 */
export class SessionService {
  constructor(
    private readonly store: Store,
    private readonly lifetimes: SessionLifetimes = DEFAULT_LIFETIMES,
  ) {}

  async create(userId: string, input: { method: string; userAgent?: string; ip?: string }, options: TransactionOptions = {}): Promise<CreatedSession> {
    const token = generateSessionToken();
    const now = new Date();
    const row: SessionTable = {
      id: newId(),
      user_id: userId,
      token_hash: hashToken(token),
      method: input.method,
      user_agent: input.userAgent?.slice(0, 500) ?? null,
      ip: input.ip ?? null,
      created_at: now.toISOString(),
      last_seen_at: now.toISOString(),
      expires_at: new Date(now.getTime() + this.lifetimes.absoluteMs).toISOString(),
      revoked_at: null,
    };
    await withTransaction(this.store, options, (tx) => tx.insertInto('sessions').values(row).execute());
    return { session: presentSession(row, this.lifetimes), token, csrfToken: csrfTokenOf(token) };
  }

  /** The user of a session cookie; expired, revoked and unknown sessions are refused alike. */
  async authenticate(token: string): Promise<SignedIn> {
    const row = await this.store.db
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.user_id')
      .select(['sessions.id', 'sessions.user_id', 'sessions.last_seen_at', 'sessions.expires_at', 'sessions.revoked_at', 'users.display_name', 'users.email'])
      .where('sessions.token_hash', '=', hashToken(token))
      .executeTakeFirst();
    const now = Date.now();
    if (!row || row.revoked_at !== null || !this.isLive(row, now)) throw new UnauthorizedError('The session has expired or was revoked; sign in again');
    if (now - Date.parse(row.last_seen_at) > TOUCH_EVERY_MS) {
      await this.store.db
        .updateTable('sessions')
        .set({ last_seen_at: new Date(now).toISOString() })
        .where('id', '=', row.id)
        .execute();
    }
    return { sessionId: row.id, userId: row.user_id, displayName: row.display_name, email: row.email, expiresAt: row.expires_at };
  }

  /**
   * The actor of a signed-in user in a workspace: the one asked for (`x-evalstore-workspace`), else
   * the first the user joined. Not being a member answers 403 (a user with no workspace can still
   * reach their own account's routes).
   */
  async actorFor(signedIn: SignedIn, workspaceId?: string): Promise<Actor> {
    let select = this.store.db
      .selectFrom('memberships')
      .select(['workspace_id', 'role'])
      .where('user_id', '=', signedIn.userId)
      .orderBy('created_at')
      .orderBy('workspace_id')
      .limit(1);
    if (workspaceId !== undefined) {
      const id = parseId(workspaceId);
      if (!id) throw new NotFoundError('Workspace', workspaceId);
      select = select.where('workspace_id', '=', id);
    }
    const membership = await select.executeTakeFirst();
    if (!membership) {
      if (workspaceId !== undefined) throw new NotFoundError('Workspace', workspaceId);
      throw new ForbiddenError('You are not a member of any workspace; ask an admin to invite you');
    }
    return {
      workspaceId: membership.workspace_id,
      keyId: null,
      userId: signedIn.userId,
      sessionId: signedIn.sessionId,
      name: signedIn.displayName,
      role: membership.role as ApiKeyRole,
    };
  }

  /** The user's live sessions, newest first. */
  async list(userId: string): Promise<SessionInfo[]> {
    const rows = await this.store.db
      .selectFrom('sessions')
      .selectAll()
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .execute();
    const now = Date.now();
    return rows.filter((row) => this.isLive(row, now)).map((row) => presentSession(row, this.lifetimes));
  }

  /** Revokes one of the user's own sessions; another user's answers 404. Takes effect on the next request. */
  async revoke(userId: string, sessionId: string): Promise<void> {
    const id = parseId(sessionId);
    const result = id
      ? await this.store.db
          .updateTable('sessions')
          .set({ revoked_at: nowIso() })
          .where('id', '=', id)
          .where('user_id', '=', userId)
          .where('revoked_at', 'is', null)
          .executeTakeFirst()
      : undefined;
    if (!result || result.numUpdatedRows === 0n) throw new NotFoundError('Session', sessionId);
  }

  /** Revokes every session of a user (an admin's revocation, a password reset); answers how many. */
  async revokeAllOf(userId: string, options: TransactionOptions = {}): Promise<number> {
    const result = await withTransaction(this.store, options, (tx) =>
      tx.updateTable('sessions').set({ revoked_at: nowIso() }).where('user_id', '=', userId).where('revoked_at', 'is', null).executeTakeFirst(),
    );
    return Number(result.numUpdatedRows);
  }

  private isLive(row: Pick<SessionTable, 'last_seen_at' | 'expires_at'>, now: number): boolean {
    return Date.parse(row.expires_at) > now && Date.parse(row.last_seen_at) + this.lifetimes.idleMs > now;
  }
}

function presentSession(row: SessionTable, lifetimes: SessionLifetimes): SessionInfo {
  const idleEnd = Date.parse(row.last_seen_at) + lifetimes.idleMs;
  return {
    id: row.id,
    method: row.method,
    user_agent: row.user_agent,
    ip: row.ip,
    created_at: row.created_at,
    last_seen_at: row.last_seen_at,
    expires_at: new Date(Math.min(idleEnd, Date.parse(row.expires_at))).toISOString(),
  };
}
