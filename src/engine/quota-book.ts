import type { SourceId } from '../domain.js';
import type { QuotaInfo } from '../sources/source.js';
import type { Store, StoredQuota } from '../store/store.js';

/**
 * What each service last said about its rate limit, kept in memory and written through to the
 * store so the next process (a new `trawl fetch`) knows it too. A source whose quota is used up
 * until a future reset is skipped instead of burning requests and retries.
 */
export class QuotaBook {
  private readonly quotas = new Map<SourceId, StoredQuota>();

  constructor(
    private readonly store: Pick<Store, 'saveQuota' | 'listQuotas'>,
    private readonly onError: (err: unknown) => void,
  ) {}

  /**
   * Loads what other processes recorded (earlier runs, and workers sharing the database); call
   * again to catch up. A quota this process heard more recently than the stored one is kept.
   */
  async load(): Promise<void> {
    for (const quota of await this.store.listQuotas()) {
      const known = this.quotas.get(quota.source);
      if (known === undefined || known.updatedAt <= quota.updatedAt) this.quotas.set(quota.source, quota);
    }
  }

  /** Records a quota a source's response announced (written through, failures reported). */
  report(source: SourceId, quota: QuotaInfo): void {
    const stored: StoredQuota = { source, ...quota, updatedAt: new Date().toISOString() };
    this.quotas.set(source, stored);
    this.store.saveQuota(stored).catch(this.onError);
  }

  /** The reset time when the source has no requests left until then, else undefined. */
  exhaustedUntil(source: SourceId, now = Date.now()): string | undefined {
    const quota = this.quotas.get(source);
    if (!quota || quota.remaining !== 0 || quota.resetAt === null) return undefined;
    return Date.parse(quota.resetAt) > now ? quota.resetAt : undefined;
  }

  /** The latest quota of a source, if any was announced. */
  get(source: SourceId): StoredQuota | undefined {
    return this.quotas.get(source);
  }
}
