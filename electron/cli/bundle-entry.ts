import { runCli } from './run-cli.js';

// Entry of the bundled CLI (CommonJS has no top-level await); same edge as main.ts.
const stop = new Promise<void>((resolve) => {
  process.once('SIGINT', () => resolve());
  process.once('SIGTERM', () => resolve());
});

void runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  waitForStop: () => stop,
}).then((code) => {
  process.exitCode = code;
});
