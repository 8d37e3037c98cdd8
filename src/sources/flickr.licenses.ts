/**
 * Flickr's licence ids (flickr.photos.licenses.getInfo, SOURCES.md §14) as Trawl's licence codes.
 * Only the Creative Commons licences, CC0 and the Public Domain Mark have a code; "All Rights
 * Reserved" (0), "No known copyright restrictions" (7, Flickr Commons) and "United States
 * Government Work" (8) have none, so Trawl never downloads photos under them.
 */
import type { LicenseCode } from '../domain.js';

/** One licence Flickr may put on a photo. */
export interface FlickrLicense {
  /** The id as photos carry it (a string in search answers). */
  readonly id: string;
  readonly name: string;
  readonly url: string | null;
  readonly code: LicenseCode | null;
}

const CC = 'https://creativecommons.org/licenses';

/** Every licence id Flickr has, as its getInfo method names them. */
export const FLICKR_LICENSES: readonly FlickrLicense[] = Object.freeze([
  { id: '0', name: 'All Rights Reserved', url: null, code: null },
  { id: '1', name: 'CC BY-NC-SA 2.0', url: `${CC}/by-nc-sa/2.0/`, code: 'cc-by-nc-sa' },
  { id: '2', name: 'CC BY-NC 2.0', url: `${CC}/by-nc/2.0/`, code: 'cc-by-nc' },
  { id: '3', name: 'CC BY-NC-ND 2.0', url: `${CC}/by-nc-nd/2.0/`, code: 'cc-by-nc-nd' },
  { id: '4', name: 'CC BY 2.0', url: `${CC}/by/2.0/`, code: 'cc-by' },
  { id: '5', name: 'CC BY-SA 2.0', url: `${CC}/by-sa/2.0/`, code: 'cc-by-sa' },
  { id: '6', name: 'CC BY-ND 2.0', url: `${CC}/by-nd/2.0/`, code: 'cc-by-nd' },
  { id: '7', name: 'No known copyright restrictions', url: 'https://www.flickr.com/commons/usage/', code: null },
  { id: '8', name: 'United States Government Work', url: 'http://www.usa.gov/copyright.shtml', code: null },
  { id: '9', name: 'CC0 1.0', url: 'https://creativecommons.org/publicdomain/zero/1.0/', code: 'cc0' },
  { id: '10', name: 'Public Domain Mark 1.0', url: 'https://creativecommons.org/publicdomain/mark/1.0/', code: 'pdm' },
  { id: '11', name: 'CC BY 4.0', url: `${CC}/by/4.0/`, code: 'cc-by' },
  { id: '12', name: 'CC BY-SA 4.0', url: `${CC}/by-sa/4.0/`, code: 'cc-by-sa' },
  { id: '13', name: 'CC BY-ND 4.0', url: `${CC}/by-nd/4.0/`, code: 'cc-by-nd' },
  { id: '14', name: 'CC BY-NC 4.0', url: `${CC}/by-nc/4.0/`, code: 'cc-by-nc' },
  { id: '15', name: 'CC BY-NC-SA 4.0', url: `${CC}/by-nc-sa/4.0/`, code: 'cc-by-nc-sa' },
  { id: '16', name: 'CC BY-NC-ND 4.0', url: `${CC}/by-nc-nd/4.0/`, code: 'cc-by-nc-nd' },
]);

const BY_ID = new Map(FLICKR_LICENSES.map((license) => [license.id, license]));

/** The licence of a photo's `license` extra (a string; a number is read too), or null for an unknown id. */
export function flickrLicense(id: unknown): FlickrLicense | null {
  const key = typeof id === 'number' ? String(id) : typeof id === 'string' ? id.trim() : '';
  return BY_ID.get(key) ?? null;
}

/**
 * The `license=` value asking Flickr for photos under the allowed codes (every code when
 * `allowed` is null): only ids with a code, so closed licences are never asked for. Null when
 * none of the allowed codes is one Flickr has (then no request is worth sending).
 */
export function flickrLicenseParam(allowed: readonly LicenseCode[] | null): string | null {
  const ids = FLICKR_LICENSES.filter((license) => license.code !== null && (allowed === null || allowed.includes(license.code))).map((license) => license.id);
  return ids.length === 0 ? null : ids.join(',');
}
