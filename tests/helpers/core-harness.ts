import { createCore, type Core, type CoreOptions } from '../../electron/core/create-core.js';
import { createMemoryLogger, type LogRecord } from '../../electron/core/log/logger.js';
import { createDispatcher, type Dispatcher, type SenderInfo } from '../../electron/ipc/dispatcher.js';
import { createHandlers, type Runtime } from '../../electron/ipc/handlers.js';
import packageJson from '../../package.json' with { type: 'json' };
import { makeTempDir } from './temp-dir.js';

/** A real core on a temp folder with an in-memory log, plus a dispatcher over its real handlers. */
export interface CoreHarness {
  core: Core;
  dispatcher: Dispatcher;
  records: LogRecord[];
  dataDir: string;
}

/** Builds the harness; `isTrustedSender` defaults to trusting in-process calls only. */
export async function makeCoreHarness(
  options: Partial<CoreOptions> & { runtime?: Runtime; isTrustedSender?: (sender: SenderInfo) => boolean } = {},
): Promise<CoreHarness> {
  const dataDir = options.dataDir ?? (await makeTempDir());
  const log = createMemoryLogger();
  const core = await createCore({ appVersion: packageJson.version, ...options, dataDir, log });
  const dispatcher = createDispatcher({
    handlers: createHandlers(core, options.runtime ?? 'cli'),
    isTrustedSender: options.isTrustedSender ?? ((sender) => sender.transport === 'in-process'),
    log,
  });
  return { core, dispatcher, records: log.records, dataDir };
}
