/**
 * The checks Trawl makes itself, whatever a source was asked: on what a candidate declares before
 * its download, and on the real file while and after it arrives. Each returns why the subject
 * fails the filters (words for a log or an error message), or null when it passes.
 */
import type { Candidate, Filters, MediaKind } from '../domain.js';
import { constrainsSize, imageFormatOf, orientationOf } from './filters.js';

/** What a candidate says about itself before any download. */
export type Declared = Pick<Candidate, 'width' | 'height' | 'licenseCode'>;

/**
 * Why a candidate's own metadata already fails the filters, so it must not be downloaded: a
 * declared width or height below the minimum, a declared shape of the wrong orientation, or (with
 * a licence filter) a licence code outside the list or none at all. What it does not declare
 * passes here and is checked on the file.
 */
export function declaredMismatch(candidate: Declared, filters: Filters): string | null {
  const size = sizeMismatch(candidate.width, candidate.height, filters, 'declares');
  if (size !== null) return size;
  if (filters.license === null) return null;
  const code = candidate.licenseCode ?? null;
  if (code === null) return 'states no licence, and a licence filter is set';
  return filters.license.includes(code) ? null : `has licence ${code}, not one of ${filters.license.join(', ')}`;
}

/**
 * Why pixels of `width` × `height` fail the minimum size or the orientation; a side that is not
 * known (null) passes. `verb` words the answer for a declaration ("declares") or a file ("is").
 */
export function sizeMismatch(width: number | null, height: number | null, filters: Filters, verb: 'declares' | 'is'): string | null {
  if (filters.minWidth !== null && width !== null && width < filters.minWidth) {
    return `${verb} ${width} px wide, less than the minimum width of ${filters.minWidth}`;
  }
  if (filters.minHeight !== null && height !== null && height < filters.minHeight) {
    return `${verb} ${height} px high, less than the minimum height of ${filters.minHeight}`;
  }
  if (filters.orientation !== null && width !== null && height !== null) {
    const orientation = orientationOf(width, height);
    if (orientation !== filters.orientation) return `${verb} ${width}×${height} (${orientation}), not ${filters.orientation}`;
  }
  return null;
}

/**
 * Why an image file whose header gives no size fails: with a size or orientation filter it cannot
 * be shown to meet it. Null without such a filter.
 */
export function unknownSizeMismatch(filters: Filters): string | null {
  return constrainsSize(filters) ? 'has no size in its header, and a size or orientation filter is set' : null;
}

/**
 * Why a file's sniffed type fails `--format`. The format list names image types only: it
 * constrains images and lets videos and audio through.
 */
export function formatMismatch(kind: MediaKind, ext: string, filters: Filters): string | null {
  if (filters.format === null || kind !== 'image') return null;
  const format = imageFormatOf(ext);
  if (format !== null && filters.format.includes(format)) return null;
  return `is ${format ?? ext}, not ${filters.format.join(' or ')}`;
}
