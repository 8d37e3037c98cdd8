/**
 * Builds the dashboard (a preact SPA) from web/ into web/dist/, which `trawl serve` serves at `/`.
 * Run from the repository root as `vite build --config web/vite.config.ts` (`npm run build:web`).
 */
import { fileURLToPath } from 'node:url';
import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

// The root is this folder whatever the working directory, so the build works from anywhere.
const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/',
  plugins: [preact({ devToolsEnabled: false, prefreshEnabled: false })],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true },
});
