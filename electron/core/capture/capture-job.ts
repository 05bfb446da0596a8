// One scan job into the spool: the device asked for a page only after the last one is committed to the scan's batch; a normal end or a cancel closes the batch into one stack, a device error leaves it interrupted.
import { causeParams, CoreError } from '../base/errors.js';
import type { Logger } from '../log/logger.js';
import type { ScanJob, ScannerDriver, ScanSettings } from '../scanner/scanner-driver.js';
import { orderBatchPages, type BatchRecord, type BatchStore } from '../spool/batch-store.js';
import type { SplitSettings } from '../spool/split-settings.js';
import { splitStack, type ClassifiedPage, type SplitOptions } from '../split/split-stack.js';
import type { CaptureJob } from './capture-service.js';

/** Pages a job shows with thumbnails (the newest). */
export const recentPagesShown = 12;

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
  if (options.into) {
    for (const { page } of orderBatchPages(options.into)) classified.push({ page: classified.length + 1, what: page.what });
    job.pages = classified.length;
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
    if (options.into) await batches.markCapture(options.into.id, { jobId: job.id, state: 'scanning', pid: process.pid });
    resolveStarted();
    emit();
    options.log.info('capture.job-started', { job: job.id, device: device.id, source: options.settings.source, dpi: options.settings.dpi, color: options.settings.color, into: options.into?.id ?? null });
    let batchId = options.into?.id ?? null;
    let received = 0;
    try {
      for (;;) {
        if (controller.signal.aborted) break;
        const page = await scanJob.nextPage(controller.signal);
        if (!page) break;
        // The page is in hand: it is stored whole even if a cancel comes meanwhile (the paper has gone through).
        batchId ??= (await batches.openBatch({ folder: null, pattern: 'capture', label: options.label, capture: { device, settings: options.settings, jobId: job.id, state: 'scanning', pid: process.pid } })).id;
        job.batchId = batchId;
        const { source, thumbs } = await batches.addCapturedPage(batchId, page, { settings: settings ?? undefined });
        received += 1;
        for (const [n, stored] of source.pages.entries()) {
          classified.push({ page: classified.length + 1, what: stored.what });
          const thumb = thumbs[n];
          job.recent.push({ page: classified.length, kind: stored.what.kind, code: stored.what.kind === 'cover' ? stored.what.code : null, thumbPng: `data:image/png;base64,${thumb ? Buffer.from(thumb).toString('base64') : ''}` });
        }
        job.recent = job.recent.slice(-recentPagesShown);
        job.pages = classified.length;
        job.lastPageAt = options.now().toISOString();
        showSplit();
        emit(true);
      }
    } catch (thrown) {
      if (!isAbort(thrown, controller.signal)) {
        // A jam, a lost scanner, a full disk: the pages stored stay in the open batch, an interrupted scan.
        const error = toCaptureError(thrown, device.name);
        await scanJob.close().catch((closing: unknown) => options.log.warn('capture.job-close-failed', { job: job.id, reason: String(closing) }));
        if (batchId) await batches.markCapture(batchId, { state: 'interrupted' }).catch(() => null);
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
      if (batchId) await batches.markCapture(batchId, { state: 'interrupted' }).catch(() => null);
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
