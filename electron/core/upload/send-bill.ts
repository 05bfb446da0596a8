// Sending one bill exactly once: its pages (each checked against the spool, its receipt journalled before the lane goes on), then its close.
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { CoreError } from '../base/errors.js';
import type { ImagingAdapter, PageReceipt, ScanDetails } from '../imaging/imaging-adapter.js';
import type { AuditRecord } from '../log/audit-log.js';
import type { Logger } from '../log/logger.js';
import type { ReturnedBills } from '../spool/returned-bills.js';
import { storedPagePath, type SpoolBill, type StackRecord } from '../spool/stack-record.js';
import { derivePageKey, type ManifestPage, type UploadManifest } from '../spool/upload-manifest.js';
import type { QueueBookkeeping } from './queue-bookkeeping.js';
import type { QueueEntry } from './queue-round.js';
import type { BillProgress } from './queue-status.js';

/**
 * Who scanned a bill where and when, as its close carries it: the manifest's copy of what its stack
 * recorded at intake (a manifest or stack from before that was recorded: no user, no point). The
 * adapter fills in the station's address.
 */
export function scanDetailsOf(manifest: Pick<UploadManifest, 'scan'>, stack: Pick<StackRecord, 'scan' | 'importedAt'>): ScanDetails {
  const scan = manifest.scan ?? (stack.scan ? { ...stack.scan, scannedAt: stack.importedAt } : null);
  return { scanUser: scan?.user ?? null, scanPoint: scan?.point ?? null, stationIp: null, scannedAt: scan?.scannedAt ?? stack.importedAt };
}

/** The upload pages of a bill, in order, with their files and derived keys. */
export function planPages(stack: StackRecord, bill: SpoolBill, stationId: string): ManifestPage[] {
  return bill.pages.map((stackPage, index) => {
    const stored = stack.pages[stackPage - 1];
    if (!stored) throw new CoreError('bill-not-found', { bill: bill.code ?? bill.id });
    return { page: index + 1, stackPage, file: stored.file, sha256: stored.sha256, idempotencyKey: derivePageKey(stationId, bill.id, index + 1, stored.sha256), receipt: null };
  });
}

/** Reads a page from the spool and checks it is still the page that was taken in. */
async function readStoredPage(stacksDir: string, stackId: string, page: ManifestPage): Promise<Uint8Array> {
  const bytes = new Uint8Array(await fs.readFile(storedPagePath(stacksDir, stackId, page.file)));
  if (createHash('sha256').update(bytes).digest('hex') !== page.sha256) throw new CoreError('upload-page-damaged', { page: page.page, file: page.file });
  return bytes;
}

/** What sending a bill needs from the queue. */
export interface BillSenderOptions {
  stacksDir: string;
  now: () => Date;
  /** Pages in flight per bill. */
  inFlight: number;
  /** Bills returned for a rescan: a rescan goes up as the next round, and its close resolves the return. */
  returned?: ReturnedBills;
  /** Where the manifest and receipts are written. */
  store: QueueBookkeeping;
  log: Logger;
  audit: (record: AuditRecord) => void;
  /** Bills that got a receipt since their last failure (their backoff starts over); a close forgets the bill. */
  progressed: Set<string>;
  /** The queue is stopping: no page is started after it, and the bill is not closed. */
  isStopping: () => boolean;
  /** The bill in flight and its progress, at its start and after every receipt. */
  showProgress: (progress: BillProgress) => void;
}

