import { TrawlError, isTrawlError } from '../errors.js';
import type { Lease, Store } from '../store/store.js';
import { EventBus, type JobEventName, type JobEvents } from './events.js';

/** What the runner does when its lease ends or a cancel arrives from another process. */
export interface LeaseHandlers {
  /** The lease is gone (reaped, or claimed again): stop all work at once; write nothing more. */
  onLost(reason: TrawlError): void;
  /** `trawl jobs cancel` (or any process) asked for this job to stop. */
  onCancelRequested(): void;
}

/**
 * A runner's hold on one claimed job. It heartbeats (`renewLease`) every interval and checks for a
 * cancel request at each beat; it hands the job's code a store whose writes carry the lease and a
 * bus that goes quiet once the lease is lost, so a worker that was frozen past its lease and wakes
 * up neither overwrites the state the reaper left nor publishes events for a job it no longer owns.
 *
 * The lease counts as lost at the first sign: a heartbeat refused, or any fenced write refused
 * with TRAWL_LEASE_LOST.
 */
export class JobLease {
  /** The store to give the job's code: updateJob, saveSourceRun, addItem and addFailure are fenced. */
  readonly store: Store;
  /** The bus to give the job's code: forwards events while the lease holds, drops them after. */
  readonly bus: EventBus;
  private lostReason: TrawlError | undefined;
  private timer: NodeJS.Timeout | undefined;
  private beating: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly raw: { store: Store; bus: EventBus },
    private readonly jobId: string,
    private readonly lease: Lease,
    private readonly handlers: LeaseHandlers,
  ) {
    this.store = fencedStore(raw.store, lease, (reason) => this.lose(reason));
    this.bus = new GatedBus(raw.bus, () => this.lostReason === undefined);
  }

  /** Why the lease was lost, or undefined while it holds. */
  get lost(): TrawlError | undefined {
    return this.lostReason;
  }

  /** Beats every `intervalMs` until `stopHeartbeat()`; a beat never overlaps the previous one. */
  startHeartbeat(intervalMs: number): void {
    const schedule = (): void => {
      if (this.stopped) return;
      this.timer = setTimeout(() => {
        this.beating = this.beat().finally(schedule);
      }, intervalMs);
      // Waiting on network work keeps the process alive; the heartbeat alone must not.
      this.timer.unref();
    };
    schedule();
  }

  /** Stops beating; resolves once a beat in flight has finished. Safe to call twice. */
  async stopHeartbeat(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.beating;
  }

  private async beat(): Promise<void> {
    try {
      const held = await this.raw.store.renewLease(this.jobId, this.lease, new Date().toISOString());
      if (!held) {
        this.lose(
          new TrawlError(
            'TRAWL_LEASE_LOST',
            `worker ${this.lease.owner} lost job ${this.jobId}: it was reaped or taken over while this process was frozen or cut off from the database; stopping without writing more`,
            { context: { jobId: this.jobId, worker: this.lease.owner, leaseVersion: this.lease.version } },
          ),
        );
        return;
      }
      if (!this.stopped && (await this.raw.store.getCancelRequest(this.jobId)) !== null) this.handlers.onCancelRequested();
    } catch {
      // A missed beat shows as an older heartbeatAt; the next one tries again.
    }
  }

  private lose(reason: TrawlError): void {
    if (this.lostReason !== undefined) return;
    this.lostReason = reason;
    this.handlers.onLost(reason);
  }
}

type FencedWrites = Pick<Store, 'updateJob' | 'saveSourceRun' | 'addItem' | 'addFailure'>;

/**
 * The store with its job writes carrying `lease`. A Proxy rather than a hand-written wrapper, so
 * methods added to the Store later pass through untouched.
 */
function fencedStore(store: Store, lease: Lease, onLost: (reason: TrawlError) => void): Store {
  const guard = <T>(write: Promise<T>): Promise<T> =>
    write.catch((err: unknown) => {
      if (isTrawlError(err, 'TRAWL_LEASE_LOST')) onLost(err);
      throw err;
    });
  const fenced: FencedWrites = {
    updateJob: (id, patch) => guard(store.updateJob(id, patch, lease)),
    saveSourceRun: (jobId, run) => guard(store.saveSourceRun(jobId, run, lease)),
    addItem: (item) => guard(store.addItem(item, lease)),
    addFailure: (jobId, failure) => guard(store.addFailure(jobId, failure, lease)),
  };
  return new Proxy(store, {
    get(target, key) {
      if (typeof key === 'string' && Object.hasOwn(fenced, key)) return fenced[key as keyof FencedWrites];
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** Forwards to `target` while `open()` holds; subscriptions go straight to `target`. */
class GatedBus extends EventBus {
  constructor(
    private readonly target: EventBus,
    private readonly open: () => boolean,
  ) {
    super();
  }

  override emit<K extends JobEventName>(name: K, data: JobEvents[K]): void {
    if (this.open()) this.target.emit(name, data);
  }

  override subscribe(listener: Parameters<EventBus['subscribe']>[0]): () => void {
    return this.target.subscribe(listener);
  }
}
