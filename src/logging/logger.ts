import path from 'node:path';
import pino, { type Logger } from 'pino';
import type { Config } from '../config/config.js';

/** The operator log: JSON lines in `<data dir>/logs/trawl.log`, one object per line. */
export type TrawlLogger = Logger;

type LogFile = ReturnType<typeof pino.destination>;
/** The file each logger writes to: reopened after rotation, closed with the runtime. */
const logFiles = new WeakMap<TrawlLogger, LogFile>();

/** Opens the log file (creating `logs/`); writes are synchronous so a crash loses no line. */
export function createLogger(config: Pick<Config, 'dataDir'>, options: { level?: string } = {}): TrawlLogger {
  const destination = pino.destination({ dest: path.join(config.dataDir, 'logs', 'trawl.log'), mkdir: true, sync: true });
  const logger = pino(
    {
      level: options.level ?? 'info',
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
  logFiles.set(logger, destination);
  return logger;
}

/**
 * Reopens the logger's file at its path on SIGHUP, as logrotate's `postrotate` expects: after the
 * old file was renamed, new lines go to a new file under the original name (see docs/operations.md).
 * For long-running processes only (`trawl serve`, `trawl worker`): a listener replaces SIGHUP's
 * default of ending the process. Windows has no SIGHUP, so there it does nothing (rotate with
 * logrotate's `copytruncate` instead). Returns the remover.
 */
export function reopenOnHangup(logger: TrawlLogger): () => void {
  const file = logFiles.get(logger);
  if (file === undefined || process.platform === 'win32') return () => undefined;
  const onHangup = (): void => {
    try {
      file.reopen();
      logger.info('LOG REOPENED');
    } catch (err) {
      // The old file may still be open; the process goes on either way.
      logger.error({ err }, 'LOG REOPEN FAILED');
    }
  };
  process.on('SIGHUP', onHangup);
  return () => process.off('SIGHUP', onHangup);
}

/**
 * Closes the log file a {@link createLogger} logger opened and silences the logger, so a line
 * logged late (a background write failing after shutdown) is dropped rather than thrown. A
 * program that opens a runtime per job (the library's `harvest()`) keeps no descriptor per call.
 */
export async function closeLogger(logger: TrawlLogger): Promise<void> {
  logger.flush();
  logger.level = 'silent';
  const file = logFiles.get(logger);
  if (file === undefined) return;
  logFiles.delete(logger);
  await new Promise<void>((resolve) => {
    file.once('close', () => resolve());
    // A failing close still ends the wait: there is nothing left to write to.
    file.once('error', () => resolve());
    file.end();
  });
}

/** A logger that writes nothing (tests, and commands that must not touch the data dir). */
export function silentLogger(): TrawlLogger {
  return pino({ level: 'silent' });
}
