/**
 * Media URLs on the simulator's origin: `/media/<source>/<key>.(png|mp4|webm|m3u8)` for the files
 * the routes hand out, and `/media/blob/<id>.mp4?bytes=N` for benchmarks (an exact-size MP4
 * generated as it streams).
 */
import { MEDIA_TYPES, type MediaLibrary, type SizeLie, streamedMp4 } from './media.js';
import { bytesPayload, jsonPayload, type Payload, textPayload } from './payload.js';

const FILE_PATH = /^\/media\/([a-z0-9_]+)\/(.+)\.(png|mp4|webm|m3u8)$/;
const BLOB_PATH = /^\/media\/blob\/[\w.-]+\.mp4$/;
const MAX_BLOB_BYTES = 2 ** 50;

/** The source a media path belongs to (`/media/pexels/…` → 'pexels'), or null outside /media/. */
export function mediaSource(pathname: string): string | null {
  return /^\/media\/([^/]+)\//.exec(pathname)?.[1] ?? null;
}

/**
 * The file at `url` (the query string is ignored, except `bytes` for blobs); 404 for anything else.
 * With `lie`, an image is served at the lied size (videos are served as they are).
 */
export function mediaPayload(url: URL, media: MediaLibrary, lie?: SizeLie): Payload {
  const headers = { 'cache-control': 'public, max-age=86400' };
  if (BLOB_PATH.test(url.pathname)) return blobPayload(url, headers);
  const match = FILE_PATH.exec(url.pathname);
  if (match === null) return jsonPayload(404, { error: `no media at ${url.pathname}` });
  const [, source = '', rest = '', ext = ''] = match;
  const key = `${source}/${rest}`;
  switch (ext) {
    case 'png':
      return bytesPayload(200, media.image(key, lie), MEDIA_TYPES.png, headers);
    case 'mp4':
      return bytesPayload(200, media.video(key, 'mp4'), MEDIA_TYPES.mp4, headers);
    case 'webm':
      return bytesPayload(200, media.video(key, 'webm'), MEDIA_TYPES.webm, headers);
    default:
      // An HLS playlist: text, not a media file. Clients are expected to skip it.
      return textPayload(200, `#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=2500000,RESOLUTION=1280x720\n/media/${key}-hd-1280x720.mp4\n`, MEDIA_TYPES.m3u8, headers);
  }
}

function blobPayload(url: URL, headers: Record<string, string>): Payload {
  const raw = url.searchParams.get('bytes') ?? '';
  const bytes = /^\d+$/.test(raw) ? Number(raw) : NaN;
  try {
    // NaN (absent or not a number) fails this test too.
    if (!(bytes <= MAX_BLOB_BYTES)) throw new RangeError(`bytes must be a whole number up to 2^50; got "${raw}"`);
    return { status: 200, headers: { 'content-type': MEDIA_TYPES.mp4, ...headers }, body: streamedMp4(bytes) };
  } catch (err) {
    return textPayload(400, `${(err as Error).message}\n`);
  }
}
