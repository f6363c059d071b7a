import { hash, verify } from '@node-rs/argon2';
import type { ApiKeyRole } from '../domain/api-keys.js';
import { ConflictError, ForbiddenError, NotFoundError, TooManyRequestsError, UnauthorizedError, ValidationError } from '../domain/errors.js';
import { newId, parseId } from '../domain/ids.js';
import { nowIso } from '../domain/time.js';
import type { Actor } from '../domain/types.js';
import {
  checkPassword,
  generateOneTimeToken,
  hashToken,
  INVITATION_TTL_MS,
  normalizeEmail,
  RESET_TTL_MS,
  SIGN_IN_FAILURES_PER_EMAIL,
  SIGN_IN_FAILURES_PER_IP,
  SIGN_IN_WINDOW_MS,
} from '../domain/users.js';
import type { Kysely } from 'kysely';
import type { Store, Transaction } from '../store/database.js';
import type { Database, UserTable, UserTokenTable } from '../store/schema.js';
import type { CreatedSession, SessionService } from './sessions.js';
import { writeUnique } from './unique.js';

export interface User {
  id: string;
  email: string;
  display_name: string;
  created_at: string;
}

/** A user as a member of a workspace. */
export interface Member extends User {
  role: ApiKeyRole;
  joined_at: string;
}

export interface Invitation {
  id: string;
  workspace_id: string;
  email: string | null;
  role: ApiKeyRole;
  created_by: string;
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

export interface CreatedInvitation {
  invitation: Invitation;
  /** The one-time token of the link: shown to the admin this once, only its hash is stored. */
  token: string;
}

export interface PasswordReset {
  user_id: string;
  expires_at: string;
  token: string;
}

export interface SignedInUser {
  user: User;
  session: CreatedSession;
}

/** Where a sign-in comes from: its address counts toward the per-address limit. */
export interface ClientInfo {
  ip: string;
  userAgent?: string;
}

/** What a first start makes of EVALSTORE_ADMIN_EMAIL/PASSWORD: the first admin, or a setup link's token. */
export type AdminBootstrap = { user: User } | { setupToken: string } | null;

const WRONG_CREDENTIALS = 'The email or the password is wrong';

/**
 * People: accounts (argon2id password hashes), sign-in by password with its rate limit, membership of
 * workspaces with a role, invitations and password resets by one-time tokens.
 */
export class UserService {
  /** A hash to verify against when the email is unknown, so that the answer takes as long either way. */
  private decoy: Promise<string> | undefined;

  constructor(
    private readonly store: Store,
    private readonly sessions: SessionService,
  ) {}

  /**
   * Signs in by email and password. Failed attempts are kept in the database (not in memory), so the
   * limits hold across every server process sharing it: past SIGN_IN_FAILURES_PER_EMAIL failures for an
   * address, or SIGN_IN_FAILURES_PER_IP from one client address, within SIGN_IN_WINDOW_MS, sign-in
   * answers 429 until they age out. A wrong password and an unknown email answer the same 401.
   */
  async signIn(input: { email: string; password: string }, client: ClientInfo): Promise<SignedInUser> {
    const email = input.email.trim().toLowerCase();
    await this.checkRate(email, client.ip);
    const row = await this.store.db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
    const ok = await this.passwordMatches(row?.password_hash ?? null, input.password);
    if (!row || !ok) {
      await this.recordFailure(email, client.ip);
      throw new UnauthorizedError(WRONG_CREDENTIALS);
    }
    return this.store.transaction(async (tx) => {
      await tx.deleteFrom('sign_in_failures').where('email', '=', email).execute();
      // The user's sessions past their absolute end are of no use to anyone: swept as they sign in.
      await tx.deleteFrom('sessions').where('user_id', '=', row.id).where('expires_at', '<', nowIso()).execute();
      const session = await this.sessions.create(row.id, { method: 'password', userAgent: client.userAgent, ip: client.ip }, { transaction: tx });
      return { user: presentUser(row), session };
    });
  }