/** Makes the queue's `sendBill(adapter, entry, stationId)`: the pages without a receipt (up to `inFlight` at once), then the close. */
export function createBillSender(options: BillSenderOptions): (adapter: ImagingAdapter, entry: QueueEntry, stationId: string) => Promise<void> {
  return async (adapter: ImagingAdapter, entry: QueueEntry, stationId: string): Promise<void> => {
    const { stack, bill } = entry;
    let manifest: UploadManifest = entry.manifest ?? {
      version: 1,
      billId: bill.id,
      stackId: stack.id,
      code: bill.code as string,
      pages: planPages(stack, bill, stationId),
      state: 'sending',
      attempts: 0,
      nextAttemptAt: null,
      lastError: null,
      held: null,
      startedAt: options.now().toISOString(),
      closedAt: null,
      // As recorded when the pages were taken in, not who is at the desk now.
      ...(stack.scan ? { scan: { user: stack.scan.user, point: stack.scan.point, scannedAt: stack.importedAt } } : {}),
    };
    if (!entry.manifest) {
      // From here on the bill's pages are fixed: people can no longer move them (the spool checks).
      await options.store.writeManifest(options.stacksDir, manifest);
      options.audit({ event: 'upload-started', stack: stack.id, bill: bill.id, code: manifest.code, pages: manifest.pages.map((page) => page.stackPage), detail: `${manifest.pages.length} pages to send` });
    }
    // The rescan of a returned bill goes up as the next round (decided before its first page, kept after).
    if (manifest.round === undefined && manifest.pages.every((page) => !page.receipt)) {
      const open = await options.returned?.findOpen(manifest.code);
      if (open) {
        manifest = { ...manifest, round: open.round + 1 };
        await options.store.writeManifest(options.stacksDir, manifest);
      }
    }
    if (manifest.round !== undefined && manifest.pages.some((page) => !page.receipt)) {
      // Harmless to repeat while the round is open (a crash after the server opened it).
      await adapter.openRound(manifest.code, manifest.round);
      if (!manifest.roundOpenedAt) {
        manifest = { ...manifest, roundOpenedAt: options.now().toISOString() };
        await options.store.writeManifest(options.stacksDir, manifest);
        options.audit({ event: 'round-opened', stack: stack.id, bill: bill.id, code: manifest.code, round: manifest.round, detail: `round ${manifest.round} opened on the server for the rescan` });
      }
    }
    const receiptsSoFar = () => manifest.pages.filter((page) => page.receipt);
    let progress: BillProgress = { billId: bill.id, sent: receiptsSoFar().length, bytesSent: receiptsSoFar().reduce((sum, page) => sum + (page.receipt?.bytes ?? 0), 0) };
    options.showProgress(progress);
    // Receipts go to the bill's journal (appended and flushed) one write at a time, in arrival order;
    // the lane goes on only once its receipt is on disk.
    let writing: Promise<void> = Promise.resolve();
    const record = (page: number, receipt: PageReceipt) => {
      writing = writing.then(async () => {
        await options.store.appendReceipts(options.stacksDir, stack.id, bill.id, [receipt]);
        options.progressed.add(bill.id);
        manifest = { ...manifest, pages: manifest.pages.map((candidate) => (candidate.page === page ? { ...candidate, receipt } : candidate)) };
        progress = { ...progress, sent: progress.sent + 1, bytesSent: progress.bytesSent + receipt.bytes };
        options.showProgress(progress);
      });
      return writing;
    };
    const todo = manifest.pages.filter((page) => !page.receipt);
    let next = 0;
    const lane = async () => {
      while (next < todo.length && !options.isStopping()) {
        const page = todo[next++] as ManifestPage;
        const bytes = await readStoredPage(options.stacksDir, stack.id, page);
        const receipt = await adapter.uploadPage({ imageCode: manifest.code, page: page.page, bytes, sha256: page.sha256, idempotencyKey: page.idempotencyKey });
        await record(page.page, receipt);
      }
    };
    const lanes = Array.from({ length: Math.min(options.inFlight, Math.max(1, todo.length)) }, lane);
    const settled = await Promise.allSettled(lanes);
    await writing;
    const failed = settled.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    if (failed) throw failed.reason;
    if (options.isStopping()) return;
    await adapter.closeBill(manifest.code, manifest.pages.length, scanDetailsOf(manifest, stack));
    manifest = { ...manifest, state: 'done', attempts: 0, closedAt: options.now().toISOString(), nextAttemptAt: null, lastError: null };
    await options.store.writeManifest(options.stacksDir, manifest, { foldReceipts: true });
    options.progressed.delete(bill.id);
    if (manifest.round !== undefined) await options.returned?.resolve(manifest.code, bill.id, options.now());
    options.audit({ event: 'uploaded', stack: stack.id, bill: bill.id, code: manifest.code, pages: manifest.pages.map((page) => page.stackPage), receipts: manifest.pages.map((page) => page.receipt?.receiptId ?? '?'), ...(manifest.round ? { round: manifest.round } : {}), detail: `closed on the server with ${manifest.pages.length} pages${manifest.round ? ` as round ${manifest.round}` : ''}; receipts ${manifest.pages.map((page) => page.receipt?.receiptId ?? '?').join(',')}` });
    options.log.info('upload.done', { bill: bill.id, pages: manifest.pages.length });
  };
}
