/**
 * The package as a user gets it: `npm pack`, then `npm install -g` of the tarball into a throw-away
 * prefix, then the installed `trawl`: `--version`, `serve` with its dashboard (in Chromium), and
 * `import { harvest } from 'trawl'` from a separate script against the simulator, type-checked
 * against the installed declarations too.
 *
 * One pack and one install per run: better-sqlite3 compiles from source (about 80 s on an idle
 * machine, minutes on a busy one). Dependencies come from the npm cache, else the registry; no
 * prebuilt binary is downloaded. The prefix layout is the POSIX one (`bin/`, `lib/node_modules/`).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../src/sim/simulator.js';
import { CHROMIUM_MISSING, CHROMIUM_PATH, LAUNCH_ARGS, SKIP_BROWSER_SUITE } from './browser/support.js';
import { ROOT, waitFor } from './support/harness.js';

const INSTALL_TIMEOUT_MS = 15 * 60_000;
const NODE_BIN = path.dirname(process.execPath);

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end (no shell), killing it after `timeoutMs`. */
function run(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? childEnv(), stdio: ['ignore', 'pipe', 'pipe'], timeout: options.timeoutMs ?? 60_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * The environment of every child: this Node first on PATH (the installed `trawl` starts with
 * `#!/usr/bin/env node`, and better-sqlite3 is compiled for this Node), and node-gyp pointed at its
 * headers when they are there (scripts/node-runtime.sh builds have them) instead of downloading.
 */
function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const nodePrefix = path.dirname(NODE_BIN);
  const headers = existsSync(path.join(nodePrefix, 'include', 'node', 'node.h')) ? { npm_config_nodedir: nodePrefix } : {};
  return { ...process.env, PATH: `${NODE_BIN}${path.delimiter}${process.env.PATH ?? ''}`, ...headers, ...extra };
}

interface Installed {
  prefix: string;
  /** The installed package: `<prefix>/lib/node_modules/trawl`. */
  packageDir: string;
  /** The `trawl` command npm linked. */
  bin: string;
  /** Every path in the tarball. */
  files: string[];
}

/** `npm pack` of the built checkout, then `npm install -g` of the tarball into `<dir>/prefix`. */
async function packAndInstall(dir: string): Promise<Installed> {
  // --ignore-scripts: the checkout is built already (prepack would rebuild only what is stale, and
  // must not empty dist/ under the other tests running now).
  const packed = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], { cwd: ROOT });
  if (packed.code !== 0) throw new Error(`npm pack failed:\n${packed.stderr}`);
  const [manifest] = JSON.parse(packed.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
  if (!manifest) throw new Error(`npm pack printed no manifest: ${packed.stdout}`);
  const prefix = path.join(dir, 'prefix');
  const installArgs = ['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', '--allow-scripts=better-sqlite3', path.join(dir, manifest.filename)];
  const env = childEnv({ npm_config_build_from_source: 'better-sqlite3' });
  const installed = await run('npm', installArgs, { cwd: dir, env, timeoutMs: INSTALL_TIMEOUT_MS });
  if (installed.code !== 0) throw new Error(`npm install -g failed (${installed.code}):\n${installed.stderr}`);
  return { prefix, packageDir: path.join(prefix, 'lib', 'node_modules', 'trawl'), bin: path.join(prefix, 'bin', 'trawl'), files: manifest.files.map((f) => f.path) };
}

let dir: string;
let installed: Installed;
let sim: Simulator | undefined;

beforeAll(async () => {
  for (const built of ['dist/index.js', 'dist/index.d.ts', 'web/dist/index.html']) {
    if (!existsSync(path.join(ROOT, built))) throw new Error(`${built} is missing: run \`npm run build\` first (npm test does)`);
  }
  dir = await mkdtemp(path.join(tmpdir(), 'trawl-pkg-'));
  installed = await packAndInstall(dir);
  sim = await startSimulator({ itemsPerQuery: 6 });
}, INSTALL_TIMEOUT_MS + 60_000);

