// Sign in with an operator or tenant key; a refused key shows the server's problem, never a blank page.
import { useState } from 'react';
import { ErrorBox } from '../components/ErrorBox.tsx';
import { type Session, signIn } from '../session.ts';

export const Login = ({
  onSignedIn,
  initialError,
}: {
  onSignedIn: (s: Session) => void;
  initialError?: unknown;
}) => {
  const [key, setKey] = useState('');
  const [error, setError] = useState<unknown>(initialError);
  const [busy, setBusy] = useState(false);
  return (
    <main className="login" id="main">
      <h1>Quiver console</h1>
      <p>
        Sign in with the operator key or a tenant admin key. The key stays in this tab only (session storage)
        and is sent to this server alone.
      </p>
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          setError(undefined);
          try {
            onSignedIn(await signIn(key.trim()));
          } catch (err) {
            setError(err);
          } finally {
            setBusy(false);
          }
        }}
      >
        <label className="field">
          <span>API key</span>
          <input
            type="password"
            name="key"
            autoComplete="off"
            required
            value={key}
            onChange={(e) => setKey(e.target.value)}
          />
        </label>
        <button type="submit" disabled={busy || key.trim() === ''}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
      </form>
      <ErrorBox error={error} />
    </main>
  );
};
