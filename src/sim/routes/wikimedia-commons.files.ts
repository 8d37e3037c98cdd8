/**
 * The file pages a simulated Commons search returns: `imageinfo` / `videoinfo` entries (with
 * derivatives for videos) and `extmetadata` whose values are HTML, as SOURCES.md §5 records them.
 * Every URL points at real bytes on the simulator.
 */
import { capitalise, itemId, personFor, queryStem } from '../catalogue.js';
import { type MediaLibrary, videoDimensions } from '../media.js';

/** Which file kind a search asks for (`filetype:video` in gsrsearch, else bitmaps). */
export type FileKind = 'bitmap' | 'video';

/** The parts of a query the file pages depend on. */
export interface FileQuery {
  kind: FileKind;
  /** The search words, without `filetype:`/`filemime:` keywords. */
  words: string;
  /** Lower-case `prop` values (`imageinfo`, `videoinfo`). */
  props: ReadonlySet<string>;
  /** `iiprop` / `viprop` fields; MediaWiki's default is `timestamp|user`. */
  imageProps: ReadonlySet<string>;
  videoProps: ReadonlySet<string>;
  /** `iiextmetadatafilter` / `viextmetadatafilter`, or null for every field. */
  imageMetaFilter: ReadonlySet<string> | null;
  videoMetaFilter: ReadonlySet<string> | null;
  /** `iiurlwidth` / `viurlwidth`: asks for a thumbnail. */
  thumbWidth: number | null;
}

const LICENCES = [
  { short: 'CC BY-SA 4.0', code: 'cc-by-sa-4.0', url: 'https://creativecommons.org/licenses/by-sa/4.0', terms: 'Creative Commons Attribution-Share Alike 4.0', attribution: 'true' },
  { short: 'Public domain', code: 'pd', url: null, terms: 'Public domain', attribution: 'false' },
  { short: 'CC BY 2.0', code: 'cc-by-2.0', url: 'https://creativecommons.org/licenses/by/2.0', terms: 'Creative Commons Attribution 2.0', attribution: 'true' },
  { short: 'CC0', code: 'cc0', url: 'https://creativecommons.org/publicdomain/zero/1.0/deed.en', terms: 'Creative Commons Zero, Public Domain Dedication', attribution: 'false' },
] as const;

const TRANSCODE_HEIGHTS = [240, 360, 480, 720];
const WEBM_TYPE = 'video/webm; codecs="vp9, opus"';

const escapeHtml = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** One search hit: a File: page with its info entries, ranked by `index` (1-based). */
export function filePage(media: MediaLibrary, origin: string, q: FileQuery, index: number): Record<string, unknown> {
  const pageid = itemId(`commons-${q.kind}`, q.words, index);
  const ext = q.kind === 'video' ? 'webm' : 'png';
  // Commons names keep case and use '_' for spaces; the query's stem keeps them URL-safe and predictable.
  const stem = `${capitalise(queryStem(q.words || 'untitled')).replace(/-/g, '_')}_${index + 1}`;
  const fileName = `${stem}.${ext}`;
  const file = { pageid, index, ext, fileName, key: `wikimedia_commons/${stem}` };
  const page: Record<string, unknown> = { pageid, ns: 6, title: `File:${fileName.replace(/_/g, ' ')}`, index: index + 1, imagerepository: 'local' };
  if (q.props.has('imageinfo')) page.imageinfo = [info(media, origin, q, file, q.imageProps, q.imageMetaFilter)];
  if (q.props.has('videoinfo')) {
    const entry = info(media, origin, q, file, q.videoProps, q.videoMetaFilter);
    if (q.videoProps.has('derivatives')) entry.derivatives = q.kind === 'video' ? derivatives(origin, file) : [];
    page.videoinfo = [entry];
  }
  return page;
}

/** A search hit whose file has gone: no pageid, no info, as recorded from the real API. */
export function missingPage(words: string, rank: number): Record<string, unknown> {
  return { ns: 6, title: `File:${capitalise(words || 'untitled')} (deleted).png`, missing: true, known: true, imagerepository: 'shared', index: rank };
}

interface FileRef {
  pageid: number;
  index: number;
  ext: string;
  fileName: string;
  /** The media key (path below /media/ without the extension). */
  key: string;
}

