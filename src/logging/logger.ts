import path from 'node:path';
import pino, { type Logger } from 'pino';
import type { Config } from '../config/config.js';

/** The operator log: JSON lines in `<data dir>/logs/trawl.log`, one object per line. */
export type TrawlLogger = Logger;

/** Opens the log file (creating `logs/`); writes are synchronous so a crash loses no line. */
export function createLogger(config: Pick<Config, 'dataDir'>, options: { level?: string } = {}): TrawlLogger {
  const destination = pino.destination({ dest: path.join(config.dataDir, 'logs', 'trawl.log'), mkdir: true, sync: true });
  return pino(
    {
      level: options.level ?? 'info',
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}

/** A logger that writes nothing (tests, and commands that must not touch the data dir). */
export function silentLogger(): TrawlLogger {
  return pino({ level: 'silent' });
}
