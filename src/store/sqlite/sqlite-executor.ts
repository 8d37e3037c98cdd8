/**
 * Runs Kysely-built queries on better-sqlite3, synchronously. Kysely only builds and compiles SQL
 * here (its driver is a `DummyDriver`); execution, prepared-statement caching and transactions are
 * better-sqlite3's. Writes go through `write`, which is `BEGIN IMMEDIATE`: the write lock is taken
 * (waiting up to busy_timeout) before anything is read, so a transaction never has to upgrade a stale
 * read snapshot, the case where SQLite fails with SQLITE_BUSY without waiting.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { DummyDriver, Kysely, SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler, type Compilable } from 'kysely';
import type { Database } from '../schema.js';

/** A Kysely instance that compiles to SQLite and never executes: build, `.compile()`, then run here. */
export function createSqliteQueryBuilder(): Kysely<Database> {
  return new Kysely<Database>({
    dialect: {
      createAdapter: () => new SqliteAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (db) => new SqliteIntrospector(db),
      createQueryCompiler: () => new SqliteQueryCompiler(),
    },
  });
}

// Queries with IN lists compile to a different text per list length; the cap keeps those from
// piling up, while the handful of fixed queries stay cached.
const STATEMENT_CACHE_SIZE = 200;

/** Synchronous execution of compiled queries on one better-sqlite3 connection. */
export class SqliteExecutor {
  private readonly statements = new Map<string, BetterSqlite3.Statement<unknown[]>>();

  constructor(private readonly db: BetterSqlite3.Database) {}

  /** Every row the query returns. */
  all<O>(query: Compilable<O>): O[] {
    const { sql, parameters } = query.compile();
    return this.statement(sql).all(...parameters) as O[];
  }

  /** The first row the query returns, or undefined. */
  first<O>(query: Compilable<O>): O | undefined {
    const { sql, parameters } = query.compile();
    return this.statement(sql).get(...parameters) as O | undefined;
  }

  /** Runs a statement that returns no rows; resolves to the number of rows it changed. */
  run(query: Compilable): number {
    const { sql, parameters } = query.compile();
    return this.statement(sql).run(...parameters).changes;
  }

  /**
   * Runs `work` in a `BEGIN IMMEDIATE` transaction: committed when it returns, rolled back when it
   * throws. `work` must be synchronous; an await inside would commit before the awaited work ran.
   */
  write<T>(work: () => T): T {
    return this.db.transaction(work).immediate();
  }

  /** Runs several reads against one consistent snapshot (a deferred, read-only transaction). */
  read<T>(work: () => T): T {
    return this.db.transaction(work).deferred();
  }

  /** Forgets the cached statements; call before closing the connection. */
  clear(): void {
    this.statements.clear();
  }

  private statement(sql: string): BetterSqlite3.Statement<unknown[]> {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare<unknown[]>(sql);
      if (this.statements.size >= STATEMENT_CACHE_SIZE) {
        const oldest = this.statements.keys().next();
        if (oldest.done !== true) this.statements.delete(oldest.value);
      }
      this.statements.set(sql, statement);
    }
    return statement;
  }
}
