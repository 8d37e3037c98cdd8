import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';
import { userDataDir } from './data-dir.js';

describe('userDataDir: where an installed trawl keeps its data', () => {
  it('Linux: $XDG_DATA_HOME/trawl, else ~/.local/share/trawl; a relative XDG_DATA_HOME is ignored', () => {
    expect(userDataDir({ platform: 'linux', env: { XDG_DATA_HOME: '/data/alice' }, homedir: '/home/alice' })?.dir).toBe('/data/alice/trawl');
    expect(userDataDir({ platform: 'linux', env: {}, homedir: '/home/alice' })).toEqual({
      dir: '/home/alice/.local/share/trawl',
      reason: 'TRAWL_DATA_DIR is not set, so the per-user data directory ~/.local/share/trawl (XDG_DATA_HOME is not set)',
    });
    expect(userDataDir({ platform: 'linux', env: { XDG_DATA_HOME: 'relative/share' }, homedir: '/home/alice' })?.dir).toBe('/home/alice/.local/share/trawl');
    expect(userDataDir({ platform: 'freebsd', env: { XDG_DATA_HOME: ' ' }, homedir: '/usr/home/bob' })?.dir).toBe('/usr/home/bob/.local/share/trawl');
  });

  it('macOS: ~/Library/Application Support/trawl, whatever XDG_DATA_HOME says', () => {
    const choice = userDataDir({ platform: 'darwin', env: { XDG_DATA_HOME: '/elsewhere' }, homedir: '/Users/alice' });
    expect(choice?.dir).toBe('/Users/alice/Library/Application Support/trawl');
    expect(choice?.reason).toContain('macOS');
  });

  it('Windows: %LOCALAPPDATA%\\trawl, else ~\\AppData\\Local\\trawl, with Windows paths', () => {
    expect(userDataDir({ platform: 'win32', env: { LOCALAPPDATA: 'D:\\Profiles\\alice\\Local' }, homedir: 'C:\\Users\\alice' })?.dir).toBe('D:\\Profiles\\alice\\Local\\trawl');
    const fallback = userDataDir({ platform: 'win32', env: {}, homedir: 'C:\\Users\\alice' });
    expect(fallback?.dir).toBe('C:\\Users\\alice\\AppData\\Local\\trawl');
    expect(fallback?.reason).toContain('LOCALAPPDATA is not set');
  });

  it('has no answer without a home directory where the rule needs one', () => {
    expect(userDataDir({ platform: 'linux', env: {}, homedir: '' })).toBeUndefined();
    expect(userDataDir({ platform: 'win32', env: {}, homedir: '' })).toBeUndefined();
    expect(userDataDir({ platform: 'linux', env: { XDG_DATA_HOME: '/x' }, homedir: '' })?.dir).toBe('/x/trawl');
  });
});

describe('loadConfig: the data dir', () => {
  const dirs: string[] = [];
  const emptyDir = (): string => {
    const dir = mkdtempSync(path.join(tmpdir(), 'trawl-data-dir-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('is the per-user data directory, not ./data, when TRAWL_DATA_DIR is not set (the same from any directory)', () => {
    const options = { env: { XDG_DATA_HOME: '/srv/share' }, platform: 'linux' as const, homedir: '/home/alice' };
    const here = loadConfig({ ...options, cwd: emptyDir() });
    const there = loadConfig({ ...options, cwd: emptyDir() });
    expect(here.dataDir).toBe('/srv/share/trawl');
    expect(there.dataDir).toBe(here.dataDir);
    expect(here.provenance.dataDir).toBe('default');
    expect(here.dataDirReason).toBe('TRAWL_DATA_DIR is not set, so the per-user data directory $XDG_DATA_HOME/trawl');
  });

  it('is TRAWL_DATA_DIR, relative to the working directory, from the environment or .env', () => {
    const cwd = emptyDir();
    const fromEnv = loadConfig({ env: { TRAWL_DATA_DIR: 'data' }, cwd, homedir: '/home/alice' });
    expect(fromEnv.dataDir).toBe(path.join(cwd, 'data'));
    expect(fromEnv.dataDirReason).toBe('TRAWL_DATA_DIR is set in the environment');
    writeFileSync(path.join(cwd, '.env'), 'TRAWL_DATA_DIR=./store\n');
    const fromFile = loadConfig({ env: {}, cwd, homedir: '/home/alice' });
    expect(fromFile.dataDir).toBe(path.join(cwd, 'store'));
    expect(fromFile.provenance.dataDir).toBe('.env');
    expect(fromFile.dataDirReason).toBe(`TRAWL_DATA_DIR is set in ${path.join(cwd, '.env')}`);
  });

  it('refuses an empty TRAWL_DATA_DIR, and a missing home directory, naming the variable', () => {
    expect(() => loadConfig({ env: { TRAWL_DATA_DIR: ' ' }, cwd: emptyDir() })).toThrow(/TRAWL_DATA_DIR=" ": expected a directory path/);
    expect(() => loadConfig({ env: {}, cwd: emptyDir(), platform: 'linux', homedir: '' })).toThrow(/home directory is unknown: set TRAWL_DATA_DIR/);
  });
});
