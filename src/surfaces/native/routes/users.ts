import type { FastifyReply, FastifyRequest } from 'fastify';
import { csrfTokenOf } from '../../../domain/users.js';
import type { SurfaceApp } from '../../../http/app.js';
import { clearSessionCookie, setSessionCookie } from '../../../http/cookies.js';
import type { Services } from '../../../services/index.js';
import type { SignedInUser } from '../../../services/users.js';
import { presentDeletion } from '../present.js';
import { Errors, NoContent } from '../schemas/common.js';
import {
  InvitationAccept,
  Invitation,
  InvitationCreate,
  InvitationCreated,
  List,
  Me,
  Member,
  MemberUpdate,
  PasswordResetAccept,
  PasswordResetCreated,
  Revoked,
  Session,
  SessionParams,
  SignIn,
  SignInErrors,
  User,
  UserParams,
} from '../schemas/users.js';

const authTags = ['Sign-in and sessions'];
const peopleTags = ['People'];

/** The web UI's pages that take a one-time token; it rides in the fragment, which browsers never send to a server or its logs. */
export const INVITATION_PATH = '/accept-invitation';
export const PASSWORD_RESET_PATH = '/reset-password';
const linkPath = (page: string, token: string) => `${page}#token=${encodeURIComponent(token)}`;

