import type { Store, StoredEvent } from '../store/store.js';
import type { EventBus } from './events.js';

/** A source of stored events as they come (with their store ids): what SSE streams subscribe to. */
export interface EventFeed {
  /** Subscribes; returns the unsubscribe function. */
  onRecorded(listener: (event: StoredEvent) => void): () => void;
}

/**
 * Writes every bus event into its job's event log in the store, in emission order, then tells
 * its own subscribers the event *with its store id* — what SSE streams need so a client can
 * resume with Last-Event-ID. Writes are chained so order holds even for an asynchronous store;
 * `flush()` waits for the ones in flight. A failed write is reported, never thrown into the engine.
 */
export class EventRecorder implements EventFeed {
  private tail: Promise<void> = Promise.resolve();
  private readonly unsubscribe: () => void;
  private readonly listeners = new Set<(event: StoredEvent) => void>();

  constructor(bus: EventBus, store: Store, onError: (err: unknown) => void) {
    this.unsubscribe = bus.subscribe((event) => {
      this.tail = this.tail
        .then(async () => {
          const at = new Date().toISOString();
          const id = await store.appendEvent(event.data.jobId, event.name, event.data);
          const stored: StoredEvent = { id, jobId: event.data.jobId, name: event.name, data: event.data, at };
          for (const listener of this.listeners) {
            try {
              listener(stored);
            } catch (err) {
              onError(err);
            }
          }
        })
        .catch(onError);
    });
  }

  /** Subscribes to events as they are stored (with their ids); returns the unsubscribe function. */
  onRecorded(listener: (event: StoredEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves when every event emitted so far is stored. */
  flush(): Promise<void> {
    return this.tail;
  }

  /** Stops recording (after a final flush, if the caller wants one). */
  stop(): void {
    this.unsubscribe();
    this.listeners.clear();
  }
}
