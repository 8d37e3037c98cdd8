/** The contract every simulated source implements: one file per source, registered in registry.ts. */
import type { IncomingHttpHeaders } from 'node:http';
import type { SourceId } from '../../domain.js';
import type { MediaLibrary } from '../media.js';
import type { Payload } from '../payload.js';
import type { SimSettings } from '../settings.js';

/** An API request as a route sees it. */
export interface RouteRequest {
  /** The full request URL on the simulator's origin (the simulator's own `_sim_*` parameters removed). */
  readonly url: URL;
  readonly headers: IncomingHttpHeaders;
  /** `http://127.0.0.1:PORT`: every URL a route hands out starts with it. */
  readonly origin: string;
}

/** One simulated source's API, built per simulator (it may keep counters, e.g. rate-limit headers). */
export interface SourceRoute {
  /** The source id, as in CONTRACT.md (`pexels`, `wikimedia_commons`, …). */
  readonly source: SourceId;
  /** Env lines besides `TRAWL_ORIGIN_<SOURCE>` a user needs (API keys). */
  readonly env: Readonly<Record<string, string>>;
  /** Whether this route answers the request (same paths as the real service; sources sharing a
   *  path, like Google's and NASA's `/search`, tell their requests apart by the query). */
  matches(url: URL): boolean;
  /** The answer before faults; synchronous, since everything it needs is generated in memory. */
  handle(request: RouteRequest): Payload;
}

/** What a route may use. */
export interface RouteDeps {
  readonly settings: SimSettings;
  readonly media: MediaLibrary;
}

/** A registered route: its source id (known without building it) and its factory. */
export interface RouteModule {
  readonly source: SourceId;
  create(deps: RouteDeps): SourceRoute;
}
