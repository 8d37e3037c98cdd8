/**
 * NASA asset manifests: the list of every rendition of one library item (`…~orig.jpg`,
 * `…~large.mp4`, captions, `metadata.json`, …), and the choice of the one file to download.
 * Dimensions are not in a manifest, so the choice goes by the rendition name in the file name.
 */
import type { MediaKind } from '../domain.js';
import { asRecord, httpUrl, records } from './parse.js';
import { decodeUriSafe } from './text.js';

/** The real asset host; it serves HTTPS, although manifests often list its files as `http://`. */
const ASSET_HOST = 'images-assets.nasa.gov';

const IMAGE_EXTENSIONS: Readonly<Record<string, number>> = { jpg: 0, jpeg: 0, png: 0, gif: 0, webp: 0, tif: 1, tiff: 1 };
// MP4 plays everywhere; the others only when an item has no MP4 at all.
const VIDEO_EXTENSIONS: Readonly<Record<string, number>> = { mp4: 0, m4v: 1, webm: 1, mov: 1 };
const IMAGE_RENDITIONS = ['orig', 'large', 'medium', 'small', 'thumb'];
const VIDEO_RENDITIONS = ['orig', 'large', 'medium', 'small', 'mobile', 'preview'];

/**
 * The file URLs a manifest lists, in either of its shapes: the item's own `collection.json` (a bare
 * array of URL strings) or `/asset/{nasa_id}` (`{ collection: { items: [{ href }] } }`). Returns
 * null when the answer has neither shape. Spaces in names come back percent-encoded.
 */
export function manifestUrls(data: unknown): string[] | null {
  const entries: unknown = Array.isArray(data) ? data : asRecord(asRecord(data)?.collection)?.items;
  if (!Array.isArray(entries)) return null;
  const hrefs: unknown[] = Array.isArray(data) ? data : records(entries).map((entry) => entry.href);
  return hrefs.map((href) => httpUrl(href)).filter((url): url is string => url !== null);
}

interface Ranked {
  url: string;
  /** Lower is better: the order in which the two ranks are compared depends on the kind. */
  rendition: number;
  format: number;
}

/**
 * The file to download for an item of `kind`, or null when the manifest has none. Images: the
 * largest rendition (`~orig` > `~large` > `~medium` > `~small` > `~thumb`), a web format before
 * TIFF at the same size. Videos: an MP4 before any other container, then the largest rendition;
 * playlists, captions, stills and `metadata.json` are never chosen.
 */
export function bestRendition(urls: readonly string[], kind: MediaKind): string | null {
  const extensions = kind === 'image' ? IMAGE_EXTENSIONS : kind === 'video' ? VIDEO_EXTENSIONS : {};
  const names = kind === 'image' ? IMAGE_RENDITIONS : VIDEO_RENDITIONS;
  let best: Ranked | null = null;
  for (const url of urls) {
    const ranked = rank(url, extensions, names);
    if (ranked === null) continue;
    if (best === null || better(ranked, best, kind)) best = ranked;
  }
  return best === null ? null : secured(best.url);
}

function rank(url: string, extensions: Readonly<Record<string, number>>, names: readonly string[]): Ranked | null {
  const file = decodeUriSafe(new URL(url).pathname.split('/').pop() ?? '').toLowerCase();
  const match = /(?:~([a-z0-9_]+))?\.([a-z0-9]+)$/.exec(file);
  const format = match?.[2] === undefined ? undefined : extensions[match[2]];
  if (match === null || format === undefined) return null;
  const position = match[1] === undefined ? -1 : names.indexOf(match[1]);
  // An unnamed or unknown rendition is still a file of the right type: last resort, not skipped.
  return { url, format, rendition: position === -1 ? names.length : position };
}

function better(a: Ranked, b: Ranked, kind: MediaKind): boolean {
  const [first, second]: readonly ['rendition' | 'format', 'rendition' | 'format'] = kind === 'image' ? ['rendition', 'format'] : ['format', 'rendition'];
  return a[first] !== b[first] ? a[first] < b[first] : a[second] < b[second];
}

/** `http://images-assets.nasa.gov/…` → `https://…`: the same file, without a plain-text hop. */
function secured(url: string): string {
  const parsed = new URL(url);
  if (parsed.protocol === 'http:' && parsed.hostname === ASSET_HOST) parsed.protocol = 'https:';
  return parsed.href;
}

