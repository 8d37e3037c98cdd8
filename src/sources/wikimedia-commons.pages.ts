/**
 * Reading Wikimedia Commons `action=query` answers: the result pages in search order (both
 * formatversions), the continuation to echo, and one Candidate per file page.
 */
import type { Candidate, LicenseCode } from '../domain.js';
import { TrawlError } from '../errors.js';
import { licenseCode, licenseCodeOfUrl } from './license-codes.js';
import { asRecord, dimension, httpUrl, type JsonRecord, num, parserOutdated, records, str } from './parse.js';
import { firstLinkHref, stripHtml } from './text.js';

/** The API path, as the real service expects it. */
export const COMMONS_ENDPOINT = '/w/api.php';
/** Resolves the protocol-relative links (`//commons.wikimedia.org/wiki/User:…`) in metadata. */
const COMMONS_BASE = 'https://commons.wikimedia.org/';

/** One API answer: its file pages in search order, and the `continue` keys to send next (null: done). */
export interface CommonsBatch {
  pages: JsonRecord[];
  continuation: Record<string, string> | null;
}

/**
 * Reads an answer in either formatversion: 2 lists `query.pages` as an array, 1 as an object keyed
 * by page id; both are put in search order by each page's `index`. No `query` at all is how the
 * API says "no results". API-level errors (`{ error: { code, info } }`) arrive with status 200.
 */
export function readBatch(data: unknown): CommonsBatch {
  const body = asRecord(data);
  if (body === undefined) throw parserOutdated('wikimedia_commons', COMMONS_ENDPOINT, 'JSON object');
  const error = asRecord(body.error);
  if (error !== undefined) {
    const code = str(error.code) ?? 'unknown';
    throw new TrawlError('TRAWL_HTTP_STATUS', `wikimedia_commons: ${COMMONS_ENDPOINT} answered error ${code}: ${str(error.info) ?? ''}`, {
      context: { source: 'wikimedia_commons', apiError: code },
    });
  }
  return { pages: orderedPages(body.query), continuation: readContinuation(body.continue) };
}

function orderedPages(query: unknown): JsonRecord[] {
  if (query === undefined) return [];
  const pages = asRecord(query)?.pages;
  const byPageId = asRecord(pages);
  if (!Array.isArray(pages) && byPageId === undefined) {
    throw parserOutdated('wikimedia_commons', COMMONS_ENDPOINT, 'query.pages array or object');
  }
  const list = records(Array.isArray(pages) ? pages : Object.values(byPageId ?? {}));
  const rank = (page: JsonRecord): number => num(page.index) ?? Number.MAX_SAFE_INTEGER;
  return list.sort((a, b) => rank(a) - rank(b));
}

function readContinuation(value: unknown): Record<string, string> | null {
  if (value === undefined) return null;
  const keys = asRecord(value);
  if (keys === undefined) throw parserOutdated('wikimedia_commons', COMMONS_ENDPOINT, 'continue object');
  const echo: Record<string, string> = {};
  for (const [name, v] of Object.entries(keys)) {
    if (typeof v === 'string' || typeof v === 'number') echo[name] = String(v);
  }
  return echo;
}

/**
 * The candidate for one file page, or null for a page Trawl cannot use: missing or invalid, no
 * `imageinfo`/`videoinfo` yet (it follows in a continuation answer), or no usable media URL.
 */
export function pageCandidate(page: JsonRecord, kind: 'image' | 'video'): Candidate | null {
  if (isSet(page.missing) || isSet(page.invalid)) return null;
  const info = records(kind === 'image' ? page.imageinfo : page.videoinfo)[0];
  if (info === undefined) return null;
  const media = kind === 'image' ? imageRendition(info) : videoRendition(info);
  if (media === null) return null;
  const meta = asRecord(info.extmetadata);
  const pageUrl = httpUrl(info.descriptionurl);
  const artist = metaValue(meta, 'Artist');
  return {
    source: 'wikimedia_commons',
    kind,
    ...media,
    pageUrl,
    title: metaText(meta, 'ObjectName') ?? fileTitle(page.title),
    author: metaText(meta, 'Artist'),
    authorUrl: artist === null ? null : httpUrl(firstLinkHref(artist), pageUrl ?? COMMONS_BASE),
    license: metaText(meta, 'LicenseShortName'),
    licenseUrl: httpUrl(metaText(meta, 'LicenseUrl'), COMMONS_BASE),
    licenseCode: commonsLicenseCode(meta),
  };
}

