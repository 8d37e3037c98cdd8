import { describe, expect, it } from 'vitest';
import { licenseCode, licenseCodeOfUrl } from './license-codes.js';
import { commonsLicenseCode } from './wikimedia-commons.pages.js';

// What each source reports, as SOURCES.md records it, mapped to the codes of CONTRACT.md "Filters".

describe('licenseCode', () => {
  it("maps every Openverse licence code, and Sampling+ (which Trawl has no code for) to null", () => {
    const openverse = ['by', 'by-sa', 'by-nd', 'by-nc', 'by-nc-sa', 'by-nc-nd', 'cc0', 'pdm', 'sampling+', 'nc-sampling+'];
    expect(openverse.map(licenseCode)).toEqual(['cc-by', 'cc-by-sa', 'cc-by-nd', 'cc-by-nc', 'cc-by-nc-sa', 'cc-by-nc-nd', 'cc0', 'pdm', null, null]);
  });

  it('reads Commons template codes and short names in their recorded spellings', () => {
    expect(['cc-by-sa-4.0', 'cc-by-2.0', 'cc-by-sa-3.0-de', 'pd', 'cc0'].map(licenseCode)).toEqual(['cc-by-sa', 'cc-by', 'cc-by-sa', 'pdm', 'cc0']);
    expect(['CC BY-SA 4.0', 'CC BY 2.0', 'CC BY-SA 2.5,2.0,1.0', 'Public domain', 'CC0', 'CC0 1.0', 'Public Domain Mark 1.0'].map(licenseCode)).toEqual([
      'cc-by-sa',
      'cc-by',
      'cc-by-sa',
      'pdm',
      'cc0',
      'cc0',
      'pdm',
    ]);
  });

  it('has no code for licences outside the list, or words that only look like one', () => {
    expect(['GFDL', 'Attribution', 'Copyrighted free use', 'bypass', 'pdf', '', null, undefined].map(licenseCode)).toEqual([null, null, null, null, null, null, null, null]);
  });
});

describe('licenseCodeOfUrl', () => {
  it('reads creativecommons.org licence, zero and mark URLs', () => {
    expect(licenseCodeOfUrl('https://creativecommons.org/licenses/by-sa/4.0')).toBe('cc-by-sa');
    expect(licenseCodeOfUrl('https://creativecommons.org/licenses/by-nc-nd/2.0/')).toBe('cc-by-nc-nd');
    expect(licenseCodeOfUrl('https://creativecommons.org/publicdomain/zero/1.0/')).toBe('cc0');
    expect(licenseCodeOfUrl('https://creativecommons.org/publicdomain/mark/1.0/')).toBe('pdm');
    expect(licenseCodeOfUrl('https://www.gnu.org/copyleft/fdl.html')).toBeNull();
  });
});

describe('commonsLicenseCode', () => {
  const meta = (fields: Record<string, string>) => Object.fromEntries(Object.entries(fields).map(([name, value]) => [name, { value, source: 'commons-desc-page', hidden: '' }]));

  it('agrees with the recorded public-domain and CC BY-SA files', () => {
    expect(commonsLicenseCode(meta({ LicenseShortName: 'Public domain', License: 'pd' }))).toBe('pdm');
    expect(commonsLicenseCode(meta({ LicenseShortName: 'CC BY-SA 4.0', License: 'cc-by-sa-4.0', LicenseUrl: 'https://creativecommons.org/licenses/by-sa/4.0' }))).toBe('cc-by-sa');
  });

  it('is null when the metadata names no coded licence, or names two different ones', () => {
    expect(commonsLicenseCode(meta({ LicenseShortName: 'GFDL', License: 'gfdl' }))).toBeNull();
    expect(commonsLicenseCode(meta({ LicenseShortName: 'CC BY 3.0', License: 'cc-by-sa-3.0' }))).toBeNull();
    expect(commonsLicenseCode(undefined)).toBeNull();
  });
});
