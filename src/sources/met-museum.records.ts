/**
 * Reading The Met Collection API's answers (SOURCES.md §11): the `/v1.1/search` page of object
 * ids, and one `/v1/objects/{id}` record as a candidate — only when the Met marks the work public
 * domain and gives its image, since only those are released under CC0.
 */
import type { Candidate } from '../domain.js';
import { asRecord, httpUrl, type JsonRecord, parserOutdated, records, str } from './parse.js';

/** Where the search lives since the v1 search was retired on 2026-10-01. */
export const SEARCH_PATH = '/public/collection/v1.1/search';
/** Object records stay on v1 (`/v1.1/objects/…` is 404). */
export const OBJECT_PATH = '/public/collection/v1/objects/';

/** The Met's Open Access terms: public-domain works' images are dedicated with CC0. */
export const MET_LICENSE = 'CC0 1.0 (The Met Open Access)';
export const MET_LICENSE_URL = 'https://creativecommons.org/publicdomain/zero/1.0/';

/**
 * The object ids of one search page; empty when there are none (the API sends `objectIDs: null`
 * for no match and for a page past the last id). Any other shape is a format change.
 */
export function searchIds(data: unknown): number[] {
  const body = asRecord(data);
  const ids: unknown = body?.objectIDs;
  if (body === undefined || !('objectIDs' in body) || (ids !== null && !Array.isArray(ids))) {
    throw parserOutdated('met_museum', SEARCH_PATH, 'objectIDs array (or null)');
  }
  if (ids === null) return [];
  return ids.filter((id): id is number => Number.isSafeInteger(id) && id > 0);
}

/** What one object record amounts to: a candidate, a work Trawl may not take, or not a record at all. */
export type RecordOutcome = { kind: 'candidate'; candidate: Candidate } | { kind: 'not-free' } | { kind: 'unreadable' };

/**
 * The record as a candidate (its original, `primaryImage`) when it is marked `isPublicDomain:
 * true` and has one; `not-free` for any other record (in-copyright works have no image in the
 * API, and a work without the public-domain mark is never downloaded even if one is linked);
 * `unreadable` when the answer is not an object record (no boolean `isPublicDomain`).
 */
export function readObject(data: unknown): RecordOutcome {
  const record = asRecord(data);
  if (record === undefined || typeof record.isPublicDomain !== 'boolean') return { kind: 'unreadable' };
  const url = httpUrl(record.primaryImage);
  if (record.isPublicDomain !== true || url === null) return { kind: 'not-free' };
  return {
    kind: 'candidate',
    candidate: {
      source: 'met_museum',
      kind: 'image',
      url,
      pageUrl: httpUrl(record.objectURL),
      title: str(record.title),
      author: authorOf(record),
      authorUrl: null,
      license: MET_LICENSE,
      licenseUrl: MET_LICENSE_URL,
      licenseCode: 'cc0',
      // The API states no pixel size anywhere; Trawl reads it from the file.
      width: null,
      height: null,
    },
  };
}

/** The named artist, else the first constituent, else the culture (`""` when there is none). */
function authorOf(record: JsonRecord): string | null {
  return str(record.artistDisplayName) ?? str(records(record.constituents)[0]?.name) ?? str(record.culture);
}
