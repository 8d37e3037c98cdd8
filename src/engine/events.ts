/**
 * The one typed event map: every "what happened" in a job is one of these. The store's event log,
 * the log file, the CLI progress (and later SSE and metrics) all consume the same events.
 */
import type { ErrorInfo, Item, Job, SourceId, SourceRun } from '../domain.js';

export interface JobEvents {
  'job.started': { jobId: string; job: Job };
  'source.started': { jobId: string; source: SourceId; budgetMs: number };
  'source.progress': { jobId: string; source: SourceId; run: SourceRun };
  'item.saved': { jobId: string; source: SourceId; item: Item };
  'item.failed': { jobId: string; source: SourceId; url: string; error: ErrorInfo };
  'source.finished': { jobId: string; source: SourceId; run: SourceRun };
  alert: { jobId: string; level: 'warning' | 'error'; message: string; source?: SourceId };
  'job.finished': { jobId: string; job: Job };
}

export type JobEventName = keyof JobEvents;
export type JobEvent = { [K in JobEventName]: { name: K; data: JobEvents[K] } }[JobEventName];
type Listener = (event: JobEvent) => void;

/**
 * A synchronous, typed event bus. Listeners run in subscription order; a throwing listener is
 * reported to `onListenerError` and never stops the others or the engine.
 */
export class EventBus {
  private readonly listeners = new Set<Listener>();

  constructor(private readonly onListenerError: (err: unknown, event: JobEvent) => void = () => {}) {}

  emit<K extends JobEventName>(name: K, data: JobEvents[K]): void {
    const event = { name, data } as JobEvent;
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (err) {
        this.onListenerError(err, event);
      }
    }
  }

  /** Subscribes to every event; returns the unsubscribe function. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
