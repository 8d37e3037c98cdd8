import type { Command } from 'commander';
import { type CliIo, UsageError } from './io.js';

interface SimFlags {
  port: string;
  fault: string[];
  items?: string;
}

/** `trawl sim`: the source simulator on 127.0.0.1, printing the env lines that point Trawl at it. */
export function registerSim(program: Command, io: CliIo): void {
  program
    .command('sim')
    .description('run the source simulator on 127.0.0.1 (tests, demos, benchmarks)')
    .option('--port <port>', 'port to listen on (0 = any free port)', '0')
    .option('--fault <spec>', 'switch on a fault, e.g. pexels=hang or "*:media=rate-limit,retryAfter=2" (repeatable)', collect, [])
    .option('--items <n>', 'results each source has per query')
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
  sim.setFaults(faults);
  io.stderr.write(`simulator listening on ${sim.url} — set these, then run trawl (Ctrl-C stops it):\n`);
  for (const [key, value] of Object.entries(sim.env())) io.stdout.write(`${key}=${value}\n`);
  await new Promise<void>((resolve) => {
    const stop = io.onInterrupt(() => {
      stop();
      resolve();
    });
  });
  await sim.close();
  return 0;
}