/**
 * The licence code the file's metadata states unambiguously: from the template code (`License`:
 * `cc-by-sa-4.0`, `pd`), the short name (`CC BY-SA 4.0`, `Public domain`) and the licence URL.
 * Null when none of them names a licence with a code (GFDL, "Attribution") or when they disagree.
 */
export function commonsLicenseCode(meta: JsonRecord | undefined): LicenseCode | null {
  const stated = [licenseCode(metaText(meta, 'License')), licenseCode(metaText(meta, 'LicenseShortName')), licenseCodeOfUrl(metaText(meta, 'LicenseUrl'))];
  const codes = new Set(stated.filter((code): code is LicenseCode => code !== null));
  return codes.size === 1 ? ([...codes][0] ?? null) : null;
}

/** formatversion 2 flags with `true`, formatversion 1 with `""`. */
function isSet(flag: unknown): boolean {
  return flag !== undefined && flag !== false && flag !== null;
}

function metaValue(meta: JsonRecord | undefined, name: string): string | null {
  const value = asRecord(meta?.[name])?.value;
  if (typeof value === 'number') return String(value);
  return typeof value === 'string' ? value : null;
}

function metaText(meta: JsonRecord | undefined, name: string): string | null {
  const html = metaValue(meta, name);
  return html === null ? null : str(stripHtml(html));
}

/** `File:Kinkaku_3402.jpg` → "Kinkaku 3402". */
function fileTitle(title: unknown): string | null {
  const text = str(title);
  if (text === null) return null;
  return str(text.replace(/^File:/i, '').replace(/\.[a-z0-9]{2,5}$/i, '').replace(/_/g, ' '));
}

interface Rendition {
  url: string;
  width: number | null;
  height: number | null;
}

function imageRendition(info: JsonRecord): Rendition | null {
  const url = httpUrl(info.url);
  return url === null ? null : { url, width: dimension(info.width), height: dimension(info.height) };
}

const PLAYABLE = new Set(['video/webm', 'video/mp4']);

interface VideoFile extends Rendition {
  /** The MIME type without parameters (`video/webm; codecs=…` → `video/webm`), or null. */
  type: string | null;
}

/**
 * The file to download for a video: the largest WebM/MP4 transcode, else the original when it is
 * WebM/MP4. Ogg/Theora plays in few places, so it is taken only when nothing else exists, and HLS
 * playlists never (the downloader saves one file).
 */
function videoRendition(info: JsonRecord): Rendition | null {
  const derivatives = records(info.derivatives)
    .map((d): VideoFile | null => videoFile(d.src, d.type, d.width, d.height))
    .filter((d): d is VideoFile => d !== null);
  const original = videoFile(info.url, info.mime, info.width, info.height);
  const best =
    largest(derivatives.filter(isPlayable)) ?? (original !== null && isPlayable(original) ? original : null) ?? original ?? largest(derivatives);
  return best === null ? null : { url: best.url, width: best.width, height: best.height };
}

function videoFile(src: unknown, type: unknown, width: unknown, height: unknown): VideoFile | null {
  const url = httpUrl(src);
  const mime = str(type)?.split(';')[0]?.trim().toLowerCase() ?? null;
  if (url === null || mime?.includes('mpegurl') || new URL(url).pathname.toLowerCase().endsWith('.m3u8')) return null;
  return { url, type: mime, width: dimension(width), height: dimension(height) };
}

function isPlayable(file: VideoFile): boolean {
  return file.type !== null && PLAYABLE.has(file.type);
}

function largest(files: VideoFile[]): VideoFile | null {
  let best: VideoFile | null = null;
  for (const file of files) {
    if (best === null || area(file) > area(best)) best = file;
  }
  return best;
}

function area(file: Rendition): number {
  return (file.width ?? 0) * (file.height ?? 0);
}
