import { existsSync } from 'node:fs';
import path from 'node:path';
import { createDispatcher } from '../../ipc/dispatcher.js';
import { createHandlers } from '../../ipc/handlers.js';
import { isTrustedHttpSender } from '../../ipc/sender-check.js';
import { startBrowserServer } from '../../server/browser-server.js';
import { defaultRendererDir } from '../app-root.js';
import type { CliCommand } from '../cli-context.js';
import { exitCodes, parsePort, reportUsageError, stringOption } from '../cli-context.js';

/** `scan-station serve`: the UI in browser mode on 127.0.0.1, same handler table as Electron. */
export const serveCommand: CliCommand = {
  name: 'serve',
  summaryKey: 'cli.serve.summary',
  options: [
    { name: 'port', type: 'string', valueName: 'N', helpKey: 'cli.serve.portOption' },
    { name: 'static', type: 'string', valueName: 'DIR', helpKey: 'cli.serve.staticOption' },
  ],
  async run({ values, openCore, json, io, t }) {
    const staticDir = path.resolve(stringOption(values, 'static') ?? defaultRendererDir());
    if (!existsSync(path.join(staticDir, 'index.html'))) {
      return reportUsageError(io, json, t('cli.serve.missingBuild', { path: staticDir }));
    }
    const port = parsePort(stringOption(values, 'port'));
    if (port === null) return reportUsageError(io, json, t('cli.serve.badPort', { port: stringOption(values, 'port') ?? '' }));
    const core = await openCore();
    // Browser mode is the app: its upload queue runs while it does.
    core.upload.start();
    const dispatcher = createDispatcher({
      handlers: createHandlers(core, 'browser'),
      isTrustedSender: isTrustedHttpSender,
      log: core.log,
    });
    const server = await startBrowserServer({ dispatcher, staticDir, port, log: core.log });
    // Every change of the spool or the queue reaches the open pages at once (not at their next poll).
    const unsubscribe = core.scanDesk.onChanged((change) => server.broadcast('station:changed', change));
    // A scan's pages and phases, and the scanner's state, reach them the same way.
    const unsubscribeCapture = core.capture.onChanged((state) => server.broadcast('capture:changed', state));
    if (json) io.stdout(`${JSON.stringify({ url: server.url, origin: server.origin, port: server.port })}\n`);
    else io.stdout(`${t('cli.serve.listening')}\n\n    ${server.url}\n\n${t('cli.serve.tokenNote')}\n`);
    await io.waitForStop();
    unsubscribe();
    unsubscribeCapture();
    await server.close();
    await core.close();
    return exitCodes.ok;
  },
};
