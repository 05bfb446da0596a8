// The capture as the station runs it: scanners found and typed, the desk's scan settings, one scan job at a time into the spool (see docs/capture.md).
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { CoreError } from '../base/errors.js';
import type { Logger } from '../log/logger.js';
import type { ScanSettings, ScannerDevice, ScannerStatus } from '../scanner/scanner-driver.js';
import { isScanFilledElsewhere, type BatchRecord, type BatchStore } from '../spool/batch-store.js';
import type { SplitSettings } from '../spool/split-settings.js';
import { runCaptureJob, toCaptureError, type CaptureJobRun } from './capture-job.js';
import { parseSaneId, readOwnJobUri, type ScannerDrivers } from './capture-drivers.js';
import { createCaptureStore, maxTypedDevices } from './capture-store.js';
import type { CaptureJob, CaptureSettings, CaptureState, ScannerDeviceView } from './capture-types.js';

export type { CaptureJob, CaptureSettings, CaptureState, ScannerDeviceView };

/** What the Scan desk, the status bar and the CLI drive. */
export interface CaptureService {
  /** Scanners found (mDNS, SANE) and typed, each with its capabilities and state; `refresh` looks again now. */
  listDevices(options?: { refresh?: boolean; signal?: AbortSignal; timeoutMs?: number }): Promise<ScannerDeviceView[]>;
  /** Adds a scanner typed by address (an eSCL URL, or a host), checked by reading its capabilities. */
  addDevice(address: string): Promise<ScannerDeviceView>;
  /** Forgets a typed scanner. */
  removeDevice(id: string): Promise<boolean>;
  /** The desk's scan settings. */
  readSettings(): Promise<CaptureSettings>;
  /** Saves the desk's scan settings. */
  saveSettings(settings: CaptureSettings): Promise<CaptureSettings>;
  /** The capture now: the job, the interrupted scans, the picked scanner's state. */
  readState(): Promise<CaptureState>;
  /**
   * Starts a job with the saved settings (or continues an interrupted scan: its batch, its device);
   * resolves once it is under way, rejects with the device's refusal (feeder empty, jam…). The CLI
   * names its device and settings instead of the desk's.
   */
  start(options?: { into?: string; device?: string; settings?: ScanSettings; signal?: AbortSignal }): Promise<CaptureState>;
  /** Resolves with the state once no job runs (the CLI waits for its job). */
  idle(): Promise<CaptureState>;
  /** Cancels the running job (the pages received are kept and become the stack). */
  cancel(): Promise<CaptureState>;
  /** Closes an interrupted scan into a stack with what came. */
  release(batchId: string): Promise<{ stackId: string | null }>;
  /** What a batch name given by hand (`scan --into`) is: a scan, a batch of files, a damaged record (its file), or nothing in the spool. */
  describeBatch(batchId: string): Promise<{ kind: 'scan' | 'files' | 'damaged' | 'missing'; file: string | null }>;
  /** Tells `listener` every change of the capture state; returns the unsubscribe. */
  onChanged(listener: (state: CaptureState) => void): () => void;
  /** Stops the running job (as a cancel) and any discovery, for shutdown. */
  close(): Promise<void>;
}

/** What the capture service needs: the spool's batches, the data folder, the drivers (injected in tests). */
export interface CaptureServiceDeps {
  dataDir: string;
  /** The spool's batch store (the one whose closes tell the desk a stack came). */
  batches: () => Promise<BatchStore>;
  /** The split settings now (read at each job's start). */
  splitSettings: () => Promise<SplitSettings>;
  drivers: ScannerDrivers;
  log: Logger;
  now: () => Date;
  /** Time allowed to find scanners on the network (ms, default 2500). */
  discoverMs?: number;
  /** Time allowed to read one device's capabilities and state (ms, default 5000). */
  deviceMs?: number;
  /** Pushes of a page at most this often (ms, default 150): a fast feeder's thumbnails are sent in bursts. */
  pushMs?: number;
  platform?: NodeJS.Platform;
}

const activePhases = new Set<CaptureJob['phase']>(['checking', 'scanning', 'cancelling', 'finishing']);

/** The system word the desk shows (Windows desks scan with the vendor tool or a network scanner). */
function platformOf(platform: NodeJS.Platform): CaptureState['platform'] {
  return platform === 'win32' ? 'windows' : platform === 'linux' ? 'linux' : platform === 'darwin' ? 'mac' : 'other';
}

