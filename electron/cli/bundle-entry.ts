import { createProcessIo } from './process-io.js';
import { runCli } from './run-cli.js';

// Entry of the bundled CLI: CommonJS has no top-level await, otherwise the same as main.ts.
void runCli(process.argv.slice(2), createProcessIo()).then((code) => {
  process.exitCode = code;
});
