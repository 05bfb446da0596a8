import type { CliCommand } from '../cli-context.js';
import { checkCommand } from './check.js';
import { configCommand } from './config.js';
import { deskCommand } from './desk.js';
import { coverCommand } from './cover.js';
import { infoCommand } from './info.js';
import { preflightCommand } from './preflight.js';
import { selfCheckCommand } from './self-check.js';
import { serveCommand } from './serve.js';
import { serveImagingCommand } from './serve-imaging.js';
import { serveScannerCommand } from './serve-scanner.js';
import { splitCommand } from './split.js';
import { billCommand, billsCommand, intakeCommand } from './intake.js';
import { queueCommand, uploadCommand } from './upload.js';
import { bundleCommand, doctorCommand, returnBillCommand } from './doctor.js';
import { scanCommand, scannersCommand } from './scan.js';

/** Every subcommand, in help order. */
export const cliCommands: readonly CliCommand[] = [checkCommand, configCommand, coverCommand, infoCommand, preflightCommand, selfCheckCommand, serveCommand, serveImagingCommand, serveScannerCommand, splitCommand, intakeCommand, scannersCommand, scanCommand, billsCommand, billCommand, deskCommand, uploadCommand, queueCommand, doctorCommand, bundleCommand, returnBillCommand];
