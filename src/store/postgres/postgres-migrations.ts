/**
 * The PostgreSQL schema as numbered migrations: the same versions, names and meaning as
 * `../sqlite/migrations.ts`, in PostgreSQL's dialect. Timestamps stay ISO-8601 TEXT (the shared
 * queries compare them as text) under the "C" collation, so they and the ids sort byte by byte
 * whatever the database's locale, as they do in SQLite. Never edit a shipped migration: add the next
 * number, here and in SQLite.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../schema.js';
import type { Migration } from '../migration.js';

/** Every migration, in version order. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial',
    up: `
      CREATE TABLE jobs (
        id             TEXT COLLATE "C" PRIMARY KEY,
        query          TEXT NOT NULL,
        type           TEXT NOT NULL,
        limit_per_kind INTEGER NOT NULL,
        out_dir        TEXT NOT NULL,
        status         TEXT NOT NULL,
        request_ms     BIGINT NOT NULL,
        source_ms      BIGINT NOT NULL,
        job_ms         BIGINT NOT NULL,
        created_at     TEXT COLLATE "C" NOT NULL,
        started_at     TEXT COLLATE "C",
        finished_at    TEXT COLLATE "C",
        elapsed_ms     BIGINT,
        error_code     TEXT,
        error_message  TEXT,
        worker         TEXT,
        heartbeat_at   TEXT COLLATE "C",
        lease_version  INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX jobs_created_at ON jobs (created_at, id);
      CREATE INDEX jobs_status_created_at ON jobs (status, created_at, id);

      CREATE TABLE source_runs (
        job_id        TEXT COLLATE "C" NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
        source        TEXT COLLATE "C" NOT NULL,
        position      INTEGER NOT NULL,
        status        TEXT NOT NULL,
        found         INTEGER NOT NULL,
        downloaded    INTEGER NOT NULL,
        failed        INTEGER NOT NULL,
        duplicates    INTEGER NOT NULL,
        started_at    TEXT COLLATE "C",
        finished_at   TEXT COLLATE "C",
        elapsed_ms    BIGINT,
        budget_ms     BIGINT,
        error_code    TEXT,
        error_message TEXT,
        PRIMARY KEY (job_id, source)
      );

      CREATE TABLE items (
        id           TEXT COLLATE "C" PRIMARY KEY,
        job_id       TEXT COLLATE "C" NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
        source       TEXT COLLATE "C" NOT NULL,
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
        bytes        BIGINT NOT NULL,
        sha256       TEXT NOT NULL,
        content_type TEXT NOT NULL,
        created_at   TEXT COLLATE "C" NOT NULL
      );
      -- (job_id, kind) also serves lookups by job_id and makes the per-kind counts index-only.
      CREATE INDEX items_job_id_kind ON items (job_id, kind);
      CREATE INDEX items_sha256 ON items (sha256);

      CREATE TABLE failures (
        id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        job_id     TEXT COLLATE "C" NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
        source     TEXT COLLATE "C" NOT NULL,
        url        TEXT NOT NULL,
        code       TEXT NOT NULL,
        message    TEXT NOT NULL,
        created_at TEXT COLLATE "C" NOT NULL
      );
      CREATE INDEX failures_job_id ON failures (job_id);

      -- An identity's sequence never hands out a number twice (not even after a rollback): event
      -- ids are SSE Last-Event-IDs and must never be reused.
      CREATE TABLE job_events (
        id     BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        job_id TEXT COLLATE "C" NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
        name   TEXT NOT NULL,
        data   TEXT NOT NULL,
        at     TEXT COLLATE "C" NOT NULL
      );
      CREATE INDEX job_events_job_id_id ON job_events (job_id, id);
    `,
  },
  {
    version: 2,
    name: 'source quotas',
    up: `
      CREATE TABLE source_quotas (
        source      TEXT COLLATE "C" PRIMARY KEY,
        remaining   BIGINT,
        limit_count BIGINT,
        reset_at    TEXT COLLATE "C",
        updated_at  TEXT COLLATE "C" NOT NULL
      );
    `,
  },
  {
    version: 3,
    name: 'cross-process cancel',
    up: `
      -- Set by \`trawl jobs cancel\` (or any process); the job's worker sees it at its next heartbeat.
      ALTER TABLE jobs ADD COLUMN cancel_requested_at TEXT COLLATE "C";
    `,
  },
  {
    version: 4,
    name: 'source outcomes',
    up: `
      -- Bounded by the writer: each insert deletes its source's rows beyond the newest N.
      CREATE TABLE source_outcomes (
        id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        source        TEXT COLLATE "C" NOT NULL,
        job_id        TEXT COLLATE "C" NOT NULL,
        status        TEXT NOT NULL,
        elapsed_ms    BIGINT NOT NULL,
        saved         INTEGER NOT NULL,
        error_code    TEXT,
        error_message TEXT,
        at            TEXT COLLATE "C" NOT NULL
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
      ALTER TABLE items ADD COLUMN license_code TEXT COLLATE "C";
    `,
  },
];

/**
 * The advisory lock every migrating transaction takes first (an arbitrary constant, Trawl's own), so
 * processes that start at once migrate one after the other.
 */
const MIGRATION_LOCK = 7_310_001;

const CREATE_MIGRATIONS_TABLE = `
  CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at TEXT NOT NULL
  )`;

type Executor = Kysely<Database> | Transaction<Database>;

async function appliedVersions(db: Executor): Promise<Set<number>> {
  const table = await sql<{ found: string | null }>`SELECT to_regclass('schema_migrations')::text AS found`.execute(db);
  if (table.rows[0]?.found == null) return new Set();
  const rows = await sql<{ version: number }>`SELECT version FROM schema_migrations`.execute(db);
  return new Set(rows.rows.map((row) => Number(row.version)));
}

/** The migrations this database has not had yet, in order (all of them for a new database). Read-only. */
export async function pendingMigrations(db: Kysely<Database>): Promise<Migration[]> {
  const applied = await appliedVersions(db);
  return MIGRATIONS.filter((migration) => !applied.has(migration.version));
}

/**
 * Applies every pending migration in one transaction under an advisory lock. Safe to call again and
 * from several processes at once: the pending list is read again under the lock, so a migration
 * another process applied meanwhile is skipped, and a failing one leaves the schema as it was.
 */
export async function migrate(db: Kysely<Database>): Promise<void> {
  if ((await pendingMigrations(db)).length === 0) return;
  await db.transaction().execute(async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`.execute(trx);
    await sql.raw(CREATE_MIGRATIONS_TABLE).execute(trx);
    const applied = await appliedVersions(trx);
    for (const migration of MIGRATIONS) {
      if (applied.has(migration.version)) continue;
      await sql.raw(migration.up).execute(trx);
      await sql`INSERT INTO schema_migrations (version, name, applied_at) VALUES (${migration.version}, ${migration.name}, ${new Date().toISOString()})`.execute(trx);
    }
  });
}
