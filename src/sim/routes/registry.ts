/**
 * Every simulated source, one line each, checked by the compiler against `SOURCE_IDS` like the
 * product's own registry (src/sources/registry.ts): a source without its simulator route does not build.
 */
import type { BuiltinSourceId } from '../../domain.js';
import { artInstituteChicagoRoute } from './art-institute-chicago.sim.js';
import { bingImagesRoute } from './bing-images.sim.js';
import { clevelandMuseumRoute } from './cleveland-museum.sim.js';
import { duckduckgoImagesRoute } from './duckduckgo-images.sim.js';
import { europeanaRoute } from './europeana.sim.js';
import { flickrRoute } from './flickr.sim.js';
import { googleImagesRoute } from './google-images.sim.js';
import { metMuseumRoute } from './met-museum.sim.js';
import { nasaRoute } from './nasa.sim.js';
import { openverseRoute } from './openverse.sim.js';
import { pexelsRoute } from './pexels.sim.js';
import { pixabayRoute } from './pixabay.sim.js';
import type { RouteModule } from './route.js';
import { unsplashRoute } from './unsplash.sim.js';
import { wikimediaCommonsRoute } from './wikimedia-commons.sim.js';

/**
 * The route of each source, by id, in matching order: Google Images before NASA, whose searches
 * share the `/search` path (Google's ask for images, `tbm=isch`).
 */
export const SIM_ROUTES = Object.freeze({
  google_images: googleImagesRoute,
  bing_images: bingImagesRoute,
  duckduckgo_images: duckduckgoImagesRoute,
  pexels: pexelsRoute,
  pixabay: pixabayRoute,
  unsplash: unsplashRoute,
  openverse: openverseRoute,
  wikimedia_commons: wikimediaCommonsRoute,
  nasa: nasaRoute,
  flickr: flickrRoute,
  europeana: europeanaRoute,
  met_museum: metMuseumRoute,
  art_institute_chicago: artInstituteChicagoRoute,
  cleveland_museum: clevelandMuseumRoute,
} satisfies Record<BuiltinSourceId, RouteModule>);

/** The routes a simulator serves, in matching order. */
export const SOURCE_ROUTES: readonly RouteModule[] = Object.freeze(Object.values(SIM_ROUTES));

/** The source ids the simulator answers for (fault targets name them). */
export const SIM_SOURCE_IDS: readonly string[] = SOURCE_ROUTES.map((r) => r.source);
