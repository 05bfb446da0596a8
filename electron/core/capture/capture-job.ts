// One scan job into the spool: the device asked for a page only after the last one is committed to the scan's batch; a normal end or a cancel closes the batch into one stack, a device error leaves it interrupted.
import { causeParams, CoreError } from '../base/errors.js';
import type { Logger } from '../log/logger.js';
import type { ScanJob, ScannerDriver, ScanSettings } from '../scanner/scanner-driver.js';
import { orderBatchPages, readBootId, type BatchPage, type BatchRecord, type BatchStore } from '../spool/batch-store.js';
import type { SplitSettings } from '../spool/split-settings.js';
import { splitStack, type ClassifiedPage, type SplitOptions } from '../split/split-stack.js';
import type { CaptureJob } from './capture-types.js';

/** Pages a job shows with thumbnails (the newest). */
export const recentPagesShown = 12;

/** Pages received but not yet read a job lets the device run ahead by (the page readers catch up). */
const maxUnread = 4;

/** What one job needs. */
export interface CaptureJobOptions {
  id: string;
  driver: ScannerDriver;
  settings: ScanSettings;
  batches: BatchStore;
  /** An interrupted scan to continue (its batch): the new pages follow its own. */
  into?: BatchRecord;
  /** What the stack will be called (the device and the time). */
  label: string;
  /** The split settings now, read once at the job's start (its pages classified by them, the split so far shown by them). */
  splitSettings: () => Promise<SplitSettings>;
  log: Logger;
  now: () => Date;
  /** The device's own address of the job once started (recorded in the batch: a crash leaves it on the device, ended at the next start). */
  findJobUri?: (job: ScanJob, signal: AbortSignal) => Promise<string | null>;
  /** Told every change of the job (a page stored, a phase); `page` is true when a page came. */
  onChange: (job: CaptureJob, page: boolean) => void;
}

/** A job under way: its state (kept current), `started` (the device accepted it, or the refusal), `done`, and a cancel. */
export interface CaptureJobRun {
  readonly job: CaptureJob;
  /** Resolves once the device has accepted the job; rejects with the device's refusal (feeder empty, jam, busy…): no job, no batch. */
  readonly started: Promise<void>;
  /** Resolves with the job's last state (done, cancelled or failed); never rejects. */
  readonly done: Promise<CaptureJob>;
  /** Stops asking for pages: the job is ended on the device, the pages stored are kept and closed into the stack. */
  cancel(): void;
}

/** A thrown value as the job's typed error (a device's own, a spool's, or an unknown one as `scanner-failed`). */
export function toCaptureError(error: unknown, device: string): CoreError {
  if (error instanceof CoreError) return error;
  return new CoreError('scanner-failed', { device, ...causeParams(error) }, { cause: error });
}

/** Whether a thrown value is the abort of our own signal (a cancel), not a device's error. */
function isAbort(error: unknown, signal: AbortSignal): boolean {
  return signal.aborted && (!(error instanceof CoreError) || error.code === 'scan-cancelled');
}

/**
 * Runs one scan job: the device's status and the job started by the driver; then each page pulled,
 * stored and committed (fsync'd, `batch.json` rewritten) before the next is asked for. The batch is
 * opened at the first page (an empty feeder leaves none). Ends: no more pages → the batch closed into
 * one stack; cancel → the job ended on the device, the pages kept and closed; a device or spool
 * error → the job ended, the batch left open as an interrupted scan with its pages.
 */
