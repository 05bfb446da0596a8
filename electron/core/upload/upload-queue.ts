import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { ErrorCode, MessageParams } from '../../shared/error-codes.js';
import { CoreError } from '../base/errors.js';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { ImagingError, type ImagingAdapter, type PageReceipt, type ScanDetails } from '../imaging/imaging-adapter.js';
import type { Logger } from '../log/logger.js';
import type { Spool } from '../spool/spool.js';
import type { SpoolBill, StackRecord } from '../spool/stack-record.js';
import { createUncachedSpoolIndex, type SpoolIndex } from '../spool/spool-index.js';
import { computeBackoffMs } from './backoff.js';
import type { StationCounts } from '../../shared/station/bill-status.js';
import { isBookkeepingWaitReason, type PauseReason, type QueueReason } from '../../shared/station/station-state.js';
import { bookkeepingRetryBaseMs, bookkeepingRetryMs, classifyBookkeepingFailure } from './bookkeeping-failure.js';
import { noticeReturnedState, type ReturnedBills } from '../spool/returned-bills.js';
import { appendReceipts, derivePageKey, readManifest, removeManifestLeftovers, writeManifest, type ManifestPage, type UploadManifest, type UploadState } from '../spool/upload-manifest.js';

/** An error's params as an audit line keeps them: short strings and numbers only. */
function auditParams(params: MessageParams): Record<string, string | number> {
  return Object.fromEntries(Object.entries(params).map(([key, value]) => [key, typeof value === 'number' ? value : String(value).slice(0, 200)]));
}

/** What the queue as a whole is doing. */
export type QueueState = 'idle' | 'sending' | 'paused' | 'waiting';

/**
 * Why the queue is paused: a person paused it, the upload gate is shut (no, a failed or a stale
 * connection check), the settings need fixing (the server refused the station), or the endpoint is
 * in a mode where no scan station uploads. Or why it waits as a whole (state `waiting`): its own
 * bookkeeping in the data folder failed.
 */
export type { PauseReason, QueueReason };

/** One bill as the queue shows it. */
export interface QueueBill {
  id: string;
  stackId: string;
  code: string;
  state: UploadState;
  /** Pages to send (the bill's upload pages). */
  pages: number;
  /** Pages the server has acknowledged. */
  sent: number;
  /** Bytes acknowledged so far and in all. */
  bytesSent: number;
  /** Failed attempts in a row (a receipt resets it). */
  attempts: number;
  nextAttemptAt: string | null;
  held: { code: ErrorCode | 'held-by-person'; params: MessageParams } | null;
  lastError: { code: ErrorCode; params: MessageParams; at: string } | null;
  importedAt: string;
  closedAt: string | null;
  /** The server's receipts, page by page (done bills). */
  receipts: PageReceipt[];
}

/** The queue at a glance. */
export interface QueueStatus {
  state: QueueState;
  /** Why it is paused, or why it waits as a whole (null while it waits only for some bills' retries). */
  reason: QueueReason | null;
  /** The error behind a `fix-settings` pause. */
  detail: { code: ErrorCode; params: MessageParams } | null;
  /** When the next waiting bill is tried, or the bookkeeping again (the countdown); null when nothing waits. */
  nextAttemptAt: string | null;
  counts: { queued: number; sending: number; waiting: number; held: number; done: number };
  /** The station's counts from the one status model (what the status bar shows), null without a counter. */
  station: StationCounts | null;
  /** Every bill not done, held ones first, then oldest first; done bills are counted, and listed with `includeDone`. */
  bills: QueueBill[];
}

/** A person's action on the queue or one bill. */
export type QueueAction = { action: 'pause' } | { action: 'resume' } | { action: 'retry-now'; billId: string } | { action: 'hold'; billId: string } | { action: 'resend'; billId: string };

/** What the queue needs from the endpoint service. */
export interface QueueEndpoint {
  openAdapter(): Promise<ImagingAdapter>;
  /** The profile's imaging mode and this station's id. */
  describe(): Promise<{ mode: string; stationId: string }>;
  /** Runs a connection check; true when it passed (the queue then resumes by itself). */
  recheck(): Promise<boolean>;
  /** The imaging system refused the station: the last check no longer holds (the gate shows shut). */
  refused?(code: ErrorCode): Promise<void>;
}

