// A checkout keeps its jobs, library and logs in its own ./data (`npm start`, `npm run demo`), not
// in the per-user data directory an installed `trawl` uses, unless TRAWL_DATA_DIR is set in the
// environment or in .env. Needs dist/ (run after the build).
import { fileURLToPath } from 'node:url';

const { readDotEnv } = await import('../dist/config/config.js');

/** `env` with TRAWL_DATA_DIR pointing at the checkout's ./data, unless the user chose one. */
export function withCheckoutData(env) {
  if (env.TRAWL_DATA_DIR !== undefined || readDotEnv(process.cwd()).TRAWL_DATA_DIR !== undefined) return env;
  return { ...env, TRAWL_DATA_DIR: fileURLToPath(new URL('../data', import.meta.url)) };
}
