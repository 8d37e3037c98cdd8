/**
 * The made-up catalogue every simulated source draws from: how many results a query has, stable ids,
 * people and paging. Everything derives from (source, query, index), so answers repeat exactly.
 */
import { fillNoise, hashString, seededUint32 } from './random.js';

/** The query for which every source has no results. */
export const NO_RESULTS_QUERY = 'nothing';

/** How many results a source has for `query`: none for 'nothing', else `itemsPerQuery`. */
export function resultCount(query: string, itemsPerQuery: number): number {
  return query.trim().toLowerCase() === NO_RESULTS_QUERY ? 0 : itemsPerQuery;
}

/** A stable numeric id for the `index`-th result of `query` in `space` (unique within a query). */
export function itemId(space: string, query: string, index: number): number {
  const block = 1_000 + (hashString(`${space}:${query.trim().toLowerCase()}`) % 9_000);
  return block * 1_000_000 + index;
}

/** A stable version-4-shaped UUID for `seed` (Openverse ids). */
export function uuidFor(seed: string): string {
  const bytes = fillNoise(Buffer.alloc(16), seed);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Lower-case words joined by `-`, safe in any URL path ('file' when nothing is left). */
export function slugify(text: string, separator = '-'): string {
  const slug = text.toLowerCase().split(/[^a-z0-9]+/).filter(Boolean).join(separator).slice(0, 40);
  return slug === '' ? 'file' : slug;
}

/**
 * The stem of a query's media file names, so tests can name a file: 'cats' → 'cats', 'big cats' →
 * 'big-cats' (`/media/openverse/big-cats-2.png` is the 2nd Openverse result for "big cats"). When
 * the slug loses something (accents, punctuation, length) a short hash keeps queries apart.
 */
export function queryStem(query: string): string {
  const normal = query.trim().toLowerCase().replace(/\s+/g, ' ');
  const slug = slugify(normal);
  return slug.replace(/-/g, ' ') === normal ? slug : `${slug}-${hashString(normal).toString(16)}`;
}

/** "cute cats" → "Cute cats". */
export function capitalise(text: string): string {
  const trimmed = text.trim();
  return trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
}

/** A made-up author. */
export interface Person {
  id: number;
  name: string;
  /** URL-safe handle. */
  handle: string;
}

const NAMES = ['Ada Lindqvist', 'Tomás Ferreira', 'Mei Sato', 'Kwame Mensah', 'Olga Petrova', 'Rafael Ortiz', 'Nadia Haddad', 'Jonas Berg', 'Priya Raman', 'Liam O’Connor', 'Zoë Müller', 'Hiroshi Tanaka'];

/** The author of item `seed`, drawn from a small cast so some authors recur. */
export function personFor(seed: string): Person {
  const pick = seededUint32(`person:${seed}`)() % NAMES.length;
  const name = NAMES[pick] ?? 'Anonymous';
  return { id: 10_000 + pick * 7_919, name, handle: slugify(name, '.') };
}

/** A positive whole-number query parameter, or `fallback` when absent or not a number. */
export function intParam(url: URL, name: string, fallback: number): number {
  const raw = url.searchParams.get(name);
  const value = raw === null ? NaN : Number(raw);
  return Number.isInteger(value) ? value : fallback;
}

/** Result indexes `[start, end)` of a 1-based `page` of `perPage` out of `total`. */
export function pageRange(page: number, perPage: number, total: number): { start: number; end: number } {
  const start = Math.min(total, (page - 1) * perPage);
  return { start, end: Math.min(total, start + perPage) };
}

/** The indexes `start, start + 1, …, end - 1`. */
export function indexes(start: number, end: number): number[] {
  return Array.from({ length: Math.max(0, end - start) }, (_, i) => start + i);
}
