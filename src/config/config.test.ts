import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';
import { parseDuration, parseMinSpeed, parseSize } from './units.js';

const dirs: string[] = [];
function emptyDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'trawl-config-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('units', () => {
  it('reads the duration forms of the contract', () => {
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('10s')).toBe(10_000);
    expect(parseDuration('5m')).toBe(300_000);
    expect(parseDuration('1h')).toBe(3_600_000);
    expect(parseDuration('30')).toBe(30_000);
    expect(parseDuration(1.5)).toBe(1_500);
    for (const bad of ['', 'abc', '-1s', '0', '10x', '1e3']) expect(parseDuration(bad)).toBeUndefined();
  });

  it('reads sizes and minimum speeds', () => {
    expect(parseSize('200MiB')).toBe(200 * 1024 * 1024);
    expect(parseSize('16KiB')).toBe(16 * 1024);
    expect(parseSize('5MB')).toBe(5_000_000);
    expect(parseSize('12 parsecs')).toBeUndefined();
    expect(parseMinSpeed('16KiB/10s')).toEqual({ bytesPerSecond: 16 * 1024, windowMs: 10_000 });
    expect(parseMinSpeed('16KiB/s over 10s')).toEqual({ bytesPerSecond: 16 * 1024, windowMs: 10_000 });
    expect(parseMinSpeed('0')?.bytesPerSecond).toBe(0);
    expect(parseMinSpeed('fast')).toBeUndefined();
  });
});

describe('loadConfig', () => {
  it('has the contract defaults', () => {
    const config = loadConfig({ env: {}, cwd: emptyDir() });
    expect(config.requestTimeoutMs).toBe(10_000);
    expect(config.sourceTimeoutMs).toBe(30_000);
    expect(config.jobTimeoutMs).toBe(300_000);
    expect(config.maxConcurrentSources).toBe(5);
    expect(config.maxFileSize).toBe(200 * 1024 * 1024);
    expect(config.allowPrivateNetworks).toBe(false);
    expect(config.provenance.jobTimeoutMs).toBe('default');
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('accepts the old names as aliases, and flags win over env over .env', () => {
    const cwd = emptyDir();
    writeFileSync(path.join(cwd, '.env'), 'GLOBAL_JOB_TIMEOUT=120\nSOURCE_TIMEOUT=20s\nPEXELS_API_KEY=from-dotenv\n');
    const config = loadConfig({ env: { REQUEST_TIMEOUT: '4s', TRAWL_SOURCE_TIMEOUT: '25s' }, cwd, overrides: { requestTimeout: '2s' } });
    expect(config.requestTimeoutMs).toBe(2_000);
    expect(config.provenance.requestTimeoutMs).toBe('flag');
    expect(config.sourceTimeoutMs).toBe(25_000);
    expect(config.provenance.sourceTimeoutMs).toBe('env');
    expect(config.jobTimeoutMs).toBe(120_000);
    expect(config.provenance.jobTimeoutMs).toBe('.env');
    expect(config.keys.PEXELS_API_KEY).toBe('from-dotenv');
  });

  it('lists every bad value at once, naming each variable', () => {
    const env = { TRAWL_JOB_TIMEOUT: 'soon', TRAWL_MAX_FILE_SIZE: 'big', TRAWL_ORIGIN_PEXELS: 'http://127.0.0.1:9/v1' };
    let error: unknown;
    try {
      loadConfig({ env, cwd: emptyDir() });
    } catch (err) {
      error = err;
    }
    expect(error).toMatchObject({ code: 'TRAWL_BAD_CONFIG' });
    expect((error as Error).message).toMatch(/TRAWL_JOB_TIMEOUT="soon"[\s\S]*TRAWL_MAX_FILE_SIZE="big"[\s\S]*TRAWL_ORIGIN_PEXELS/);
  });

  it('names a bad flag as the flag', () => {
    expect(() => loadConfig({ env: {}, cwd: emptyDir(), overrides: { jobTimeout: 'never' } })).toThrow(/--job-timeout="never"/);
  });

  it('reads TRAWL_SERVER_NAMES as lower-case host names, and refuses a scheme or port naming the variable', () => {
    expect(loadConfig({ env: {}, cwd: emptyDir() }).serverNames).toEqual([]);
    const config = loadConfig({ env: { TRAWL_SERVER_NAMES: ' Trawl.Example.com, .lan ,[::1]' }, cwd: emptyDir() });
    expect(config.serverNames).toEqual(['trawl.example.com', '.lan', '[::1]']);
    expect(config.provenance.serverNames).toBe('env');
    for (const bad of ['http://trawl.example.com', 'trawl.example.com:7777', 'a b']) {
      expect(() => loadConfig({ env: { TRAWL_SERVER_NAMES: bad }, cwd: emptyDir() })).toThrow(`TRAWL_SERVER_NAMES=${JSON.stringify(bad)}: expected comma-separated host names`);
    }
  });

  it('reads origin overrides and keeps only the origin', () => {
    const config = loadConfig({ env: { TRAWL_ORIGIN_WIKIMEDIA_COMMONS: 'http://127.0.0.1:9001/' }, cwd: emptyDir() });
    expect(config.origins.wikimedia_commons).toBe('http://127.0.0.1:9001');
  });

  it("reads a plugin source's TRAWL_ORIGIN_<ID> too, and refuses a name that is no source id", () => {
    const cwd = emptyDir();
    writeFileSync(path.join(cwd, '.env'), 'TRAWL_ORIGIN_LOREM_IMAGES=http://127.0.0.1:9002\n');
    const config = loadConfig({ env: {}, cwd });
    expect(config.origins).toEqual({ lorem_images: 'http://127.0.0.1:9002' });
    expect(config.provenance.TRAWL_ORIGIN_LOREM_IMAGES).toBe('.env');
    expect(() => loadConfig({ env: { 'TRAWL_ORIGIN_9X': 'http://127.0.0.1:9002' }, cwd: emptyDir() })).toThrow('TRAWL_ORIGIN_9X: expected TRAWL_ORIGIN_ followed by a source id');
    expect(() => loadConfig({ env: { TRAWL_ORIGIN_LOREM_IMAGES: 'ftp://127.0.0.1' }, cwd: emptyDir() })).toThrow('TRAWL_ORIGIN_LOREM_IMAGES="ftp://127.0.0.1": expected an origin');
  });

  it('splits TRAWL_SOURCES_PATH on the platform path delimiter, relative to the working directory', () => {
    const cwd = emptyDir();
    expect(loadConfig({ env: {}, cwd }).sourcesPath).toEqual([]);
    const config = loadConfig({ env: { TRAWL_SOURCES_PATH: ['a.mjs', '', path.join(cwd, 'b', 'c.mjs')].join(path.delimiter) }, cwd });
    expect(config.sourcesPath).toEqual([path.join(cwd, 'a.mjs'), path.join(cwd, 'b', 'c.mjs')]);
    expect(config.provenance.sourcesPath).toBe('env');
  });
});
