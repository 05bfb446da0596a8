import type { CliIo } from './cli-context.js';

/** The real process edge: stdio, environment, and a promise that resolves on Ctrl+C / SIGTERM. */
export function createProcessIo(): CliIo {
  const stop = new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
    waitForStop: () => stop,
  };
}
