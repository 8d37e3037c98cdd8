#!/usr/bin/env node
// Builds what is out of date and nothing else, so `npm start` with nothing changed starts at once
// and `npm pack` ships a current build.
//
//   node scripts/build-if-stale.mjs           # `npm start`, `prepack`: only the stale parts
//   node scripts/build-if-stale.mjs --force   # `npm run build`: both parts, always
//
// There is deliberately no `prepare` script: `npm ci --omit=dev` in a built checkout then needs no
// compiler, and installing the packed tarball runs no script of Trawl's own.
//
// Two parts are checked apart: the server (src/ → dist/, tsc) and the dashboard (web/ → web/dist/,
// Vite). A finished build leaves `.build-stamp` in its output, dated the moment the build began. A
// part is stale when the stamp is missing or any input file or folder is newer: a folder's date
// changes when a file in it is added, removed or renamed, so deletions count too. dist/ is emptied
// before tsc, so a removed source leaves no module behind. Plain Node, no shell: runs anywhere
// Node does.
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readdirSync, rmSync, statSync, utimesSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const STAMP = '.build-stamp';

const PARTS = [
  {
    name: 'server',
    out: 'dist',
    inputs: ['src', 'tsconfig.json', 'tsconfig.build.json'],
    // The files tsconfig.build.json excludes: editing a test does not make the build stale.
    ignore: (rel) => /\.(test|test-helper|conformance)\.ts$/.test(rel),
    tool: { pkg: 'typescript', bin: 'tsc' },
    args: ['-p', 'tsconfig.build.json'],
    emptyFirst: true,
  },
  {
    name: 'dashboard',
    out: path.join('web', 'dist'),
    inputs: ['web'],
    ignore: (rel) => rel === path.join('web', 'dist') || rel.startsWith(path.join('web', 'dist') + path.sep),
    tool: { pkg: 'vite', bin: 'vite' },
    args: ['build', '--config', path.join('web', 'vite.config.ts')],
    // Vite empties web/dist itself (emptyOutDir).
    emptyFirst: false,
  },
];

/** The newest modification time (ms) of `rel` and, for a folder, of everything below it. */
function newestInput(rel, ignore) {
  if (ignore(rel)) return 0;
  let stats;
  try {
    stats = statSync(path.join(ROOT, rel));
  } catch (err) {
    if (err.code === 'ENOENT') return 0;
    throw err;
  }
  let newest = stats.mtimeMs;
  if (stats.isDirectory()) {
    for (const entry of readdirSync(path.join(ROOT, rel))) newest = Math.max(newest, newestInput(path.join(rel, entry), ignore));
  }
  return newest;
}

/** When the part's last finished build began, or undefined when it has none. */
function builtAt(part) {
  try {
    return statSync(path.join(ROOT, part.out, STAMP)).mtimeMs;
  } catch (err) {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  }
}

/** The JavaScript file of a dev dependency's command, or undefined when it is not installed. */
function toolScript({ pkg, bin }) {
  const require = createRequire(path.join(ROOT, 'package.json'));
  let manifestPath;
  try {
    manifestPath = require.resolve(`${pkg}/package.json`);
  } catch {
    return undefined;
  }
  const manifest = require(manifestPath);
  const rel = typeof manifest.bin === 'string' ? manifest.bin : manifest.bin?.[bin];
  return rel === undefined ? undefined : path.join(path.dirname(manifestPath), rel);
}

function build(part) {
  const script = toolScript(part.tool);
  if (script === undefined) {
    console.error(
      `build-if-stale: ${part.out}/ is missing or older than its sources, and ${part.tool.pkg} (a dev dependency) is not installed.\n` +
        'Run `npm ci` (with dev dependencies), then `npm run build`.',
    );
    return false;
  }
  const began = new Date();
  if (part.emptyFirst) rmSync(path.join(ROOT, part.out), { recursive: true, force: true });
  console.error(`build-if-stale: building the ${part.name} (${part.out}/)`);
  const result = spawnSync(process.execPath, [script, ...part.args], { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) return false;
  const stamp = path.join(ROOT, part.out, STAMP);
  closeSync(openSync(stamp, 'w'));
  utimesSync(stamp, began, began);
  return true;
}

const extra = process.argv.slice(2).filter((arg) => arg !== '--force');
if (extra.length > 0) {
  console.error(`build-if-stale: unknown argument ${extra[0]}; the only option is --force`);
  process.exit(2);
}
const force = process.argv.includes('--force');
for (const part of PARTS) {
  const stamp = builtAt(part);
  const stale = force || stamp === undefined || part.inputs.some((rel) => newestInput(rel, part.ignore) > stamp);
  if (stale && !build(part)) process.exit(1);
}
