import type { CliCommand } from '../cli-context.js';

/**
 * A subcommand as the CLI knows it before loading it: its name and summary for the help list, and
 * how to load the command itself. Each command's module (and everything it needs: the cover PDF
 * writer and its fonts, the spool, the upload queue…) loads only when that command runs, so `split`
 * or `check` starts without parsing the code of every other command (issue 26: start-up).
 */
export interface CliCommandEntry {
  name: string;
  /** i18n key of the one-line summary (the loaded command's own `summaryKey`). */
  summaryKey: string;
  load(): Promise<CliCommand>;
}

/** Every subcommand, in help order. */
export const cliCommands: readonly CliCommandEntry[] = [
  { name: 'check', summaryKey: 'cli.check.summary', load: async () => (await import('./check.js')).checkCommand },
  { name: 'config', summaryKey: 'cli.config.summary', load: async () => (await import('./config.js')).configCommand },
  { name: 'cover', summaryKey: 'cli.cover.summary', load: async () => (await import('./cover.js')).coverCommand },
  { name: 'info', summaryKey: 'cli.info.summary', load: async () => (await import('./info.js')).infoCommand },
  { name: 'preflight', summaryKey: 'cli.preflight.summary', load: async () => (await import('./preflight.js')).preflightCommand },
  { name: 'self-check', summaryKey: 'cli.selfCheck.summary', load: async () => (await import('./self-check.js')).selfCheckCommand },
  { name: 'serve', summaryKey: 'cli.serve.summary', load: async () => (await import('./serve.js')).serveCommand },
  { name: 'serve-imaging', summaryKey: 'cli.serveImaging.summary', load: async () => (await import('./serve-imaging.js')).serveImagingCommand },
  { name: 'serve-scanner', summaryKey: 'cli.serveScanner.summary', load: async () => (await import('./serve-scanner.js')).serveScannerCommand },
  { name: 'split', summaryKey: 'cli.split.summary', load: async () => (await import('./split.js')).splitCommand },
  { name: 'intake', summaryKey: 'cli.intake.summary', load: async () => (await import('./intake.js')).intakeCommand },
  { name: 'scanners', summaryKey: 'cli.scanners.summary', load: async () => (await import('./scan.js')).scannersCommand },
  { name: 'scan', summaryKey: 'cli.scan.summary', load: async () => (await import('./scan.js')).scanCommand },
  { name: 'bills', summaryKey: 'cli.bills.summary', load: async () => (await import('./intake.js')).billsCommand },
  { name: 'bill', summaryKey: 'cli.bill.summary', load: async () => (await import('./intake.js')).billCommand },
  { name: 'desk', summaryKey: 'cli.desk.summary', load: async () => (await import('./desk.js')).deskCommand },
  { name: 'upload', summaryKey: 'cli.upload.summary', load: async () => (await import('./upload.js')).uploadCommand },
  { name: 'queue', summaryKey: 'cli.queue.summary', load: async () => (await import('./upload.js')).queueCommand },
  { name: 'doctor', summaryKey: 'cli.doctor.summary', load: async () => (await import('./doctor.js')).doctorCommand },
  { name: 'bundle', summaryKey: 'cli.bundle.summary', load: async () => (await import('./doctor.js')).bundleCommand },
  { name: 'return-bill', summaryKey: 'cli.returnBill.summary', load: async () => (await import('./doctor.js')).returnBillCommand },
];
