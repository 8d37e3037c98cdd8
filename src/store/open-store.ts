import type { Config } from '../config/config.js';
import { TrawlError } from '../errors.js';
import path from 'node:path';
import { openSqliteStore } from './sqlite/sqlite.store.js';
import type { Store } from './store.js';

/** Opens and migrates the store the config selects (SQLite in the data dir by default). */
export async function openStore(config: Config): Promise<Store> {
  if (selectsPostgres(config)) throw new TrawlError('TRAWL_BAD_CONFIG', POSTGRES_UNSUPPORTED);
  const store = openSqliteStore(sqlitePath(config));
  await store.migrate();
  return store;
}

/** The SQLite file the config points at: TRAWL_DATABASE_URL (sqlite:/file:/path.db) or `<data dir>/trawl.db`. */
export function sqlitePath(config: Config): string {
  const url = config.databaseUrl;
  if (url === undefined) return path.join(config.dataDir, 'trawl.db');
  return path.resolve(url.replace(/^(sqlite|file):(\/\/)?/i, ''));
}

/** Why a `postgres://` TRAWL_DATABASE_URL cannot be used yet (said by the store and by doctor). */
export const POSTGRES_UNSUPPORTED = 'TRAWL_DATABASE_URL selects PostgreSQL, which this version does not support yet; unset it to use SQLite';

/** Whether TRAWL_DATABASE_URL selects PostgreSQL. */
export function selectsPostgres(config: Pick<Config, 'databaseUrl'>): boolean {
  return /^postgres(ql)?:/i.test(config.databaseUrl ?? '');
}
