/**
 * The NASA Image and Video Library, as SOURCES.md §6 describes it: `GET /search?q=&media_type=&page=
 * &page_size=` (keyless, `page_size` default 100, a `next` link while more pages exist, errors as
 * JSON `{ reason }`), each hit's `collection.json` (a bare array of file URLs, in no particular
 * order) and `GET /asset/{nasa_id}` (the same list as `{ collection: { items: [{ href }] } }`).
 * Files sit on the simulator: `/media/nasa/<stem>-<n>~orig.png` (images, also `~large`, `~medium`,
 * `~small`, `~thumb`) and `/media/nasa/<stem>-video-<n>~orig.mp4` (videos, also `~large` … `~preview`).
 */
import { capitalise, indexes, intParam, pageRange, personFor, queryStem, resultCount } from '../catalogue.js';
import { videoDimensions } from '../media.js';
import { jsonPayload, type Payload, textPayload } from '../payload.js';
import { seededUint32 } from '../random.js';
import type { RouteDeps, RouteModule, RouteRequest, SourceRoute } from './route.js';

const SEARCH_PATH = '/search';
const ASSET_PATH = /^\/asset\/([^/]+)$/;
const FILE_PATH = /^\/(image|video)\/([^/]+)\/(collection\.json|metadata\.json|[^/]+\.(?:srt|vtt))$/;
const DEFAULT_PAGE_SIZE = 100;
/** The API refuses to page past its first 10,000 hits. */
const MAX_RESULTS = 10_000;
const MEDIA_TYPES = ['image', 'video', 'audio'];
const CENTERS = ['JPL', 'GSFC', 'JSC', 'KSC', 'ARC', 'MSFC'];
const IMAGE_RENDITIONS = ['orig', 'large', 'medium', 'small', 'thumb'];
const VIDEO_RENDITIONS = ['orig', 'large', 'medium', 'small', 'mobile', 'preview'];

type Kind = 'image' | 'video';

/** The NASA image and video search, its per-item manifests and the API's asset endpoint. */
export const nasaRoute: RouteModule = { source: 'nasa', create };

function create(deps: RouteDeps): SourceRoute {
  return {
    source: 'nasa',
    env: {},
    // Google's image search also lives at /search; its requests carry tbm/udm, NASA's never do.
    matches: (url) =>
      (url.pathname === SEARCH_PATH && !url.searchParams.has('tbm') && !url.searchParams.has('udm')) ||
      ASSET_PATH.test(url.pathname) ||
      FILE_PATH.test(url.pathname),
    handle: (request) => answer(deps, request),
  };
}

function answer(deps: RouteDeps, request: RouteRequest): Payload {
  const { pathname } = request.url;
  if (pathname === SEARCH_PATH) return searchAnswer(deps, request);
  const asset = ASSET_PATH.exec(pathname);
  if (asset !== null) {
    const id = decodeURIComponent(asset[1] ?? '');
    const urls = manifest(request.origin, kindOf(id), id);
    return jsonPayload(200, { collection: { version: '1.0', href: request.url.href, items: urls.map((href) => ({ href })) } });
  }
  const [, type = 'image', rawId = '', file = ''] = FILE_PATH.exec(pathname) ?? [];
  const id = decodeURIComponent(rawId);
  if (type !== kindOf(id)) return jsonPayload(404, { reason: `No ${type} asset ${id}` });
  if (file === 'collection.json') return jsonPayload(200, manifest(request.origin, type, id));
  if (file === 'metadata.json') return jsonPayload(200, metadataFile(deps, request.origin, type, id));
  return textPayload(200, `1\n00:00:00,000 --> 00:00:04,000\n${id}\n`);
}

function searchAnswer(deps: RouteDeps, request: RouteRequest): Payload {
  const params = request.url.searchParams;
  const query = params.get('q') ?? '';
  if (query.trim() === '') return jsonPayload(400, { reason: 'Expected at least one search parameter (q, nasa_id, title, …).' });
  const types = (params.get('media_type') ?? MEDIA_TYPES.join(',')).split(',').map((t) => t.trim().toLowerCase());
  const bad = types.find((t) => !MEDIA_TYPES.includes(t));
  if (bad !== undefined) return jsonPayload(400, { reason: `Invalid media_type "${bad}"; expected image, video or audio.` });
  const page = intParam(request.url, 'page', 1);
  const pageSize = intParam(request.url, 'page_size', DEFAULT_PAGE_SIZE);
  if (page < 1 || pageSize < 1) return jsonPayload(400, { reason: 'page and page_size must be positive integers.' });
  if (page * pageSize > MAX_RESULTS) return jsonPayload(400, { reason: 'Maximum number of search results have been displayed.' });
  const kinds = types.filter((t): t is Kind => t === 'image' || t === 'video');
  // No simulated audio: an audio-only search simply finds nothing.
  const total = kinds.length === 0 ? 0 : resultCount(query, deps.settings.itemsPerQuery);
  const { start, end } = pageRange(page, pageSize, total);
  const items = indexes(start, end).map((i) => item(deps, request.origin, query, kinds[i % kinds.length] ?? 'image', i));
  const link = (n: number, rel: string, prompt: string): Record<string, string> => {
    const next = new URLSearchParams(params);
    next.set('page', String(n));
    return { rel, prompt, href: `${request.origin}${SEARCH_PATH}?${next.toString()}` };
  };
  const links = [...(page > 1 && start > 0 ? [link(page - 1, 'prev', 'Previous')] : []), ...(end < total ? [link(page + 1, 'next', 'Next')] : [])];
  const collection: Record<string, unknown> = { version: '1.0', href: request.url.href, items, metadata: { total_hits: total } };
  if (links.length > 0) collection.links = links;
  return jsonPayload(200, { collection });
}