  async get(userId: string): Promise<User> {
    const row = await this.store.db.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirst();
    if (!row) throw new NotFoundError('User', userId);
    return presentUser(row);
  }

  /** The workspaces a user is a member of, with their role in each, in the order joined. */
  async workspacesOf(userId: string): Promise<{ id: string; name: string; role: ApiKeyRole }[]> {
    const rows = await this.store.db
      .selectFrom('memberships')
      .innerJoin('workspaces', 'workspaces.id', 'memberships.workspace_id')
      .select(['workspaces.id', 'workspaces.name', 'memberships.role'])
      .where('memberships.user_id', '=', userId)
      .orderBy('memberships.created_at')
      .orderBy('workspaces.id')
      .execute();
    return rows.map((row) => ({ id: row.id, name: row.name, role: row.role as ApiKeyRole }));
  }

  async listMembers(actor: Actor): Promise<Member[]> {
    const rows = await this.store.db
      .selectFrom('memberships')
      .innerJoin('users', 'users.id', 'memberships.user_id')
      .selectAll('users')
      .select(['memberships.role', 'memberships.created_at as joined_at'])
      .where('memberships.workspace_id', '=', actor.workspaceId)
      .orderBy('users.email')
      .execute();
    return rows.map((row) => ({ ...presentUser(row), role: row.role as ApiKeyRole, joined_at: row.joined_at }));
  }

  async updateRole(actor: Actor, userId: string, role: ApiKeyRole): Promise<Member> {
    return this.store.transaction(async (tx) => {
      const member = await this.findMember(tx, actor, userId);
      if (member.role === 'admin' && role !== 'admin') await this.keepAnAdmin(tx, actor);
      await tx.updateTable('memberships').set({ role }).where('workspace_id', '=', actor.workspaceId).where('user_id', '=', member.id).execute();
      return { ...member, role };
    });
  }

  /** Removes a user from the workspace (their account stays, and their other workspaces). */
  async removeMember(actor: Actor, userId: string): Promise<void> {
    await this.store.transaction(async (tx) => {
      const member = await this.findMember(tx, actor, userId);
      if (member.role === 'admin') await this.keepAnAdmin(tx, actor);
      await tx.deleteFrom('memberships').where('workspace_id', '=', actor.workspaceId).where('user_id', '=', member.id).execute();
    });
  }

  /** An admin signs a member out everywhere. */
  async revokeSessionsOf(actor: Actor, userId: string): Promise<number> {
    return this.store.transaction(async (tx) => {
      const member = await this.findMember(tx, actor, userId);
      return this.sessions.revokeAllOf(member.id, { transaction: tx });
    });
  }

  async invite(actor: Actor, input: { email: string; role: ApiKeyRole }): Promise<CreatedInvitation> {
    const email = normalizeEmail(input.email);
    return this.store.transaction(async (tx) => {
      const member = await tx
        .selectFrom('memberships')
        .innerJoin('users', 'users.id', 'memberships.user_id')
        .select('users.id')
        .where('memberships.workspace_id', '=', actor.workspaceId)
        .where('users.email', '=', email)
        .executeTakeFirst();
      if (member) throw new ConflictError(`${email} is already a member of this workspace`, [{ pointer: '/email', detail: 'is already a member' }]);
      return this.makeInvitation(tx, actor.workspaceId, { email, role: input.role, createdBy: actor.name });
    });
  }

  async listInvitations(actor: Actor): Promise<Invitation[]> {
    const rows = await this.store.db
      .selectFrom('user_tokens')
      .selectAll()
      .where('workspace_id', '=', actor.workspaceId)
      .where('kind', '=', 'invitation')
      .where('used_at', 'is', null)
      .where('expires_at', '>', nowIso())
      .orderBy('created_at', 'desc')
      .execute();
    return rows.map(presentInvitation);
  }