/** A signal that aborts after `ms`, or with `outer`. */
function boundedSignal(ms: number, outer?: AbortSignal): AbortSignal {
  return outer ? AbortSignal.any([outer, AbortSignal.timeout(ms)]) : AbortSignal.timeout(ms);
}

/** What the stack of a scan is called: the device and when it began. */
function scanLabel(device: { name: string }, at: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${device.name} ${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())} ${pad(at.getHours())}:${pad(at.getMinutes())}`;
}

/**
 * Creates the capture service: one job at a time into the spool (see `runCaptureJob`), the scans a
 * crash or a device error interrupted held until continued or released, typed scanners and the
 * desk's settings in `<data>/capture.json`, every change pushed to `onChanged`.
 */
export function createCaptureService(deps: CaptureServiceDeps): CaptureService {
  const store = createCaptureStore({ dataDir: deps.dataDir, log: deps.log });
  const listeners = new Set<(state: CaptureState) => void>();
  let current: CaptureJobRun | null = null;
  let lastJob: CaptureJob | null = null;
  let scanner: CaptureState['scanner'] = null;
  let found: ScannerDevice[] = [];
  let listing: Promise<ScannerDeviceView[]> | null = null;
  let lastListed: ScannerDeviceView[] | null = null;
  let statusReading: Promise<void> | null = null;
  let pushTimer: NodeJS.Timeout | null = null;
  let closed = false;

  const isActive = () => current !== null && activePhases.has(current.job.phase);
  /** Open scan batches not filled by a job: ours not running, or one whose process is gone. */
  const interrupted = async (): Promise<BatchRecord[]> => {
    const batches = await deps.batches();
    const summaries = (await batches.listBatches()).filter((summary) => summary.capture);
    const records = await Promise.all(summaries.map((summary) => batches.readBatch(summary.id)));
    const running = isActive() ? current?.job.batchId : null;
    const held = await Promise.all(
      records.map(async (batch) => {
        if (!batch?.capture || batch.id === running || batch.sources.length === 0) return false;
        if (isScanFilledElsewhere(batch.capture)) return false;
        // Scanned into or being released by another process now (its lock), or already a stack (a crash mid-close): not interrupted.
        const owner = await batches.captureOwner(batch.id);
        if (owner !== null && owner !== process.pid) return false;
        return (await batches.findClosedStack(batch.id)) === null;
      }),
    );
    return records.filter((batch, index): batch is BatchRecord => held[index] === true);
  };
  /** Ends the job a crashed process left on the device of this scan (bounded, logged; never throws): the device is not busy with it until it gives up. */
  const endLeftJob = async (batch: BatchRecord): Promise<void> => {
    const uri = batch.capture?.jobUri;
    if (!uri || !batch.capture) return;
    const device = await resolveDevice(batch.capture.device.id).catch(() => null);
    try {
      const ended = device && deps.drivers.endJob ? await deps.drivers.endJob(device, uri, boundedSignal(deps.deviceMs ?? 5000)) : true;
      deps.log.info('capture.left-job-ended', { batch: batch.id, device: batch.capture.device.id, job: uri, ended });
      if (ended) await (await deps.batches()).markCapture(batch.id, { jobUri: undefined });
    } catch (error) {
      deps.log.warn('capture.left-job-not-ended', { batch: batch.id, device: batch.capture.device.id, job: uri, reason: String(error) });
    }
  };
  let leftJobsSwept: Promise<void> | null = null;
  /** Once per station run, in the background: the jobs crashed processes left on devices are ended (each scan claimed meanwhile). */
  const sweepLeftJobs = (): Promise<void> =>
    (leftJobsSwept ??= (async () => {
      const batches = await deps.batches();
      const running = isActive() ? current?.job.batchId : null;
      // Interrupted scans, and scans a kill stopped before their first page (empty, kept only for this).
      const left = (await batches.listBatches()).filter((summary) => summary.capture?.jobUri && summary.id !== running && !isScanFilledElsewhere(summary.capture));
      await Promise.all(
        left.map(async (summary) => {
          if (!(await batches.claimCapture(summary.id).catch(() => false))) return;
          try {
            const batch = await batches.readBatch(summary.id);
            if (!batch) return;
            await endLeftJob(batch);
            if (batch.sources.length === 0) await batches.dropBatch(batch.id);
          } finally {
            await batches.releaseCapture(summary.id);
          }
        }),
      );
    })().catch((error: unknown) => deps.log.warn('capture.left-jobs-failed', { reason: String(error) })));
  const readState = async (): Promise<CaptureState> => ({
    job: current?.job ? { ...current.job, recent: [...current.job.recent], bills: [...current.job.bills] } : lastJob,
    interrupted: (await interrupted()).map((batch) => ({
      batchId: batch.id,
      device: batch.capture?.device ?? { id: '', name: '' },
      pages: batch.sources.reduce((sum, source) => sum + (source.raw ? 1 : source.pages.length), 0),
      openedAt: batch.openedAt,
      lastAt: batch.sources.map((source) => source.at).sort().at(-1) ?? null,
    })),
    scanner,
    platform: platformOf(deps.platform ?? process.platform),
  });
  const pushNow = () => {
    if (pushTimer) clearTimeout(pushTimer);
    pushTimer = null;
    if (listeners.size === 0) return;
    void readState().then(
      (state) => {
        for (const listener of listeners) listener(state);
      },
      (error: unknown) => deps.log.warn('capture.state-failed', { reason: String(error) }),
    );
  };
  /** A page is pushed at most every `pushMs` (the last one always); a phase change at once. */
  const push = (page: boolean) => {
    if (!page) return pushNow();
    if (pushTimer) return;
    pushTimer = setTimeout(pushNow, deps.pushMs ?? 150);
    pushTimer.unref?.();
  };

  /** The device an id names: one listed or typed, else read from the id itself. */
  const resolveDevice = async (id: string): Promise<ScannerDevice> => {
    const typed = (await store.read()).devices.find((device) => device.id === id);
    const known = typed ?? found.find((device) => device.id === id) ?? parseSaneId(id) ?? deps.drivers.parseAddress(id);
    if (!known) throw new CoreError('scanner-not-found', { device: id });
    return known;
  };
  const noteStatus = (device: ScannerDevice, status: ScannerStatus) => {
    scanner = { device: device.id, name: device.name, status, at: deps.now().toISOString() };
  };
  /** One device read: what it offers and its state, or why not (never throws). */
  const describe = async (device: ScannerDevice, signal?: AbortSignal): Promise<ScannerDeviceView> => {
    try {
      const driver = deps.drivers.createDriver(device);
      const bounded = boundedSignal(deps.deviceMs ?? 5000, signal);
      const [capabilities, status] = await Promise.all([driver.readCapabilities(bounded), driver.readStatus(bounded)]);
      return { ...device, capabilities, status, error: null };
    } catch (thrown) {
      const error = toCaptureError(thrown, device.name);
      return { ...device, capabilities: null, status: null, error: { code: error.code, params: error.params } };
    }
  };
  /** Reads the picked scanner's state in the background (the status bar), at most every 15 s, never during a job; `device`: this one now (a job just ended on it). */
  const refreshStatus = (ended?: ScannerDevice) => {
    if (statusReading || isActive() || closed) return;
    if (!ended && scanner && Date.now() - Date.parse(scanner.at) < 15_000) return;
    statusReading = (async () => {
      const { settings } = await store.read();
      const id = ended?.id ?? settings.device;
      if (!id) return;
      const device = ended ?? (await resolveDevice(id));
      try {
        noteStatus(device, await deps.drivers.createDriver(device).readStatus(boundedSignal(deps.deviceMs ?? 5000)));
      } catch (thrown) {
        const error = toCaptureError(thrown, device.name);
        noteStatus(device, { condition: error.code === 'scanner-unreachable' ? 'offline' : 'error', detail: error.message });
      }
      pushNow();
    })()
      .catch((error: unknown) => deps.log.warn('capture.status-failed', { reason: String(error) }))
      .finally(() => {
        statusReading = null;
      });
  };

  const startJob = async (device: ScannerDevice, settings: CaptureJob['settings'], into?: BatchRecord, signal?: AbortSignal): Promise<CaptureState> => {
    const batches = await deps.batches();
    const run = runCaptureJob({
      findJobUri: (job, bounded) => (deps.drivers.findJobUri ? deps.drivers.findJobUri(device, job, bounded) : Promise.resolve(readOwnJobUri(job))),
      id: `${deps.now().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '')}-${randomBytes(3).toString('hex')}`,
      driver: deps.drivers.createDriver(device),
      settings,
      batches,
      into,
      label: into?.label ?? scanLabel(device, deps.now()),
      splitSettings: deps.splitSettings,
      log: deps.log,
      now: deps.now,
      onChange: (_job, page) => push(page),
    });
    current = run;
    // A stop (the CLI's Ctrl+C) that came while the job was being set up cancels it there.
    const onAbort = () => run.cancel();
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) run.cancel();
    const began = run.started.then(() => true, () => false);
    void run.done.then(async (job) => {
      signal?.removeEventListener('abort', onAbort);
      lastJob = { ...job };
      if (current === run) current = null;
      // Whatever ended the job (done, cancelled, a jam), the device is read again at once: its "busy" of the job is over; a refusal already said its state.
      if (await began) {
        if (scanner?.device === device.id) scanner = { ...scanner, status: { condition: 'busy', detail: null } };
        refreshStatus(device);
      }
      pushNow();
    });
    try {
      await run.started;
    } catch (error) {
      signal?.removeEventListener('abort', onAbort);
      if (into) await batches.releaseCapture(into.id).catch(() => undefined);
      lastJob = { ...run.job };
      if (current === run) current = null;
      if (error instanceof CoreError && ['scanner-feeder-empty', 'scanner-jammed', 'scanner-door-open', 'scanner-busy'].includes(error.code)) {
        noteStatus(device, { condition: ({ 'scanner-feeder-empty': 'feeder-empty', 'scanner-jammed': 'jammed', 'scanner-door-open': 'door-open', 'scanner-busy': 'busy' } as const)[error.code as 'scanner-busy'], detail: null });
      }
      pushNow();
      throw error;
    }
    noteStatus(device, { condition: 'busy', detail: null });
    return readState();
  };

  return {
    async listDevices(options = {}) {
      if (listing && !options.refresh) return listing;
      if (lastListed && !options.refresh) return lastListed;
      listing = (async () => {
        const { devices: typed } = await store.read();
        const discovered = await deps.drivers.findDevices({ timeoutMs: options.timeoutMs ?? deps.discoverMs ?? 2500, signal: options.signal }).catch((error: unknown) => {
          deps.log.warn('capture.discover-failed', { reason: String(error) });
          return [] as ScannerDevice[];
        });
        found = discovered;
        const seen = new Set<string>();
        const all = [...typed, ...discovered].filter((device) => !seen.has(device.id) && seen.add(device.id));
        const views = await Promise.all(all.map((device) => describe(device, options.signal)));
        const { settings } = await store.read();
        const picked = views.find((view) => view.id === settings.device);
        if (picked?.status) noteStatus(picked, picked.status);
        lastListed = views;
        return views;
      })().finally(() => {
        listing = null;
      });
      return listing;
    },
    async addDevice(address) {
      const parsed = parseSaneId(address) ?? deps.drivers.parseAddress(address);
      if (!parsed) throw new CoreError('scanner-not-found', { device: address.slice(0, 200) });
      const device: ScannerDevice = { ...parsed, origin: parsed.kind === 'sane' ? 'sane' : 'typed' };
      const view = await describe(device);
      // A typed address that does not answer is not kept: the clerk sees why at once.
      if (view.error) throw new CoreError(view.error.code as never, view.error.params);
      const named = { ...device, name: view.capabilities?.makeAndModel ?? device.name };
      await store.change((file) => {
        const devices = [...file.devices.filter((entry) => entry.id !== named.id), named];
        if (devices.length > maxTypedDevices) devices.shift();
        return { ...file, devices };
      });
      lastListed = null;
      return { ...view, name: named.name };
    },
    async removeDevice(id) {
      let removed = false;
      await store.change((file) => {
        removed = file.devices.some((device) => device.id === id);
        return { ...file, devices: file.devices.filter((device) => device.id !== id) };
      });
      lastListed = null;
      return removed;
    },
    async readSettings() {
      return (await store.read()).settings;
    },
    async saveSettings(settings) {
      const saved = (await store.change((file) => ({ ...file, settings }))).settings;
      if (scanner && scanner.device !== saved.device) scanner = null;
      pushNow();
      return saved;
    },
    async readState() {
      refreshStatus();
      void sweepLeftJobs();
      return readState();
    },
    async start(options = {}) {
      if (closed) throw new CoreError('scan-already-running', { device: '' });
      if (isActive()) throw new CoreError('scan-already-running', { device: current?.job.device.name ?? '' });
      if (options.into) {
        const batches = await deps.batches();
        // Jobs crashed processes left on devices are ended first (the sweep holds its scans for that moment).
        await sweepLeftJobs();
        const found = await batches.readBatch(options.into);
        const open = (await interrupted()).some((candidate) => candidate.id === options.into);
        if (!found?.capture || !open) {
          const owner = found?.capture ? await batches.captureOwner(found.id) : null;
          if (found?.capture && ((owner !== null && owner !== process.pid) || isScanFilledElsewhere(found.capture))) throw new CoreError('scan-already-running', { device: found.capture.device.name });
          throw new CoreError('scan-not-interrupted', { batch: options.into });
        }
        // One process scans into it: the app and a CLI asking at once, one gets it, the other is told a scan runs.
        if (!(await batches.claimCapture(found.id))) throw new CoreError('scan-already-running', { device: found.capture.device.name });
        try {
          await endLeftJob(found);
          const batch = await batches.readBatch(found.id);
          if (!batch?.capture) throw new CoreError('scan-not-interrupted', { batch: options.into });
          const capture = batch.capture;
          const device = await resolveDevice(capture.device.id).catch(() => ({ id: capture.device.id, kind: 'escl' as const, name: capture.device.name, origin: 'typed' as const }));
          if (isActive()) throw new CoreError('scan-already-running', { device: current?.job.device.name ?? '' });
          return await startJob({ ...device, name: capture.device.name }, capture.settings, batch, options.signal);
        } catch (error) {
          await batches.releaseCapture(found.id);
          throw error;
        }
      }
      // A job a crashed process left on the device would keep it busy: ended first.
      await sweepLeftJobs();
      const { settings: saved } = await store.read();
      const id = options.device ?? saved.device;
      if (!id) throw new CoreError('scanner-not-found', { device: '' });
      const device = await resolveDevice(id);
      const settings = options.settings ?? { source: saved.source, dpi: saved.dpi, color: saved.color };
      if (isActive()) throw new CoreError('scan-already-running', { device: current?.job.device.name ?? '' });
      return startJob(device, { source: settings.source, dpi: settings.dpi, color: settings.color }, undefined, options.signal);
    },
    async idle() {
      while (current) await current.done.then(() => new Promise((resolve) => setImmediate(resolve)));
      return readState();
    },
    async cancel() {
      const run = current;
      if (run && isActive()) {
        run.cancel();
        pushNow();
      }
      return readState();
    },
    async release(batchId) {
      const batches = await deps.batches();
      await sweepLeftJobs();
      const open = (await interrupted()).find((candidate) => candidate.id === batchId);
      if (!open) {
        const owner = await batches.captureOwner(batchId);
        if (owner !== null && owner !== process.pid) throw new CoreError('scan-already-running', { device: (await batches.readBatch(batchId))?.capture?.device.name ?? '' });
        throw new CoreError('scan-not-interrupted', { batch: batchId });
      }
      // Claimed while it closes: a CLI continuing it meanwhile is refused, never pages into a batch being closed.
      if (!(await batches.claimCapture(batchId))) throw new CoreError('scan-already-running', { device: open.capture?.device.name ?? '' });
      let stack: Awaited<ReturnType<BatchStore['closeBatch']>>;
      try {
        await endLeftJob(open);
        stack = await batches.closeBatch(batchId);
      } catch (error) {
        await batches.releaseCapture(batchId);
        throw error;
      }
      deps.log.info('capture.released', { batch: batchId, stack: stack?.id ?? null });
      pushNow();
      return { stackId: stack?.id ?? null };
    },
    async describeBatch(batchId) {
      const batches = await deps.batches();
      const file = /^[\w-]+$/.test(batchId) ? path.join(deps.dataDir, 'spool', 'batches', batchId, 'batch.json') : null;
      if (!file) return { kind: 'missing', file: null };
      const batch = await batches.readBatch(batchId);
      if (batch) return { kind: batch.capture ? 'scan' : 'files', file };
      return (await batches.isDamaged(batchId)) ? { kind: 'damaged', file } : { kind: 'missing', file: null };
    },
    onChanged(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      closed = true;
      const run = current;
      if (run) {
        run.cancel();
        await run.done;
      }
      await statusReading;
      await leftJobsSwept;
      if (pushTimer) clearTimeout(pushTimer);
      listeners.clear();
    },
  };
}
