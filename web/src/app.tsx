/**
 * The dashboard shell: header and navigation, the page for the current URL, and the token
 * prompt when the API asks for one. Pages remount when a token is saved, so they load again.
 */
import { useEffect, useState } from 'preact/hooks';
import { authEpoch, onAuthChange, tokenNeeded } from './auth.js';
import { TokenPrompt } from './components/token-prompt.js';
import { JobForm } from './components/job-form.js';
import { JobList } from './components/job-list.js';
import { Link } from './link.js';
import { JobPage } from './pages/job-page.js';
import { SourcesPage } from './pages/sources-page.js';
import { type Route, matchRoute, usePath } from './router.js';

/** The whole app. */
export function App() {
  const path = usePath();
  const auth = useAuthState();
  const route = matchRoute(path);
  return (
    <>
      <header class="site-header">
        <Link href="/" class="brand">
          Trawl
        </Link>
        <nav>
          <NavLink href="/" current={route.page === 'jobs' || route.page === 'job'}>
            Jobs
          </NavLink>
          <NavLink href="/sources" current={route.page === 'sources'}>
            Sources
          </NavLink>
          <a href="/docs">API docs</a>
        </nav>
      </header>
      <main key={`${auth.epoch}:${path}`}>
        <Page route={route} />
      </main>
      {auth.needed && <TokenPrompt />}
    </>
  );
}

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'jobs':
      return (
        <div class="jobs-page">
          <JobForm />
          <JobList />
        </div>
      );
    case 'job':
      return <JobPage id={route.id} />;
    case 'sources':
      return <SourcesPage />;
    case 'not-found':
      return (
        <section class="card">
          <h1>Not found</h1>
          <p>
            There is no page here. <Link href="/">Go to the jobs</Link>.
          </p>
        </section>
      );
  }
}

function NavLink({ href, current, children }: { href: string; current: boolean; children: string }) {
  return (
    <Link href={href} current={current}>
      {children}
    </Link>
  );
}

/** Whether a token is needed, and the save count (a key that remounts the pages). */
function useAuthState(): { needed: boolean; epoch: number } {
  const [state, setState] = useState({ needed: tokenNeeded(), epoch: authEpoch() });
  useEffect(() => onAuthChange(() => setState({ needed: tokenNeeded(), epoch: authEpoch() })), []);
  return state;
}
