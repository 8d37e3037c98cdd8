// `npm run demo`: Trawl's dashboard with a live job, no keys and no network. Starts the source
// simulator on 127.0.0.1 (media served slowly, so the run lasts long enough to watch), runs
// `trawl serve` on http://127.0.0.1:7777 pointed at it, and submits one job over the API.
// Ctrl-C stops the server (its running job ends cancelled) and then the simulator. Its data stays
// in the checkout's ./data (not the per-user data directory an installed trawl uses) unless
// TRAWL_DATA_DIR is set, in the environment or in .env.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const HOST = '127.0.0.1';
const PORT = 7777;
const BASE = `http://${HOST}:${PORT}`;

const { startSimulator } = await import('../dist/sim/simulator.js');
const { withCheckoutData } = await import('./checkout-data.mjs');
const sim = await startSimulator({ itemsPerQuery: 40 });
sim.setFaults([{ target: '*:media', fault: 'slow', bytesPerSecond: 48 * 1024 }]);
const env = withCheckoutData({ ...process.env, ...sim.env() });

const bin = fileURLToPath(new URL('../bin/trawl.js', import.meta.url));
// Its own process group: Ctrl-C reaches only this script, which passes it on once.
const server = spawn(process.execPath, [bin, 'serve', '--host', HOST, '--port', String(PORT)], {
  env,
  detached: true,
  stdio: ['ignore', 'inherit', 'pipe'],
});

let output = '';
let ready = false;
server.stderr.on('data', (chunk) => {
  process.stderr.write(chunk);
  output += chunk.toString();
  if (!ready && output.includes('listening on')) {
    ready = true;
    submitJob().catch((err) => process.stderr.write(`demo: could not start the job: ${err.message}\n`));
  }
});

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    server.kill(signal);
  });
}
process.on('exit', () => {
  if (server.exitCode === null) server.kill('SIGKILL');
});

server.on('close', async (code) => {
  await sim.close();
  process.exitCode = code ?? 1;
});

async function submitJob() {
  const headers = { 'content-type': 'application/json' };
  if (env.TRAWL_API_TOKEN) headers.authorization = `Bearer ${env.TRAWL_API_TOKEN}`;
  const answer = await fetch(`${BASE}/api/jobs`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ query: 'northern lights', type: 'all', limit: 8 }),
  });
  const body = await answer.json();
  if (!answer.ok) throw new Error(`${answer.status} ${body.error?.code}: ${body.error?.message}`);
  process.stderr.write(
    `\n  Dashboard: ${BASE}/   (API docs: ${BASE}/docs)\n` +
      `  Job ${body.id} ("northern lights", images and videos from every simulated source) is running: watch it live.\n` +
      '  Ctrl-C stops the server and the simulator.\n\n',
  );
}
