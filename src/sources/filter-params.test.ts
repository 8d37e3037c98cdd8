import { describe, expect, it } from 'vitest';
import { NO_FILTERS } from '../domain.js';
import { licenseAllows, minimumArea, safeBucket } from './filter-params.js';

describe('push-down helpers', () => {
  it('knows an area only when both minimums are set: one alone admits a 4000 × 10 strip', () => {
    expect(minimumArea({ ...NO_FILTERS, minWidth: 4000, minHeight: 3000 })).toBe(12_000_000);
    expect(minimumArea({ ...NO_FILTERS, minWidth: 4000 })).toBeNull();
    expect(minimumArea(NO_FILTERS)).toBeNull();
  });

  it('picks the largest bucket whose requirement is below the area, so no file that passes is left out', () => {
    const buckets = [
      { value: 'large', pixels: 1_000 },
      { value: 'small', pixels: 100 },
    ];
    expect(safeBucket(buckets, 5_000)).toBe('large');
    expect(safeBucket(buckets, 1_000)).toBe('small');
    expect(safeBucket(buckets, 100)).toBeNull();
    expect(safeBucket(buckets, null)).toBeNull();
  });

  it('lets a one-licence source through only when its licence may pass', () => {
    expect(licenseAllows(NO_FILTERS, 'pexels')).toBe(true);
    expect(licenseAllows({ ...NO_FILTERS, license: ['cc0', 'pexels'] }, 'pexels')).toBe(true);
    expect(licenseAllows({ ...NO_FILTERS, license: ['cc0'] }, 'pexels')).toBe(false);
  });
});
