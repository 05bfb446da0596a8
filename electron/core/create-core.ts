// Builds the core: the rooms below are wired here from the ground up (see docs/architecture.md).
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Language } from '../shared/i18n/languages.js';
import { featureStates } from './app/features.js';
import { resolveCorePaths, type CorePaths } from './app/paths.js';
import type { Logger } from './log/logger.js';
import { createMemoryLogger } from './log/logger.js';
import { auditLogPath, createAuditLog } from './log/audit-log.js';
import { createPrefsStore, type PrefsStore } from './prefs/prefs-store.js';
import { createKeyFileCipher, type SecretCipher } from './secrets/secret-cipher.js';
import { createFileSecretStore } from './secrets/secret-store.js';
import { createTemplateService, type TemplateService } from './inspection/template-service.js';
import { createCoverService, type CoverService } from './cover/cover-service.js';
import { createReturnedBills, returnedBillsPath } from './spool/returned-bills.js';
import { createDeskSettingsStore } from './desk/desk-settings.js';
import { createCaptureService, type CaptureService } from './capture/capture-service.js';
import { createDefaultDrivers, type ScannerDrivers } from './capture/capture-drivers.js';
import { createScanDeskService, type ScanDeskService } from './desk/scan-desk-service.js';
import { createScanIdentity, type ScanIdentity } from './desk/scan-identity.js';
import { createEndpointService, type EndpointService } from './endpoint/endpoint-service.js';
import { firstRunProfileName, importFirstRunProfile } from './endpoint/first-run-profile.js';
import { createUploadQueue, type UploadQueue } from './upload/upload-queue.js';
import { bundleLimits, describeOs, packBundle, readLogTail, redactProfile, summarizeSpool } from './diagnose/diagnostic-bundle.js';
import { readRecentLines } from './diagnose/station-records.js';
import { createSupportService, type SupportService } from './diagnose/support-service.js';
import { runStationCheck, type StationCheckReport, type StationCheckStep } from './diagnose/station-check.js';

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
  /**
   * Roll-out profiles to import on a station's first start (no profile saved yet), tried in order
   * after `<dataDir>/scan-station-profile.json`: the desktop app passes the one beside the installed app.
   */
  firstRunProfiles?: string[];
  /** How scanners are reached (eSCL, SANE by default); injected so tests drive a scanner of their own. */
  scannerDrivers?: ScannerDrivers;
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
  /** Who scans where (扫描人, 扫描点): read at every intake, signed in and out at the desk and by the CLI. */
  scanner: ScanIdentity;
  /** Direct capture: scanners (eSCL, SANE) driven from the station, each job's pages into the spool as they arrive. */
  capture: CaptureService;
  /** The upload queue: ready bills to the imaging endpoint, each page exactly once. */
  upload: UploadQueue;
  /** The "no image" troubleshooter, the uploaded bills' status and the diagnostic bundle. */
  support: SupportService & {
    /** Builds a diagnostic bundle (a zip, secrets scrubbed) for some codes or the last days. */
    bundle(options: { codes?: string[]; days?: number }): Promise<{ name: string; bytes: Uint8Array; files: string[] }>;
  };
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
  // One audit log for the station: covers made, templates checked, stacks and bills (the troubleshooter's timeline).
  const audit = createAuditLog(auditLogPath(paths.dataDir), now);
  const templates = createTemplateService(log, audit);
  const secrets = createFileSecretStore({ file: path.join(paths.dataDir, 'secrets.json'), cipher: options.secretCipher ?? createKeyFileCipher(path.join(paths.dataDir, 'secrets.key')) });
  const endpoint = createEndpointService({ dataDir: paths.dataDir, log, secrets, now, env: options.env });
  // A silent install for IT: a profile dropped beside the app (or into the data folder) configures a fresh station.
  await importFirstRunProfile({ dataDir: paths.dataDir, endpoint, candidates: [path.join(paths.dataDir, firstRunProfileName), ...(options.firstRunProfiles ?? [])], log });
  // Who scans where: the clerk signed in at the desk (prefs) or the station's scan user, and its scan point (the profile).
  const scanner = createScanIdentity({ dataDir: paths.dataDir, prefs, log });
  const scanDesk = createScanDeskService({ spoolDir: path.join(paths.dataDir, 'spool'), tmpDir: paths.tmpDir, ownFolders: [paths.dataDir, path.join(paths.dataDir, 'spool')], log, now, prefs, settings: createDeskSettingsStore(paths.dataDir), scanner, settleMs: options.watchSettleMs, pollMs: options.watchPollMs });
  // A scan's pages go into the desk's own spool: its closes tell the desk (and its index) a stack came.
  let spoolReady: Promise<void> | null = null;
  const capture = createCaptureService({
    dataDir: paths.dataDir,
    batches: async () => {
      await (spoolReady ??= scanDesk.prepare().catch((error: unknown) => {
        spoolReady = null;
        throw error;
      }));
      return scanDesk.spool.batches;
    },
    splitSettings: () => scanDesk.settings.resolve(),
    drivers: options.scannerDrivers ?? createDefaultDrivers({ log, workDir: path.join(paths.tmpDir, 'sane'), env: options.env }),
    log,
    now,
  });
  const returned = createReturnedBills(returnedBillsPath(path.join(paths.dataDir, 'spool')));
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
    returned,
    index: scanDesk.index,
    stationCounts: () => scanDesk.counts(),
  });
  if (options.startUploadQueue) {
    upload.start();
    // The app and browser mode poll the spool all day: its index is built at start, not at the first look.
    // A one-off CLI command reads only what it needs.
    void scanDesk.prepare().catch((error: unknown) => log.error('spool.index-failed', { reason: String(error) }));
  }
  const support = createSupportService({ auditFile: auditLogPath(paths.dataDir), spool: scanDesk.spool, stacksDir: path.join(paths.dataDir, 'spool', 'stacks'), upload, endpoint, returned, log, now });
  const describeStation = (): CoreInfo => ({
    name: 'Scan Station',
    version: options.appVersion,
    dataDir: paths.dataDir,
    logFile: paths.logFile,
    node: process.versions.node,
    platform: process.platform,
    arch: process.arch,
    features: { ...featureStates },
  });
  const bundle = async (request: { codes?: string[]; days?: number }) => {
    const created = now();
    const days = Math.min(bundleLimits.maxDays, Math.max(1, Math.floor(request.days ?? 7)));
    const codes = [...new Set(request.codes ?? [])].slice(0, 200);
    const [view, last, selfCheck, queue, returnedBills, traces, secrets] = await Promise.all([
      endpoint.readSettings(),
      endpoint.lastPreflight(),
      runStationCheck({ paths, prefs, now }),
      upload.status(),
      returned.list(),
      codes.length ? support.traceCodes(codes) : Promise.resolve(null),
      endpoint.secretsToRedact(),
    ]);
    const auditLines = await readRecentLines(auditLogPath(paths.dataDir), codes.length ? { since: new Date(0), codes: new Set(codes), maxLines: bundleLimits.auditLines } : { since: new Date(created.getTime() - days * 86_400_000), maxLines: bundleLimits.auditLines });
    const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
    const files = [
      { name: 'station.json', text: json({ ...describeStation(), stationId: view.settings.stationId, os: describeOs(), createdAt: created.toISOString() }) },
      { name: 'endpoint-profile.json', text: json({ settings: redactProfile(view.settings), problems: view.problems, secret: view.secret }) },
      { name: 'last-preflight.json', text: json(last) },
      { name: 'self-check.json', text: json(selfCheck) },
      { name: 'spool-and-queue.json', text: json({ spool: await summarizeSpool(scanDesk.spool), queue: { ...queue, bills: queue.bills.map(({ receipts: _receipts, ...bill }) => bill) }, returned: returnedBills }) },
      { name: 'audit.jsonl', text: auditLines.map((line) => `${line}\n`).join('') },
      { name: 'app-log-tail.log', text: await readLogTail(paths.logFile, bundleLimits.logTailBytes) },
      ...(traces ? [{ name: 'traces.json', text: json(traces) }] : []),
    ];
    const scope = codes.length ? `codes ${codes.join(' ')}` : `last ${days} days`;
    const stamp = created.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
    log.info('support.bundle', { files: files.length, codes: codes.length, days });
    return { name: `scan-station-diagnostics-${view.settings.stationId}-${stamp}.zip`, bytes: packBundle(files, secrets, created, scope), files: ['README.txt', ...files.map((file) => file.name)] };
  };
  return {
    paths,
    log,
    now,
    fetch: options.fetch ?? globalThis.fetch,
    app: { describeStation },
    prefs,
    diagnose: {
      runStationCheck: (onStep) => runStationCheck({ paths, prefs, now }, onStep),
    },
    templates,
    covers: createCoverService({ tmpDir: paths.tmpDir, pool: templates.pool, log, audit }),
    endpoint,
    scanDesk,
    scanner,
    capture,
    upload,
    support: { ...support, bundle },
    close: async () => {
      await upload.stop();
      await Promise.all([templates.close(), endpoint.close(), capture.close(), scanDesk.close()]);
    },
  };
}
