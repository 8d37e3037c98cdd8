// `npm start` (for now): a real Trawl job, with no keys and no network. Starts the source
// simulator on 127.0.0.1, points Trawl at it with the TRAWL_ORIGIN_* variables it prints, and
// runs `trawl fetch` for images and videos from the first three sources.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const { startSimulator } = await import('../dist/sim/simulator.js');
const sim = await startSimulator({ itemsPerQuery: 40 });
process.stderr.write(`simulator on ${sim.url}; running: trawl fetch "northern lights" --type all --limit 8\n\n`);
const bin = fileURLToPath(new URL('../bin/trawl.js', import.meta.url));
const child = spawn(process.execPath, [bin, 'fetch', 'northern lights', '--type', 'all', '--limit', '8', ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, ...sim.env() },
});
process.on('SIGINT', () => {}); // the child handles Ctrl-C and cancels its job
child.on('close', async (code) => {
  await sim.close();
  process.exitCode = code ?? 1;
});
