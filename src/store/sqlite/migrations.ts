/**
 * The SQLite schema as numbered migrations. Each runs once, in order, inside its own
 * `BEGIN IMMEDIATE` transaction, and is recorded in `schema_migrations`; a database is never changed
 * any other way. Never edit a shipped migration: add the next number.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { Migration } from '../migration.js';

/** Every migration, in version order. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial',
    up: `
      CREATE TABLE jobs (
        id             TEXT PRIMARY KEY,
        query          TEXT NOT NULL,
        type           TEXT NOT NULL,
        limit_per_kind INTEGER NOT NULL,
        out_dir        TEXT NOT NULL,
        status         TEXT NOT NULL,
        request_ms     INTEGER NOT NULL,
        source_ms      INTEGER NOT NULL,
        job_ms         INTEGER NOT NULL,
        created_at     TEXT NOT NULL,
        started_at     TEXT,
        finished_at    TEXT,
        elapsed_ms     INTEGER,
        error_code     TEXT,
        error_message  TEXT,
        worker         TEXT,
        heartbeat_at   TEXT,
        lease_version  INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX jobs_created_at ON jobs (created_at, id);
      CREATE INDEX jobs_status_created_at ON jobs (status, created_at, id);

      CREATE TABLE source_runs (
        job_id        TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
        source        TEXT NOT NULL,
        position      INTEGER NOT NULL,
        status        TEXT NOT NULL,
        found         INTEGER NOT NULL,
        downloaded    INTEGER NOT NULL,
        failed        INTEGER NOT NULL,
        duplicates    INTEGER NOT NULL,
        started_at    TEXT,
        finished_at   TEXT,
        elapsed_ms    INTEGER,
        budget_ms     INTEGER,
        error_code    TEXT,
        error_message TEXT,
        PRIMARY KEY (job_id, source)
      );

      CREATE TABLE items (
        id           TEXT PRIMARY KEY,
        job_id       TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
        source       TEXT NOT NULL,
        kind         TEXT NOT NULL,
        url          TEXT NOT NULL,
        page_url     TEXT,
        title        TEXT,
        author       TEXT,
        author_url   TEXT,
        license      TEXT,
        license_url  TEXT,
        width        INTEGER,
        height       INTEGER,
        path         TEXT NOT NULL,
        bytes        INTEGER NOT NULL,
        sha256       TEXT NOT NULL,
        content_type TEXT NOT NULL,
        created_at   TEXT NOT NULL
      );
      -- (job_id, kind) also serves lookups by job_id and makes the per-kind counts index-only.
      CREATE INDEX items_job_id_kind ON items (job_id, kind);
      CREATE INDEX items_sha256 ON items (sha256);

      CREATE TABLE failures (
        id         INTEGER PRIMARY KEY AUTOINCREMENT,
        job_id     TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
        source     TEXT NOT NULL,
        url        TEXT NOT NULL,
        code       TEXT NOT NULL,
        message    TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE INDEX failures_job_id ON failures (job_id);

      -- AUTOINCREMENT: event ids are SSE Last-Event-IDs and must never be reused.
      CREATE TABLE job_events (
        id     INTEGER PRIMARY KEY AUTOINCREMENT,
        job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
        name   TEXT NOT NULL,
        data   TEXT NOT NULL,
        at     TEXT NOT NULL
      );
      CREATE INDEX job_events_job_id_id ON job_events (job_id, id);
    `,
  },
  {
    version: 2,
    name: 'source quotas',
    up: `
      CREATE TABLE source_quotas (
        source      TEXT PRIMARY KEY,
        remaining   INTEGER,
        limit_count INTEGER,
        reset_at    TEXT,
        updated_at  TEXT NOT NULL
      );
    `,
  },
  {
    version: 3,
    name: 'cross-process cancel',
    up: `
      -- Set by \`trawl jobs cancel\` (or any process); the job's worker sees it at its next heartbeat.
      ALTER TABLE jobs ADD COLUMN cancel_requested_at TEXT;
    `,
  },
  {
    version: 4,
    name: 'source outcomes',
    up: `
      -- Bounded by the writer: each insert deletes its source's rows beyond the newest N.
      CREATE TABLE source_outcomes (
        id            INTEGER PRIMARY KEY AUTOINCREMENT,
        source        TEXT NOT NULL,
        job_id        TEXT NOT NULL,
        status        TEXT NOT NULL,
        elapsed_ms    INTEGER NOT NULL,
        saved         INTEGER NOT NULL,
        error_code    TEXT,
        error_message TEXT,
        at            TEXT NOT NULL
      );
      CREATE INDEX source_outcomes_source_id ON source_outcomes (source, id);
    `,
  },
  {
    version: 5,
    name: 'filters',
    up: `
      -- The job's filters as JSON text; NULL for jobs recorded before filters existed (none).
      ALTER TABLE jobs ADD COLUMN filters TEXT;
      ALTER TABLE source_runs ADD COLUMN filtered INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE items ADD COLUMN license_code TEXT;
    `,
  },
];

const CREATE_MIGRATIONS_TABLE = `
  CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at TEXT NOT NULL
  )`;

function appliedVersions(db: BetterSqlite3.Database): Set<number> {
  const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
  if (table === undefined) return new Set();
  const rows = db.prepare('SELECT version FROM schema_migrations').pluck().all() as number[];
  return new Set(rows);
}

/** The migrations this database has not had yet, in order (all of them for a new file). Read-only. */
export function pendingMigrations(db: BetterSqlite3.Database): Migration[] {
  const applied = appliedVersions(db);
  return MIGRATIONS.filter((migration) => !applied.has(migration.version));
}

/**
 * Applies every pending migration, each in its own immediate transaction. Safe to call again and
 * from several processes at once: each transaction re-checks under the write lock, so a migration
 * another process applied meanwhile is skipped.
 */
export function migrate(db: BetterSqlite3.Database): void {
  for (const migration of pendingMigrations(db)) {
    db.transaction(() => {
      db.exec(CREATE_MIGRATIONS_TABLE);
      if (appliedVersions(db).has(migration.version)) return;
      db.exec(migration.up);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
        migration.version,
        migration.name,
        new Date().toISOString(),
      );
    }).immediate();
  }
}
