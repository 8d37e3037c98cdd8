/**
 * The public entry of the `trawl` package: `import { harvest } from 'trawl'`. Only what is
 * exported here is public (docs/library.md); everything else may change in any release.
 */
export { harvest } from './library.js';
export type { Duration, HarvestFilters, HarvestOptions, HarvestTimeouts } from './library.js';
export { TrawlError, isTrawlError } from './errors.js';
export type { ErrorCode, ErrorContext } from './errors.js';
export type { JobReport, ReportItem, ReportSource } from './services/report.js';
export type { JobEvent, JobEventName, JobEvents } from './engine/events.js';
export type { Candidate, ErrorInfo, FilterName, Filters, ImageFormat, Item, ItemFailure, Job, JobStatus, LicenseCode, MediaKind, MediaType, Orientation, SourceId, SourceRun, SourceRunStatus } from './domain.js';
// What a source module on TRAWL_SOURCES_PATH implements (docs/sources.md, "Writing a source").
export type { PageDelay, Pushdown, QuotaHeaders, QuotaInfo, RequestPolicy, SearchRequest, Source, SourceContext } from './sources/source.js';
export type { ApiResponse, HttpClient, HttpResponse, RequestOptions, RequestPurpose } from './net/http.js';
export type { Config } from './config/config.js';
