import { fileTypeFromBuffer } from 'file-type';
import type { MediaKind } from '../domain.js';
import { TrawlError } from '../errors.js';

/** What the magic bytes say a file is, once it is known to be allowed media. */
export interface MediaFormat {
  /** file-type's MIME, e.g. `image/png` or `audio/ogg; codecs=opus`. */
  contentType: string;
  /** file-type's extension, e.g. `png`; only values from ALLOWED ever reach a file name. */
  ext: string;
  kind: MediaKind;
}

/**
 * The allow-list, keyed by file-type's `ext` (more precise than its MIME: an mp4 with the M4A
 * brand is `m4a`, audio; Ogg is split by its first stream into ogv/ogm video and ogg/oga/opus/spx
 * audio). `ogx` is an Ogg stream whose first page is a Skeleton header, which in practice fronts
 * Theora video. WebM and Matroska cannot be told audio-only from their header, so they count as video.
 */
const ALLOWED: Readonly<Record<string, MediaKind>> = {
  jpg: 'image', png: 'image', apng: 'image', gif: 'image', webp: 'image', avif: 'image', bmp: 'image', tif: 'image', heic: 'image',
  mp4: 'video', m4v: 'video', mov: 'video', webm: 'video', mkv: 'video', ogv: 'video', ogm: 'video', ogx: 'video', avi: 'video',
  mp3: 'audio', m4a: 'audio', m4b: 'audio', aac: 'audio', wav: 'audio', flac: 'audio', ogg: 'audio', oga: 'audio', opus: 'audio', spx: 'audio',
};

/** How many leading bytes file-type needs to recognise the formats above. */
export const SNIFF_BYTES = 4100;

/**
 * Identifies `head` (the first bytes of a body, at least SNIFF_BYTES unless the body is shorter)
 * from its magic bytes alone, whatever the server claimed. Throws TRAWL_NOT_MEDIA naming what was
 * found instead: an HTML error page, SVG (active content), JSON, text, an archive, or unknown bytes.
 */
export async function identifyMedia(head: Uint8Array): Promise<MediaFormat> {
  const found = head.byteLength === 0 ? undefined : await fileTypeFromBuffer(head);
  const kind = found === undefined ? undefined : ALLOWED[found.ext];
  if (found && kind) return { contentType: found.mime, ext: found.ext, kind };
  // file-type calls anything starting `<?xml` XML; look closer, it may be SVG.
  const what = found && found.ext !== 'xml' ? `${found.mime} (.${found.ext})` : describeUnknown(head);
  throw new TrawlError('TRAWL_NOT_MEDIA', `got ${what}, not an image/video/audio file`, {
    context: { sniffed: found?.mime ?? null },
  });
}

/** Names the text formats file-type does not detect, so the message says what the server sent. */
function describeUnknown(head: Uint8Array): string {
  if (head.byteLength === 0) return 'an empty body';
  const sample = head.subarray(0, SNIFF_BYTES);
  if (sample.some(isBinaryControl)) return 'unrecognised binary data';
  const text = Buffer.from(sample).toString('utf8').replace(/^\uFEFF/, '').trimStart().toLowerCase();
  if (text.startsWith('<svg') || (text.startsWith('<') && text.includes('<svg'))) return 'image/svg+xml (SVG is not allowed)';
  if (/^<(!doctype html|html|head|body)\b/.test(text) || /<html[\s>]/.test(text)) return 'text/html';
  if (text.startsWith('{') || text.startsWith('[')) return 'application/json';
  if (text.startsWith('<?xml')) return 'application/xml';
  return 'text/plain';
}

/** Control bytes that never appear in text (tab, newlines, form feed and ESC aside). */
function isBinaryControl(byte: number): boolean {
  return byte < 0x09 || (byte > 0x0d && byte < 0x20 && byte !== 0x1b) || byte === 0x7f;
}
