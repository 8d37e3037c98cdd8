import { chmod, mkdtemp, readFile, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/config.js';
import { mergeEnv, updateEnvFile } from './env-file.js';

const SIM = { TRAWL_ORIGIN_PEXELS: 'http://127.0.0.1:9001', TRAWL_ALLOW_HOSTS: '127.0.0.1' };

describe('mergeEnv', () => {
  it('replaces the lines of the keys it sets where they stand, keeps every other line, appends new keys', () => {
    const before = '# my keys\nPEXELS_API_KEY=real-key\nexport TRAWL_ORIGIN_PEXELS = http://127.0.0.1:1\nTRAWL_JOB_TIMEOUT=2m\nTRAWL_ORIGIN_PEXELS=http://127.0.0.1:2\n';
    expect(mergeEnv(before, SIM)).toBe('# my keys\nPEXELS_API_KEY=real-key\nTRAWL_ORIGIN_PEXELS=http://127.0.0.1:9001\nTRAWL_JOB_TIMEOUT=2m\nTRAWL_ALLOW_HOSTS=127.0.0.1\n');
    expect(mergeEnv('', SIM)).toBe('TRAWL_ORIGIN_PEXELS=http://127.0.0.1:9001\nTRAWL_ALLOW_HOSTS=127.0.0.1\n');
    expect(mergeEnv('A=1\r\nB=2', { B: '3' })).toBe('A=1\r\nB=3\r\n');
  });
});

describe('updateEnvFile', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'trawl-env-file-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('creates the file, then updates it in place, leaving no temp file; trawl in that directory reads the lines', async () => {
    const file = path.join(dir, '.env');
    await updateEnvFile(file, SIM);
    await writeFile(file, `PEXELS_API_KEY=real-key\n${await readFile(file, 'utf8')}`);
    await updateEnvFile(file, { ...SIM, TRAWL_ORIGIN_PEXELS: 'http://127.0.0.1:9002' });
    expect(await readFile(file, 'utf8')).toBe('PEXELS_API_KEY=real-key\nTRAWL_ORIGIN_PEXELS=http://127.0.0.1:9002\nTRAWL_ALLOW_HOSTS=127.0.0.1\n');
    expect(await readdir(dir)).toEqual(['.env']);
    const config = loadConfig({ env: { TRAWL_DATA_DIR: 'data' }, cwd: dir });
    expect([config.origins.pexels, config.allowHosts, config.keys.PEXELS_API_KEY]).toEqual(['http://127.0.0.1:9002', ['127.0.0.1'], 'real-key']);
  });

  it.skipIf(process.platform === 'win32')('keeps the permissions of a private .env and updates the file a symlink points to', async () => {
    const real = path.join(dir, 'secrets.env');
    await writeFile(real, 'PEXELS_API_KEY=real-key\n');
    await chmod(real, 0o600);
    const link = path.join(dir, '.env');
    await symlink(real, link);
    await updateEnvFile(link, SIM);
    expect((await stat(real)).mode & 0o777).toBe(0o600);
    expect(await readFile(real, 'utf8')).toContain('TRAWL_ORIGIN_PEXELS=http://127.0.0.1:9001');
    expect((await readdir(dir)).sort()).toEqual(['.env', 'secrets.env']);
  });

  it('fails with TRAWL_DISK naming the file when its directory does not exist, and writes nothing', async () => {
    const file = path.join(dir, 'missing', '.env');
    await expect(updateEnvFile(file, SIM)).rejects.toMatchObject({ code: 'TRAWL_DISK', message: expect.stringContaining(path.join(dir, 'missing')) as string });
    expect(await readdir(dir)).toEqual([]);
  });
});