function info(media: MediaLibrary, origin: string, q: FileQuery, file: FileRef, props: ReadonlySet<string>, filter: ReadonlySet<string> | null): Record<string, unknown> {
  const video = q.kind === 'video';
  const { width, height } = video ? videoDimensions(file.key) : media.imageDimensions(file.key);
  const person = personFor(file.key);
  const out: Record<string, unknown> = {};
  if (props.has('timestamp')) out.timestamp = new Date(Date.UTC(2020, 0, 1) + file.index * 3_600_000).toISOString().replace('.000', '');
  if (props.has('user')) out.user = person.name;
  if (props.has('size')) Object.assign(out, { size: (video ? media.video(file.key, 'webm') : media.image(file.key)).length, width, height }, video ? { duration: 10 } : {});
  if (props.has('url')) Object.assign(out, thumbnail(media, origin, q, file), urls(origin, file));
  if (props.has('mime')) out.mime = video ? 'video/webm' : 'image/png';
  if (props.has('mediatype')) out.mediatype = video ? 'VIDEO' : 'BITMAP';
  if (props.has('extmetadata')) out.extmetadata = extmetadata(origin, q.words, file, filter);
  return out;
}

function urls(origin: string, file: FileRef): Record<string, string> {
  return {
    url: `${origin}/media/${file.key}.${file.ext}`,
    descriptionurl: `${origin}/wiki/File:${encodeURIComponent(file.fileName)}`,
    descriptionshorturl: `${origin}/w/index.php?curid=${file.pageid}`,
  };
}

/** A scaled copy (images) or a poster frame (videos): its own PNG, so the reported size is its real one. */
function thumbnail(media: MediaLibrary, origin: string, q: FileQuery, file: FileRef): Record<string, unknown> {
  if (q.thumbWidth === null) return {};
  const prefix = q.kind === 'video' ? `${q.thumbWidth}px--` : `${q.thumbWidth}px-`;
  const key = `wikimedia_commons/thumb/${file.fileName}/${prefix}${file.fileName.replace(/\.png$/, '')}`;
  const { width, height } = media.imageDimensions(key);
  return { thumburl: `${origin}/media/${key}.png`, thumbwidth: width, thumbheight: height };
}

function derivatives(origin: string, file: FileRef): Record<string, unknown>[] {
  const original = videoDimensions(file.key);
  const source = { src: `${origin}/media/${file.key}.webm`, type: WEBM_TYPE, title: `Original WebM file, ${original.width} × ${original.height}`, shorttitle: 'WebM source', ...original, bandwidth: 1_800_000, framerate: 25 };
  const transcodes = TRANSCODE_HEIGHTS.map((h) => {
    const key = `wikimedia_commons/transcoded/${file.fileName}/${file.fileName}.${h}p.vp9`;
    return { src: `${origin}/media/${key}.webm`, type: WEBM_TYPE, title: `VP9 (${h}P)`, shorttitle: `VP9 ${h}P`, ...videoDimensions(key), bandwidth: h * 1_500, framerate: 25 };
  });
  return [source, ...transcodes];
}

function extmetadata(origin: string, words: string, file: FileRef, filter: ReadonlySet<string> | null): Record<string, unknown> {
  const licence = LICENCES[file.index % LICENCES.length] ?? LICENCES[0];
  const person = personFor(file.key);
  const userPage = `${origin.replace(/^https?:/, '')}/wiki/User:${person.handle}`;
  // Artists come as links or bare spans: a client must strip both.
  const artist = file.index % 5 === 4 ? `<span class="fn">${escapeHtml(person.name)}</span>` : `<a href="${userPage}" title="User:${person.handle}">${escapeHtml(person.name)}</a>`;
  const fields: Record<string, string | null> = {
    ObjectName: file.fileName.slice(0, -file.ext.length - 1).replace(/_/g, ' '),
    ImageDescription: `<p><b>${escapeHtml(capitalise(words || 'untitled'))}</b> &amp; friends, number ${file.index + 1}.</p>`,
    Credit: '<span class="int-own-work" lang="en">Own work</span>',
    Artist: artist,
    LicenseShortName: licence.short,
    License: licence.code,
    LicenseUrl: licence.url,
    UsageTerms: licence.terms,
    AttributionRequired: licence.attribution,
  };
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(fields)) {
    if (value === null || (filter !== null && !filter.has(name))) continue;
    out[name] = { value, source: name === 'License' ? 'commons-templates' : 'commons-desc-page', hidden: '' };
  }
  return out;
}
