import { removeOwnTempFilesSync } from '../download/temp-files.js';
import type { ProgressStream } from './progress.js';

/** What a command may touch of its process: injected so tests can run commands in-process. */
export interface CliIo {
  stdout: { write(text: string): boolean };
  stderr: ProgressStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /**
   * Calls `handler` on the first Ctrl-C (SIGINT) or SIGTERM. A second one quits at once: `quit`
   * runs (synchronously: nothing awaited would ever finish), the temp files this process is still
   * writing are deleted, and the process exits 130. Returns the remover.
   */
  onInterrupt(handler: () => void, quit?: () => void): () => void;
  exitCode: number;
}

/** A mistake in how the command was called: exit code 2 with this message. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The real process's streams, environment and signals. */
export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    exitCode: 0,
    onInterrupt(handler, quit) {
      let interrupted = false;
      const onSignal = (): void => {
        if (interrupted) quitNow(quit);
        interrupted = true;
        handler();
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      return () => {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      };
    },
  };
}

/** The second Ctrl-C: last words, then no temp file of ours left behind, then exit 130. */
function quitNow(quit: (() => void) | undefined): never {
  try {
    quit?.();
  } catch (err) {
    process.stderr.write(`trawl: could not finish quitting: ${err instanceof Error ? err.message : String(err)}\n`);
  }
  removeOwnTempFilesSync();
  process.exit(130);
}

/**
 * Watches for Ctrl-C (SIGINT) or SIGTERM: `requested` resolves at the first; a second one quits at
 * once (see CliIo). Call `release` when the process has shut down.
 */
export function interruption(io: CliIo): { requested: Promise<void>; release: () => void } {
  let release = (): void => {};
  const requested = new Promise<void>((resolve) => {
    release = io.onInterrupt(resolve);
  });
  return { requested, release };
}
