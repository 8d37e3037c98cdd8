// The part of better-sqlite3's API that Trawl's SQLite store uses, on Node's built-in `node:sqlite`:
// the evaluation's stand-in for a node:sqlite adapter (bench/sqlite-drivers.ts, docs/benchmarks.md
// "SQLite driver"). bench/node-sqlite-hook.mjs puts it in place of `better-sqlite3`, so the store,
// its migrations and its error mapping run unchanged on either driver. What node:sqlite lacks is
// added here as a port would add it: `transaction()` (BEGIN IMMEDIATE / COMMIT / ROLLBACK, with
// savepoints when nested, as better-sqlite3 does), `pragma()`, `pluck()`, and SQLite errors named by
// their extended code (node:sqlite throws ERR_SQLITE_ERROR with a numeric `errcode`).
// Plain JavaScript, like the compiled store: loading TypeScript would add Node's type stripper
// (about 16 MiB of RSS) to the node:sqlite side of the comparison only.
import { DatabaseSync } from 'node:sqlite';

const PRIMARY_CODES = [
  'SQLITE_OK', 'SQLITE_ERROR', 'SQLITE_INTERNAL', 'SQLITE_PERM', 'SQLITE_ABORT', 'SQLITE_BUSY', 'SQLITE_LOCKED', 'SQLITE_NOMEM',
  'SQLITE_READONLY', 'SQLITE_INTERRUPT', 'SQLITE_IOERR', 'SQLITE_CORRUPT', 'SQLITE_NOTFOUND', 'SQLITE_FULL', 'SQLITE_CANTOPEN',
  'SQLITE_PROTOCOL', 'SQLITE_EMPTY', 'SQLITE_SCHEMA', 'SQLITE_TOOBIG', 'SQLITE_CONSTRAINT', 'SQLITE_MISMATCH', 'SQLITE_MISUSE',
  'SQLITE_NOLFS', 'SQLITE_AUTH', 'SQLITE_FORMAT', 'SQLITE_RANGE', 'SQLITE_NOTADB', 'SQLITE_NOTICE', 'SQLITE_WARNING',
];
// The extended codes the store branches on or an operator would want named; others keep the
// primary name, which is all sqlite-errors.ts looks at for them.
const EXTENDED_CODES = {
  275: 'SQLITE_CONSTRAINT_CHECK', 787: 'SQLITE_CONSTRAINT_FOREIGNKEY', 1299: 'SQLITE_CONSTRAINT_NOTNULL',
  1555: 'SQLITE_CONSTRAINT_PRIMARYKEY', 2067: 'SQLITE_CONSTRAINT_UNIQUE', 261: 'SQLITE_BUSY_RECOVERY', 517: 'SQLITE_BUSY_SNAPSHOT',
  266: 'SQLITE_IOERR_READ', 522: 'SQLITE_IOERR_SHORT_READ', 778: 'SQLITE_IOERR_WRITE', 1034: 'SQLITE_IOERR_FSYNC',
  1546: 'SQLITE_IOERR_TRUNCATE', 4874: 'SQLITE_IOERR_SHMSIZE', 1032: 'SQLITE_READONLY_DBMOVED',
};

/** A SQLite failure named as better-sqlite3 names it (`code` is e.g. SQLITE_CONSTRAINT_UNIQUE). */
export class SqliteError extends Error {
  constructor(message, code) {
    super(message);
    this.code = code;
    this.name = 'SqliteError';
  }
}

/** Runs `work`, turning node:sqlite's ERR_SQLITE_ERROR into a SqliteError named by its code. */
function translate(work) {
  try {
    return work();
  } catch (err) {
    if (err?.code !== 'ERR_SQLITE_ERROR' || typeof err.errcode !== 'number') throw err;
    const code = EXTENDED_CODES[err.errcode] ?? PRIMARY_CODES[err.errcode & 0xff] ?? `SQLITE_UNKNOWN_${err.errcode}`;
    throw new SqliteError(err.message, code);
  }
}

const firstValue = (row) => Object.values(row)[0];

/** A prepared statement with better-sqlite3's `all`, `get`, `run` and `pluck`. */
export class Statement {
  #statement;
  #pluck = false;

  constructor(statement) {
    this.#statement = statement;
  }

  pluck(on = true) {
    this.#pluck = on;
    return this;
  }

  all(...params) {
    const rows = translate(() => this.#statement.all(...params));
    return this.#pluck ? rows.map(firstValue) : rows;
  }

  get(...params) {
    const row = translate(() => this.#statement.get(...params));
    return this.#pluck && row !== undefined ? firstValue(row) : row;
  }

  run(...params) {
    const result = translate(() => this.#statement.run(...params));
    return { changes: Number(result.changes), lastInsertRowid: result.lastInsertRowid };
  }
}

/** A connection with the better-sqlite3 methods the store, its tests and the benchmarks call. */
class Database {
  static SqliteError = SqliteError;
  #db;
  #control = new Map();

  /** Options as better-sqlite3 takes them: readonly, fileMustExist, timeout (busy wait, default 5 s). */
  constructor(file, options = {}) {
    this.name = file;
    // node:sqlite's readOnly already refuses a missing file.
    this.#db = translate(() => new DatabaseSync(file, { readOnly: options.readonly ?? false, timeout: options.timeout ?? 5000 }));
  }

  get open() {
    return this.#db.isOpen;
  }

  get inTransaction() {
    return this.#db.isTransaction;
  }

  prepare(sql) {
    return new Statement(translate(() => this.#db.prepare(sql)));
  }

  exec(sql) {
    translate(() => this.#db.exec(sql));
    return this;
  }

  /** `PRAGMA <source>`: every row, or with `simple` the first value. */
  pragma(source, options = {}) {
    const statement = this.prepare(`PRAGMA ${source}`);
    return options.simple === true ? statement.pluck().get() : statement.all();
  }

  /** better-sqlite3's `db.transaction(fn)`: call it plain (BEGIN) or as `.deferred/.immediate/.exclusive`. */
  transaction(work) {
    const wrap = (mode) => (...args) => this.#inTransaction(mode, () => work(...args));
    return Object.assign(wrap(''), { deferred: wrap('DEFERRED'), immediate: wrap('IMMEDIATE'), exclusive: wrap('EXCLUSIVE') });
  }

  close() {
    this.#control.clear();
    if (this.#db.isOpen) this.#db.close();
    return this;
  }

  /** Runs `work` between BEGIN and COMMIT (a savepoint when nested); any throw rolls back. */
  #inTransaction(mode, work) {
    const nested = this.#db.isTransaction;
    this.#run(nested ? 'SAVEPOINT "\t_nsq.\t"' : `BEGIN ${mode}`);
    try {
      const result = work();
      this.#run(nested ? 'RELEASE "\t_nsq.\t"' : 'COMMIT');
      return result;
    } catch (err) {
      // SQLite may have rolled back already (SQLITE_FULL, SQLITE_IOERR): only undo what is open.
      if (this.#db.isTransaction) {
        this.#run(nested ? 'ROLLBACK TO "\t_nsq.\t"' : 'ROLLBACK');
        if (nested) this.#run('RELEASE "\t_nsq.\t"');
      }
      throw err;
    }
  }

  /** Transaction control statements, prepared once per connection as better-sqlite3 does. */
  #run(sql) {
    let statement = this.#control.get(sql);
    if (statement === undefined) {
      statement = translate(() => this.#db.prepare(sql));
      this.#control.set(sql, statement);
    }
    translate(() => statement.run());
  }
}

export default Database;
// What `require('better-sqlite3')` returns when the hook maps a require to this ES module.
export { Database as 'module.exports' };
