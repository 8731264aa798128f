// The shell: the sign-in gate, the navigation and the current page.
import { useEffect, useState } from 'react';
import { PageBoundary } from './components/PageBoundary.tsx';
import { PAGE_VIEWS } from './pages/index.ts';
import { Login } from './pages/Login.tsx';
import { PAGES, usePage } from './router.ts';
import { type Session, signIn, signOut, storedKey } from './session.ts';

export const App = () => {
  const [session, setSession] = useState<Session>();
  const [restoring, setRestoring] = useState(() => storedKey() !== null);
  const [restoreError, setRestoreError] = useState<unknown>();
  const [page, go] = usePage();

  useEffect(() => {
    const key = storedKey();
    if (!key) return;
    signIn(key)
      .then(setSession)
      .catch((e: unknown) => {
        signOut();
        setRestoreError(e);
      })
      .finally(() => setRestoring(false));
  }, []);

  if (restoring) return <p className="muted">Checking the key…</p>;
  if (!session) return <Login onSignedIn={setSession} initialError={restoreError} />;

  const View = PAGE_VIEWS[page];
  const title = PAGES.find((p) => p.id === page)?.title ?? '';
  return (
    <div className="shell">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <nav aria-label="Console pages">
        <p className="brand">Quiver</p>
        <ul>
          {PAGES.map((p) => (
            <li key={p.id}>
              <a
                href={`/console/${p.id}`}
                aria-current={p.id === page ? 'page' : undefined}
                onClick={(e) => {
                  e.preventDefault();
                  go(p.id);
                }}
              >
                {p.title}
              </a>
            </li>
          ))}
        </ul>
        <p className="who" data-testid="role">
          {session.role === 'operator' ? 'Operator key' : 'Tenant key'}
        </p>
        <button
          type="button"
          onClick={() => {
            signOut();
            setSession(undefined);
          }}
        >
          Sign out
        </button>
      </nav>
      <main id="main">
        <h1>{title}</h1>
        <PageBoundary key={page}>
          <View session={session} />
        </PageBoundary>
      </main>
    </div>
  );
};
