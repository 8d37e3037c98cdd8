import { existsSync } from 'node:fs';
import type { Config } from '../config/config.js';
import type { MediaKind, SourceId } from '../domain.js';
import { type Source, availability } from '../sources/source.js';
import { openSqliteStore } from '../store/sqlite/sqlite.store.js';
import { sqlitePath } from '../store/open-store.js';
import type { StoredQuota } from '../store/store.js';

/** One source as `trawl sources` and the API show it. */
export interface SourceStatus {
  id: SourceId;
  name: string;
  configured: boolean;
  /** Why it is not configured (e.g. "PEXELS_API_KEY is not set"), else null. */
  reason: string | null;
  keyVar: string | null;
  kinds: MediaKind[];
  licensePolicy: string;
  /** Where its API requests go (the TRAWL_ORIGIN_* override or the real service). */
  origin: string;
  /** The service's last announced rate-limit quota, if any. */
  quota: Omit<StoredQuota, 'source'> | null;
}

/**
 * Every source with its configuration and last known quota. Reads the database only if it already
 * exists: looking at sources never creates a data directory.
 */
export async function listSourceStatus(config: Config, registry: readonly Source[]): Promise<SourceStatus[]> {
  const quotas = await readQuotas(config);
  return registry.map((source) => {
    const available = availability(source, config);
    const quota = quotas.find((q) => q.source === source.id);
    return {
      id: source.id,
      name: source.displayName,
      configured: available.ok,
      reason: available.ok ? null : available.reason,
      keyVar: source.keyVar ?? null,
      kinds: [...source.kinds],
      licensePolicy: source.licensePolicy,
      origin: config.origins[source.id] ?? source.defaultOrigin,
      quota: quota ? { remaining: quota.remaining, limit: quota.limit, resetAt: quota.resetAt, updatedAt: quota.updatedAt } : null,
    };
  });
}

async function readQuotas(config: Config): Promise<StoredQuota[]> {
  const file = sqlitePath(config);
  if (!existsSync(file)) return [];
  const store = openSqliteStore(file, { readonly: true });
  try {
    // An older database may lack the quota table until a job migrates it: no quotas then.
    return (await store.pendingMigrations()).length > 0 ? [] : await store.listQuotas();
  } finally {
    await store.close();
  }
}
