/**
 * The filter vocabulary (CONTRACT.md "Filters") as rules every layer shares: the licence groups,
 * what `square` means, and which sniffed file types a `--format` name stands for.
 */
import { type Filters, type ImageFormat, LICENSE_CODES, type LicenseCode, type Orientation } from '../domain.js';

/** The licence groups `--license` accepts besides single codes, each expanded to its codes. */
export const LICENSE_GROUPS = {
  open: LICENSE_CODES,
  commercial: ['cc0', 'pdm', 'cc-by', 'cc-by-sa', 'cc-by-nd', 'pexels', 'pixabay', 'unsplash'],
  modify: ['cc0', 'pdm', 'cc-by', 'cc-by-sa', 'cc-by-nc', 'cc-by-nc-sa', 'pexels', 'pixabay', 'unsplash'],
} as const satisfies Record<string, readonly LicenseCode[]>;

/** A licence group's name. */
export type LicenseGroup = keyof typeof LICENSE_GROUPS;

/**
 * How far apart width and height may be, as a share of the longer side, for a picture to count as
 * `square`: |w − h| ≤ 0.05 × max(w, h). A 1000 × 960 image is square, 1000 × 940 is landscape.
 */
export const SQUARE_TOLERANCE = 0.05;

/**
 * The orientation of a picture of `width` × `height` pixels. Square wins over the other two: an
 * image within {@link SQUARE_TOLERANCE} of square is neither landscape nor portrait.
 */
export function orientationOf(width: number, height: number): Orientation {
  if (Math.abs(width - height) <= SQUARE_TOLERANCE * Math.max(width, height)) return 'square';
  return width > height ? 'landscape' : 'portrait';
}

/**
 * The `--format` name of a sniffed file extension (file-type's `ext`), or null for image types no
 * format name selects (BMP, TIFF, HEIC). APNG is a PNG file.
 */
export function imageFormatOf(ext: string): ImageFormat | null {
  switch (ext) {
    case 'jpg':
      return 'jpeg';
    case 'png':
    case 'apng':
      return 'png';
    case 'webp':
    case 'gif':
    case 'avif':
      return ext;
    default:
      return null;
  }
}

/** Whether the filters ask anything of a file's pixels (its size or its shape). */
export function constrainsSize(filters: Filters): boolean {
  return filters.minWidth !== null || filters.minHeight !== null || filters.orientation !== null;
}

/** The filters in a few words for people (`min width 1920, landscape, licence cc0|cc-by`); '' for none. */
export function describeFilters(filters: Filters): string {
  const parts: string[] = [];
  if (filters.minWidth !== null) parts.push(`min width ${filters.minWidth}`);
  if (filters.minHeight !== null) parts.push(`min height ${filters.minHeight}`);
  if (filters.orientation !== null) parts.push(filters.orientation);
  if (filters.license !== null) parts.push(`licence ${filters.license.join('|')}`);
  if (filters.format !== null) parts.push(`format ${filters.format.join('|')}`);
  if (!filters.safeSearch) parts.push('safe search off');
  return parts.join(', ');
}