export function userRoutes(app: SurfaceApp, services: Services): void {
  const client = (request: FastifyRequest) => ({ ip: request.ip, userAgent: request.headers['user-agent'] });
  const me = async (userId: string, session: { id: string; expires_at: string }, token: string) => ({
    user: await services.users.get(userId),
    workspaces: await services.users.workspacesOf(userId),
    csrf_token: csrfTokenOf(token),
    session,
  });
  const signedInAnswer = async (request: FastifyRequest, reply: FastifyReply, signedIn: SignedInUser) => {
    const { session, token } = signedIn.session;
    setSessionCookie(request, reply, token, session.expires_at);
    return me(signedIn.user.id, { id: session.id, expires_at: session.expires_at }, token);
  };

  app.post('/auth/sign-in', {
    config: { access: 'public' },
    schema: {
      summary: 'Sign in with email and password',
      description:
        'Sets the session cookie (HttpOnly, SameSite=Lax, Secure over HTTPS) and answers the user, their workspaces and the CSRF token that requests made with the cookie must send as `x-csrf-token` (all but GET). A wrong password and an unknown email answer the same 401. Failed attempts are limited per email and per client address (429).',
      tags: authTags,
      security: [],
      body: SignIn,
      response: { 200: Me, ...SignInErrors },
    },
    handler: async (request, reply) => signedInAnswer(request, reply, await services.users.signIn(request.body, client(request))),
  });

  app.post('/auth/sign-out', {
    config: { access: 'signed-in' },
    schema: { summary: 'Sign out: revoke this session and clear its cookie', tags: authTags, response: NoContent },
    handler: async (request, reply) => {
      clearSessionCookie(request, reply);
      return presentDeletion(reply, services.sessions.revoke(request.signedIn!.userId, request.signedIn!.sessionId));
    },
  });

  app.get('/auth/me', {
    config: { access: 'signed-in' },
    schema: { summary: 'The signed-in user, their workspaces and roles, and the CSRF token', tags: authTags, response: { 200: Me, ...Errors } },
    handler: (request) => {
      const signedIn = request.signedIn!;
      return me(signedIn.userId, { id: signedIn.sessionId, expires_at: signedIn.expiresAt }, request.sessionToken!);
    },
  });

  app.get('/auth/sessions', {
    config: { access: 'signed-in' },
    schema: { summary: "The signed-in user's live sessions", tags: authTags, response: { 200: List(Session), ...Errors } },
    handler: async (request) => {
      const sessions = await services.sessions.list(request.signedIn!.userId);
      return { data: sessions.map((session) => ({ ...session, current: session.id === request.signedIn!.sessionId })) };
    },
  });

  app.delete('/auth/sessions/:session_id', {
    config: { access: 'signed-in' },
    schema: {
      summary: 'Revoke one of your sessions',
      description: 'It is refused from its next request on.',
      tags: authTags,
      params: SessionParams,
      response: NoContent,
    },
    handler: (request, reply) => presentDeletion(reply, services.sessions.revoke(request.signedIn!.userId, request.params.session_id)),
  });

  app.post('/auth/invitations/accept', {
    config: { access: 'public' },
    schema: {
      summary: 'Accept an invitation: make the account (or join with an existing one) and sign in',
      description: 'The token is good once, until it expires. An address that has an account must give its password (limited as sign-in is: 429).',
      tags: authTags,
      security: [],
      body: InvitationAccept,
      response: { 201: Me, ...SignInErrors },
    },
    handler: async (request, reply) => {
      const { token, ...input } = request.body;
      const answer = await signedInAnswer(request, reply, await services.users.acceptInvitation(token, input, client(request)));
      return reply.status(201).send(answer);
    },
  });

  app.post('/auth/password-resets/accept', {
    config: { access: 'public' },
    schema: {
      summary: 'Set a new password from a reset token',
      description: 'The token is good once, until it expires. Every session of the user is revoked.',
      tags: authTags,
      security: [],
      body: PasswordResetAccept,
      response: { 200: User, ...Errors },
    },
    handler: (request) => services.users.acceptPasswordReset(request.body.token, request.body.password),
  });

  app.get('/users', {
    config: { access: 'admin' },
    schema: { summary: 'The members of the workspace, with their roles', tags: peopleTags, response: { 200: List(Member), ...Errors } },
    handler: async (request) => ({ data: await services.users.listMembers(request.actor) }),
  });

  app.patch('/users/:user_id', {
    config: { access: 'admin' },
    schema: { summary: "Change a member's role", tags: peopleTags, params: UserParams, body: MemberUpdate, response: { 200: Member, ...Errors } },
    handler: (request) => services.users.updateRole(request.actor, request.params.user_id, request.body.role),
  });

  app.delete('/users/:user_id', {
    config: { access: 'admin' },
    schema: {
      summary: 'Remove a member from the workspace',
      description: 'The account stays, with its other workspaces.',
      tags: peopleTags,
      params: UserParams,
      response: NoContent,
    },
    handler: (request, reply) => presentDeletion(reply, services.users.removeMember(request.actor, request.params.user_id)),
  });

  app.delete('/users/:user_id/sessions', {
    config: { access: 'admin' },
    schema: {
      summary: 'Revoke every session of a member (sign them out everywhere)',
      tags: peopleTags,
      params: UserParams,
      response: { 200: Revoked, ...Errors },
    },
    handler: async (request) => ({ revoked: await services.users.revokeSessionsOf(request.actor, request.params.user_id) }),
  });

  app.post('/users/:user_id/password-resets', {
    config: { access: 'admin' },
    schema: {
      summary: 'Make a one-time password reset link for a member',
      description: 'There is no mail: hand the link over. The token is in the response this once.',
      tags: peopleTags,
      params: UserParams,
      response: { 201: PasswordResetCreated, ...Errors },
    },
    handler: async (request, reply) => {
      const reset = await services.users.createPasswordReset(request.actor, request.params.user_id);
      return reply.status(201).send({ ...reset, path: linkPath(PASSWORD_RESET_PATH, reset.token) });
    },
  });

  app.post('/invitations', {
    config: { access: 'admin' },
    schema: {
      summary: 'Invite someone to the workspace with a role',
      description: 'Answers a one-time invitation link (its token is shown this once; there is no mail: hand it over). It expires after 7 days.',
      tags: peopleTags,
      body: InvitationCreate,
      response: { 201: InvitationCreated, ...Errors },
    },
    handler: async (request, reply) => {
      const created = await services.users.invite(request.actor, request.body);
      return reply.status(201).send({ invitation: created.invitation, token: created.token, path: linkPath(INVITATION_PATH, created.token) });
    },
  });

  app.get('/invitations', {
    config: { access: 'admin' },
    schema: { summary: 'Pending invitations of the workspace', tags: peopleTags, response: { 200: List(Invitation), ...Errors } },
    handler: async (request) => ({ data: await services.users.listInvitations(request.actor) }),
  });
}
