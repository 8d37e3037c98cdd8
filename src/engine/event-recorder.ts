import type { Store } from '../store/store.js';
import type { EventBus } from './events.js';

/**
 * Writes every bus event into its job's event log in the store, in emission order (SSE replays
 * from there). Writes are chained so order holds even for an asynchronous store; `flush()` waits
 * for the ones in flight. A failed write is reported, never thrown into the engine.
 */
export class EventRecorder {
  private tail: Promise<void> = Promise.resolve();
  private readonly unsubscribe: () => void;

  constructor(bus: EventBus, store: Store, onError: (err: unknown) => void) {
    this.unsubscribe = bus.subscribe((event) => {
      this.tail = this.tail
        .then(async () => {
          await store.appendEvent(event.data.jobId, event.name, event.data);
        })
        .catch(onError);
    });
  }

  /** Resolves when every event emitted so far is stored. */
  flush(): Promise<void> {
    return this.tail;
  }

  /** Stops recording (after a final flush, if the caller wants one). */
  stop(): void {
    this.unsubscribe();
  }
}
