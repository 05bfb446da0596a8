import { inputLimits, readBoundedText } from '../../core/fs/read-bounded.js';
import path from 'node:path';
import { CoreError } from '../../core/errors.js';
import { localizeError } from '../../shared/message-text.js';
import { startReferenceImagingServer } from '../../core/imaging/reference-server.js';
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
    const clientId = text('client-id') ?? 'training';
    const server = await startReferenceImagingServer({
      dataDir: path.resolve(text('data') ?? path.join(dataDir, 'reference-imaging')),
      clients: { [clientId]: secret },
      host: text('host') ?? '127.0.0.1',
      port,
    });
    // The secret is never printed: whoever started the server knows it.
    if (json) io.stdout(`${JSON.stringify({ url: server.url, clientId })}\n`);
    else io.stdout(`${t('cli.serveImaging.listening', { url: server.url, clientId })}\n`);
    await io.waitForStop();
    await server.close();
    return exitCodes.ok;
  },
};
