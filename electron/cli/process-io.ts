import { pauseNativeWork } from '../core/base/native-work.js';
import type { CliIo, StopSignal } from './cli-context.js';

/** Exit codes for a stop by signal, as shells report them (128 + signal number). */
export const signalExitCodes: Record<StopSignal, number> = { SIGINT: 130, SIGTERM: 143 };

/** How long a command that finishes cleanly on a stop (closing servers, the current flush) may take. */
export const gracefulStopMs = 5000;

/** How long a stop waits for the pages being decoded on native threads before the process exits anyway. */
export const nativePauseMs = 2000;

/**
 * The real process edge: stdio, environment, and stopping on the FIRST Ctrl+C or SIGTERM. A
 * command that waits for the stop (a server, a watcher) gets it and finishes its current work,
 * with a deadline; any other command is ended as soon as the pages being decoded on native threads
 * are done (at most `nativePauseMs`; an exit during one aborted the process with exit 134): every
 * file the CLI writes is written to a temporary name and renamed, so stopping mid-way leaves
 * nothing half-written. A second signal ends it at once.
 */
export function createProcessIo(exit: (code: number) => void = (code) => process.exit(code)): CliIo {
  let waiting = false;
  let resolveStop: (signal: StopSignal) => void = () => undefined;
  const stop = new Promise<StopSignal>((resolve) => {
    resolveStop = resolve;
  });
  let stopping = false;
  const onSignal = (signal: keyof typeof signalExitCodes) => {
    const code = signalExitCodes[signal];
    if (stopping) return exit(code);
    stopping = true;
    if (!waiting) {
      void pauseNativeWork(nativePauseMs).then(() => exit(code));
      return;
    }
    resolveStop(signal);
    // A stop that does not finish in time (a stuck connection, a slow share) still ends the process.
    setTimeout(() => exit(code), gracefulStopMs).unref();
  };
  // A reader that went away (`scan-station doctor … | head`) is no error: stop writing, exit quietly.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') exit(0);
    else throw error;
  });
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
    waitForStop: () => {
      waiting = true;
      return stop;
    },
  };
}
