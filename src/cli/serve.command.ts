import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { loadConfig } from '../config/config.js';
import { type CliIo, UsageError } from './io.js';

interface ServeFlags {
  host: string;
  port: string;
}

/** The dashboard's build, beside `src/` and `dist/` in the package. */
const WEB_ROOT = fileURLToPath(new URL('../../web/dist/', import.meta.url));

/** `trawl serve`: the HTTP API, the dashboard and the job runner in one process, until Ctrl-C. */
export function registerServe(program: Command, io: CliIo): void {
  program
    .command('serve')
    .description('run the HTTP API, the dashboard and the job runner (the same database as the CLI)')
    .option('--host <host>', 'address to listen on (anything but loopback needs TRAWL_API_TOKEN)', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0 = any free port)', '7777')
    .action(async (flags: ServeFlags) => {
      io.exitCode = await serveCommand(flags, io);
    });
}

async function serveCommand(flags: ServeFlags, io: CliIo): Promise<number> {
  const port = Number(flags.port);
  if (!/^\d+$/.test(flags.port.trim()) || port > 65535) throw new UsageError(`--port: must be a port number from 0 to 65535; got "${flags.port}"`);
  const host = flags.host.trim();
  if (host === '') throw new UsageError('--host: must be an address to listen on, like 127.0.0.1');
  const config = loadConfig({ env: io.env, cwd: io.cwd });
  // The server, engine and database load only for this command: every other `trawl` command
  // (and a restart's recovery time) stays fast.
  const [{ openRuntime }, { JobQueue }, { startServer }, reaper] = await Promise.all([
    import('../services/runtime.js'),
    import('../services/job-queue.js'),
    import('../server/server.js'),
    import('../services/reaper.js'),
  ]);
  const runtime = await openRuntime(config);
  // Crash recovery: jobs whose worker died (this server's last run, a killed `trawl fetch`) are
  // closed before new work starts; then the reaper keeps watching every heartbeat interval.
  await reaper.reapAtStartup(runtime);
  const watcher = reaper.startReaper(reaper.reaperDeps(runtime), config.heartbeatIntervalMs);
  const queue = new JobQueue(runtime);
  let server;
  try {
    server = await startServer({ runtime, queue, config, host, port, webRoot: WEB_ROOT });
  } catch (err) {
    await watcher.stop();
    await runtime.close();
    throw err;
  }
  queue.start();
  runtime.logger.info({ url: server.url, maxConcurrentJobs: config.maxConcurrentJobs }, 'SERVER START');
  io.stderr.write(`trawl serve: listening on ${server.url} (dashboard ${server.url}/, API docs ${server.url}/docs); Ctrl-C stops\n`);
  let stopSignals = (): void => {};
  await new Promise<void>((resolve) => {
    stopSignals = io.onInterrupt(resolve);
  });
  try {
    io.stderr.write('trawl serve: stopping (running jobs are cancelled; Ctrl-C again quits at once)\n');
    await queue.stop();
    await watcher.stop();
    await server.close();
    runtime.logger.info({ url: server.url }, 'SERVER STOP');
  } finally {
    await runtime.close();
    stopSignals();
  }
  return 0;
}