  /**
   * Accepts an invitation: makes the account (or, for an address that has one, checks its password)
   * and the membership, and signs the user in, in one transaction. A used, expired or unknown token is
   * refused alike.
   */
  async acceptInvitation(token: string, input: { display_name: string; password: string; email?: string }, client: ClientInfo): Promise<SignedInUser> {
    checkPassword(input.password);
    let failed: string | undefined;
    try {
      return await this.store.transaction((tx) => this.accept(tx, token, input, client, (email) => (failed = email)));
    } catch (error) {
      // Kept outside the transaction that rolled back.
      if (failed !== undefined) await this.recordFailure(failed, client.ip);
      throw error;
    }
  }

  private async accept(
    tx: Transaction,
    token: string,
    input: { display_name: string; password: string; email?: string },
    client: ClientInfo,
    fail: (email: string) => void,
  ): Promise<SignedInUser> {
    const invitation = await this.takeToken(tx, token, 'invitation');
    if (invitation.email === null && input.email === undefined) throw ValidationError.field('/email', 'is required by this invitation');
    const email = invitation.email ?? normalizeEmail(input.email ?? '');
    if (invitation.email !== null && input.email !== undefined && normalizeEmail(input.email) !== invitation.email) {
      throw ValidationError.field('/email', 'is not the address this invitation was made for');
    }
    let user = await tx.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
    if (user) {
      // A password check like sign-in's, under the same limits.
      await this.checkRate(email, client.ip, tx);
      if (!(await this.passwordMatches(user.password_hash, input.password))) {
        fail(email);
        throw new UnauthorizedError('This address has an account: give its password to accept the invitation');
      }
    } else {
      user = await this.createUser(tx, { email, display_name: input.display_name, password: input.password });
    }
    await writeUnique(
      () =>
        tx
          .insertInto('memberships')
          .values({ workspace_id: invitation.workspace_id, user_id: user.id, role: invitation.role ?? 'read', created_at: nowIso() })
          .execute(),
      () => new ConflictError('You are already a member of this workspace'),
    );
    const session = await this.sessions.create(user.id, { method: 'password', userAgent: client.userAgent, ip: client.ip }, { transaction: tx });
    return { user: presentUser(user), session };
  }

  /** An admin makes a one-time password reset for a member (no mail: the admin hands the link over). */
  async createPasswordReset(actor: Actor, userId: string): Promise<PasswordReset> {
    return this.store.transaction(async (tx) => {
      const member = await this.findMember(tx, actor, userId);
      await this.checkAdminOfAll(tx, actor, member);
      const token = generateOneTimeToken();
      const row = tokenRow('reset', token, actor.workspaceId, { userId: member.id, createdBy: actor.name, ttlMs: RESET_TTL_MS });
      await tx.insertInto('user_tokens').values(row).execute();
      return { user_id: member.id, expires_at: row.expires_at, token };
    });
  }

  /** Sets a new password from a reset token, and signs the user out everywhere. */
  async acceptPasswordReset(token: string, password: string): Promise<User> {
    checkPassword(password);
    const passwordHash = await hash(password);
    return this.store.transaction(async (tx) => {
      const reset = await this.takeToken(tx, token, 'reset');
      const userId = reset.user_id ?? '';
      await tx.updateTable('users').set({ password_hash: passwordHash, updated_at: nowIso() }).where('id', '=', userId).execute();
      await this.sessions.revokeAllOf(userId, { transaction: tx });
      return this.getIn(tx, userId);
    });
  }

  /**
   * First start of people: when no user exists, makes the first admin of the first workspace from
   * EVALSTORE_ADMIN_EMAIL/PASSWORD, or (without them) a one-time setup invitation whose link the server
   * prints. Answers null when users exist. Safe when several servers start at once.
   */
  async bootstrapAdmin(input: { email?: string; password?: string }): Promise<AdminBootstrap> {
    if (input.email !== undefined) normalizeEmail(input.email, 'EVALSTORE_ADMIN_EMAIL');
    if (input.password !== undefined) checkPassword(input.password, 'EVALSTORE_ADMIN_PASSWORD');
    return this.store.transaction(async (tx) => {
      await this.store.sql.transactionLock(BOOTSTRAP_USERS_LOCK).execute(tx);
      if (await tx.selectFrom('users').select('id').limit(1).executeTakeFirst()) return null;
      const workspace = await tx.selectFrom('workspaces').select('id').orderBy('created_at').orderBy('id').limit(1).executeTakeFirst();
      if (!workspace) return null;
      if (input.email !== undefined && input.password !== undefined) {
        const email = normalizeEmail(input.email);
        const user = await this.createUser(tx, { email, display_name: email.split('@')[0] ?? email, password: input.password });
        await tx.insertInto('memberships').values({ workspace_id: workspace.id, user_id: user.id, role: 'admin', created_at: nowIso() }).execute();
        return { user: presentUser(user) };
      }
      const { token } = await this.makeInvitation(tx, workspace.id, { email: null, role: 'admin', createdBy: 'first start' });
      return { setupToken: token };
    });
  }

