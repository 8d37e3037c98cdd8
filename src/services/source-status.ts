import { existsSync } from 'node:fs';
import type { Config } from '../config/config.js';
import type { MediaKind, SourceId } from '../domain.js';
import { type Pushdown, type Source, availability } from '../sources/source.js';
import { openSqliteStore } from '../store/sqlite/sqlite.store.js';
import { openStore, selectsPostgres, sqlitePath } from '../store/open-store.js';
import type { StoredQuota, StoredSourceOutcome } from '../store/store.js';
import { breakerSettingsFrom } from '../engine/circuit-breaker.js';
import type { QuotaBook } from '../engine/quota-book.js';
import { type SourceHealth, SourceHealthBook } from '../engine/source-health.js';

// The migrations that created the tables read here (see store/sqlite/migrations.ts).
const QUOTAS_MIGRATION = 2;
const OUTCOMES_MIGRATION = 4;

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
  /** Whether every item states its licence (a licence filter skips the sources that do not). */
  statesLicenses: boolean;
  /** The filters it asks its service for, and how (the rest Trawl checks alone). */
  pushdown: Pushdown[];
  /** Where its API requests go (the TRAWL_ORIGIN_* override or the real service). */
  origin: string;
  /** The service's last announced rate-limit quota, if any. */
  quota: Omit<StoredQuota, 'source'> | null;
  /** Its last runs (success rate, latency, last error) and its circuit breaker. */
  health: SourceHealth;
}

/** Where quotas and health come from: a running process's own books, or the database. */
export interface SourceRecords {
  quotas: Pick<QuotaBook, 'get'>;
  health: Pick<SourceHealthBook, 'get'>;
}

/**
 * Every source with its configuration, last known quota and health. A running process passes its
 * own books (`runtime.deps`: they also know a trial run in flight); otherwise the database is read,
 * only if it already exists: looking at sources never creates a data directory.
 */
export async function listSourceStatus(config: Config, registry: readonly Source[], live?: SourceRecords): Promise<SourceStatus[]> {
  const { quotas, health } = live ?? (await readRecords(config));
  return registry.map((source) => {
    const available = availability(source, config);
    const quota = quotas.get(source.id);
    return {
      id: source.id,
      name: source.displayName,
      configured: available.ok,
      reason: available.ok ? null : available.reason,
      keyVar: source.keyVar ?? null,
      kinds: [...source.kinds],
      licensePolicy: source.licensePolicy,
      statesLicenses: source.statesLicenses,
      pushdown: source.pushdown.map((row) => ({ ...row })),
      origin: config.origins[source.id] ?? source.defaultOrigin,
      quota: quota ? { remaining: quota.remaining, limit: quota.limit, resetAt: quota.resetAt, updatedAt: quota.updatedAt } : null,
      health: health.get(source.id),
    };
  });
}

/** The books as earlier runs stored them (empty without a database); the health book is replayed. */
async function readRecords(config: Config): Promise<SourceRecords> {
  const { quotas, outcomes } = await readTables(config);
  const replay = { listSourceOutcomes: () => Promise.resolve(outcomes), addSourceOutcome: () => Promise.resolve() };
  const health = new SourceHealthBook(replay, breakerSettingsFrom(config), () => {});
  await health.load();
  return { quotas: { get: (id) => quotas.find((q) => q.source === id) }, health };
}

async function readTables(config: Config): Promise<{ quotas: StoredQuota[]; outcomes: StoredSourceOutcome[] }> {
  if (selectsPostgres(config)) {
    // A shared database: the API node and the workers keep its schema current.
    const store = await openStore(config);
    try {
      return { quotas: await store.listQuotas(), outcomes: await store.listSourceOutcomes() };
    } finally {
      await store.close();
    }
  }
  const file = sqlitePath(config);
  if (!existsSync(file)) return { quotas: [], outcomes: [] };
  const store = openSqliteStore(file, { readonly: true });
  try {
    // An older database lacks the newer tables until a job migrates it: nothing recorded there yet.
    const pending = new Set((await store.pendingMigrations()).map((m) => m.version));
    return {
      quotas: pending.has(QUOTAS_MIGRATION) ? [] : await store.listQuotas(),
      outcomes: pending.has(OUTCOMES_MIGRATION) ? [] : await store.listSourceOutcomes(),
    };
  } finally {
    await store.close();
  }
}
