import { describe, expect, it } from 'vitest';
import { type Filters, type LicenseCode, NO_FILTERS } from '../domain.js';
import { type Declared, declaredMismatch, formatMismatch, sizeMismatch, unknownSizeMismatch } from './checks.js';
import { imageFormatOf, orientationOf } from './filters.js';

const filters = (patch: Partial<Filters>): Filters => ({ ...NO_FILTERS, ...patch });

describe('orientationOf', () => {
  it('calls a picture square when its sides differ by at most 5 % of the longer one, whichever is longer', () => {
    expect(orientationOf(1000, 1000)).toBe('square');
    expect(orientationOf(1000, 950)).toBe('square');
    expect(orientationOf(950, 1000)).toBe('square');
    expect(orientationOf(1000, 949)).toBe('landscape');
    expect(orientationOf(949, 1000)).toBe('portrait');
    expect(orientationOf(1920, 1080)).toBe('landscape');
    expect(orientationOf(1080, 1920)).toBe('portrait');
    expect(orientationOf(1, 1)).toBe('square');
    expect(orientationOf(2, 1)).toBe('landscape');
  });
});

describe('declaredMismatch', () => {
  const declared = (width: number | null, height: number | null, licenseCode: LicenseCode | null = null): Declared => ({ width, height, licenseCode });

  it('passes anything without filters', () => {
    expect(declaredMismatch(declared(10, 10), NO_FILTERS)).toBeNull();
  });

  it('refuses a declared size below the minimum, and lets an undeclared size through', () => {
    expect(declaredMismatch(declared(1280, 720), filters({ minWidth: 1920 }))).toMatch(/declares 1280 px wide, less than the minimum width of 1920/);
    expect(declaredMismatch(declared(4000, 720), filters({ minHeight: 1080 }))).toMatch(/declares 720 px high/);
    expect(declaredMismatch(declared(1920, 1080), filters({ minWidth: 1920, minHeight: 1080 }))).toBeNull();
    expect(declaredMismatch(declared(null, null), filters({ minWidth: 1920, orientation: 'portrait' }))).toBeNull();
  });

  it('refuses a declared shape of the wrong orientation only when both sides are declared', () => {
    expect(declaredMismatch(declared(1920, 1080), filters({ orientation: 'portrait' }))).toMatch(/1920×1080 \(landscape\), not portrait/);
    expect(declaredMismatch(declared(1920, null), filters({ orientation: 'portrait' }))).toBeNull();
  });

  it('with a licence filter, refuses a code outside the list and a candidate that states none', () => {
    const licence = filters({ license: ['cc0', 'cc-by'] });
    expect(declaredMismatch(declared(1, 1, 'cc-by'), licence)).toBeNull();
    expect(declaredMismatch(declared(1, 1, 'cc-by-nc'), licence)).toMatch(/has licence cc-by-nc, not one of cc0, cc-by/);
    expect(declaredMismatch(declared(1, 1, null), licence)).toMatch(/states no licence/);
    expect(declaredMismatch(declared(1, 1), licence)).toMatch(/states no licence/);
  });
});

describe('checks on the file', () => {
  it('words a real size for a file', () => {
    expect(sizeMismatch(300, 200, filters({ minWidth: 1000 }), 'is')).toBe('is 300 px wide, less than the minimum width of 1000');
    expect(sizeMismatch(300, 200, filters({ orientation: 'square' }), 'is')).toBe('is 300×200 (landscape), not square');
  });

  it('refuses an image with no readable size only when size or shape is filtered', () => {
    expect(unknownSizeMismatch(NO_FILTERS)).toBeNull();
    expect(unknownSizeMismatch(filters({ format: ['png'] }))).toBeNull();
    expect(unknownSizeMismatch(filters({ orientation: 'square' }))).toMatch(/no size in its header/);
  });

  it('checks the sniffed format of images only', () => {
    const jpegOnly = filters({ format: ['jpeg'] });
    expect(formatMismatch('image', 'jpg', jpegOnly)).toBeNull();
    expect(formatMismatch('image', 'png', jpegOnly)).toBe('is png, not jpeg');
    expect(formatMismatch('image', 'bmp', jpegOnly)).toBe('is bmp, not jpeg');
    expect(formatMismatch('video', 'mp4', jpegOnly)).toBeNull();
    expect(formatMismatch('image', 'png', NO_FILTERS)).toBeNull();
    expect(imageFormatOf('apng')).toBe('png');
  });
});
