// The queue as people see it: its state and reason, its bills (held first) and their counts.
import type { ErrorCode, MessageParams } from '../../shared/error-codes.js';
import type { StationCounts } from '../../shared/station/bill-status.js';
import { isBookkeepingWaitReason, type PauseReason, type QueueReason } from '../../shared/station/station-state.js';
import type { PageReceipt } from '../imaging/imaging-adapter.js';
import type { SpoolIndex } from '../spool/spool-index.js';
import type { UploadState } from '../spool/upload-manifest.js';
import { visitQueueBills, type QueueEntry } from './queue-round.js';

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

/** The bill being sent and its progress so far (what the status shows live, before the manifest says it). */
export interface BillProgress {
  billId: string;
  sent: number;
  bytesSent: number;
}

const heldFirst: Record<UploadState, number> = { held: 0, sending: 1, waiting: 2, queued: 3, done: 4 };

/** One bill as the queue shows it: from its manifest, or the live counts while it is being sent. */
export function toQueueBill(entry: QueueEntry, current: BillProgress | null): QueueBill {
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
}

/** What the status is made of: the spool (through its index) and the queue's own state, read as it is asked. */
export interface QueueStatusSources {
  index: SpoolIndex;
  /** The bill being sent now, null between bills. */
  sending(): BillProgress | null;
  /** Whether a person paused the queue (its state file). */
  pausedByPerson(): Promise<boolean>;
  /** The station's counts from the one status model, when there is a counter. */
  stationCounts?: () => Promise<StationCounts>;
  /** Where the queue as a whole stands, read after the bills. */
  whole(): { state: QueueState; reason: QueueReason | null; detail: QueueStatus['detail']; bookkeepingRetryAt: string | null };
}

/** Makes the queue's `status(includeDone, doneLimit)`: done bills are counted, and listed (the newest `doneLimit`) with `includeDone`. */
export function createStatusReader(sources: QueueStatusSources): (includeDone?: boolean, doneLimit?: number) => Promise<QueueStatus> {
  /** Done bills as last shown (a done bill never changes): a poll of the queue card reads no stack for them. */
  let shownDone = new Map<string, QueueBill>();
  return async (includeDone = false, doneLimit = Number.POSITIVE_INFINITY): Promise<QueueStatus> => {
    const counts = { queued: 0, sending: 0, waiting: 0, held: 0, done: 0 };
    const bills: QueueBill[] = [];
    const done: Array<{ stackId: string; billId: string; closedAt: string; entry: QueueEntry | null }> = [];
    await visitQueueBills(
      sources.index,
      (entry) => {
        // Done bills are counted; only listed (with their receipts) when asked for, the newest first.
        if (entry.manifest?.state === 'done' && sources.sending()?.billId !== entry.bill.id) {
          counts.done += 1;
          if (includeDone) done.push({ stackId: entry.stack.id, billId: entry.bill.id, closedAt: entry.manifest.closedAt ?? '', entry });
          return;
        }
        const bill = toQueueBill(entry, sources.sending());
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
      let bill = shownDone.get(billId) ?? (entry ? toQueueBill(entry, sources.sending()) : null);
      if (!bill) {
        // An old stack is read from disk for the few of its bills shown.
        const found = await sources.index.get(stackId);
        const spoolBill = found?.stack.bills.find((candidate) => candidate.id === billId);
        if (!found || !spoolBill) continue;
        bill = toQueueBill({ stack: found.stack, bill: spoolBill, manifest: found.manifests.get(billId) ?? null }, sources.sending());
      }
      shown.set(billId, bill);
      bills.push(bill);
    }
    shownDone = shown;
    const waiting = bills.filter((bill) => bill.state === 'waiting' && bill.nextAttemptAt).map((bill) => bill.nextAttemptAt as string).sort();
    const listed = bills.filter((bill) => includeDone || bill.state !== 'done').sort((a, b) => heldFirst[a.state] - heldFirst[b.state]);
    const personPaused = await sources.pausedByPerson();
    const station = sources.stationCounts ? await sources.stationCounts().catch(() => null) : null;
    const { state, reason, detail, bookkeepingRetryAt } = sources.whole();
    if (personPaused) return { state: 'paused', reason: 'paused-by-person', detail: null, nextAttemptAt: waiting[0] ?? null, counts, station, bills: listed };
    // While the bookkeeping is being tried again the queue still waits for it (until a record is written).
    if (isBookkeepingWaitReason(reason)) return { state: 'waiting', reason, detail, nextAttemptAt: bookkeepingRetryAt, counts, station, bills: listed };
    return { state, reason, detail, nextAttemptAt: waiting[0] ?? null, counts, station, bills: listed };
  };
}
