#!/usr/bin/env node
// Entry point of the `trawl` command: runs the compiled CLI (npm install / npm run build create dist/).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  process.stderr.write('trawl: dist/ is missing; run "npm run build" in the checkout first\n');
  process.exit(1);
}
const { runCli } = await import(main.href);
process.exitCode = await runCli(process.argv);
