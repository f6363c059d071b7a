import { useState, type FormEvent } from 'react';
import { Navigate, useLocation, useNavigate } from 'react-router';
import { EvalstoreError } from '../api/client.js';
import { useAuth } from '../auth.js';
import { failureDetail } from '../components/States.js';

export function SignInPage() {
  const { signedIn, signIn, notice } = useAuth();
  const navigate = useNavigate();
  const location = useLocation();
  const [key, setKey] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const from = (location.state as { from?: string } | null)?.from ?? '/datasets';
  if (signedIn && !busy) return <Navigate to={from} replace />;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await signIn(key.trim());
      navigate(from, { replace: true });
    } catch (failure) {
      setError(
        failure instanceof EvalstoreError && failure.status === 401
          ? 'The server does not know this key, or it was revoked. Check it and try again.'
          : failureDetail(failure),
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="sign-in">
      <form className="card sign-in-card" onSubmit={submit}>
        <h1>evalstore</h1>
        <p className="muted">Sign in with an API key of your workspace. It is kept in this browser until you sign out.</p>
        {notice && <div className="notice">{notice}</div>}
        <label>
          API key
          <input
            name="api-key"
            type="password"
            autoComplete="off"
            placeholder="es_…"
            value={key}
            onChange={(event) => setKey(event.target.value)}
            // biome-ignore lint/a11y/noAutofocus: the key is the page's only field, and typing it is all the page is for
            autoFocus
            required
          />
        </label>
        {error && (
          <div className="state-error inline" role="alert">
            {error}
          </div>
        )}
        <button type="submit" className="primary" disabled={busy || key.trim() === ''}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
        <p className="muted small">
          No key? The server prints an admin key on its first start; <code>npx evalstore keys create --name me --role write</code> makes another.
        </p>
      </form>
    </div>
  );
}
