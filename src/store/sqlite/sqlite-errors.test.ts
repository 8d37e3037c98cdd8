import { describe, expect, it } from 'vitest';
import { openFailure } from './sqlite-errors.js';

describe('openFailure', () => {
  it('says how to build SQLite when this platform has no prebuilt binary, not that the disk failed', () => {
    // What require() throws when better-sqlite3 finds neither a prebuilt nor a compiled binary.
    const missing = Object.assign(new Error("Cannot find module '/app/node_modules/better-sqlite3/build/Release/better_sqlite3.node'"), { code: 'MODULE_NOT_FOUND' });
    const err = openFailure(missing, '/data/trawl.db');
    expect(err.code).toBe('TRAWL_DATABASE');
    expect(err.message).toContain(`no binary for ${process.platform}-${process.arch}`);
    expect(err.message).toContain('npm run build-release --prefix node_modules/better-sqlite3');
    expect(err.cause).toBe(missing);
  });

  it('keeps TRAWL_DISK for a file that cannot be opened', () => {
    const err = openFailure(Object.assign(new Error('unable to open database file'), { code: 'SQLITE_CANTOPEN' }), '/data/trawl.db');
    expect([err.code, err.message]).toEqual(['TRAWL_DISK', 'cannot open the SQLite database /data/trawl.db: unable to open database file']);
  });
});
