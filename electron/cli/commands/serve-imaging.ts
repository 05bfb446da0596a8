import { inputLimits, readBoundedFile, readBoundedText } from '../../core/fs/read-bounded.js';
import path from 'node:path';
import { CoreError } from '../../core/base/errors.js';
import { localizeError } from '../../shared/message-text.js';
import { startReferenceImagingServer } from '../../core/imaging/reference-server.js';
import { defaultCodePattern } from '../../core/codes/image-code-rules.js';
import { parseRescanReasonsBytes, type RescanReasonsFault } from '../../shared/imaging/rescan-reasons.js';
import type { RescanReason } from '../../shared/imaging/erp-image-state.js';
import type { CliCommand } from '../cli-context.js';
import { exitCodes, parsePort, reportUsageError, stringOption } from '../cli-context.js';

/** `scan-station serve-imaging`: the reference imaging server (training, tests, protocol checks). */
export const serveImagingCommand: CliCommand = {
  name: 'serve-imaging',
  summaryKey: 'cli.serveImaging.summary',
  options: [
    { name: 'host', type: 'string', valueName: 'ADDR', helpKey: 'cli.serveImaging.hostOption' },
    { name: 'port', type: 'string', valueName: 'N', helpKey: 'cli.serve.portOption' },
    { name: 'data', type: 'string', valueName: 'DIR', helpKey: 'cli.serveImaging.dataOption' },
    { name: 'client-id', type: 'string', valueName: 'ID', helpKey: 'cli.serveImaging.clientIdOption' },
    { name: 'client-secret', type: 'string', valueName: 'S', helpKey: 'cli.serveImaging.clientSecretOption' },
    { name: 'client-secret-file', type: 'string', valueName: 'F', helpKey: 'cli.serveImaging.clientSecretFileOption' },
    { name: 'delay-ms', type: 'string', valueName: 'MS', helpKey: 'cli.serveImaging.delayOption' },
    { name: 'fail-every', type: 'string', valueName: 'N', helpKey: 'cli.serveImaging.failEveryOption' },
    { name: 'rate-limit-every', type: 'string', valueName: 'N', helpKey: 'cli.serveImaging.rateLimitEveryOption' },
    { name: 'drop-after-save-every', type: 'string', valueName: 'N', helpKey: 'cli.serveImaging.dropEveryOption' },
    { name: 'no-image-needed', type: 'string', valueName: 'CODE[,CODE…]', helpKey: 'cli.serveImaging.noImageNeededOption' },
    { name: 'rescan-reasons', type: 'string', valueName: 'FILE', helpKey: 'cli.serveImaging.rescanReasonsOption' },
  ],
  async run({ values, json, io, t, dataDir }) {
    const text = (name: string) => stringOption(values, name);
    const port = parsePort(text('port'));
    if (port === null) return reportUsageError(io, json, t('cli.serve.badPort', { port: text('port') ?? '' }));
    let secret = text('client-secret') ?? 'training-secret';
    if (text('client-secret-file')) {
      try {
        secret = (await readBoundedText(text('client-secret-file') as string, inputLimits.secret, text('client-secret-file'))).trim();
      } catch (error) {
        if (error instanceof CoreError) return reportUsageError(io, json, localizeError(t, error));
        throw error;
      }
    }
    // Faults for scripts and soaks: every number a whole number in range, or a usage error.
    const faults: Record<string, number> = {};
    for (const [option, key, max] of [['delay-ms', 'delayMs', 60_000], ['fail-every', 'failEvery', 1_000_000], ['rate-limit-every', 'rateLimitEvery', 1_000_000], ['drop-after-save-every', 'dropAfterSaveEvery', 1_000_000]] as const) {
      const value = text(option);
      if (value === undefined) continue;
      const min = option === 'delay-ms' ? 0 : 1;
      if (!/^\d{1,7}$/.test(value) || Number(value) < min || Number(value) > max) return reportUsageError(io, json, t('cli.check.badNumber', { option: `--${option}`, value, min, max }));
      faults[key] = Number(value);
    }
    // Codes the ERP would mark 是否需要影像扫描 = 否 (training): each a valid image code.
    const noImageNeeded = (text('no-image-needed') ?? '').split(',').map((code) => code.trim()).filter(Boolean);
    const badCode = noImageNeeded.find((code) => !defaultCodePattern.test(code));
    if (badCode !== undefined || (text('no-image-needed') !== undefined && noImageNeeded.length === 0)) return reportUsageError(io, json, t('cli.serveImaging.badNoImageNeeded', { value: badCode ?? text('no-image-needed') ?? '' }));
    let rescanReasons: RescanReason[] | undefined;
    const reasonsFile = text('rescan-reasons');
    if (reasonsFile !== undefined) {
      let content: Buffer;
      try {
        // A regular file only (never a FIFO or a device), bounded; its bytes must be UTF-8 (a GBK file is refused, not garbled).
        content = await readBoundedFile(reasonsFile, inputLimits.rescanReasons, reasonsFile);
      } catch (error) {
        if (error instanceof CoreError) return reportUsageError(io, json, localizeError(t, error));
        throw error;
      }
      const parsed = parseRescanReasonsBytes(content);
      if (!parsed.ok) return reportUsageError(io, json, t('cli.serveImaging.badRescanReasons', { file: reasonsFile, reason: t(`cli.serveImaging.rescanReasonsFaults.${parsed.fault.fault}` satisfies `cli.serveImaging.rescanReasonsFaults.${RescanReasonsFault['fault']}`), entry: parsed.fault.entry }));
      rescanReasons = parsed.reasons;
    }
    const clientId = text('client-id') ?? 'training';
    const server = await startReferenceImagingServer({
      dataDir: path.resolve(text('data') ?? path.join(dataDir, 'reference-imaging')),
      clients: { [clientId]: secret },
      host: text('host') ?? '127.0.0.1',
      port,
      faults,
      noImageNeeded,
      rescanReasons,
    });
    // The secret is never printed: whoever started the server knows it.
    if (json) io.stdout(`${JSON.stringify({ url: server.url, clientId })}\n`);
    else io.stdout(`${t('cli.serveImaging.listening', { url: server.url, clientId })}\n`);
    await io.waitForStop();
    await server.close();
    return exitCodes.ok;
  },
};
