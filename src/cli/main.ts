import { Command, CommanderError } from 'commander';
import { VERSION } from '../config/config.js';
import { TrawlError } from '../errors.js';
import { registerDoctor } from './doctor.command.js';
import { registerFetch } from './fetch.command.js';
import { type CliIo, UsageError, processIo } from './io.js';
import { registerJobs } from './jobs.command.js';
import { registerServe } from './serve.command.js';
import { registerSim } from './sim.command.js';
import { registerSources } from './sources.command.js';
import { registerWorker } from './worker.command.js';

/**
 * Runs the `trawl` command line and resolves with the exit code: 0 ok, 1 failed, 2 bad usage,
 * 3 timed out, 130 cancelled (see CONTRACT.md).
 */
export async function runCli(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const program = new Command('trawl')
    .version(VERSION)
    .description('Search many sources in parallel and download images and videos as one tracked job.')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .showHelpAfterError('(run trawl --help for usage)');
  registerFetch(program, io);
  registerSources(program, io);
  registerSim(program, io);
  registerJobs(program, io);
  registerDoctor(program, io);
  registerServe(program, io);
  registerWorker(program, io);
  try {
    await program.parseAsync([...argv]);
    return io.exitCode;
  } catch (err) {
    return reportFailure(err, io);
  }
}

function reportFailure(err: unknown, io: CliIo): number {
  if (err instanceof CommanderError) {
    // Help and version are "errors" to commander; they succeed for us.
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
    return 2;
  }
  if (err instanceof UsageError) {
    io.stderr.write(`trawl: ${err.message}\n`);
    return 2;
  }
  if (err instanceof TrawlError && (err.code === 'TRAWL_BAD_CONFIG' || err.code === 'TRAWL_BAD_INPUT')) {
    io.stderr.write(`trawl: ${err.message}\n`);
    return 2;
  }
  const message = err instanceof TrawlError ? `${err.code}: ${err.message}` : err instanceof Error ? (err.stack ?? err.message) : String(err);
  io.stderr.write(`trawl: ${message}\n`);
  return 1;
}
