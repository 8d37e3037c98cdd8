import type { Config } from '../config/config.js';
import path from 'node:path';
import { openSqliteStore } from './sqlite/sqlite.store.js';
import type { Store } from './store.js';

/**
 * Opens and migrates the store the config selects: PostgreSQL when TRAWL_DATABASE_URL is a
 * postgres:// or postgresql:// URL, else SQLite (in the data dir by default).
 * @throws TrawlError TRAWL_DATABASE when PostgreSQL cannot be reached, TRAWL_DISK when the SQLite file cannot be opened.
 */
export async function openStore(config: Config): Promise<Store> {
  const url = postgresUrl(config);
  // The PostgreSQL driver loads only when it is used: SQLite, the default, starts faster without it.
  const store = url === undefined ? openSqliteStore(sqlitePath(config)) : (await import('./postgres/postgres.store.js')).openPostgresStore(url);
  try {
    await store.migrate();
  } catch (err) {
    await store.close();
    throw err;
  }
  return store;
}

/** The SQLite file the config points at: TRAWL_DATABASE_URL (sqlite:/file:/path.db) or `<data dir>/trawl.db`. */
export function sqlitePath(config: Config): string {
  const url = config.databaseUrl;
  if (url === undefined) return path.join(config.dataDir, 'trawl.db');
  return path.resolve(url.replace(/^(sqlite|file):(\/\/)?/i, ''));
}

/** Whether TRAWL_DATABASE_URL selects PostgreSQL. */
export function selectsPostgres(config: Pick<Config, 'databaseUrl'>): boolean {
  return postgresUrl(config) !== undefined;
}

/** TRAWL_DATABASE_URL when it selects PostgreSQL (postgres:// or postgresql://), else undefined. */
export function postgresUrl(config: Pick<Config, 'databaseUrl'>): string | undefined {
  const url = config.databaseUrl;
  return url !== undefined && /^postgres(ql)?:/i.test(url) ? url : undefined;
}
