import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { evalstore } from '../api/client.js';
import type { Member, Role } from '../api/types.js';
import { useAuth } from '../auth.js';
import { Empty, failureDetail, QueryState } from '../components/States.js';
import { formatDateTime } from '../lib/format.js';

const ROLES: Role[] = ['read', 'review', 'write', 'admin'];
const ROLE_HELP = 'read sees the data; review sees it and scores it; write changes it; admin also manages keys and people';

/** A one-time link for the admin to hand over (there is no mail server), on this server's address. */
function linkOf(path: string): string {
  return `${window.location.origin}${path}`;
}

/** Admins: the members of the workspace, their roles, invitations and password resets. */
export function PeoplePage() {
  const queryClient = useQueryClient();
  const members = useQuery({ queryKey: ['members'], queryFn: () => evalstore.users.list() });
  const invitations = useQuery({ queryKey: ['invitations'], queryFn: () => evalstore.invitations.list() });
  const [link, setLink] = useState<{ what: string; url: string }>();
  const [error, setError] = useState<string>();
  const refresh = () => Promise.all([queryClient.invalidateQueries({ queryKey: ['members'] }), queryClient.invalidateQueries({ queryKey: ['invitations'] })]);
  const act = async (work: () => Promise<unknown>) => {
    setError(undefined);
    try {
      await work();
      await refresh();
    } catch (failure) {
      setError(failureDetail(failure));
    }
  };

  return (
    <div className="page">
      <div className="page-header">
        <h1>People</h1>
      </div>
      <Invite onInvited={(email, url) => act(async () => setLink({ what: `Invitation for ${email}`, url }))} />
      {link && (
        <div className="card" data-testid="one-time-link">
          <div className="card-header">
            <strong>{link.what}</strong>
            <button type="button" className="ghost" onClick={() => setLink(undefined)}>
              Close
            </button>
          </div>
          <p className="muted">Shown this once: copy it and hand it over. It works once, and expires.</p>
          <code className="one-time-link">{link.url}</code>
        </div>
      )}
      {error && (
        <div className="state-error inline" role="alert">
          {error}
        </div>
      )}
      <h2>Members</h2>
      {!members.isSuccess ? (
        <QueryState query={members} loading="Loading members…" failure="Could not list the members (this page is for admins)" />
      ) : members.data.length === 0 ? (
        <Empty title="No members yet">Invite someone above.</Empty>
      ) : (
        <table className="data-table" data-testid="members-table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Email</th>
              <th title={ROLE_HELP}>Role</th>
              <th>Joined</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {members.data.map((member) => (
              <MemberRow key={member.id} member={member} act={act} onReset={(url) => setLink({ what: `Password reset for ${member.email}`, url })} />
            ))}
          </tbody>
        </table>
      )}
      <h2>Pending invitations</h2>
      {!invitations.isSuccess ? (
        <QueryState query={invitations} loading="Loading invitations…" failure="Could not list the invitations" />
      ) : invitations.data.length === 0 ? (
        <p className="muted">None.</p>
      ) : (
        <table className="data-table">
          <thead>
            <tr>
              <th>Email</th>
              <th>Role</th>
              <th>By</th>
              <th>Expires</th>
            </tr>
          </thead>
          <tbody>
            {invitations.data.map((invitation) => (
              <tr key={invitation.id}>
                <td>{invitation.email ?? <span className="muted">(setup link)</span>}</td>
                <td>{invitation.role}</td>
                <td>{invitation.created_by}</td>
                <td>{formatDateTime(invitation.expires_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

function Invite({ onInvited }: { onInvited: (email: string, url: string) => Promise<void> }) {
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('read');
  const [error, setError] = useState<string>();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    try {
      const created = await evalstore.invitations.create({ email: email.trim(), role });
      setEmail('');
      await onInvited(created.invitation.email ?? email, linkOf(created.path));
    } catch (failure) {
      setError(failureDetail(failure));
    }
  };
  return (
    <form className="card" onSubmit={submit} aria-label="Invite someone">
      <div className="form-grid">
        <label>
          Email
          <input name="invite-email" type="email" value={email} onChange={(event) => setEmail(event.target.value)} required />
        </label>
        <label title={ROLE_HELP}>
          Role
          <select name="invite-role" aria-label="Role of the invitation" value={role} onChange={(event) => setRole(event.target.value as Role)}>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </label>
      </div>
      {error && (
        <div className="state-error inline" role="alert">
          {error}
        </div>
      )}
      <div className="actions">
        <button type="submit" className="primary" disabled={email.trim() === ''}>
          Invite
        </button>
      </div>
    </form>
  );
}

function MemberRow({ member, act, onReset }: { member: Member; act: (work: () => Promise<unknown>) => Promise<void>; onReset: (url: string) => void }) {
  const { me } = useAuth();
  const isMe = me?.user.id === member.id;
  return (
    <tr>
      <td>
        {member.display_name}
        {isMe && <span className="muted"> (you)</span>}
      </td>
      <td>{member.email}</td>
      <td>
        <select
          aria-label={`Role of ${member.email}`}
          value={member.role}
          onChange={(event) => act(() => evalstore.users.setRole(member.id, event.target.value as Role))}
        >
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
      </td>
      <td>{formatDateTime(member.joined_at)}</td>
      <td className="actions">
        <button type="button" className="ghost" onClick={() => act(async () => onReset(linkOf((await evalstore.users.resetPassword(member.id)).path)))}>
          Reset password
        </button>
        <button type="button" className="ghost" onClick={() => act(() => evalstore.users.revokeSessions(member.id))}>
          Sign out everywhere
        </button>
        {!isMe && (
          <button type="button" className="ghost" onClick={() => act(() => evalstore.users.remove(member.id))}>
            Remove
          </button>
        )}
      </td>
    </tr>
  );
}
