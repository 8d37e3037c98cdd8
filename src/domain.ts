/**
 * The words of the contract as types: jobs, source runs, candidates and items.
 * Field names match the `--json` report and the HTTP API (camelCase).
 */
import type { ErrorCode } from './errors.js';

export const SOURCE_IDS = [
  'google_images',
  'bing_images',
  'duckduckgo_images',
  'pexels',
  'pixabay',
  'unsplash',
  'openverse',
  'wikimedia_commons',
  'nasa',
  'flickr',
  'europeana',
  'met_museum',
  'art_institute_chicago',
  'cleveland_museum',
] as const;
/** A source that ships with Trawl: the compiler checks each has an adapter and a simulator route. */
export type BuiltinSourceId = (typeof SOURCE_IDS)[number];
/**
 * A source's id: a built-in one or that of a source loaded from `TRAWL_SOURCES_PATH`, so any text
 * matching {@link SOURCE_ID_PATTERN}; which ids exist is known only once the registry is loaded.
 */
export type SourceId = string;

/** What every source id looks like (built-in or plugin): lower-case snake case, 2–41 characters. */
export const SOURCE_ID_PATTERN = /^[a-z][a-z0-9_]{1,40}$/;

export type MediaKind = 'image' | 'video' | 'audio';
/** What `--type` asks for. */
export type MediaType = 'image' | 'video' | 'all';

export const JOB_STATUSES = ['queued', 'running', 'completed', 'failed', 'timed_out', 'cancelled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
export const TERMINAL_JOB_STATUSES: readonly JobStatus[] = ['completed', 'failed', 'timed_out', 'cancelled'];

export const SOURCE_RUN_STATUSES = ['pending', 'running', 'done', 'failed', 'timed_out', 'skipped', 'cancelled'] as const;
export type SourceRunStatus = (typeof SOURCE_RUN_STATUSES)[number];

/**
 * Licence codes (CONTRACT.md "Filters"): what every source maps its own licence wording to. An item
 * whose source states no licence has `licenseCode: null` and never passes a licence filter.
 */
export const LICENSE_CODES = ['cc0', 'pdm', 'cc-by', 'cc-by-sa', 'cc-by-nd', 'cc-by-nc', 'cc-by-nc-sa', 'cc-by-nc-nd', 'pexels', 'pixabay', 'unsplash'] as const;
export type LicenseCode = (typeof LICENSE_CODES)[number];

/** The image formats `--format` selects, by the saved file's sniffed type. */
export const IMAGE_FORMATS = ['jpeg', 'png', 'webp', 'gif', 'avif'] as const;
export type ImageFormat = (typeof IMAGE_FORMATS)[number];

/** `landscape`: width > height; `portrait`: height > width; `square`: within 5 % of each other. */
export const ORIENTATIONS = ['landscape', 'portrait', 'square'] as const;
export type Orientation = (typeof ORIENTATIONS)[number];

/**
 * One filter vocabulary on every source (CONTRACT.md "Filters"), validated. `null` means "no
 * constraint"; `license` is already expanded from groups (`open`, `commercial`, `modify`) to codes.
 */
export interface Filters {
  minWidth: number | null;
  minHeight: number | null;
  orientation: Orientation | null;
  license: readonly LicenseCode[] | null;
  /** Asked of every source that has such a switch; `true` unless the user said `off`. */
  safeSearch: boolean;
  format: readonly ImageFormat[] | null;
}

/** The filters of a job that asked for none. */
export const NO_FILTERS: Filters = Object.freeze({ minWidth: null, minHeight: null, orientation: null, license: null, safeSearch: true, format: null });

/** The filters a source may ask its service for (see `Source.pushdown`). */
export type FilterName = keyof Filters;

/** `{ code, message }` as reported for a job, a source run or an item. */
export interface ErrorInfo {
  code: ErrorCode;
  message: string;
}

/** One media file a source offers, before it is downloaded. */
export interface Candidate {
  source: SourceId;
  kind: MediaKind;
  /** The media file to download (fetched as is, through the SSRF guard). */
  url: string;
  /** The human page for the file on the source's site. */
  pageUrl: string | null;
  title: string | null;
  author: string | null;
  authorUrl: string | null;
  /** Licence name, e.g. `CC BY-SA 4.0` or `Pexels License`. */
  license: string | null;
  licenseUrl: string | null;
  /** The licence as a code (CONTRACT.md "Filters"), or null when the source states none Trawl has a code for. */
  licenseCode: LicenseCode | null;
  width: number | null;
  height: number | null;
  /** Source-private values the source needs back later (e.g. Unsplash's download_location); never stored or reported. */
  sourceData?: Readonly<Record<string, string>>;
}

/** A downloaded, verified media file and its metadata. */
export interface Item extends Omit<Candidate, 'sourceData'> {
  id: string;
  jobId: string;
  /** Where the file is: relative to the current directory or absolute. */
  path: string;
  bytes: number;
  sha256: string;
  /** The sniffed type (from magic bytes), not the server's claim. */
  contentType: string;
  createdAt: string;
}

/** A failed candidate, as listed under `failures` in the report. */
export interface ItemFailure {
  source: SourceId;
  url: string;
  code: ErrorCode;
  message: string;
}

/** Counts and state of one source inside one job. */
export interface SourceRun {
  source: SourceId;
  status: SourceRunStatus;
  found: number;
  downloaded: number;
  failed: number;
  /** Candidates whose bytes were already saved in this job (stored once). */
  duplicates: number;
  /** Candidates that did not meet the job's filters: never downloaded, or downloaded and discarded. */
  filtered: number;
  startedAt: string | null;
  finishedAt: string | null;
  elapsedMs: number | null;
  /** Budget this source had, in ms (its own or what the job had left, the smaller). */
  budgetMs: number | null;
  error: ErrorInfo | null;
}

/** A source run as it starts: pending, nothing counted. */
export function pendingRun(source: SourceId): SourceRun {
  return { source, status: 'pending', found: 0, downloaded: 0, failed: 0, duplicates: 0, filtered: 0, startedAt: null, finishedAt: null, elapsedMs: null, budgetMs: null, error: null };
}

/** What a user asks for: validated, with budgets in ms. */
export interface JobRequest {
  query: string;
  sources: SourceId[];
  type: MediaType;
  /** Per source and per kind. */
  limit: number;
  outDir: string;
  budgets: { requestMs: number; sourceMs: number; jobMs: number };
  maxConcurrentSources: number;
  /** What every saved file must meet (NO_FILTERS when the user set none). */
  filters: Filters;
}

/** A job as stored and as returned by the API (without its items). */
export interface Job {
  id: string;
  query: string;
  type: MediaType;
  limit: number;
  outDir: string;
  status: JobStatus;
  budgets: { requestMs: number; sourceMs: number; jobMs: number };
  filters: Filters;
  sources: SourceRun[];
  downloaded: number;
  images: number;
  videos: number;
  failed: number;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  elapsedMs: number | null;
  error: ErrorInfo | null;
  worker: string | null;
  heartbeatAt: string | null;
}
