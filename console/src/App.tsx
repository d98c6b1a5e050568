/** The console's frame: sign-in, the navigation, and the screen for the current path. */
import { useState } from 'react';
import { saveToken, savedToken } from './api';
import { Link, match, navigate, queryParam, useLocation } from './router';
import { Profile } from './screens/Profile';
import { Profiles } from './screens/Profiles';
import { Review } from './screens/Review';
import { SignIn } from './screens/SignIn';
import { Tasks } from './screens/Tasks';
import { Why } from './screens/Why';

export function App() {
  const path = useLocation();
  const [who, setWho] = useState<string | null>(() => (savedToken() ? (sessionStorage.getItem('console.who') ?? 'you') : null));

  if (!who) {
    return (
      <SignIn
        onSignedIn={(name) => {
          sessionStorage.setItem('console.who', name);
          setWho(name);
          if (match('/', path) || match('', path)) navigate('/profiles');
        }}
      />
    );
  }

  const signOut = () => {
    saveToken(null);
    sessionStorage.removeItem('console.who');
    setWho(null);
    navigate('/');
  };

  let screen;
  let params: Record<string, string> | null;
  if ((params = match('/profiles/:id/review', path))) screen = <Review profileId={params.id!} />;
  else if ((params = match('/profiles/:id', path))) screen = <Profile profileId={params.id!} />;
  else if (match('/tasks', path)) screen = <Tasks userId={queryParam(path, 'userId')} />;
  else if (match('/why', path)) screen = <Why userId={queryParam(path, 'userId')} entitlementId={queryParam(path, 'entitlementId')} profileId={queryParam(path, 'profileId')} />;
  else screen = <Profiles />;

  const current = (prefix: string) => (path.startsWith(prefix) ? 'page' : undefined);
  return (
    <>
      <header className="top">
        <nav aria-label="Main">
          <span className="brand">Access governance</span>
          <Link to="/profiles" aria-current={current('/profiles')}>
            Access profiles
          </Link>
          <Link to="/tasks" aria-current={current('/tasks')}>
            My tasks
          </Link>
          <Link to="/why" aria-current={current('/why')}>
            Why does this user have this access?
          </Link>
        </nav>
        <div className="who">
          Signed in as <strong>{who}</strong>{' '}
          <button type="button" className="link" onClick={signOut}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main">{screen}</main>
    </>
  );
}
