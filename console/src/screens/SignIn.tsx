/** Sign-in: paste an API token; in the demo, one button per demo persona. */
import { useEffect, useState, type FormEvent } from 'react';
import { ApiError, request, saveToken } from '../api';
import { graphql } from '../gql';
import { ErrorText } from '../hooks';

const WhoAmI = graphql(`
  query ConsoleWhoAmI {
    viewer {
      id
      displayName
      role
    }
  }
`);

interface Persona {
  key: string;
  name: string;
  what: string;
  token: string;
}

export function SignIn({ onSignedIn }: { onSignedIn: (name: string) => void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [personas, setPersonas] = useState<Persona[]>([]);

  useEffect(() => {
    // Served only when the API runs the demo (scripts/start.ts --demo); 404 otherwise.
    fetch('/console/demo-personas.json', { headers: { accept: 'application/json' } })
      .then((r) => (r.ok ? (r.json() as Promise<{ personas: Persona[] }>) : { personas: [] }))
      .then((body) => setPersonas(body.personas))
      .catch(() => setPersonas([]));
  }, []);

  const signIn = async (candidate: string) => {
    setBusy(true);
    setError(null);
    saveToken(candidate.trim());
    try {
      const who = await request(WhoAmI);
      onSignedIn(who.viewer ? who.viewer.displayName : 'the bootstrap admin');
    } catch (e) {
      saveToken(null);
      setError(e instanceof ApiError ? e : new ApiError('INTERNAL', String(e)));
    } finally {
      setBusy(false);
    }
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (token.trim()) void signIn(token);
  };

  return (
    <main className="signin" aria-labelledby="signin-title">
      <h1 id="signin-title">Sign in to the access governance console</h1>
      <form onSubmit={submit} className="card">
        <label htmlFor="token">API token</label>
        <input id="token" type="password" autoComplete="off" value={token} onChange={(e) => setToken(e.target.value)} placeholder="Paste an API token" />
        <p className="hint">An administrator creates tokens with createApiToken; the bootstrap ADMIN_TOKEN works too. The token stays in this browser tab only.</p>
        <button type="submit" disabled={busy || !token.trim()}>
          Sign in
        </button>
        <ErrorText error={error} />
      </form>
      {personas.length > 0 ? (
        <section className="card" aria-labelledby="personas-title">
          <h2 id="personas-title">Demo organisation: sign in as</h2>
          <ul className="personas">
            {personas.map((p) => (
              <li key={p.key}>
                <button type="button" onClick={() => void signIn(p.token)} disabled={busy}>
                  {p.key}
                </button>{' '}
                <span>
                  <strong>{p.name}</strong> — {p.what}
                </span>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </main>
  );
}