/** Options of the upload queue. */
export interface UploadQueueOptions {
  spool: Spool;
  stacksDir: string;
  /** Where the queue keeps its own state (a person's pause). */
  stateFile: string;
  endpoint: QueueEndpoint;
  log: Logger;
  now: () => Date;
  random?: () => number;
  /** Pages in flight per bill (2: the page after is read and sent while the server stores one). */
  inFlight?: number;
  /** Called after every change of state or progress (the UI's revision). */
  onChange?: () => void;
  /** Milliseconds between automatic connection checks while the settings need fixing. */
  recheckEveryMs?: number;
  /** Bills the imaging side returned for a rescan: their rescans go up as the next round. */
  returned?: ReturnedBills;
  /** The writes of the queue's own records (a seam: tests make them fail like a full disk). */
  bookkeeping?: QueueBookkeeping;
  /** The first wait after the bookkeeping failed (ms, default 15 s; later ones up to twice it). */
  bookkeepingRetryMs?: number;
  /**
   * The spool's stacks and manifests as kept in memory (the Scan desk's index): the queue reads
   * through it and reports every record it writes. Without one every look reads the files.
   */
  index?: SpoolIndex;
  /** The station's counts from the one status model (the Scan desk's), given with every status. */
  stationCounts?: () => Promise<StationCounts>;
}

/** Where the queue writes its own records: each bill's manifest and its receipts journal. */
export interface QueueBookkeeping {
  writeManifest: typeof writeManifest;
  appendReceipts: typeof appendReceipts;
}

const heldFirst: Record<UploadState, number> = { held: 0, sending: 1, waiting: 2, queued: 3, done: 4 };

/**
 * Who scanned a bill where and when, as its close carries it: the manifest's copy of what its stack
 * recorded at intake (a manifest or stack from before that was recorded: no user, no point). The
 * adapter fills in the station's address.
 */
export function scanDetailsOf(manifest: Pick<UploadManifest, 'scan'>, stack: Pick<StackRecord, 'scan' | 'importedAt'>): ScanDetails {
  const scan = manifest.scan ?? (stack.scan ? { ...stack.scan, scannedAt: stack.importedAt } : null);
  return { scanUser: scan?.user ?? null, scanPoint: scan?.point ?? null, stationIp: null, scannedAt: scan?.scannedAt ?? stack.importedAt };
}

/** A bill the queue looks at: its stack, the spool's bill and its manifest (none before its upload started). */
type QueueEntry = { stack: StackRecord; bill: SpoolBill; manifest: UploadManifest | null };

/**
 * The upload queue: takes the spool's ready bills to the imaging endpoint, oldest first, one bill at
 * a time with up to two pages in flight, and proves each arrived. Every receipt is written into the
 * bill's manifest (flushed) before the next step; the bill is `done` only after the server closed it
 * with its page count. Keys are derived, so a crash, a kill or a dropped answer only ever re-sends a
 * page under the same key and gets the same receipt: each page is stored exactly once.
 */
