/**
 * Licence wording as Trawl's licence codes (CONTRACT.md "Filters"): Creative Commons names in
 * any of the spellings services use (`by-sa`, `cc-by-sa-4.0`, `CC BY-SA 4.0`, a
 * creativecommons.org URL), CC0 and the public domain. Anything else — GFDL, "Attribution",
 * Sampling+ — has no code: null, and such an item never passes a licence filter.
 */
import type { LicenseCode } from '../domain.js';

/** The CC licence elements after "by", in the order licence names spell them. */
const CC_LICENSE = /^(?:cc[-_ ]?)?by((?:-nc)?(?:-sa|-nd)?)(?=$|[-_ ]?\d|[-_ ,/;])/;

/**
 * The code for one licence text (`by-nc-sa`, `cc-by-sa-3.0-de`, `CC BY 2.0`, `cc0`, `CC0 1.0`,
 * `pdm`, `Public domain`, `pd`), or null when it names no licence Trawl has a code for.
 */
export function licenseCode(text: string | null | undefined): LicenseCode | null {
  const key = text?.trim().toLowerCase().replace(/\s+/g, ' ') ?? '';
  if (key === '') return null;
  if (/^cc0\b|^cc[-_ ]zero\b/.test(key)) return 'cc0';
  if (/^(pdm|pd|public domain)\b/.test(key)) return 'pdm';
  const cc = CC_LICENSE.exec(key.replace(/ (?=[a-z])/g, '-'));
  return cc === null ? null : (`cc-by${cc[1] ?? ''}` as LicenseCode);
}

/**
 * The code a creativecommons.org licence or public-domain URL stands for
 * (`…/licenses/by-sa/4.0/` → `cc-by-sa`, `…/publicdomain/zero/1.0/` → `cc0`), or null.
 */
export function licenseCodeOfUrl(url: string | null | undefined): LicenseCode | null {
  const match = /creativecommons\.org\/(licenses\/([a-z-]+)|publicdomain\/(zero|mark))\b/i.exec(url ?? '');
  if (match === null) return null;
  if (match[3] !== undefined) return match[3].toLowerCase() === 'zero' ? 'cc0' : 'pdm';
  return licenseCode(match[2]);
}
