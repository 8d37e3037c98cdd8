import type { Config } from '../config/config.js';
import type { Item, Job, JobRequest } from '../domain.js';
import type { HttpClient } from '../net/http.js';
import type { Source } from '../sources/source.js';
import type { Store } from '../store/store.js';
import type { Budget } from './budget.js';
import type { EventBus } from './events.js';
import type { KeyedLimiter, Limiter } from './limiter.js';
import type { QuotaBook } from './quota-book.js';
import type { SourceHealthBook } from './source-health.js';

/** What the engine needs from the outside world; services build it once per process. */
export interface EngineDeps {
  config: Config;
  store: Store;
  http: HttpClient;
  bus: EventBus;
  /** Every known source (the registry); a job picks its own from these. */
  sources: readonly Source[];
  /** Downloads in flight per host, shared by every job of the process. */
  hostLimiter: KeyedLimiter;
  /** Each source's last announced rate-limit quota. */
  quotas: QuotaBook;
  /** Each source's recent outcomes and circuit breaker: an open breaker skips the source. */
  health: SourceHealthBook;
  /** Identifies this process as the owner of the jobs it runs. */
  workerId: string;
  /** Records an item in the output directory's manifest (manifest.jsonl). */
  recordManifest?: (item: Item, outDir: string) => Promise<void>;
}

/** The state one running job shares with its source tasks. */
export interface JobContext {
  readonly deps: EngineDeps;
  readonly job: Job;
  readonly request: JobRequest;
  readonly budget: Budget;
  /** Downloads in flight for this job (TRAWL_DOWNLOAD_CONCURRENCY). */
  readonly downloads: Limiter;
  /** sha256 of every file this job saved: the same content is stored and reported once. */
  readonly savedHashes: Set<string>;
  /** The absolute directory items are written to. */
  readonly outDirAbsolute: string;
}
