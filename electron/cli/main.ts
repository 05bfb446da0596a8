import { runCli } from './run-cli.js';

// The process edge: real stdio, real signals. Everything testable lives in run-cli.ts.
const stop = new Promise<void>((resolve) => {
  process.once('SIGINT', () => resolve());
  process.once('SIGTERM', () => resolve());
});

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  waitForStop: () => stop,
});
