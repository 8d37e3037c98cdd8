/** The simulator's options, checked once and filled with defaults. */
import { TrawlError } from '../errors.js';

/** How to start a simulator; every field has a default. */
export interface SimulatorOptions {
  host?: string;            // default '127.0.0.1'
  port?: number;            // default 0
  pexelsKey?: string;       // default 'sim-pexels-key'; Authorization header must equal it (raw key, no Bearer) else 401 JSON
  itemsPerQuery?: number;   // results each source has for any query (default 60); query 'nothing' → 0 results
  imageBytes?: number;      // approx size of each generated image (default 24_000)
  videoBytes?: number;      // approx size of each generated video (default 200_000)
  /** Every image of one size shares its pixels and differs only by a text chunk naming its key (default false).
   *  Benchmarks set it: images then cost a copy to serve instead of generating a picture per key
   *  (25–55 MB/s here). Such images are one picture, not one per item. */
  sharedPixels?: boolean;
}

/** {@link SimulatorOptions} with every default applied. */
export type SimSettings = Readonly<Required<SimulatorOptions>>;

const DEFAULTS: SimSettings = {
  host: '127.0.0.1',
  port: 0,
  pexelsKey: 'sim-pexels-key',
  itemsPerQuery: 60,
  imageBytes: 24_000,
  videoBytes: 200_000,
  sharedPixels: false,
};

/** Applies defaults and refuses values the simulator cannot honour, naming the option. */
export function resolveSettings(options: SimulatorOptions): SimSettings {
  const settings = { ...DEFAULTS, ...definedOnly(options) };
  wholeNumber('port', settings.port, 0, 65_535);
  wholeNumber('itemsPerQuery', settings.itemsPerQuery, 0, 1_000_000);
  wholeNumber('imageBytes', settings.imageBytes, 1_000, 64 * 1024 * 1024);
  wholeNumber('videoBytes', settings.videoBytes, 1_000, 256 * 1024 * 1024);
  if (settings.pexelsKey === '' || !/^[\x21-\x7e]+$/.test(settings.pexelsKey)) throw bad('pexelsKey', 'printable text without spaces', settings.pexelsKey);
  if (settings.host === '') throw bad('host', 'an address to listen on', settings.host);
  return Object.freeze(settings);
}

/** Drops keys set to undefined, so they do not overwrite defaults. */
function definedOnly(options: SimulatorOptions): SimulatorOptions {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
}

function wholeNumber(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) throw bad(name, `a whole number from ${min} to ${max}`, value);
}

function bad(name: string, expected: string, got: unknown): TrawlError {
  return new TrawlError('TRAWL_BAD_INPUT', `simulator option ${name}: expected ${expected}; got ${JSON.stringify(got)}`);
}
