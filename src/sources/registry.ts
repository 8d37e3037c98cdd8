/**
 * Every source Trawl knows, in the order `trawl sources` lists them and jobs start them.
 */
import type { SourceId } from '../domain.js';
import { openverseSource } from './openverse.source.js';
import { pexelsSource } from './pexels.source.js';
import type { Source } from './source.js';
import { wikimediaCommonsSource } from './wikimedia-commons.source.js';

/** The implemented sources (more are added as their adapters land). */
export const SOURCES: readonly Source[] = Object.freeze([pexelsSource, openverseSource, wikimediaCommonsSource]);

/** The source with this id, or undefined when Trawl has no adapter for it yet. */
export function findSource(id: SourceId): Source | undefined {
  return SOURCES.find((source) => source.id === id);
}
