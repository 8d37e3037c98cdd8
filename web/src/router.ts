/**
 * Client-side routing with the history API: the dashboard's three pages, and navigation that
 * changes the URL without a page load. The server answers every page path with index.html.
 */
import { useEffect, useState } from 'preact/hooks';

/** A page of the dashboard. */
export type Route = { page: 'jobs' } | { page: 'job'; id: string } | { page: 'sources' } | { page: 'not-found' };

/** The page for a URL path. */
export function matchRoute(path: string): Route {
  if (path === '/' || path === '' || path === '/jobs' || path === '/jobs/') return { page: 'jobs' };
  if (path === '/sources' || path === '/sources/') return { page: 'sources' };
  const job = /^\/jobs\/([^/]+)\/?$/.exec(path);
  if (job?.[1]) {
    try {
      return { page: 'job', id: decodeURIComponent(job[1]) };
    } catch {
      return { page: 'not-found' };
    }
  }
  return { page: 'not-found' };
}

/** The URL path of a job's page. */
export function jobPath(id: string): string {
  return `/jobs/${encodeURIComponent(id)}`;
}

const NAVIGATED = 'trawl:navigate';

/** Goes to `path` inside the app (adds a history entry) and scrolls to the top. */
export function navigate(path: string): void {
  if (path === window.location.pathname) return;
  window.history.pushState(null, '', path);
  window.dispatchEvent(new Event(NAVIGATED));
  window.scrollTo(0, 0);
}

/** The current path; re-renders on navigation and on the back and forward buttons. */
export function usePath(): string {
  const [path, setPath] = useState(window.location.pathname);
  useEffect(() => {
    const update = (): void => setPath(window.location.pathname);
    window.addEventListener('popstate', update);
    window.addEventListener(NAVIGATED, update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener(NAVIGATED, update);
    };
  }, []);
  return path;
}