export function runCaptureJob(options: CaptureJobOptions): CaptureJobRun {
  const { driver, batches } = options;
  const device = { id: driver.device.id, name: driver.device.name };
  const controller = new AbortController();
  const classified: ClassifiedPage[] = [];
  const job: CaptureJob = {
    id: options.id,
    batchId: options.into?.id ?? null,
    device,
    settings: options.settings,
    phase: 'checking',
    pages: 0,
    startedAt: options.now().toISOString(),
    lastPageAt: null,
    recent: [],
    bills: [],
    stackId: null,
    error: null,
  };
  let settings: SplitSettings | null = null;
  let splitOptions: SplitOptions | null = null;
  const showSplit = () => {
    const split = splitStack(classified, splitOptions ?? undefined);
    job.bills = [...(split.orphans.length ? [{ code: null, pages: split.orphans.length }] : []), ...split.bills.map((bill) => ({ code: bill.code, pages: bill.pages.length }))];
  };
  // A continued scan shows its earlier pages in the count and the split.
  const earlier: ClassifiedPage[] = [];
  if (options.into) {
    for (const { page } of orderBatchPages(options.into)) earlier.push({ page: earlier.length + 1, what: page.what });
    classified.push(...earlier);
    job.pages = options.into.sources.reduce((sum, source) => sum + (source.raw ? 1 : source.pages.length), 0);
  }
  const emit = (page = false) => options.onChange(job, page);

  let resolveStarted: () => void = () => undefined;
  let rejectStarted: (error: unknown) => void = () => undefined;
  const started = new Promise<void>((resolve, reject) => {
    resolveStarted = resolve;
    rejectStarted = reject;
  });
  // The refusal is the caller's to show; never an unhandled rejection when nobody waits.
  started.catch(() => undefined);

  const run = async (): Promise<CaptureJob> => {
    let scanJob: ScanJob;
    try {
      settings = await options.splitSettings();
      splitOptions = settings.split;
      if (options.into) showSplit();
      scanJob = await driver.startJob(options.settings, controller.signal);
    } catch (thrown) {
      const error = controller.signal.aborted ? new CoreError('scan-cancelled', { pages: job.pages }) : toCaptureError(thrown, device.name);
      job.phase = controller.signal.aborted ? 'cancelled' : 'failed';
      job.error = controller.signal.aborted ? null : { code: error.code, params: error.params };
      options.log.warn('capture.job-refused', { job: job.id, device: device.id, code: error.code });
      rejectStarted(error);
      emit();
      return job;
    }
    job.phase = 'scanning';
    // Read while the device scans its first page; in the batch before that page is.
    const jobUri = (options.findJobUri?.(scanJob, AbortSignal.any([controller.signal, AbortSignal.timeout(5000)])) ?? Promise.resolve(null)).catch((error: unknown) => {
      options.log.warn('capture.job-uri-unknown', { job: job.id, reason: String(error) });
      return null;
    });
    const uriField = async () => {
      const uri = await jobUri;
      return uri ? { jobUri: uri } : {};
    };
    if (options.into) {
      try {
        await batches.markCapture(options.into.id, { jobId: job.id, state: 'scanning', pid: process.pid, boot: readBootId(), jobUri: undefined, ...(await uriField()) });
      } catch (error) {
        // Not recorded (a full disk): the job is ended on the device at once, the scan stays as it was.
        await scanJob.close().catch(() => undefined);
        throw error;
      }
    }
    resolveStarted();
    emit();
    options.log.info('capture.job-started', { job: job.id, device: device.id, source: options.settings.source, dpi: options.settings.dpi, color: options.settings.color, into: options.into?.id ?? null });
    let batchId = options.into?.id ?? null;
    let received = 0;
    // Pages received (committed) are read and classified on the page readers while the device scans
    // the next: this job's pages in the order received, each with its classification once it is done.
    const mine: Array<{ seq: number; read: { pages: BatchPage[]; thumbs: Uint8Array[] } | null }> = [];
    const reading = new Set<Promise<void>>();
    let readFailure: unknown = null;
    const showRead = () => {
      const shown = [...earlier];
      const recent: CaptureJob['recent'] = [];
      for (const entry of mine) {
        if (!entry.read) break;
        for (const [n, page] of entry.read.pages.entries()) {
          shown.push({ page: shown.length + 1, what: page.what });
          const thumb = entry.read.thumbs[n];
          recent.push({ page: shown.length, kind: page.what.kind, code: page.what.kind === 'cover' ? page.what.code : null, thumbPng: `data:image/png;base64,${thumb ? Buffer.from(thumb).toString('base64') : ''}` });
        }
      }
      classified.length = 0;
      classified.push(...shown);
      job.recent = recent.slice(-recentPagesShown);
      showSplit();
    };
    const readLater = (id: string, entry: (typeof mine)[number]) => {
      const work = batches.classifyCapturedPage(id, entry.seq, { settings: settings ?? undefined }).then(
        ({ source, thumbs }) => {
          entry.read = { pages: source.pages, thumbs };
          showRead();
          emit(true);
        },
        (error: unknown) => {
          readFailure ??= error;
        },
      );
      reading.add(work);
      void work.finally(() => reading.delete(work));
    };
    const readAll = async () => {
      while (reading.size > 0) await Promise.all([...reading]);
    };
    try {
      if (options.into) {
        // Pages a crash left unread are read before the scan goes on.
        for (const source of options.into.sources) if (source.raw) await batches.classifyCapturedPage(options.into.id, source.seq, { settings: settings ?? undefined });
        const again = await batches.readBatch(options.into.id);
        earlier.length = 0;
        for (const { page } of again ? orderBatchPages(again) : []) earlier.push({ page: earlier.length + 1, what: page.what });
        showRead();
      }
      // The scan's batch is opened as the job starts, with the job's address: a kill before the first page still leaves the job findable, to be ended on the device (an empty batch is removed then).
      if (!batchId) {
        batchId = (await batches.openBatch({ folder: null, pattern: 'capture', label: options.label, capture: { device, settings: options.settings, jobId: job.id, state: 'scanning', pid: process.pid, boot: readBootId(), ...(await uriField()) } })).id;
        job.batchId = batchId;
      }
      for (;;) {
        if (readFailure) throw readFailure;
        if (controller.signal.aborted) break;
        // A device faster than the readers waits a little: at most a few pages unread behind it.
        while (reading.size >= maxUnread) await Promise.race([...reading]);
        const page = await scanJob.nextPage(controller.signal);
        if (!page) break;
        // The page is in hand: it is stored whole even if a cancel comes meanwhile (the paper has gone through).
        const source = await batches.receiveCapturedPage(batchId, page);
        received += 1;
        const entry = { seq: source.seq, read: null };
        mine.push(entry);
        readLater(batchId, entry);
        job.pages = earlier.length + received;
        job.lastPageAt = options.now().toISOString();
        emit(true);
      }
      await readAll();
      if (readFailure) throw readFailure;
    } catch (thrown) {
      await readAll();
      if (!isAbort(thrown, controller.signal)) {
        // A jam, a lost scanner, a full disk: the pages stored stay in the open batch, an interrupted scan.
        const error = toCaptureError(thrown, device.name);
        await scanJob.close().catch((closing: unknown) => options.log.warn('capture.job-close-failed', { job: job.id, reason: String(closing) }));
        // The job was ended on the device just now: nothing of it is left to end at the next start.
        if (batchId) await batches.markCapture(batchId, { state: 'interrupted', jobUri: undefined }).catch(() => null);
        if (batchId) await batches.releaseCapture(batchId).catch(() => undefined);
        job.phase = 'failed';
        job.error = { code: error.code, params: error.params };
        options.log.warn('capture.job-failed', { job: job.id, device: device.id, pages: received, code: error.code, batch: batchId });
        emit();
        return job;
      }
    }
    const cancelled = controller.signal.aborted;
    job.phase = cancelled ? 'cancelling' : 'finishing';
    emit();
    await scanJob.close().catch((closing: unknown) => options.log.warn('capture.job-close-failed', { job: job.id, reason: String(closing) }));
    try {
      const stack = batchId ? await batches.closeBatch(batchId) : null;
      job.stackId = stack?.id ?? null;
      job.phase = cancelled ? 'cancelled' : 'done';
      options.log.info('capture.job-ended', { job: job.id, device: device.id, pages: received, cancelled, stack: job.stackId });
    } catch (thrown) {
      // The batch is still whole: held as an interrupted scan, released again later.
      const error = toCaptureError(thrown, device.name);
      if (batchId) await batches.markCapture(batchId, { state: 'interrupted', jobUri: undefined }).catch(() => null);
      if (batchId) await batches.releaseCapture(batchId).catch(() => undefined);
      job.phase = 'failed';
      job.error = { code: error.code, params: error.params };
      options.log.error('capture.close-failed', { job: job.id, batch: batchId, code: error.code });
    }
    emit();
    return job;
  };
  const done = run().catch((thrown: unknown) => {
    const error = toCaptureError(thrown, device.name);
    rejectStarted(error);
    job.phase = 'failed';
    job.error = { code: error.code, params: error.params };
    options.log.error('capture.job-crashed', { job: job.id, reason: String(thrown) });
    if (job.batchId) void batches.releaseCapture(job.batchId).catch(() => undefined);
    emit();
    return job;
  });
  return {
    job,
    started,
    done,
    cancel() {
      if (job.phase === 'checking' || job.phase === 'scanning') {
        controller.abort();
        if (job.phase === 'scanning') {
          job.phase = 'cancelling';
          emit();
        }
      }
    },
  };
}
