/** Every simulated source. Adding one = one `<source>.sim.ts` file and one line here. */
import { bingImagesRoute } from './bing-images.sim.js';
import { nasaRoute } from './nasa.sim.js';
import { duckduckgoImagesRoute } from './duckduckgo-images.sim.js';
import { googleImagesRoute } from './google-images.sim.js';
import { openverseRoute } from './openverse.sim.js';
import { pexelsRoute } from './pexels.sim.js';
import { pixabayRoute } from './pixabay.sim.js';
import { unsplashRoute } from './unsplash.sim.js';
import type { RouteModule } from './route.js';
import { wikimediaCommonsRoute } from './wikimedia-commons.sim.js';

/** The routes a simulator serves, in matching order. */
export const SOURCE_ROUTES: readonly RouteModule[] = [googleImagesRoute, bingImagesRoute, duckduckgoImagesRoute, pexelsRoute, pixabayRoute, unsplashRoute, openverseRoute, wikimediaCommonsRoute, nasaRoute];

/** The source ids the simulator answers for (fault targets name them). */
export const SIM_SOURCE_IDS: readonly string[] = SOURCE_ROUTES.map((r) => r.source);
