/**
 * Every source Trawl knows: one line each, checked by the compiler against `SOURCE_IDS` (a source
 * id without an adapter, or an adapter without an id, does not build). Adding a source is one
 * adapter file, one line here and its simulator route (docs/sources.md, "Adding a source").
 */
import { type BuiltinSourceId, SOURCE_IDS } from '../domain.js';
import { artInstituteChicagoSource } from './art-institute-chicago.source.js';
import { bingImagesSource } from './bing-images.source.js';
import { clevelandMuseumSource } from './cleveland-museum.source.js';
import { duckduckgoImagesSource } from './duckduckgo-images.source.js';
import { europeanaSource } from './europeana.source.js';
import { flickrSource } from './flickr.source.js';
import { googleImagesSource } from './google-images.source.js';
import { metMuseumSource } from './met-museum.source.js';
import { nasaSource } from './nasa.source.js';
import { openverseSource } from './openverse.source.js';
import { pexelsSource } from './pexels.source.js';
import { pixabaySource } from './pixabay.source.js';
import type { Source } from './source.js';
import { unsplashSource } from './unsplash.source.js';
import { wikimediaCommonsSource } from './wikimedia-commons.source.js';

/** The adapter of each source, by id. */
export const SOURCES = Object.freeze({
  google_images: googleImagesSource,
  bing_images: bingImagesSource,
  duckduckgo_images: duckduckgoImagesSource,
  pexels: pexelsSource,
  pixabay: pixabaySource,
  unsplash: unsplashSource,
  openverse: openverseSource,
  wikimedia_commons: wikimediaCommonsSource,
  nasa: nasaSource,
  flickr: flickrSource,
  europeana: europeanaSource,
  met_museum: metMuseumSource,
  art_institute_chicago: artInstituteChicagoSource,
  cleveland_museum: clevelandMuseumSource,
} satisfies Record<BuiltinSourceId, Source>);

/** Every source in the order `trawl sources` lists them and jobs start them (`SOURCE_IDS`). */
export const SOURCE_LIST: readonly Source[] = Object.freeze(SOURCE_IDS.map((id) => SOURCES[id]));

/** The environment variables holding API keys, as the sources that need one declare them. */
export const API_KEY_VARS: readonly string[] = Object.freeze(SOURCE_LIST.flatMap((source) => (source.keyVar === undefined ? [] : [source.keyVar])));
