import { useState, type FormEvent } from 'react';
import { Navigate, useLocation, useNavigate } from 'react-router';
import { EvalstoreError } from '../api/client.js';
import { useAuth } from '../auth.js';
import { failureDetail } from '../components/States.js';

export function SignInPage() {
  const { signedIn, signIn, signInWithPassword, notice } = useAuth();
  const navigate = useNavigate();
  const location = useLocation();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [key, setKey] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const from = (location.state as { from?: string } | null)?.from ?? '/datasets';
  if (signedIn && !busy) return <Navigate to={from} replace />;

  const attempt = async (event: FormEvent, signInThen: () => Promise<void>, refused: string) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await signInThen();
      navigate(from, { replace: true });
    } catch (failure) {
      setError(failure instanceof EvalstoreError && failure.status === 401 ? refused : failureDetail(failure));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="sign-in">
      <div className="card sign-in-card">
        <h1>evalstore</h1>
        {notice && <div className="notice">{notice}</div>}
        <form
          onSubmit={(event) => attempt(event, () => signInWithPassword(email.trim(), password), 'The email or the password is wrong.')}
          aria-label="Sign in to your account"
        >
          <label>
            Email
            <input
              name="email"
              type="email"
              autoComplete="username"
              value={email}
              onChange={(event) => setEmail(event.target.value)}
              // biome-ignore lint/a11y/noAutofocus: signing in is all the page is for
              autoFocus
              required
            />
          </label>
          <label>
            Password
            <input
              name="password"
              type="password"
              autoComplete="current-password"
              value={password}
              onChange={(event) => setPassword(event.target.value)}
              required
            />
          </label>
          <button type="submit" className="primary" disabled={busy || email.trim() === '' || password === ''}>
            {busy ? 'Checking…' : 'Sign in'}
          </button>
        </form>
        {error && (
          <div className="state-error inline" role="alert">
            {error}
          </div>
        )}
        <form
          onSubmit={(event) => attempt(event, () => signIn(key.trim()), 'The server does not know this key, or it was revoked. Check it and try again.')}
          aria-label="Sign in with a key"
        >
          <p className="muted">Or with an API key of your workspace. It is kept in this browser until you sign out.</p>
          <label>
            API key
            <input name="api-key" type="password" autoComplete="off" placeholder="es_…" value={key} onChange={(event) => setKey(event.target.value)} required />
          </label>
          <button type="submit" disabled={busy || key.trim() === ''}>
            Use this key
          </button>
        </form>
        <p className="muted small">
          No account? Ask an admin of your workspace for an invitation link. The server prints a setup link (or an admin key) on its first start.
        </p>
      </div>
    </div>
  );
}
