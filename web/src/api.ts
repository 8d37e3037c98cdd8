/**
 * The dashboard's only way to call the HTTP API (docs/api.md): JSON in and out, the token on every
 * request, and the API's `{ error: { code, message } }` answers turned into an ApiError whose
 * message is the server's own (it names the bad field).
 */
import type { Item, Job } from '../../src/domain.js';
import { authHeaders, markUnauthorized } from './auth.js';

/** An item as the API returns it: the stored item plus where to fetch its file. */
export type ApiItem = Item & { fileUrl: string };

/** One source as `GET /api/sources` lists it (the shape of `trawl sources --json`). */
export interface SourceStatus {
  id: string;
  name: string;
  configured: boolean;
  /** Why it is not configured, else null. */
  reason: string | null;
  keyVar: string | null;
  kinds: string[];
  licensePolicy: string;
  origin: string;
  quota: { remaining: number | null; limit: number | null; resetAt: string | null; updatedAt: string } | null;
  /** The last runs of this source (up to 20), as the engine recorded them, and its circuit breaker. */
  health: SourceHealth;
}

/** `SourceStatus.health`: outcomes, latency, last error and breaker state of one source. */
export interface SourceHealth {
  runs: number;
  ok: number;
  failed: number;
  timedOut: number;
  successRate: number | null;
  latencyMs: { p50: number | null; p95: number | null };
  lastError: { code: string; message: string; at: string } | null;
  lastRunAt: string | null;
  breaker: { state: 'closed' | 'open' | 'half_open'; consecutiveFailures: number; openedAt: string | null; retryAt: string | null };
}

/** The body of `POST /api/jobs`. Durations are text such as `30s`, or seconds. */
export interface NewJob {
  query: string;
  sources?: string[];
  type?: string;
  limit?: number;
  timeouts?: { request?: string; source?: string; job?: string };
  /** Licences and formats as lists (licence groups allowed); absent fields are no constraint. */
  filters?: { minWidth?: number | null; minHeight?: number | null; orientation?: string | null; license?: readonly string[] | null; safeSearch?: boolean; format?: readonly string[] | null };
}

/** A failed API call: the HTTP status and the API's error code and message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/**
 * Calls the API and returns its JSON. A 401 also asks the user for a token; every non-2xx answer
 * throws ApiError. Network failures and aborts throw what fetch() threw.
 */
export async function apiRequest<T>(path: string, init: { method?: 'GET' | 'POST'; body?: unknown; signal: AbortSignal }): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json', ...authHeaders() };
  if (init.body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(path, {
    method: init.method ?? 'GET',
    headers,
    signal: init.signal,
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
  if (response.status === 401) markUnauthorized();
  if (!response.ok) throw await toApiError(response);
  return (await response.json()) as T;
}

async function toApiError(response: Response): Promise<ApiError> {
  const fallback = `the server answered ${response.status} ${response.statusText}`.trim();
  try {
    const body = (await response.json()) as { error?: { code?: unknown; message?: unknown } };
    const code = typeof body.error?.code === 'string' ? body.error.code : 'HTTP_' + response.status;
    const message = typeof body.error?.message === 'string' ? body.error.message : fallback;
    return new ApiError(response.status, code, message);
  } catch {
    return new ApiError(response.status, `HTTP_${response.status}`, fallback);
  }
}

/** The API calls the pages make, typed. */
export const api = {
  listJobs: (signal: AbortSignal) => apiRequest<{ jobs: Job[] }>('/api/jobs?limit=50', { signal }),
  getJob: (id: string, signal: AbortSignal) => apiRequest<Job>(`/api/jobs/${encodeURIComponent(id)}`, { signal }),
  listItems: (id: string, signal: AbortSignal) => apiRequest<{ items: ApiItem[] }>(`/api/jobs/${encodeURIComponent(id)}/items`, { signal }),
  createJob: (body: NewJob, signal: AbortSignal) => apiRequest<Job>('/api/jobs', { method: 'POST', body, signal }),
  cancelJob: (id: string, signal: AbortSignal) => apiRequest<Job>(`/api/jobs/${encodeURIComponent(id)}/cancel`, { method: 'POST', signal }),
  listSources: (signal: AbortSignal) => apiRequest<{ sources: SourceStatus[] }>('/api/sources', { signal }),
};

/** A readable one-line message for any error a call may throw. */
export function errorText(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof Error) return `could not reach the server: ${err.message}`;
  return 'could not reach the server';
}
