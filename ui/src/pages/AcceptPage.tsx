import { useState, type FormEvent } from 'react';
import { Link, useLocation, useNavigate } from 'react-router';
import { evalstore } from '../api/client.js';
import { useAuth } from '../auth.js';
import { failureDetail } from '../components/States.js';

/** The one-time token of an invitation or reset link: it rides in the fragment, which browsers never send. */
function tokenOf(hash: string): string {
  return new URLSearchParams(hash.replace(/^#/, '')).get('token') ?? '';
}

/** /accept-invitation#token=…: make the account (or join with an existing one) and sign in. */
export function AcceptInvitationPage() {
  const { startSession } = useAuth();
  const navigate = useNavigate();
  const token = tokenOf(useLocation().hash);
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const me = await evalstore.auth.acceptInvitation({ token, display_name: name.trim(), password, ...(email.trim() ? { email: email.trim() } : {}) });
      startSession(me);
      navigate('/datasets', { replace: true });
    } catch (failure) {
      setError(failureDetail(failure));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="sign-in">
      <form className="card sign-in-card" onSubmit={submit} aria-label="Accept the invitation">
        <h1>Join evalstore</h1>
        {!token && <div className="notice">This page needs the invitation link an admin gave you.</div>}
        <label>
          Email <span className="muted">(the invited address; needed by a first-start setup link)</span>
          <input name="email" type="email" autoComplete="username" value={email} onChange={(event) => setEmail(event.target.value)} />
        </label>
        <label>
          Your name
          <input name="display-name" autoComplete="name" value={name} onChange={(event) => setName(event.target.value)} required />
        </label>
        <label>
          Password <span className="muted">(at least 12 characters)</span>
          <input
            name="new-password"
            type="password"
            autoComplete="new-password"
            minLength={12}
            value={password}
            onChange={(event) => setPassword(event.target.value)}
            required
          />
        </label>
        {error && (
          <div className="state-error inline" role="alert">
            {error}
          </div>
        )}
        <button type="submit" className="primary" disabled={busy || !token || name.trim() === '' || password.length < 12}>
          {busy ? 'Joining…' : 'Join'}
        </button>
      </form>
    </div>
  );
}

/** /reset-password#token=…: set a new password; every session of the account is signed out. */
export function ResetPasswordPage() {
  const token = tokenOf(useLocation().hash);
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string>();
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await evalstore.auth.acceptPasswordReset({ token, password });
      setDone(true);
    } catch (failure) {
      setError(failureDetail(failure));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="sign-in">
      <form className="card sign-in-card" onSubmit={submit} aria-label="Set a new password">
        <h1>New password</h1>
        {done ? (
          <div className="notice">
            Your password is changed. <Link to="/sign-in">Sign in</Link> with it.
          </div>
        ) : (
          <>
            <label>
              New password <span className="muted">(at least 12 characters)</span>
              <input
                name="new-password"
                type="password"
                autoComplete="new-password"
                minLength={12}
                value={password}
                onChange={(event) => setPassword(event.target.value)}
                required
              />
            </label>
            {error && (
              <div className="state-error inline" role="alert">
                {error}
              </div>
            )}
            <button type="submit" className="primary" disabled={busy || !token || password.length < 12}>
              Set the password
            </button>
          </>
        )}
      </form>
    </div>
  );
}