  private async recordFailure(email: string, ip: string): Promise<void> {
    await this.store.transaction(async (tx) => {
      await tx.deleteFrom('sign_in_failures').where('at', '<', windowStart()).execute();
      await tx.insertInto('sign_in_failures').values({ id: newId(), email, ip, at: nowIso() }).execute();
    });
  }

  private async checkRate(email: string, ip: string, db: Kysely<Database> = this.store.db): Promise<void> {
    const since = windowStart();
    const count = async (column: 'email' | 'ip', value: string) => {
      const row = await db
        .selectFrom('sign_in_failures')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where(column, '=', value)
        .where('at', '>=', since)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    };
    if ((await count('email', email)) >= SIGN_IN_FAILURES_PER_EMAIL || (await count('ip', ip)) >= SIGN_IN_FAILURES_PER_IP) {
      throw new TooManyRequestsError('Too many failed sign-ins; try again in a few minutes');
    }
  }

  private async passwordMatches(passwordHash: string | null, password: string): Promise<boolean> {
    if (passwordHash === null) {
      this.decoy ??= hash('not a password of anyone');
      await verify(await this.decoy, password).catch(() => false);
      return false;
    }
    return verify(passwordHash, password).catch(() => false);
  }

  private async createUser(tx: Transaction, input: { email: string; display_name: string; password: string }): Promise<UserTable> {
    checkPassword(input.password);
    const now = nowIso();
    const row: UserTable = {
      id: newId(),
      email: input.email,
      display_name: input.display_name.trim() || input.email,
      password_hash: await hash(input.password),
      created_at: now,
      updated_at: now,
    };
    await writeUnique(
      () => tx.insertInto('users').values(row).execute(),
      () => new ConflictError(`An account for ${input.email} already exists`, [{ pointer: '/email', detail: 'is already taken' }]),
    );
    return row;
  }

  private async makeInvitation(
    tx: Transaction,
    workspaceId: string,
    input: { email: string | null; role: ApiKeyRole; createdBy: string },
  ): Promise<CreatedInvitation> {
    const token = generateOneTimeToken();
    const row = tokenRow('invitation', token, workspaceId, { email: input.email, role: input.role, createdBy: input.createdBy, ttlMs: INVITATION_TTL_MS });
    await tx.insertInto('user_tokens').values(row).execute();
    return { invitation: presentInvitation(row), token };
  }

  /** Finds a live one-time token of its kind and marks it used; the caller's transaction makes it once only. */
  private async takeToken(tx: Transaction, token: string, kind: 'invitation' | 'reset'): Promise<UserTokenTable> {
    const now = nowIso();
    const row = await tx.selectFrom('user_tokens').selectAll().where('token_hash', '=', hashToken(token)).where('kind', '=', kind).executeTakeFirst();
    const what = kind === 'invitation' ? 'invitation' : 'password reset';
    if (!row || row.used_at !== null || row.expires_at <= now) {
      throw new ValidationError(`The ${what} is not valid: it was used, has expired, or never existed`, [
        { pointer: '/token', detail: 'is not a valid token' },
      ]);
    }
    // Conditional on still being unused: of two concurrent accepts, one updates the row, the other none.
    const taken = await tx.updateTable('user_tokens').set({ used_at: now }).where('id', '=', row.id).where('used_at', 'is', null).executeTakeFirst();
    if (taken.numUpdatedRows === 0n) throw new ValidationError(`The ${what} was used`, [{ pointer: '/token', detail: 'was used' }]);
    return row;
  }

