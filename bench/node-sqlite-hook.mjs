// Preload for the SQLite driver evaluation: `node --import ./bench/node-sqlite-hook.mjs …` (or in
// NODE_OPTIONS, so vitest's workers and the CLI processes the tests spawn get it too) makes every
// import or require of `better-sqlite3` load bench/node-sqlite-driver.mjs instead, so the unchanged
// store runs on node:sqlite. Require too: a test's second connection (a worker thread) must use the
// same SQLite library, since two copies of SQLite in one process do not see each other's locks.
// On Node 22.19, createRequire().resolve() does not pass through these hooks: a test that resolves
// the driver that way still gets better-sqlite3.
import { registerHooks } from 'node:module';

const driver = new URL('./node-sqlite-driver.mjs', import.meta.url).href;

registerHooks({
  resolve(specifier, context, nextResolve) {
    const resolved = nextResolve(specifier, context);
    return resolved.url.endsWith('/node_modules/better-sqlite3/lib/index.js') ? { url: driver, shortCircuit: true } : resolved;
  },
});
