import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { loadConfig } from '../config/config.js';
import { type CliIo, UsageError, interruption } from './io.js';

interface ServeFlags {
  host: string;
  port: string;
  /** False with --no-worker: the API and dashboard only; `trawl worker` processes run the jobs. */
  worker: boolean;
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
    .option('--no-worker', 'serve the API and dashboard only; `trawl worker` processes on the same database run the jobs')
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
  const [{ openRuntime }, { startJobRunner }, { startServer }, { reopenOnHangup }] = await Promise.all([
    import('../services/runtime.js'),
    import('../services/job-runner-role.js'),
    import('../server/server.js'),
    import('../logging/logger.js'),
  ]);
  const runtime = await openRuntime(config);
  const stop = interruption(io);
  // logrotate renames the file, then sends SIGHUP: new lines go to a new file at the same path.
  const stopReopening = reopenOnHangup(runtime.logger);
  try {
    // Crash recovery before new work: jobs whose worker died (this server's last run, a killed
    // `trawl fetch` or worker) are closed; then the reaper keeps watching.
    const runner = await startJobRunner(runtime, { runJobs: flags.worker });
    let server;
    try {
      server = await startServer({ runtime, queue: runner.queue, config, host, port, webRoot: WEB_ROOT });
    } catch (err) {
      await runner.stop();
      throw err;
    }
    const role = flags.worker ? `runs up to ${config.maxConcurrentJobs} jobs at once` : 'runs no jobs (--no-worker)';
    runtime.logger.info({ url: server.url, maxConcurrentJobs: flags.worker ? config.maxConcurrentJobs : 0, worker: flags.worker }, 'SERVER START');
    io.stderr.write(`trawl serve: listening on ${server.url} (dashboard ${server.url}/, API docs ${server.url}/docs); ${role}; Ctrl-C stops\n`);
    await stop.requested;
    io.stderr.write('trawl serve: stopping (running jobs are cancelled; Ctrl-C again quits at once)\n');
    await runner.stop();
    await server.close();
    runtime.logger.info({ url: server.url }, 'SERVER STOP');
  } finally {
    stopReopening();
    await runtime.close();
    stop.release();
  }
  return 0;
}
