import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Language } from '../shared/i18n/languages.js';
import { featureStates } from './app/features.js';
import { runStationCheck, type StationCheckReport, type StationCheckStep } from './diagnose/station-check.js';
import type { Logger } from './log/logger.js';
import { createMemoryLogger } from './log/logger.js';
import { resolveCorePaths, type CorePaths } from './paths.js';
import { createPrefsStore, type PrefsStore } from './prefs/prefs-store.js';
import { createTemplateService, type TemplateService } from './cover/template-service.js';
import { createCoverService, type CoverService } from './cover/cover-service.js';
import { createEndpointService, type EndpointService } from './endpoint/endpoint-service.js';
import { createKeyFileCipher, type SecretCipher } from './secrets/secret-cipher.js';
import { createFileSecretStore } from './secrets/secret-store.js';
import { createDeskSettingsStore } from './spool/desk-settings.js';
import { createUploadQueue, type UploadQueue } from './upload/upload-queue.js';
import { createScanDeskService, type ScanDeskService } from './spool/scan-desk-service.js';

/** What the edge (Electron main, CLI, tests) injects into core. */
export interface CoreOptions {
  /** The station's data folder; every file core writes lives below it. */
  dataDir: string;
  /** Application version shown to users and support. */
  appVersion: string;
  /** Clock; injected so tests control time. */
  now?: () => Date;
  /** Structured logger; defaults to an in-memory one. */
  log?: Logger;
  /** HTTP client for endpoint checks and uploads; injected so tests control the network. */
  fetch?: typeof globalThis.fetch;
  /** Language used until the user picks one (from the OS locale at the edge). */
  defaultLanguage?: Language;
  /** How secrets are sealed: safeStorage in the desktop app; a key file in the data folder otherwise. */
  secretCipher?: SecretCipher;
  /** Environment for proxy settings (HTTPS_PROXY, NO_PROXY); defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /** How long a file in the watched scan folder must stay unchanged before it is taken (ms, default 2000). */
  watchSettleMs?: number;
  /** How often the watched scan folder is looked at (ms, default 1000). */
  watchPollMs?: number;
  /** Start the upload queue with core (the desktop app and browser mode); the CLI runs it on demand. */
  startUploadQueue?: boolean;
}

/** Station facts core knows (the edge adds how it runs). */
export interface CoreInfo {
  name: string;
  version: string;
  dataDir: string;
  logFile: string;
  node: string;
  platform: string;
  arch: string;
  features: typeof featureStates;
}

/** The services every edge drives; later issues add intake (scan desk) and upload. */
export interface Core {
  paths: CorePaths;
  log: Logger;
  now: () => Date;
  fetch: typeof globalThis.fetch;
  app: { describeStation(): CoreInfo };
  prefs: PrefsStore;
  diagnose: {
    runStationCheck(onStep?: (step: StationCheckStep, index: number, total: number) => void): Promise<StationCheckReport>;
  };
  templates: TemplateService;
  covers: CoverService;
  endpoint: EndpointService;
  /** The Scan desk: stacks taken into the spool, their bills, and what people do to held ones. */
  scanDesk: ScanDeskService;
  /** The upload queue: ready bills to the imaging endpoint, each page exactly once. */
  upload: UploadQueue;
  /** Stops worker threads; call before the process exits. */
  close(): Promise<void>;
}

/** Builds a core instance over one data folder; no globals, everything injected. */
export async function createCore(options: CoreOptions): Promise<Core> {
  const paths = resolveCorePaths(options.dataDir);
  const now = options.now ?? (() => new Date());
  const log = options.log ?? createMemoryLogger(now);
  // The data folder holds the sealed secrets, their key file and scans: this user's only.
  await fs.mkdir(paths.dataDir, { recursive: true, mode: 0o700 });
  if (process.platform !== 'win32') await fs.chmod(paths.dataDir, 0o700).catch(() => undefined);
  const prefs = createPrefsStore({ file: paths.prefsFile, defaultLanguage: options.defaultLanguage ?? 'zh-CN', now, log });
  const templates = createTemplateService(log);
  const secrets = createFileSecretStore({ file: path.join(paths.dataDir, 'secrets.json'), cipher: options.secretCipher ?? createKeyFileCipher(path.join(paths.dataDir, 'secrets.key')) });
  const endpoint = createEndpointService({ dataDir: paths.dataDir, log, secrets, now, env: options.env });
  const scanDesk = createScanDeskService({ spoolDir: path.join(paths.dataDir, 'spool'), tmpDir: paths.tmpDir, log, now, prefs, settings: createDeskSettingsStore(paths.dataDir), settleMs: options.watchSettleMs, pollMs: options.watchPollMs });
  const upload = createUploadQueue({
    spool: scanDesk.spool,
    stacksDir: path.join(paths.dataDir, 'spool', 'stacks'),
    stateFile: path.join(paths.dataDir, 'spool', 'queue.json'),
    endpoint: {
      openAdapter: () => endpoint.openAdapter(),
      describe: async () => {
        const { settings } = await endpoint.readSettings();
        return { mode: settings.mode, stationId: settings.stationId };
      },
      recheck: async () => (await endpoint.preflight(() => undefined)).ok,
      refused: (code) => endpoint.recordUploadRefusal(code),
    },
    log,
    now,
    onChange: () => scanDesk.touch(),
  });
  if (options.startUploadQueue) upload.start();
  return {
    paths,
    log,
    now,
    fetch: options.fetch ?? globalThis.fetch,
    app: {
      describeStation: () => ({
        name: 'Scan Station',
        version: options.appVersion,
        dataDir: paths.dataDir,
        logFile: paths.logFile,
        node: process.versions.node,
        platform: process.platform,
        arch: process.arch,
        features: { ...featureStates },
      }),
    },
    prefs,
    diagnose: {
      runStationCheck: (onStep) => runStationCheck({ paths, prefs, now }, onStep),
    },
    templates,
    covers: createCoverService({ tmpDir: paths.tmpDir, pool: templates.pool, log }),
    endpoint,
    scanDesk,
    upload,
    close: async () => {
      await upload.stop();
      await Promise.all([templates.close(), endpoint.close(), scanDesk.close()]);
    },
  };
}
