import path from 'node:path';
import { CoreError } from '../../core/base/errors.js';
import { startReferenceScanner } from '../../core/scanner/escl-server.js';
import { localizeError } from '../../shared/message-text.js';
import type { CliCommand } from '../cli-context.js';
import { exitCodes, parsePort, reportUsageError, stringOption } from '../cli-context.js';

/** `scan-station serve-scanner`: the reference eSCL (AirScan) scanner serving given pages (training, tests, benches). */
export const serveScannerCommand: CliCommand = {
  name: 'serve-scanner',
  summaryKey: 'cli.serveScanner.summary',
  options: [
    { name: 'host', type: 'string', valueName: 'ADDR', helpKey: 'cli.serveScanner.hostOption' },
    { name: 'port', type: 'string', valueName: 'N', helpKey: 'cli.serve.portOption' },
    { name: 'pages', type: 'string', valueName: 'FILE|DIR', helpKey: 'cli.serveScanner.pagesOption' },
    { name: 'adf-empty', type: 'boolean', helpKey: 'cli.serveScanner.adfEmptyOption' },
    { name: 'jam-after', type: 'string', valueName: 'N', helpKey: 'cli.serveScanner.jamAfterOption' },
    { name: 'slow-ms', type: 'string', valueName: 'MS', helpKey: 'cli.serveScanner.slowOption' },
    { name: 'unavailable-every', type: 'string', valueName: 'N', helpKey: 'cli.serveScanner.unavailableEveryOption' },
    { name: 'advertise', type: 'boolean', helpKey: 'cli.serveScanner.advertiseOption' },
    { name: 'name', type: 'string', valueName: 'TEXT', helpKey: 'cli.serveScanner.nameOption' },
  ],
  async run({ values, json, io, t }) {
    const text = (name: string) => stringOption(values, name);
    const port = parsePort(text('port'));
    if (port === null) return reportUsageError(io, json, t('cli.serve.badPort', { port: text('port') ?? '' }));
    const pages = text('pages');
    if (pages === undefined || pages.trim() === '') return reportUsageError(io, json, t('cli.serveScanner.usage'));
    // Faults for scripts and tests: every number a whole number in range, or a usage error.
    const faults: { jamAfter?: number; slowMs?: number; unavailableEvery?: number } = {};
    for (const [option, key, min, max] of [['jam-after', 'jamAfter', 0, 100_000], ['slow-ms', 'slowMs', 0, 600_000], ['unavailable-every', 'unavailableEvery', 1, 1_000_000]] as const) {
      const value = text(option);
      if (value === undefined) continue;
      if (!/^\d{1,7}$/.test(value) || Number(value) < min || Number(value) > max) return reportUsageError(io, json, t('cli.check.badNumber', { option: `--${option}`, value, min, max }));
      faults[key] = Number(value);
    }
    const name = text('name');
    // A name goes into mDNS (63 bytes a label) and into logs: plain text only.
    if (name !== undefined && (name.trim() === '' || Buffer.byteLength(name) > 63 || /[\p{Cc}\p{Cf}]/u.test(name))) return reportUsageError(io, json, t('cli.serveScanner.badName', { value: name }));
    let scanner;
    try {
      scanner = await startReferenceScanner({ ...(text('host') !== undefined ? { host: text('host') } : {}), port, pages: path.resolve(pages), adfEmpty: values['adf-empty'] === true, advertise: values['advertise'] === true, ...(name !== undefined ? { name } : {}), ...faults });
    } catch (error) {
      if (error instanceof CoreError) return reportUsageError(io, json, t('cli.serveScanner.badPages', { pages, reason: localizeError(t, error) }));
      if (error instanceof Error && 'code' in error && (error.code === 'EADDRINUSE' || error.code === 'EADDRNOTAVAIL' || error.code === 'EACCES')) return reportUsageError(io, json, t('cli.serveScanner.cannotListen', { host: text('host') ?? (values['advertise'] === true ? '0.0.0.0' : '127.0.0.1'), port, reason: error.code }));
      throw error;
    }
    const pageCount = scanner.pageCount;
    if (json) io.stdout(`${JSON.stringify({ url: scanner.url, pages: pageCount })}\n`);
    else io.stdout(`${t('cli.serveScanner.listening', { url: scanner.url, pages: pageCount })}\n`);
    await io.waitForStop();
    await scanner.close();
    return exitCodes.ok;
  },
};
