/**
 * Every source Trawl knows, in the order `trawl sources` lists them and jobs start them.
 */
import type { SourceId } from '../domain.js';
import { bingImagesSource } from './bing-images.source.js';
import { nasaSource } from './nasa.source.js';
import { duckduckgoImagesSource } from './duckduckgo-images.source.js';
import { googleImagesSource } from './google-images.source.js';
import { openverseSource } from './openverse.source.js';
import { pexelsSource } from './pexels.source.js';
import { pixabaySource } from './pixabay.source.js';
import { unsplashSource } from './unsplash.source.js';
import type { Source } from './source.js';
import { wikimediaCommonsSource } from './wikimedia-commons.source.js';

/** The implemented sources (more are added as their adapters land). */
export const SOURCES: readonly Source[] = Object.freeze([googleImagesSource, bingImagesSource, duckduckgoImagesSource, pexelsSource, pixabaySource, unsplashSource, openverseSource, wikimediaCommonsSource, nasaSource]);

/** The source with this id, or undefined when Trawl has no adapter for it yet. */
export function findSource(id: SourceId): Source | undefined {
  return SOURCES.find((source) => source.id === id);
}
