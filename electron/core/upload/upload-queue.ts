// The upload queue (createUploadQueue): its loop — a person's pause, the endpoint's mode and gate, a wait while its own bookkeeping fails — taking one bill at a time.
import type { ErrorCode, MessageParams } from '../../shared/error-codes.js';
import type { StationCounts } from '../../shared/station/bill-status.js';
import { isBookkeepingWaitReason, type QueueReason } from '../../shared/station/station-state.js';
import { CoreError } from '../base/errors.js';
import type { ImagingAdapter } from '../imaging/imaging-adapter.js';
import type { Logger } from '../log/logger.js';
import type { ReturnedBills } from '../spool/returned-bills.js';
import { createUncachedSpoolIndex, type SpoolIndex } from '../spool/spool-index.js';
import type { Spool } from '../spool/spool.js';
import { appendReceipts, readManifest, removeManifestLeftovers, writeManifest } from '../spool/upload-manifest.js';
import { createFailureRecorder } from './attempt-failure.js';
import { bookkeepingRetryBaseMs, bookkeepingRetryMs, classifyBookkeepingFailure } from './bookkeeping-failure.js';
import { applyQueueAction, readPausedByPerson, type QueueAction } from './queue-actions.js';
import { createIndexedBookkeeping, type QueueBookkeeping } from './queue-bookkeeping.js';
import { listRound, pickNextBill, type QueueEntry } from './queue-round.js';
import { createStatusReader, type BillProgress, type QueueState, type QueueStatus } from './queue-status.js';
import { createBillSender } from './send-bill.js';

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
  const store = createIndexedBookkeeping(written, index, bookkeepingWorks);
  const inFlight = Math.max(1, options.inFlight ?? 2);
  let reason: QueueReason | null = null;
  let detail: QueueStatus['detail'] = null;
  let state: QueueState = 'idle';
  let current: BillProgress | null = null;
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
  let round: QueueEntry[] = [];
  let dirty = true;
  const nudge = () => {
    dirty = true;
    wake?.();
    wake = null;
  };

  const status = createStatusReader({
    index,
    sending: () => current,
    pausedByPerson: () => readPausedByPerson(options.stateFile),
    stationCounts: options.stationCounts,
    whole: () => ({ state, reason, detail, bookkeepingRetryAt }),
  });

  const audit = (record: Parameters<Spool['audit']>[0]) => options.spool.audit(record);

  const sendBill = createBillSender({
    stacksDir: options.stacksDir,
    now: options.now,
    inFlight,
    returned: options.returned,
    store,
    log: options.log,
    audit,
    progressed,
    isStopping: () => stopping,
    showProgress: (progress) => {
      current = progress;
      changed();
    },
  });

  /** The imaging system refused the station: the queue pauses until its settings are fixed (it rechecks by itself). */
  const pauseForSettings = async (code: ErrorCode, params: MessageParams) => {
    reason = 'fix-settings';
    detail = { code, params };
    await options.endpoint.refused?.(code).catch(() => undefined);
    lastRecheckAt = Date.now();
    recheckDelayMs = options.recheckEveryMs ?? 15_000;
    options.log.warn('upload.paused', { code });
  };

  const recordFailure = createFailureRecorder({
    stacksDir: options.stacksDir,
    now: options.now,
    random,
    log: options.log,
    audit,
    store,
    progressed,
    returned: options.returned,
    openAdapter: () => options.endpoint.openAdapter(),
    pauseForSettings,
  });

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
      if (await readPausedByPerson(options.stateFile)) {
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
        round = await listRound(index);
        dirty = false;
      }
      const entries = round;
      const nowMs = options.now().getTime();
      // A (re)started station tries its waiting bills once at once: the network may be fixed.
      retryAtStart ??= new Set(entries.filter(({ manifest }) => manifest?.state === 'waiting').map(({ bill }) => bill.id));
      const { entry, later } = pickNextBill(entries, { nowMs, retryAtStart, unplannable });
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
      await applyQueueAction(action, {
        stateFile: options.stateFile,
        stacksDir: options.stacksDir,
        spool: options.spool,
        describe: () => options.endpoint.describe(),
        now: options.now,
        store,
        audit,
        sendingBillId: () => current?.billId ?? null,
      });
      changed();
      nudge();
      return status();
    },
  };
}

/** The type of an upload queue. */
export type UploadQueue = ReturnType<typeof createUploadQueue>;