export function createUploadQueue(options: UploadQueueOptions) {
  const random = options.random ?? Math.random;
  const written: QueueBookkeeping = options.bookkeeping ?? { writeManifest, appendReceipts };
  /** Failed passes in a row because the queue's own bookkeeping failed, and when it is tried again. */
  let bookkeepingFailures = 0;
  let bookkeepingRetryAt: string | null = null;
  /** The bookkeeping works (again): a bookkeeping wait is over. */
  const bookkeepingWorks = () => {
    if (bookkeepingFailures > 0) options.log.info('upload.bookkeeping-recovered', { failures: bookkeepingFailures });
    bookkeepingFailures = 0;
    bookkeepingRetryAt = null;
    if (isBookkeepingWaitReason(reason)) [reason, detail] = [null, null];
  };
  const index = options.index ?? createUncachedSpoolIndex({ stacksDir: options.stacksDir, findStack: (id) => options.spool.findStack(id) });
  // A record written is the proof that the data folder takes writes again. Written or not (a write
  // may fail half-way), the index reads that stack again on its next look.
  const store: QueueBookkeeping = {
    writeManifest: async (stacksDir, manifest, writeOptions) => {
      try {
        await written.writeManifest(stacksDir, manifest, writeOptions);
      } finally {
        index.changed(manifest.stackId);
      }
      bookkeepingWorks();
    },
    appendReceipts: async (stacksDir, stackId, billId, receipts) => {
      try {
        await written.appendReceipts(stacksDir, stackId, billId, receipts);
      } finally {
        index.changed(stackId);
      }
      bookkeepingWorks();
    },
  };
  const inFlight = Math.max(1, options.inFlight ?? 2);
  let reason: QueueReason | null = null;
  let detail: QueueStatus['detail'] = null;
  let state: QueueState = 'idle';
  let current: { billId: string; sent: number; bytesSent: number } | null = null;
  let wake: (() => void) | null = null;
  let stopping = false;
  let running: Promise<void> | null = null;
  let crashed: unknown = null;
  let lastRecheckAt = 0;
  let recheckDelayMs = 15_000;
  const unplannable = new Set<string>();
  /** Bills that got a receipt since their last failure (their backoff starts over). */
  const progressed = new Set<string>();
  let retryAtStart: Set<string> | null = null;

  const changed = () => options.onChange?.();
  let noted = '';
  /**
   * Tells the UI the queue as a whole changed (its state, reason): a loop going round while idle,
   * paused or waiting is no change, and every change makes the screens read the spool again.
   */
  const noteState = () => {
    const look = `${state}|${reason ?? ''}|${detail?.code ?? ''}`;
    if (look === noted) return;
    noted = look;
    changed();
  };
  let round: Array<{ stack: StackRecord; bill: SpoolBill; manifest: UploadManifest | null }> = [];
  let dirty = true;
  const nudge = () => {
    dirty = true;
    wake?.();
    wake = null;
  };
  const readPausedByPerson = async () =>
    fs.readFile(options.stateFile, 'utf8').then(
      (text) => (JSON.parse(text) as { paused?: boolean }).paused === true,
      () => false,
    );

  /** The upload pages of a bill, in order, with their files and derived keys. */
  const planPages = (stack: StackRecord, bill: SpoolBill, stationId: string): ManifestPage[] =>
    bill.pages.map((stackPage, index) => {
      const stored = stack.pages[stackPage - 1];
      if (!stored) throw new CoreError('bill-not-found', { bill: bill.code ?? bill.id });
      return { page: index + 1, stackPage, file: stored.file, sha256: stored.sha256, idempotencyKey: derivePageKey(stationId, bill.id, index + 1, stored.sha256), receipt: null };
    });

  /**
   * Visits every bill that is (or was) in the queue, stack by stack in import order (stack ids begin
   * with their import time), through the index (memory reads once it holds the stacks). Finished
   * stacks (every bill done or discarded: they no longer change) are only counted: `onFinished` gets
   * their done bills in a few fields, without reading the stacks.
   */
  const scan = async (visit: (entry: QueueEntry) => void, onFinished?: (stackId: string, done: Array<{ id: string; closedAt: string | null }>) => void): Promise<void> => {
    for (const id of await index.ids()) {
      const summary = await index.summary(id);
      if (!summary) continue;
      if (summary.finished) {
        onFinished?.(id, summary.bills.filter((bill) => bill.upload === 'done'));
        continue;
      }
      const found = await index.get(id);
      if (!found) continue;
      const { stack, manifests } = found;
      for (const bill of stack.bills) {
        const manifest = manifests.get(bill.id) ?? null;
        // A bill that started uploading stays in the queue whatever people did since (they cannot change it).
        const listed = manifest ? true : bill.state === 'ready' && bill.code !== null && bill.pages.length > 0;
        if (listed) visit({ stack, bill, manifest });
      }
    }
  };
  /** The bills still to go (a round's work), oldest stack first. */
  const collect = async (): Promise<Array<{ stack: StackRecord; bill: SpoolBill; manifest: UploadManifest | null }>> => {
    const found: QueueEntry[] = [];
    await scan((entry) => {
      if (entry.manifest?.state !== 'done') found.push(entry);
    });
    return found;
  };

  const toQueueBill = (entry: { stack: StackRecord; bill: SpoolBill; manifest: UploadManifest | null }): QueueBill => {
    const { stack, bill, manifest } = entry;
    const receipts = (manifest?.pages ?? []).flatMap((page) => (page.receipt ? [page.receipt] : []));
    const live = current?.billId === bill.id ? current : null;
    return {
      id: bill.id,
      stackId: stack.id,
      code: manifest?.code ?? bill.code ?? '',
      state: live ? 'sending' : (manifest?.state ?? 'queued'),
      pages: manifest?.pages.length ?? bill.pages.length,
      sent: live?.sent ?? receipts.length,
      bytesSent: live?.bytesSent ?? receipts.reduce((sum, receipt) => sum + receipt.bytes, 0),
      attempts: manifest?.attempts ?? 0,
      nextAttemptAt: manifest?.state === 'waiting' ? manifest.nextAttemptAt : null,
      held: manifest?.held ? { code: manifest.held.code, params: manifest.held.params } : null,
      lastError: manifest?.lastError ?? null,
      importedAt: stack.importedAt,
      closedAt: manifest?.closedAt ?? null,
      receipts,
    };
  };

  /** Done bills as last shown (a done bill never changes): a poll of the queue card reads no stack for them. */
  let shownDone = new Map<string, QueueBill>();
  const status = async (includeDone = false, doneLimit = Number.POSITIVE_INFINITY): Promise<QueueStatus> => {
    const counts = { queued: 0, sending: 0, waiting: 0, held: 0, done: 0 };
    const bills: QueueBill[] = [];
    const done: Array<{ stackId: string; billId: string; closedAt: string; entry: QueueEntry | null }> = [];
    await scan(
      (entry) => {
        // Done bills are counted; only listed (with their receipts) when asked for, the newest first.
        if (entry.manifest?.state === 'done' && current?.billId !== entry.bill.id) {
          counts.done += 1;
          if (includeDone) done.push({ stackId: entry.stack.id, billId: entry.bill.id, closedAt: entry.manifest.closedAt ?? '', entry });
          return;
        }
        const bill = toQueueBill(entry);
        counts[bill.state] += 1;
        bills.push(bill);
      },
      (stackId, finished) => {
        counts.done += finished.length;
        if (includeDone) for (const bill of finished) done.push({ stackId, billId: bill.id, closedAt: bill.closedAt ?? '', entry: null });
      },
    );
    if (done.length > doneLimit) done.sort((a, b) => b.closedAt.localeCompare(a.closedAt));
    const shown = new Map<string, QueueBill>();
    for (const { stackId, billId, entry } of done.slice(0, doneLimit)) {
      let bill = shownDone.get(billId) ?? (entry ? toQueueBill(entry) : null);
      if (!bill) {
        // An old stack is read from disk for the few of its bills shown.
        const found = await index.get(stackId);
        const spoolBill = found?.stack.bills.find((candidate) => candidate.id === billId);
        if (!found || !spoolBill) continue;
        bill = toQueueBill({ stack: found.stack, bill: spoolBill, manifest: found.manifests.get(billId) ?? null });
      }
      shown.set(billId, bill);
      bills.push(bill);
    }
    shownDone = shown;
    const waiting = bills.filter((bill) => bill.state === 'waiting' && bill.nextAttemptAt).map((bill) => bill.nextAttemptAt as string).sort();
    const listed = bills.filter((bill) => includeDone || bill.state !== 'done').sort((a, b) => heldFirst[a.state] - heldFirst[b.state]);
    const personPaused = await readPausedByPerson();
    const station = options.stationCounts ? await options.stationCounts().catch(() => null) : null;
    if (personPaused) return { state: 'paused', reason: 'paused-by-person', detail: null, nextAttemptAt: waiting[0] ?? null, counts, station, bills: listed };
    // While the bookkeeping is being tried again the queue still waits for it (until a record is written).
    if (isBookkeepingWaitReason(reason)) return { state: 'waiting', reason, detail, nextAttemptAt: bookkeepingRetryAt, counts, station, bills: listed };
    return { state, reason, detail, nextAttemptAt: waiting[0] ?? null, counts, station, bills: listed };
  };

  const audit = (record: Parameters<Spool['audit']>[0]) => options.spool.audit(record);

  /** Reads a page from the spool and checks it is still the page that was taken in. */
  const readPage = async (stackId: string, page: ManifestPage): Promise<Uint8Array> => {
    const bytes = new Uint8Array(await fs.readFile(path.join(options.stacksDir, stackId, page.file)));
    if (createHash('sha256').update(bytes).digest('hex') !== page.sha256) throw new CoreError('upload-page-damaged', { page: page.page, file: page.file });
    return bytes;
  };

  /** Sends one bill: the pages without a receipt (up to `inFlight` at once), then the close. */
  const sendBill = async (adapter: ImagingAdapter, entry: { stack: StackRecord; bill: SpoolBill; manifest: UploadManifest | null }, stationId: string): Promise<void> => {
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
      await store.writeManifest(options.stacksDir, manifest);
      audit({ event: 'upload-started', stack: stack.id, bill: bill.id, code: manifest.code, pages: manifest.pages.map((page) => page.stackPage), detail: `${manifest.pages.length} pages to send` });
    }
    // The rescan of a returned bill goes up as the next round (decided before its first page, kept after).
    if (manifest.round === undefined && manifest.pages.every((page) => !page.receipt)) {
      const open = await options.returned?.findOpen(manifest.code);
      if (open) {
        manifest = { ...manifest, round: open.round + 1 };
        await store.writeManifest(options.stacksDir, manifest);
      }
    }
    if (manifest.round !== undefined && manifest.pages.some((page) => !page.receipt)) {
      // Harmless to repeat while the round is open (a crash after the server opened it).
      await adapter.openRound(manifest.code, manifest.round);
      if (!manifest.roundOpenedAt) {
        manifest = { ...manifest, roundOpenedAt: options.now().toISOString() };
        await store.writeManifest(options.stacksDir, manifest);
        audit({ event: 'round-opened', stack: stack.id, bill: bill.id, code: manifest.code, round: manifest.round, detail: `round ${manifest.round} opened on the server for the rescan` });
      }
    }
    const receiptsSoFar = () => manifest.pages.filter((page) => page.receipt);
    current = { billId: bill.id, sent: receiptsSoFar().length, bytesSent: receiptsSoFar().reduce((sum, page) => sum + (page.receipt?.bytes ?? 0), 0) };
    changed();
    // Receipts go to the bill's journal (appended and flushed) one write at a time, in arrival order;
    // the lane goes on only once its receipt is on disk.
    let writing: Promise<void> = Promise.resolve();
    const record = (page: number, receipt: PageReceipt) => {
      writing = writing.then(async () => {
        await store.appendReceipts(options.stacksDir, stack.id, bill.id, [receipt]);
        progressed.add(bill.id);
        manifest = { ...manifest, pages: manifest.pages.map((candidate) => (candidate.page === page ? { ...candidate, receipt } : candidate)) };
        if (current) current = { ...current, sent: current.sent + 1, bytesSent: current.bytesSent + receipt.bytes };
        changed();
      });
      return writing;
    };
    const todo = manifest.pages.filter((page) => !page.receipt);
    let next = 0;
    const lane = async () => {
      while (next < todo.length && !stopping) {
        const page = todo[next++] as ManifestPage;
        const bytes = await readPage(stack.id, page);
        const receipt = await adapter.uploadPage({ imageCode: manifest.code, page: page.page, bytes, sha256: page.sha256, idempotencyKey: page.idempotencyKey });
        await record(page.page, receipt);
      }
    };
    const lanes = Array.from({ length: Math.min(inFlight, Math.max(1, todo.length)) }, lane);
    const settled = await Promise.allSettled(lanes);
    await writing;
    const failed = settled.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    if (failed) throw failed.reason;
    if (stopping) return;
    await adapter.closeBill(manifest.code, manifest.pages.length, scanDetailsOf(manifest, stack));
    manifest = { ...manifest, state: 'done', attempts: 0, closedAt: options.now().toISOString(), nextAttemptAt: null, lastError: null };
    await store.writeManifest(options.stacksDir, manifest, { foldReceipts: true });
    progressed.delete(bill.id);
    if (manifest.round !== undefined) await options.returned?.resolve(manifest.code, bill.id, options.now());
    audit({ event: 'uploaded', stack: stack.id, bill: bill.id, code: manifest.code, pages: manifest.pages.map((page) => page.stackPage), receipts: manifest.pages.map((page) => page.receipt?.receiptId ?? '?'), ...(manifest.round ? { round: manifest.round } : {}), detail: `closed on the server with ${manifest.pages.length} pages${manifest.round ? ` as round ${manifest.round}` : ''}; receipts ${manifest.pages.map((page) => page.receipt?.receiptId ?? '?').join(',')}` });
    options.log.info('upload.done', { bill: bill.id, pages: manifest.pages.length });
  };

  /** Records a failed attempt by its advice: wait and retry, hold the bill, or pause the queue. */
  const recordFailure = async (billId: string, stackId: string, error: unknown): Promise<'retry' | 'held' | 'pause'> => {
    const manifest = await readManifest(options.stacksDir, stackId, billId);
    if (!manifest) throw error;
    const at = options.now().toISOString();
    const code: ErrorCode = error instanceof CoreError ? error.code : 'internal-error';
    const params: MessageParams = error instanceof CoreError ? error.params : { reason: String(error).slice(0, 200) };
    const advice = error instanceof ImagingError ? error.advice : code === 'upload-page-damaged' ? 'needs-person' : 'retry';
    switch (advice) {
      case 'retry': {
        // Receipts since the last failure show the way was clear: the backoff starts over.
        const attempts = (progressed.has(billId) ? 0 : manifest.attempts) + 1;
        progressed.delete(billId);
        const waitMs = computeBackoffMs(attempts, random, error instanceof ImagingError ? error.retryAfterMs : undefined);
        await store.writeManifest(options.stacksDir, { ...manifest, state: 'waiting', attempts, nextAttemptAt: new Date(options.now().getTime() + waitMs).toISOString(), lastError: { code, params, at } });
        options.log.warn('upload.retry', { bill: billId, code, attempts, waitMs });
        audit({ event: 'upload-failed', stack: stackId, bill: billId, code: manifest.code, reason: code, params: auditParams(params), detail: `attempt ${attempts}: ${JSON.stringify(params)}; retry in ${Math.ceil(waitMs / 1000)} s` });
        return 'retry';
      }
      case 'needs-person':
        await store.writeManifest(options.stacksDir, { ...manifest, state: 'held', held: { code, params, at }, lastError: { code, params, at }, nextAttemptAt: null });
        audit({ event: 'upload-held', stack: stackId, bill: billId, code: manifest.code, reason: code, params: auditParams(params), detail: `held: ${JSON.stringify(params)}` });
        // Refused because the bill was returned for a rescan the station had not heard of: learn it now,
        // so "send again" goes up as the next round.
        if (params.errcode === '2008') await noticeReturn(manifest.code).catch(() => undefined);
        return 'held';
      case 'fix-settings':
        // The bill itself is fine: it goes first again once the settings are.
        await store.writeManifest(options.stacksDir, { ...manifest, state: 'queued', lastError: { code, params, at }, nextAttemptAt: null });
        reason = 'fix-settings';
        detail = { code, params };
        await options.endpoint.refused?.(code).catch(() => undefined);
        lastRecheckAt = Date.now();
        recheckDelayMs = options.recheckEveryMs ?? 15_000;
        options.log.warn('upload.paused', { code });
        return 'pause';
    }
  };

  /** Asks the server about a code and records a return it reports. */
  const noticeReturn = async (code: string) => {
    if (!options.returned) return;
    const adapter = await options.endpoint.openAdapter();
    await noticeReturnedState(options.returned, await adapter.queryBill(code), options.now(), audit, () => adapter.listRescanReasons());
  };

  /** Waits until `ms` passed or something nudged the queue. */
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, Math.max(0, ms));
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  /**
   * Works through the queue. `once`: until no bill is left to send now or later (exit when only held
   * bills remain, or the gate is shut); otherwise until `stop()`.
   */
  const run = async (mode: { once: boolean }): Promise<void> => {
    stopping = false;
    retryAtStart = null;
    dirty = true;
    let leftoversRemoved = false;
    while (!stopping) {
      try {
        if (!leftoversRemoved) {
          await removeManifestLeftovers(options.stacksDir);
          leftoversRemoved = true;
        }
        await work(mode);
        break;
      } catch (error) {
        // The queue's own records failed (a full disk, a read-only or failing data folder, or a fault
        // in its code): nothing is lost — every receipt is either on disk or comes back under its key —
        // so it waits, says why, and tries again by itself.
        current = null;
        round = [];
        dirty = true;
        bookkeepingFailures += 1;
        const waitReason = classifyBookkeepingFailure(error);
        const waitMs = bookkeepingRetryMs(bookkeepingFailures, random, options.bookkeepingRetryMs ?? bookkeepingRetryBaseMs);
        const errno = error && typeof error === 'object' && 'code' in error ? String(error.code) : '';
        [state, reason, detail] = ['waiting', waitReason, null];
        bookkeepingRetryAt = new Date(options.now().getTime() + waitMs).toISOString();
        options.log.error('upload.bookkeeping-failed', { reason: waitReason, errno, error: String(error).slice(0, 300), failures: bookkeepingFailures, waitMs });
        noteState();
        if (mode.once) break;
        await sleep(waitMs);
      }
    }
    if (state === 'sending') state = 'idle';
  };

  let sweptAt = 0;
  /** One run's work until it is stopped (or, `once`, nothing is left to send now); throws when the bookkeeping fails. */
  const work = async (mode: { once: boolean }): Promise<void> => {
    while (!stopping) {
      if (await readPausedByPerson()) {
        state = 'paused';
        noteState();
        if (mode.once) break;
        await sleep(2000);
        continue;
      }
      const described = await options.endpoint.describe();
      if (described.mode === 'sync-to-submitter') {
        [state, reason, detail] = ['paused', 'mode-sync-to-submitter', null];
        noteState();
        if (mode.once) break;
        await sleep(5000);
        continue;
      }
      if (reason === 'fix-settings') {
        state = 'paused';
        noteState();
        if (mode.once) break;
        if (Date.now() - lastRecheckAt >= recheckDelayMs) {
          lastRecheckAt = Date.now();
          recheckDelayMs = Math.min(recheckDelayMs * 2, 5 * 60_000);
          if (await options.endpoint.recheck().catch(() => false)) [reason, detail] = [null, null];
        }
        if (reason) await sleep(Math.min(recheckDelayMs, 5000));
        continue;
      }
      let adapter: ImagingAdapter;
      try {
        adapter = await options.endpoint.openAdapter();
      } catch (error) {
        if (!(error instanceof CoreError)) throw error;
        state = 'paused';
        reason = error.code === 'preflight-missing' || error.code === 'preflight-failed' || error.code === 'preflight-stale' ? error.code : 'fix-settings';
        detail = { code: error.code, params: error.params };
        noteState();
        if (mode.once) break;
        // A connection check passing opens the gate; look again shortly.
        await sleep(3000);
        reason = reason === 'fix-settings' ? reason : null;
        continue;
      }
      if (!isBookkeepingWaitReason(reason)) [reason, detail] = [null, null];
      // The retention of uploaded pages, at start and hourly (a station may run for weeks).
      if (Date.now() - sweptAt >= 60 * 60_000) {
        sweptAt = Date.now();
        await options.spool.sweepDone().catch((error: unknown) => options.log.warn('upload.sweep-failed', { reason: String(error) }));
      }
      // The spool is listed once per round of bills, not once per bill: each bill sent leaves the
      // round; a person's action, or the round running out, lists it again.
      const fresh = dirty || round.length === 0;
      if (fresh) {
        round = await collect();
        dirty = false;
      }
      const entries = round;
      const nowMs = options.now().getTime();
      // A (re)started station tries its waiting bills once at once: the network may be fixed.
      retryAtStart ??= new Set(entries.filter(({ manifest }) => manifest?.state === 'waiting').map(({ bill }) => bill.id));
      const isDue = (entry: (typeof entries)[number]) => {
        const { manifest } = entry;
        if (!manifest || manifest.state === 'queued' || manifest.state === 'sending') return true;
        return manifest.state === 'waiting' && (retryAtStart?.has(entry.bill.id) === true || Date.parse(manifest.nextAttemptAt ?? '') <= nowMs);
      };
      const due = entries.filter(({ bill }) => !unplannable.has(bill.id)).filter(isDue);
      const later = entries.filter((entry) => entry.manifest?.state === 'waiting' && !isDue(entry)).map(({ manifest }) => Date.parse(manifest?.nextAttemptAt ?? ''));
      const entry = due.sort((a, b) => (a.manifest?.state === 'sending' ? -1 : 0) - (b.manifest?.state === 'sending' ? -1 : 0))[0];
      if (!entry && !fresh) {
        // Only done, held or not-yet-due bills left in this round: look at the spool afresh.
        round = [];
        continue;
      }
      if (!entry) {
        // Nothing failed on the way here (the listing read every record): a bookkeeping wait is over.
        bookkeepingWorks();
        state = later.length > 0 ? 'waiting' : 'idle';
        noteState();
        if (later.length === 0 && mode.once) break;
        round = [];
        await sleep(later.length > 0 ? Math.min(...later) - nowMs : 5000);
        continue;
      }
      round = round.filter((candidate) => candidate !== entry);
      state = 'sending';
      retryAtStart.delete(entry.bill.id);
      if (entry.manifest && entry.manifest.state !== 'sending') {
        entry.manifest = { ...entry.manifest, state: 'sending' };
        await store.writeManifest(options.stacksDir, entry.manifest);
      }
      try {
        await sendBill(adapter, entry, described.stationId);
      } catch (error) {
        if (!(error instanceof CoreError)) throw error;
        if (!(await readManifest(options.stacksDir, entry.stack.id, entry.bill.id))) {
          // The bill could not even be planned (its stack is damaged): leave it, say so, go on.
          unplannable.add(entry.bill.id);
          options.log.error('upload.unplannable', { bill: entry.bill.id, code: error.code });
        } else await recordFailure(entry.bill.id, entry.stack.id, error);
      } finally {
        current = null;
        changed();
      }
    }
  };

  return {
    /** The queue and its bills (done ones too with `includeDone`: the newest `doneLimit` of them). */
    status,
    /** Runs until stopped (the app, `scan-station upload`); resolves when `stop()` is called. */
    start(): void {
      crashed = null;
      running ??= run({ once: false })
        .catch((error: unknown) => {
          // Not expected (the loop waits on any failure of its own), but never silent: the edge hears it.
          crashed = error;
          options.log.error('upload.crashed', { reason: String(error) });
        })
        .finally(() => {
          running = null;
        });
    },
    /** Resolves when the loop `start()` began has ended: with the error that ended it, or null after `stop()`. */
    async whenEnded(): Promise<unknown> {
      await running;
      return crashed;
    },
    /** Where the queue as a whole stands, from memory (no look at the spool): cheap enough to ask every second. */
    glance(): Pick<QueueStatus, 'state' | 'reason' | 'nextAttemptAt'> {
      return isBookkeepingWaitReason(reason) ? { state: 'waiting', reason, nextAttemptAt: bookkeepingRetryAt } : { state, reason, nextAttemptAt: null };
    },
    /** Works until nothing is left to send now or later, then returns where things stand. */
    async runOnce(): Promise<QueueStatus> {
      await run({ once: true });
      return status();
    },
    /** Stops after the page in flight's bookkeeping. */
    async stop(): Promise<void> {
      stopping = true;
      nudge();
      await running;
    },
    /** Something changed (a bill released, a connection check passed): look again now. */
    nudge,
    /** A person's action: pause or resume the queue, retry a waiting bill now, hold a bill, resend a held one. */
    async act(action: QueueAction): Promise<QueueStatus> {
      switch (action.action) {
        case 'pause':
        case 'resume':
          await writeFileAtomic(options.stateFile, `${JSON.stringify({ paused: action.action === 'pause' })}\n`);
          audit({ event: action.action === 'pause' ? 'queue-paused' : 'queue-resumed', detail: `the upload queue was ${action.action === 'pause' ? 'paused' : 'resumed'} by a person` });
          break;
        case 'retry-now':
        case 'hold':
        case 'resend': {
          const stackId = action.billId.replace(/-\d+$/, '');
          const manifest = await readManifest(options.stacksDir, stackId, action.billId);
          const bill = (await options.spool.findStack(stackId))?.bills.find((candidate) => candidate.id === action.billId);
          if (!bill) throw new CoreError('bill-not-found', { bill: action.billId });
          // Messages name the bill by its image code, never its internal id.
          const named = bill.code ?? manifest?.code ?? action.billId;
          if (manifest?.state === 'done') throw new CoreError('bill-not-changeable', { bill: named, reason: 'uploaded' });
          if (action.action === 'hold' && current?.billId === action.billId) throw new CoreError('bill-not-changeable', { bill: named, reason: 'uploading' });
          if (action.action === 'resend' && manifest?.state !== 'held') throw new CoreError('bill-not-changeable', { bill: named, reason: 'not-held' });
          if (action.action === 'retry-now' && manifest?.state !== 'waiting') throw new CoreError('bill-not-changeable', { bill: named, reason: 'not-waiting' });
          if (bill.state !== 'ready' || !bill.code) throw new CoreError('bill-not-changeable', { bill: named, reason: 'not-ready' });
          const at = options.now().toISOString();
          const base: UploadManifest = manifest ?? {
            version: 1,
            billId: bill.id,
            stackId,
            code: bill.code,
            pages: planPages((await options.spool.findStack(stackId)) as StackRecord, bill, (await options.endpoint.describe()).stationId),
            state: 'queued',
            attempts: 0,
            nextAttemptAt: null,
            lastError: null,
            held: null,
            startedAt: at,
            closedAt: null,
          };
          const next: UploadManifest =
            action.action === 'hold'
              ? { ...base, state: 'held', held: { code: 'held-by-person', params: {}, at }, nextAttemptAt: null }
              : action.action === 'resend'
                ? { ...base, state: 'queued', held: null, attempts: 0, nextAttemptAt: null }
                : { ...base, state: 'queued', nextAttemptAt: null };
          await store.writeManifest(options.stacksDir, next);
          audit({ event: action.action === 'hold' ? 'upload-held' : action.action === 'resend' ? 'upload-resent' : 'upload-retry-now', stack: stackId, bill: bill.id, code: bill.code, detail: `${action.action} by a person` });
          break;
        }
      }
      changed();
      nudge();
      return status();
    },
  };
}

/** The type of an upload queue. */
export type UploadQueue = ReturnType<typeof createUploadQueue>;
