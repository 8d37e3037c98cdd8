/**
 * The API token the dashboard sends as `Authorization: Bearer`. It lives in the browser's local
 * storage; when the API answers 401 the app asks for it (see TokenPrompt), and pages reload once
 * it is saved.
 */
import { abortError } from './abort.js';

const STORAGE_KEY = 'trawl.apiToken';
const listeners = new Set<() => void>();
let needed = false;
let epoch = 0;
// Used only when local storage refuses to keep the token.
let memoryToken: string | null = null;

/** The saved token, or null (no token, or storage blocked). */
export function getToken(): string | null {
  try {
    return window.localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

/** Saves the token (or clears it when empty) and wakes everything waiting for one. */
export function saveToken(token: string): void {
  const value = token.trim();
  try {
    if (value === '') window.localStorage.removeItem(STORAGE_KEY);
    else window.localStorage.setItem(STORAGE_KEY, value);
  } catch {
    // Storage may be blocked (private mode); the token then lasts until the page reloads.
  }
  memoryToken = value === '' ? null : value;
  needed = false;
  epoch++;
  notify();
}

/** The headers every API call sends: the token, when there is one. */
export function authHeaders(): Record<string, string> {
  const token = getToken() ?? memoryToken;
  return token ? { Authorization: `Bearer ${token}` } : {};
}

/** Records that the API refused the current token (or its absence), so the prompt shows. */
export function markUnauthorized(): void {
  if (needed) return;
  needed = true;
  notify();
}

/** Whether the app should ask for a token now. */
export function tokenNeeded(): boolean {
  return needed;
}

/** Grows by one each time a token is saved; pages use it as a key to load again. */
export function authEpoch(): number {
  return epoch;
}

/** Calls `listener` whenever the token or the need for one changes; returns the unsubscribe function. */
export function onAuthChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}

/** Resolves when a token is next saved; rejects with the abort reason if `signal` aborts first. */
export function waitForToken({ signal }: { signal: AbortSignal }): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(abortError(signal));
    const stop = (): void => {
      off();
      signal.removeEventListener('abort', onAbort);
    };
    const onAbort = (): void => {
      stop();
      reject(abortError(signal));
    };
    const off = onAuthChange(() => {
      if (needed) return;
      stop();
      resolve();
    });
    signal.addEventListener('abort', onAbort);
  });
}

/**
 * A media URL with the token as `access_token`, for `<img>` and `<video>`, which cannot send
 * headers. Only for same-origin `/api/` paths: the token never goes to another host.
 */
export function withAccessToken(path: string): string {
  const token = getToken() ?? memoryToken;
  if (!token || !path.startsWith('/api/')) return path;
  return `${path}${path.includes('?') ? '&' : '?'}access_token=${encodeURIComponent(token)}`;
}

function notify(): void {
  for (const listener of listeners) listener();
}
