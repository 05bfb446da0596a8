import { createProcessIo } from './process-io.js';
import { tuneThreadpool } from './process-tuning.js';
import { runCli } from './run-cli.js';

tuneThreadpool(process.env);

// Entry of the bundled CLI: CommonJS has no top-level await, otherwise the same as main.ts.
void runCli(process.argv.slice(2), createProcessIo()).then((code) => {
  process.exitCode = code;
});