/** `cats-3` (image) or `cats-video-3`; every 10th image id has a space, as some real ids do. */
function nasaId(query: string, kind: Kind, index: number): string {
  const stem = queryStem(query);
  if (kind === 'video') return `${stem}-video-${index + 1}`;
  return index % 10 === 5 ? `${stem} ${index + 1}` : `${stem}-${index + 1}`;
}

function kindOf(id: string): Kind {
  return /-video-\d+$/.test(id) ? 'video' : 'image';
}

/** The media URL of one rendition; a space in the id stays a space, as in real manifests. */
function fileUrl(origin: string, id: string, rendition: string, ext: string): string {
  return `${origin}/media/nasa/${id}~${rendition}.${ext}`;
}

function item(deps: RouteDeps, origin: string, query: string, kind: Kind, index: number): Record<string, unknown> {
  const id = nasaId(query, kind, index);
  const person = personFor(`nasa/${id}`);
  const center = CENTERS[index % CENTERS.length] ?? 'JPL';
  const data: Record<string, unknown> = {
    center,
    title: `${capitalise(query)} ${kind === 'video' ? 'mission video' : 'mission image'} ${index + 1}`,
    nasa_id: id,
    date_created: new Date(Date.UTC(2004, 0, 1) + index * 86_400_000).toISOString().replace('.000', ''),
    keywords: [capitalise(query), 'NASA'],
    media_type: kind,
    description_508: `${capitalise(query)} as seen by a NASA mission.`,
    description: `${capitalise(query)} as seen by a NASA mission (simulated item ${index + 1}).`,
  };
  // Credits go missing the way they do in real answers: the author falls back to secondary_creator, then center.
  if (index % 3 !== 1) data.photographer = person.name;
  if (index % 2 === 0) data.secondary_creator = index % 10 === 8 ? '© ESA/Hubble' : `NASA/${center}`;
  if (index % 4 === 2) data.location = 'Pasadena, CA';
  const links: Record<string, unknown>[] = [{ href: fileUrl(origin, id, 'thumb', 'png'), rel: 'preview', render: 'image' }];
  if (kind === 'video') links.push({ href: `${origin}/video/${id}/${id}.srt`, rel: 'captions' });
  // Newer answers announce sizes for some renditions; the simulator does so for every third image.
  if (kind === 'image' && index % 3 === 0) links.push(sizedLink(deps, origin, id));
  return { href: `${origin}/${kind}/${id}/collection.json`, data: [data], links };
}

function sizedLink(deps: RouteDeps, origin: string, id: string): Record<string, unknown> {
  const href = fileUrl(origin, id, hasOrig(id) ? 'orig' : 'large', 'png');
  const { width, height } = deps.media.imageDimensions(mediaKey(href));
  return { href, rel: 'canonical', render: 'image', width, height };
}

/** The media library's key for a file URL: its path below /media/, as the request will carry it. */
function mediaKey(href: string): string {
  return new URL(href).pathname.replace(/^\/media\//, '').replace(/\.[a-z0-9]+$/, '');
}

/** Every fourth image has no `~orig` rendition, so `~large` must be chosen. */
function hasOrig(id: string): boolean {
  return Number(/(\d+)$/.exec(id)?.[1] ?? 0) % 4 !== 0;
}

/** The item's files, shuffled per item: real manifests list them in no guaranteed order. */
function manifest(origin: string, kind: Kind, id: string): string[] {
  const files =
    kind === 'image'
      ? IMAGE_RENDITIONS.filter((r) => r !== 'orig' || hasOrig(id)).map((r) => fileUrl(origin, id, r, 'png'))
      : [
          ...VIDEO_RENDITIONS.map((r) => fileUrl(origin, id, r, 'mp4')),
          fileUrl(origin, id, 'thumb', 'png'),
          `${origin}/media/nasa/${id}.m3u8`,
          `${origin}/video/${id}/${id}.srt`,
        ];
  files.push(`${origin}/${kind}/${id}/metadata.json`);
  const random = seededUint32(`nasa-manifest:${id}`);
  for (let i = files.length - 1; i > 0; i--) {
    const j = random() % (i + 1);
    [files[i], files[j]] = [files[j] ?? '', files[i] ?? ''];
  }
  return files;
}

/** The item's `metadata.json`: where real dimensions live (EXIF/File keys). */
function metadataFile(deps: RouteDeps, origin: string, kind: Kind, id: string): Record<string, unknown> {
  const best = mediaKey(fileUrl(origin, id, kind === 'video' || hasOrig(id) ? 'orig' : 'large', kind === 'video' ? 'mp4' : 'png'));
  const { width, height } = kind === 'image' ? deps.media.imageDimensions(best) : videoDimensions(best);
  return { 'AVAIL:NASAID': id, 'AVAIL:MediaType': kind, 'File:ImageWidth': width, 'File:ImageHeight': height };
}
