import { Type } from '@sinclair/typebox';
import { API_KEY_ROLES } from '../../../domain/api-keys.js';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../../../domain/users.js';
import { Errors, Id, Name, Nullable, Problem, Timestamp } from './common.js';

/** People: sign-in, sessions, members of the workspace, invitations and password resets. */

export const Role = Type.Union(
  API_KEY_ROLES.map((role) => Type.Literal(role)),
  { description: '`read` sees the data; `review` sees it and scores it; `write` changes it; `admin` also manages keys and people' },
);

const Email = Type.String({ minLength: 3, maxLength: 320, description: 'Compared without case' });
const NewPassword = Type.String({ minLength: PASSWORD_MIN_LENGTH, maxLength: PASSWORD_MAX_LENGTH, description: `At least ${PASSWORD_MIN_LENGTH} characters` });
const OneTimeToken = Type.String({ minLength: 1, maxLength: 200, description: 'The token of the link the admin was given' });

export const User = Type.Object({ id: Id, email: Type.String(), display_name: Type.String(), created_at: Timestamp });

export const Member = Type.Object({ ...User.properties, role: Role, joined_at: Timestamp });

export const Membership = Type.Object({ id: Id, name: Type.String(), role: Role }, { description: 'A workspace of the user, with their role there' });

export const Session = Type.Object({
  id: Id,
  method: Type.String({ description: 'How the user signed in: `password`' }),
  user_agent: Nullable(Type.String()),
  ip: Nullable(Type.String()),
  created_at: Timestamp,
  last_seen_at: Timestamp,
  expires_at: Timestamp,
  current: Type.Boolean({ description: 'The session of this request' }),
});

export const Me = Type.Object({
  user: User,
  workspaces: Type.Array(Membership),
  csrf_token: Type.String({ description: 'Send it as `x-csrf-token` with every request made with the session cookie that is not a GET' }),
  session: Type.Object({ id: Id, expires_at: Timestamp }),
});

export const SignIn = Type.Object(
  { email: Type.String({ minLength: 1, maxLength: 320 }), password: Type.String({ minLength: 1, maxLength: PASSWORD_MAX_LENGTH }) },
  { additionalProperties: false },
);

export const InvitationAccept = Type.Object(
  {
    token: OneTimeToken,
    display_name: Name,
    password: NewPassword,
    email: Type.Optional(Type.String({ ...Email, description: 'Required by a setup link (which names no address); else must be the invited one' })),
  },
  { additionalProperties: false },
);

export const PasswordResetAccept = Type.Object({ token: OneTimeToken, password: NewPassword }, { additionalProperties: false });

export const Invitation = Type.Object({
  id: Id,
  workspace_id: Id,
  email: Nullable(Type.String()),
  role: Role,
  created_by: Type.String(),
  created_at: Timestamp,
  expires_at: Timestamp,
  used_at: Nullable(Timestamp),
});

export const InvitationCreate = Type.Object({ email: Email, role: Role }, { additionalProperties: false });

const LinkPath = Type.String({ description: "The web UI's path to open with it (the token rides in the fragment, which browsers never send)" });

export const InvitationCreated = Type.Object({
  invitation: Invitation,
  token: Type.String({ description: 'The one-time token: shown this once, only its hash is stored' }),
  path: LinkPath,
});

export const PasswordResetCreated = Type.Object({
  user_id: Id,
  expires_at: Timestamp,
  token: Type.String({ description: 'The one-time token: shown this once, only its hash is stored' }),
  path: LinkPath,
});

export const MemberUpdate = Type.Object({ role: Role }, { additionalProperties: false });

export const UserParams = Type.Object({ user_id: Id });
export const SessionParams = Type.Object({ session_id: Id });

export const List = <T extends ReturnType<typeof Type.Object>>(item: T) => Type.Object({ data: Type.Array(item) });

export const Revoked = Type.Object({ revoked: Type.Integer({ description: 'How many sessions were revoked' }) });

/** The errors of sign-in: also 429 when too many attempts failed. */
export const SignInErrors = { ...Errors, 429: Type.Ref(Problem) };
