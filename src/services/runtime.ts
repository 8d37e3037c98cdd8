import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Config } from '../config/config.js';
import { appendManifest } from '../download/manifest.js';
import { EventBus } from '../engine/events.js';
import { type EventFeed, EventRecorder } from '../engine/event-recorder.js';
import type { EngineDeps } from '../engine/job-context.js';
import { KeyedLimiter } from '../engine/limiter.js';
import { QuotaBook } from '../engine/quota-book.js';
import { SourceHealthBook } from '../engine/source-health.js';
import { breakerSettingsFrom } from '../engine/circuit-breaker.js';
import { logJobEvents } from '../logging/job-log.js';
import { type TrawlLogger, closeLogger, createLogger } from '../logging/logger.js';
import { createHttpClient, httpClientOptionsFrom } from '../net/undici-http-client.js';
import { loadSourceRegistry } from '../sources/plugin-sources.js';
import type { Source } from '../sources/source.js';
import { openStore } from '../store/open-store.js';
import { EventTail } from './event-tail.js';

/** Everything a process needs to run jobs, built once from the config and closed once. */
export interface Runtime {
  readonly deps: EngineDeps;
  readonly logger: TrawlLogger;
  /**
   * Every job event as it is stored, with its id, in id order: this process's and those of every
   * other process on the database (workers, `trawl fetch`). For SSE streams.
   */
  readonly events: EventFeed & Pick<EventTail, 'start'>;
  /** Waits for the event log to be written. */
  flush(): Promise<void>;
  /** Flushes and closes the HTTP pool, the store and the log file (which then logs nothing more). */
  close(): Promise<void>;
}

export interface RuntimeOptions {
  /** Replaces the source registry (tests); by default the built-ins and TRAWL_SOURCES_PATH's plugins. */
  sources?: readonly Source[];
  logger?: TrawlLogger;
}

/** Opens the store (migrated), the HTTP client, the event bus with its log and event-log consumers. */
export async function openRuntime(config: Config, options: RuntimeOptions = {}): Promise<Runtime> {
  // Plugins first: a broken one stops start-up before anything is opened.
  const sources = options.sources ?? (await loadSourceRegistry(config));
  const logger = options.logger ?? createLogger(config);
  const store = await openStore(config);
  const bus = new EventBus((err, event) => logger.error({ err, event: event.name }, 'EVENT LISTENER FAILED'));
  const recorder = new EventRecorder(bus, store, (err) => logger.error({ err }, 'EVENT LOG WRITE FAILED'));
  const tail = new EventTail(store, recorder, (err) => logger.error({ err }, 'EVENT LOG READ FAILED'));
  const unlog = logJobEvents(bus, logger, config);
  const http = createHttpClient(httpClientOptionsFrom(config));
  const quotas = new QuotaBook(store, (err) => logger.error({ err }, 'QUOTA WRITE FAILED'));
  await quotas.load();
  const health = new SourceHealthBook(store, breakerSettingsFrom(config), (err) => logger.error({ err }, 'SOURCE HEALTH WRITE FAILED'));
  await health.load();
  const deps: EngineDeps = {
    config,
    store,
    http,
    bus,
    sources,
    hostLimiter: new KeyedLimiter(config.hostConcurrency),
    quotas,
    health,
    workerId: `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
    recordManifest: appendManifest,
  };
  // A logger the caller passed in stays the caller's to close.
  const ownsLogger = options.logger === undefined;
  let closed = false;
  return {
    deps,
    logger,
    events: tail,
    flush: () => recorder.flush(),
    async close() {
      if (closed) return;
      closed = true;
      await tail.stop();
      await recorder.flush();
      recorder.stop();
      unlog();
      await http.close();
      await store.close();
      if (ownsLogger) await closeLogger(logger);
      else logger.flush();
    },
  };
}
