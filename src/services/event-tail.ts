/**
 * The live events of every process writing to the database, in id order: what an API node streams
 * over SSE when the jobs run in `trawl worker` processes (or in `trawl fetch`), not only in itself.
 *
 * It reads "events after the last one delivered" from the store. It reads at once when this
 * process records an event, when the database pushes news of one (PostgreSQL LISTEN/NOTIFY), and
 * otherwise every poll interval. Delivery follows the store's id order, never the order news
 * arrived in, so a stream's "drop what is at or below the last id sent" rule never loses an event.
 */
import { type EventFeed, tellListeners } from '../engine/event-recorder.js';
import type { Store, StoredEvent } from '../store/store.js';

/** How often the tail reads without news: other processes' events show up within this. */
export const TAIL_POLL_MS = 250;
/** With pushed news the poll is only a safety net (a lost notification, a reconnecting listener). */
export const TAIL_POLL_WITH_PUSH_MS = 2000;
const PAGE_SIZE = 500;

type TailStore = Pick<Store, 'listAllEvents' | 'latestEventId' | 'onEventsAppended'>;

/**
 * Starts at `start()` or at the first subscriber, from the newest event then; `stop()` ends it.
 * A server starts it before it takes requests, so no event recorded once it listens is missed.
 */
export class EventTail implements EventFeed {
  private readonly listeners = new Set<(event: StoredEvent) => void>();
  private lastId = 0;
  private state: 'idle' | 'starting' | 'running' | 'stopped' = 'idle';
  private reading = false;
  private readAgain = false;
  private timer: NodeJS.Timeout | undefined;
  private unlisten: Promise<() => Promise<void>> | undefined;
  private starting: Promise<void> = Promise.resolve();
  private readonly unhookLocal: () => void;

  constructor(
    private readonly store: TailStore,
    /** This process's own recorded events: news that needs no polling. */
    local: EventFeed,
    private readonly onError: (err: unknown) => void,
  ) {
    this.unhookLocal = local.onRecorded(() => this.read());
  }

  onRecorded(listener: (event: StoredEvent) => void): () => void {
    this.listeners.add(listener);
    void this.start();
    return () => this.listeners.delete(listener);
  }

  /** Finds the newest event and starts reading after it; resolves once it reads (at once if it already does). */
  start(): Promise<void> {
    if (this.state === 'idle') this.starting = this.begin();
    return this.starting;
  }

  /** Stops reading and lets go of the database's notifications. */
  async stop(): Promise<void> {
    this.state = 'stopped';
    this.unhookLocal();
    clearInterval(this.timer);
    this.listeners.clear();
    const unlisten = await this.unlisten?.catch(() => undefined);
    await unlisten?.().catch(this.onError);
  }

  private async begin(): Promise<void> {
    this.state = 'starting';
    try {
      this.lastId = await this.store.latestEventId();
      if (this.state !== 'starting') return;
      const push = this.store.onEventsAppended?.bind(this.store);
      if (push !== undefined) this.unlisten = push(() => this.read());
      this.timer = setInterval(() => this.read(), push === undefined ? TAIL_POLL_MS : TAIL_POLL_WITH_PUSH_MS);
      this.timer.unref();
      this.state = 'running';
      this.read();
    } catch (err) {
      // Try again at the next subscriber.
      if (this.state === 'starting') this.state = 'idle';
      this.onError(err);
    }
  }

  /** Reads and delivers every event after the last one; one reader at a time, re-run if news came meanwhile. */
  private read(): void {
    if (this.state !== 'running') return;
    if (this.reading) {
      this.readAgain = true;
      return;
    }
    this.reading = true;
    this.drain()
      .catch(this.onError)
      .finally(() => {
        this.reading = false;
        if (this.readAgain) {
          this.readAgain = false;
          this.read();
        }
      });
  }

  private async drain(): Promise<void> {
    for (;;) {
      const page = await this.store.listAllEvents(this.lastId, PAGE_SIZE);
      for (const event of page) {
        if (this.state !== 'running') return;
        this.lastId = event.id;
        tellListeners(this.listeners, event, this.onError);
      }
      if (page.length < PAGE_SIZE) return;
    }
  }
}
