import type { Command } from 'commander';
import { loadConfig } from '../config/config.js';
import { type CliIo, interruption } from './io.js';

/** `trawl worker`: runs queued jobs from the shared database, with no HTTP; several may run at once. */
export function registerWorker(program: Command, io: CliIo): void {
  program
    .command('worker')
    .description('run queued jobs from the database (no HTTP); start several, on one or many machines, to share one queue')
    .action(async () => {
      io.exitCode = await workerCommand(io);
    });
}

async function workerCommand(io: CliIo): Promise<number> {
  const config = loadConfig({ env: io.env, cwd: io.cwd });
  const [{ openRuntime }, { startJobRunner }, { reopenOnHangup }] = await Promise.all([
    import('../services/runtime.js'),
    import('../services/job-runner-role.js'),
    import('../logging/logger.js'),
  ]);
  const runtime = await openRuntime(config);
  const stop = interruption(io);
  // logrotate renames the file, then sends SIGHUP: new lines go to a new file at the same path.
  const stopReopening = reopenOnHangup(runtime.logger);
  try {
    const runner = await startJobRunner(runtime, { runJobs: true });
    runtime.logger.info({ worker: runtime.deps.workerId, maxConcurrentJobs: config.maxConcurrentJobs }, 'WORKER START');
    io.stderr.write(`trawl worker: ${runtime.deps.workerId} runs up to ${config.maxConcurrentJobs} jobs at once from the queue; Ctrl-C stops\n`);
    await stop.requested;
    io.stderr.write('trawl worker: stopping (running jobs are cancelled; Ctrl-C again quits at once)\n');
    await runner.stop();
    runtime.logger.info({ worker: runtime.deps.workerId }, 'WORKER STOP');
  } finally {
    stopReopening();
    await runtime.close();
    stop.release();
  }
  return 0;
}