  private async findMember(tx: Transaction, actor: Actor, userId: string): Promise<Member> {
    const id = parseId(userId);
    const row = id
      ? await tx
          .selectFrom('memberships')
          .innerJoin('users', 'users.id', 'memberships.user_id')
          .selectAll('users')
          .select(['memberships.role', 'memberships.created_at as joined_at'])
          .where('memberships.workspace_id', '=', actor.workspaceId)
          .where('users.id', '=', id)
          .executeTakeFirst()
      : undefined;
    if (!row) throw new NotFoundError('User', userId);
    return { ...presentUser(row), role: row.role as ApiKeyRole, joined_at: row.joined_at };
  }

  /**
   * A password opens every workspace of its user, so only who is admin of all of them may reset it: a
   * signed-in admin of each, or (a key, which is of one workspace) when the user is in this one only.
   */
  private async checkAdminOfAll(tx: Transaction, actor: Actor, member: Member): Promise<void> {
    const others = await tx
      .selectFrom('memberships')
      .select('workspace_id')
      .where('user_id', '=', member.id)
      .where('workspace_id', '<>', actor.workspaceId)
      .execute();
    if (others.length === 0) return;
    const adminOf = actor.userId
      ? await tx
          .selectFrom('memberships')
          .select('workspace_id')
          .where('user_id', '=', actor.userId)
          .where('role', '=', 'admin')
          .where(
            'workspace_id',
            'in',
            others.map((other) => other.workspace_id),
          )
          .execute()
      : [];
    if (adminOf.length < others.length) {
      throw new ForbiddenError(`${member.email} is also a member of other workspaces: only an admin of all of them may reset their password`);
    }
  }

  /** A workspace keeps at least one admin member once it has members. */
  private async keepAnAdmin(tx: Transaction, actor: Actor): Promise<void> {
    const admins = await tx
      .selectFrom('memberships')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('workspace_id', '=', actor.workspaceId)
      .where('role', '=', 'admin')
      .executeTakeFirstOrThrow();
    if (Number(admins.n) <= 1)
      throw new ConflictError('The workspace would have no admin left', [{ pointer: '/role', detail: 'the last admin must stay admin' }]);
  }

  private async getIn(tx: Transaction, userId: string): Promise<User> {
    const row = await tx.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirst();
    if (!row) throw new NotFoundError('User', userId);
    return presentUser(row);
  }
}

const BOOTSTRAP_USERS_LOCK = 0x65767375; // "evsu"

function windowStart(): string {
  return new Date(Date.now() - SIGN_IN_WINDOW_MS).toISOString();
}

function tokenRow(
  kind: 'invitation' | 'reset',
  token: string,
  workspaceId: string,
  input: { email?: string | null; role?: ApiKeyRole; userId?: string; createdBy: string; ttlMs: number },
): UserTokenTable {
  const now = new Date();
  return {
    id: newId(),
    kind,
    token_hash: hashToken(token),
    workspace_id: workspaceId,
    email: input.email ?? null,
    role: input.role ?? null,
    user_id: input.userId ?? null,
    created_by: input.createdBy,
    created_at: now.toISOString(),
    expires_at: new Date(now.getTime() + input.ttlMs).toISOString(),
    used_at: null,
  };
}

function presentUser(row: Pick<UserTable, 'id' | 'email' | 'display_name' | 'created_at'>): User {
  return { id: row.id, email: row.email, display_name: row.display_name, created_at: row.created_at };
}

function presentInvitation(row: UserTokenTable): Invitation {
  return {
    id: row.id,
    workspace_id: row.workspace_id,
    email: row.email,
    role: (row.role ?? 'read') as ApiKeyRole,
    created_by: row.created_by,
    created_at: row.created_at,
    expires_at: row.expires_at,
    used_at: row.used_at,
  };
}
