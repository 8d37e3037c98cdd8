import { describe, expect, it } from 'vitest';
import { LICENSE_CODES, NO_FILTERS } from '../domain.js';
import { MAX_MIN_SIDE, parseFilters } from './parse.js';

const fails = (input: unknown): { field: unknown; message: string } => {
  try {
    parseFilters(input);
  } catch (err) {
    const error = err as { code: string; message: string; context: { field?: unknown } };
    expect(error.code).toBe('TRAWL_BAD_INPUT');
    return { field: error.context.field, message: error.message };
  }
  throw new Error(`parseFilters(${JSON.stringify(input)}) did not throw`);
};

describe('parseFilters', () => {
  it('reads no filters as none: absent, null, or an empty object', () => {
    expect(parseFilters(undefined)).toEqual(NO_FILTERS);
    expect(parseFilters(null)).toEqual(NO_FILTERS);
    expect(parseFilters({})).toEqual(NO_FILTERS);
    expect(parseFilters({ minWidth: null, license: null, format: null, orientation: null })).toEqual(NO_FILTERS);
  });

  it('reads CLI text and API values alike', () => {
    const cli = parseFilters({ minWidth: '1920', minHeight: '1080', orientation: 'landscape', license: 'cc0,cc-by', safeSearch: 'off', format: 'jpeg,webp' });
    const api = parseFilters({ minWidth: 1920, minHeight: 1080, orientation: 'landscape', license: ['cc0', 'cc-by'], safeSearch: false, format: ['jpeg', 'webp'] });
    expect(cli).toEqual({ minWidth: 1920, minHeight: 1080, orientation: 'landscape', license: ['cc0', 'cc-by'], safeSearch: false, format: ['jpeg', 'webp'] });
    expect(api).toEqual(cli);
    expect(parseFilters({ safeSearch: 'on' }).safeSearch).toBe(true);
    expect(parseFilters({ safeSearch: true }).safeSearch).toBe(true);
  });

  it('expands the licence groups, mixes them with codes, and lists each code once in the vocabulary order', () => {
    expect(parseFilters({ license: 'open' }).license).toEqual(LICENSE_CODES);
    expect(parseFilters({ license: 'commercial' }).license).toEqual(['cc0', 'pdm', 'cc-by', 'cc-by-sa', 'cc-by-nd', 'pexels', 'pixabay', 'unsplash']);
    expect(parseFilters({ license: 'modify' }).license).toEqual(['cc0', 'pdm', 'cc-by', 'cc-by-sa', 'cc-by-nc', 'cc-by-nc-sa', 'pexels', 'pixabay', 'unsplash']);
    expect(parseFilters({ license: 'cc-by-nc-nd, commercial ,cc0' }).license).toEqual(['cc0', 'pdm', 'cc-by', 'cc-by-sa', 'cc-by-nd', 'cc-by-nc-nd', 'pexels', 'pixabay', 'unsplash']);
    expect(parseFilters({ license: 'CC-BY' }).license).toEqual(['cc-by']);
  });

  it('takes jpg for jpeg and lists formats once', () => {
    expect(parseFilters({ format: 'png,jpg,jpeg' }).format).toEqual(['jpeg', 'png']);
  });

  it.each([
    [{ minWidth: 0 }, 'filters.minWidth', /from 1 to 65535; got 0/],
    [{ minWidth: -5 }, 'filters.minWidth', /got -5/],
    [{ minWidth: '12px' }, 'filters.minWidth', /got "12px"/],
    [{ minWidth: 2.5 }, 'filters.minWidth', /got 2.5/],
    [{ minHeight: MAX_MIN_SIDE + 1 }, 'filters.minHeight', /got 65536/],
    [{ orientation: 'diagonal' }, 'filters.orientation', /one of landscape, portrait, square; got "diagonal"/],
    [{ license: 'cc-by-4' }, 'filters.license', /unknown licence "cc-by-4"/],
    [{ license: '' }, 'filters.license', /comma list of licence codes/],
    [{ license: 5 }, 'filters.license', /got 5/],
    [{ license: [] }, 'filters.license', /got \[\]/],
    [{ safeSearch: 'maybe' }, 'filters.safeSearch', /on or off .* got "maybe"/],
    [{ safeSearch: 1 }, 'filters.safeSearch', /got 1/],
    [{ format: 'bmp' }, 'filters.format', /unknown format "bmp"/],
    [{ format: ['png', 3] }, 'filters.format', /got \["png",3\]/],
    [{ colour: 'red' }, 'filters.colour', /is not a known field; allowed: minWidth, minHeight, orientation, license, safeSearch, format/],
    ['big', 'filters', /must be an object/],
    [['cc0'], 'filters', /must be an object/],
  ])('refuses %j naming %s', (input, field, message) => {
    const got = fails(input);
    expect(got.field).toBe(field);
    expect(got.message.startsWith(`${field}: `)).toBe(true);
    expect(got.message).toMatch(message);
  });
});
