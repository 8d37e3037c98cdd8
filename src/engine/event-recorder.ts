import type { NewEvent, Store, StoredEvent } from '../store/store.js';
import type { EventBus } from './events.js';

/** A source of stored events as they come (with their store ids): what SSE streams subscribe to. */
export interface EventFeed {
  /** Subscribes; returns the unsubscribe function. */
  onRecorded(listener: (event: StoredEvent) => void): () => void;
}

/** The most events one write takes: a burst larger than this is written in several. */
const MAX_BATCH = 500;

/**
 * Writes every bus event into its job's event log in the store, in emission order, then tells
 * its own subscribers the event *with its store id* — what SSE streams need so a client can
 * resume with Last-Event-ID. The events of one turn of the event loop, and those that arrive while
 * a write is in flight, are written together (one transaction, one commit), so a busy engine never
 * queues one commit per event behind a slow database. `flush()` waits for the ones in flight. A failed write is
 * reported, never thrown into the engine.
 */
export class EventRecorder implements EventFeed {
  private readonly pending: NewEvent[] = [];
  private writing = false;
  private drained: Promise<void> = Promise.resolve();
  private readonly unsubscribe: () => void;
  private readonly listeners = new Set<(event: StoredEvent) => void>();

  constructor(
    bus: EventBus,
    private readonly store: Pick<Store, 'appendEvents'>,
    private readonly onError: (err: unknown) => void,
  ) {
    this.unsubscribe = bus.subscribe((event) => {
      this.pending.push({ jobId: event.data.jobId, name: event.name, data: event.data });
      if (this.writing) return;
      this.writing = true;
      // Wait for the rest of this turn of the event loop: the events a burst of I/O callbacks emits
      // (items finishing together, their progress) go in one transaction.
      this.drained = new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.writePending());
    });
  }

  /** Subscribes to events as they are stored (with their ids); returns the unsubscribe function. */
  onRecorded(listener: (event: StoredEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves when every event emitted so far is stored. */
  flush(): Promise<void> {
    return this.drained;
  }

  /** Stops recording (after a final flush, if the caller wants one). */
  stop(): void {
    this.unsubscribe();
    this.listeners.clear();
  }

  /** Writes what is pending, batch after batch, until nothing is; never rejects. */
  private async writePending(): Promise<void> {
    for (;;) {
      const batch = this.pending.splice(0, MAX_BATCH);
      if (batch.length === 0) {
        // Cleared in the same tick as the check: an event emitted from now on starts a new write.
        this.writing = false;
        return;
      }
      try {
        const at = new Date().toISOString();
        const ids = await this.store.appendEvents(batch);
        batch.forEach((event, n) => tellListeners(this.listeners, { ...event, id: ids[n] ?? 0, at }, this.onError));
      } catch (err) {
        this.onError(err);
      }
    }
  }
}

/** Hands `event` to every listener; one that throws is reported and does not stop the others. */
export function tellListeners(listeners: Iterable<(event: StoredEvent) => void>, event: StoredEvent, onError: (err: unknown) => void): void {
  for (const listener of listeners) {
    try {
      listener(event);
    } catch (err) {
      onError(err);
    }
  }
}
