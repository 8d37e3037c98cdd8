import path from 'node:path';
import type { Command } from 'commander';
import type { Simulator } from '../sim/simulator.js';
import { updateEnvFile } from './env-file.js';
import { type CliIo, UsageError } from './io.js';

interface SimFlags {
  port: string;
  fault: string[];
  items?: string;
  envFile?: string;
}

/** `trawl sim`: the source simulator on 127.0.0.1, printing the env lines that point Trawl at it. */
export function registerSim(program: Command, io: CliIo): void {
  program
    .command('sim')
    .description('run the source simulator on 127.0.0.1 (tests, demos, benchmarks)')
    .option('--port <port>', 'port to listen on (0 = any free port)', '0')
    .option('--fault <spec>', 'switch on a fault, e.g. pexels=hang or "*:media=rate-limit,retryAfter=2" (repeatable)', collect, [])
    .option('--items <n>', 'results each source has per query')
    .option('--env-file <file>', 'also set the printed lines in this .env file (other lines kept); trawl run in its directory reads it')
    .action(async (flags: SimFlags) => {
      io.exitCode = await simCommand(flags, io);
    });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

async function simCommand(flags: SimFlags, io: CliIo): Promise<number> {
  // Loaded on demand: the simulator is a dev/test tool and nothing else in the product imports it.
  const { parseFaultSpec, startSimulator } = await import('../sim/simulator.js');
  const port = Number(flags.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port: must be a port number from 0 to 65535; got "${flags.port}"`);
  const items = flags.items === undefined ? undefined : Number(flags.items);
  if (items !== undefined && (!Number.isInteger(items) || items < 0 || items > 100_000)) throw new UsageError(`--items: must be a whole number from 0 to 100000; got "${flags.items}"`);
  const faults = flags.fault.map((spec) => {
    try {
      return parseFaultSpec(spec);
    } catch (err) {
      throw new UsageError(`--fault: ${(err as Error).message}`);
    }
  });
  const sim = await startSimulator({ port, ...(items === undefined ? {} : { itemsPerQuery: items }) });
  try {
    sim.setFaults(faults);
    await announce(sim, flags.envFile === undefined ? undefined : path.resolve(io.cwd, flags.envFile), io);
    await new Promise<void>((resolve) => {
      const stop = io.onInterrupt(() => {
        stop();
        resolve();
      });
    });
  } finally {
    await sim.close();
  }
  return 0;
}

/** Prints the env lines that point Trawl at the simulator, having first set them in `envFile` if given. */
async function announce(sim: Pick<Simulator, 'url' | 'env'>, envFile: string | undefined, io: CliIo): Promise<void> {
  const env = sim.env();
  if (envFile === undefined) io.stderr.write(`simulator listening on ${sim.url} — set these, then run trawl (Ctrl-C stops it):\n`);
  else {
    await updateEnvFile(envFile, env);
    io.stderr.write(`simulator listening on ${sim.url} — set in ${envFile}, which trawl reads when run in ${path.dirname(envFile)} (Ctrl-C stops it):\n`);
  }
  for (const [key, value] of Object.entries(env)) io.stdout.write(`${key}=${value}\n`);
}
