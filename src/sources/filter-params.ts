/**
 * What adapters share when they turn a job's filters into their service's parameters: the
 * filters of a request, whether a one-licence source can pass the licence filter at all, and the
 * size bucket that is safe to ask for — one that can never leave out a file that passes.
 */
import { type Filters, type LicenseCode, NO_FILTERS } from '../domain.js';
import type { SearchRequest } from './source.js';

/** The request's filters; a request without any has {@link NO_FILTERS} (safe search on). */
export function filtersOf(request: SearchRequest): Filters {
  return request.filters ?? NO_FILTERS;
}

/**
 * Whether an item under licence `code` passes the licence filter. A source whose every item has
 * that one licence (Pexels, Pixabay, Unsplash, NASA's public domain) asks for nothing when not:
 * none of its items could be kept.
 */
export function licenseAllows(filters: Filters, code: LicenseCode): boolean {
  return filters.license === null || filters.license.includes(code);
}

/**
 * The fewest pixels a file meeting both minimums has, or null unless both are set: one minimum
 * alone bounds no area (a 4000 × 10 strip is 4000 wide).
 */
export function minimumArea(filters: Filters): number | null {
  return filters.minWidth === null || filters.minHeight === null ? null : filters.minWidth * filters.minHeight;
}

/** A service's "at least this big" size choice and the most pixels it could require. */
export interface SizeBucket<T extends string> {
  value: T;
  pixels: number;
}

/**
 * Of `buckets` (largest first), the first whose requirement stays below `area`: asking for it
 * cannot leave out a file of at least `area` pixels. Null when none does or `area` is unknown.
 */
export function safeBucket<T extends string>(buckets: readonly SizeBucket<T>[], area: number | null): T | null {
  if (area === null) return null;
  return buckets.find((bucket) => bucket.pixels < area)?.value ?? null;
}