afterAll(async () => {
  await sim?.close();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

describe('the tarball', () => {
  it('holds the runtime, the dashboard, the simulator and the declarations, and nothing of the tests', () => {
    const { files } = installed;
    for (const needed of ['bin/trawl.js', 'dist/index.js', 'dist/index.d.ts', 'dist/cli/main.js', 'dist/sim/simulator.js', 'web/dist/index.html', 'package.json', 'README.md']) {
      expect(files).toContain(needed);
    }
    expect(files.some((f) => f.startsWith('web/dist/assets/') && f.endsWith('.js'))).toBe(true);
    const unwanted = files.filter((f) => /(^|\/)(test|tests|bench|src|scripts)\/|\.test\.|\.test-helper\.|\.conformance\.|\.map$|\.build-stamp$|^\.|\/\./.test(f));
    expect(unwanted).toEqual([]);
  });
});

describe('the installed trawl command', () => {
  it('prints its version', async () => {
    const { version } = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const ran = await run(installed.bin, ['--version'], { cwd: dir });
    expect(ran.code).toBe(0);
    expect(ran.stdout.trim()).toBe(version);
  });

  describe('trawl serve', () => {
    let server: ChildProcess | undefined;
    let url = '';

    beforeAll(async () => {
      const work = path.join(dir, 'serve');
      await mkdir(work, { recursive: true });
      server = spawn(installed.bin, ['serve', '--host', '127.0.0.1', '--port', '0'], { cwd: work, env: childEnv({ TRAWL_DATA_DIR: path.join(work, 'data') }), stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      server.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
      url = await waitFor('trawl serve to listen', () => {
        if (server?.exitCode !== null) throw new Error(`trawl serve exited ${server?.exitCode}:\n${stderr}`);
        return /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr)?.[1];
      }, 60_000);
    }, 90_000);

    afterAll(async () => {
      if (server === undefined || server.exitCode !== null) return;
      const exited = new Promise((resolve) => server?.once('exit', resolve));
      server.kill('SIGTERM');
      await exited;
    });

    it('serves the dashboard page and its assets', async () => {
      const page = await fetch(`${url}/`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      const html = await page.text();
      const script = /<script[^>]+src="([^"]+\.js)"/.exec(html)?.[1];
      expect(script).toBeDefined();
      const asset = await fetch(new URL(script ?? '', url));
      expect(asset.status).toBe(200);
      expect(asset.headers.get('content-type')).toMatch(/javascript/);
    });

    it.skipIf(SKIP_BROWSER_SUITE)(`renders the dashboard in Chromium with the sources from the API${SKIP_BROWSER_SUITE ? ` (skipped: ${CHROMIUM_MISSING})` : ''}`, async () => {
      const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: LAUNCH_ARGS });
      try {
        const page = await browser.newPage();
        const errors: string[] = [];
        page.on('pageerror', (err) => errors.push(err.message));
        await page.goto(`${url}/`);
        await page.getByTestId('query').waitFor();
        await page.getByTestId('source-openverse').waitFor();
        expect(errors).toEqual([]);
      } finally {
        await browser.close();
      }
    });
  });
});

describe("import { harvest } from 'trawl'", () => {
  it('runs a job from a separate script and resolves to the report, printing nothing of its own', async () => {
    // A script beside the global node_modules resolves `trawl` to the installed package.
    const script = path.join(installed.prefix, 'lib', 'harvest-check.mjs');
    await writeFile(
      script,
      [
        "import { harvest, isTrawlError } from 'trawl';",
        "const report = await harvest({ query: 'cats', sources: ['pexels', 'openverse'], limit: 2, out: process.argv[2], dataDir: process.argv[3] });",
        "const bad = await harvest({ query: 'cats', limit: 0 }).catch((err) => (isTrawlError(err, 'TRAWL_BAD_INPUT') ? err.message : err));",
        "process.stdout.write(JSON.stringify({ resolved: import.meta.resolve('trawl'), report, bad }));",
      ].join('\n'),
    );
    const out = path.join(dir, 'harvest', 'out');
    const ran = await run(process.execPath, [script, out, path.join(dir, 'harvest', 'data')], { cwd: dir, env: childEnv(sim?.env()) });
    expect(ran.stderr).toBe('');
    expect(ran.code).toBe(0);
    const { resolved, report, bad } = JSON.parse(ran.stdout) as { resolved: string; report: { status: string; items: Array<{ path: string; sha256: string }> }; bad: unknown };
    expect(resolved).toBe(pathToFileURL(path.join(installed.packageDir, 'dist', 'index.js')).href);
    expect(report.status).toBe('completed');
    expect(report.items).toHaveLength(4);
    for (const item of report.items) {
      const bytes = await readFile(path.resolve(dir, item.path));
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(item.sha256);
    }
    expect(bad).toMatch(/^limit: must be a whole number/);
  });

  it('type-checks a TypeScript caller against the installed declarations', async () => {
    // .mts: an ES module whatever package.json is nearest, as `trawl` is one.
    const file = path.join(installed.prefix, 'lib', 'harvest-check.mts');
    await writeFile(
      file,
      [
        "import { type HarvestOptions, type JobEvent, type JobReport, TrawlError, harvest, isTrawlError } from 'trawl';",
        "const onEvent = (event: JobEvent): void => { if (event.name === 'item.saved') console.log(event.data.item.sha256); };",
        "const options: HarvestOptions = { query: 'cats', sources: ['pexels'], type: 'all', limit: 2, timeouts: { job: '1m' }, onEvent };",
        'export const report: Promise<JobReport> = harvest(options);',
        "export const code = (err: unknown): string | undefined => (isTrawlError(err) ? err.code : err instanceof TrawlError ? 'never' : undefined);",
        '// @ts-expect-error a limit is a number',
        "void harvest({ query: 'cats', limit: '2' });",
      ].join('\n'),
    );
    const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const args = [tsc, '--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--skipLibCheck'];
    const ran = await run(process.execPath, [...args, '--typeRoots', path.join(ROOT, 'node_modules', '@types'), '--types', 'node', file], { cwd: path.dirname(file) });
    expect(ran.stdout + ran.stderr).toBe('');
    expect(ran.code).toBe(0);
  });
});
