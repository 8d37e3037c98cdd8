/**
 * `trawl/testing`: the kit for source authors. `checkSource` runs the source conformance checks on
 * a source (a built-in or a TRAWL_SOURCES_PATH plugin) against recorded responses and returns its
 * failures, with no network and no test framework: assert that the list is empty in any runner.
 * docs/sources.md, "Writing a source", walks through it.
 */
export { END_LIMIT, checkSource } from './sources/conformance.js';
export { loadPluginSource } from './sources/plugin-sources.js';
export type { ConformanceCheck, ConformanceFailure, ConformanceOptions } from './sources/conformance.js';
export type { RecordedResponse, ResponseLookup, SentRequest } from './sources/recorded-http.js';
