import { createProcessIo } from './process-io.js';
import { tuneThreadpool } from './process-tuning.js';
import { runCli } from './run-cli.js';

tuneThreadpool(process.env);

// Source entry (run through tsx by bin/scan-station.mjs); everything testable lives in run-cli.ts.
process.exitCode = await runCli(process.argv.slice(2), createProcessIo());
