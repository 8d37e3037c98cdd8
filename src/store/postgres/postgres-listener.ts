/**
 * Cross-process news of appended events: `appendEvent` sends `NOTIFY trawl_events` in its own
 * transaction, so every process that LISTENs hears of an event once it is committed and readable,
 * whichever process appended it. Each subscription holds one dedicated connection (LISTEN does not
 * work through a pool, whose connections change hands).
 */
import pg from 'pg';

/** The channel `appendEvent` notifies; the payload is the new event's id. */
export const EVENTS_CHANNEL = 'trawl_events';

/** Ends a subscription and its connection; calling it again does nothing. */
export type Unsubscribe = () => Promise<void>;

/**
 * Connects a client with `config`, LISTENs on `EVENTS_CHANNEL` and calls `listener` for every
 * notification. When the connection fails later (the server restarted, the network dropped), the
 * listener is called one last time, so its owner reads what it may have missed, and is then dropped:
 * no more calls come. The listener must not throw. Rejects (with the driver's error) when the
 * connection or the LISTEN fails.
 */
export async function listenForEvents(config: pg.ClientConfig, listener: () => void): Promise<Unsubscribe> {
  const client = new pg.Client(config);
  let live = false;
  let ended = false;
  const end = async (): Promise<void> => {
    if (ended) return;
    ended = true;
    // The connection may already be gone: ending it then fails, and there is nothing left to close.
    await client.end().catch(() => undefined);
  };
  const lost = (): void => {
    if (!live || ended) return;
    void end();
    listener();
  };
  // Without an 'error' handler a dropped connection would crash the process.
  client.on('error', lost);
  client.on('end', lost);
  client.on('notification', (message) => {
    if (live && !ended && message.channel === EVENTS_CHANNEL) listener();
  });
  try {
    await client.connect();
    await client.query(`LISTEN ${EVENTS_CHANNEL}`);
  } catch (err) {
    await end();
    throw err;
  }
  live = true;
  return end;
}

/** One store's open subscriptions, so that closing the store ends them all. */
export class EventSubscriptions {
  private readonly open = new Set<Unsubscribe>();

  /** Subscriptions connect with `config`. */
  constructor(private readonly config: pg.ClientConfig) {}

  /** Subscribes `listener` (see `listenForEvents`); resolves to its unsubscribe function. */
  async add(listener: () => void): Promise<Unsubscribe> {
    const end = await listenForEvents(this.config, listener);
    const unsubscribe = async (): Promise<void> => {
      this.open.delete(unsubscribe);
      await end();
    };
    this.open.add(unsubscribe);
    return unsubscribe;
  }

  /** Ends every open subscription. */
  async closeAll(): Promise<void> {
    await Promise.all([...this.open].map((unsubscribe) => unsubscribe()));
  }
}
