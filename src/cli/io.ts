import type { ProgressStream } from './progress.js';

/** What a command may touch of its process: injected so tests can run commands in-process. */
export interface CliIo {
  stdout: { write(text: string): boolean };
  stderr: ProgressStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Calls `handler` on the first Ctrl-C (SIGINT) or SIGTERM; a second one exits at once. Returns the remover. */
  onInterrupt(handler: () => void): () => void;
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
    onInterrupt(handler) {
      let interrupted = false;
      const onSignal = (): void => {
        if (interrupted) process.exit(130);
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
