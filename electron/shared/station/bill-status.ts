/**
 * The one status model of a bill (issue 22, item 5): the list, its header, the queue card, the
 * banner, the status bar, the tray and `bills`/`queue --json` all read a bill's state and the
 * station's counts from here, so a bill is never "ready" in one place and "held" in another.
 * Pure: the spool's bill and its upload manifest (or their summaries) in, one state out.
 */

/** The states a clerk sees, in to-do order (what needs a person first). */
export const billStatuses = ['held', 'review', 'receiving', 'sending', 'ready', 'done', 'discarded'] as const;
/** One state a clerk sees (the i18n keys `billStatus.states.<state>` name them everywhere). */
export type BillStatus = (typeof billStatuses)[number];

/** How new bills leave the desk: at once (`auto`), or after a person's release (`review`). */
export const releaseModes = ['auto', 'review'] as const;
/** How new bills leave the desk. */
export type ReleaseMode = (typeof releaseModes)[number];

/** The parts of a spool bill the model reads (the core's SpoolBill and its IPC twin both fit). */
export interface BillLook {
  state: 'ready' | 'held' | 'review' | 'discarded';
  held: string | null;
}

/** The parts of a bill's upload the model reads: the manifest's state and why the server refused it. */
export interface UploadLook {
  state: 'queued' | 'sending' | 'waiting' | 'held' | 'done';
  held?: { code: string; params?: Record<string, string | number> } | null;
}

/**
 * Why a bill is held: the split's reason (a spool hold), or the server's refusal / a person's hold
 * of its upload (an error code, shown through `errors.<code>` in the UI's language, never raw).
 */
export type HeldCause = { by: 'desk'; reason: string } | { by: 'upload'; code: string; params: Record<string, string | number> };

/** A bill's one state, and why when it is held. */
export interface BillStatusInfo {
  status: BillStatus;
  held: HeldCause | null;
}

/**
 * A bill's one state. An upload that started wins over the spool (its pages are fixed): the
 * queue's `held` (the server refused it, or a person held it) is **held** with that cause; queued
 * and waiting-to-retry are `ready`. Before its upload: discarded, the open source's last bill
 * (`receiving`), held, waiting for review, ready.
 */
export function statusOfBill(bill: BillLook, upload: UploadLook | null): BillStatusInfo {
  if (bill.state === 'discarded' && upload?.state !== 'done') return { status: 'discarded', held: null };
  if (upload) {
    switch (upload.state) {
      case 'done':
        return { status: 'done', held: null };
      case 'held':
        return { status: 'held', held: { by: 'upload', code: upload.held?.code ?? 'held-by-person', params: upload.held?.params ?? {} } };
      case 'sending':
        return { status: 'sending', held: null };
      case 'queued':
      case 'waiting':
        return { status: 'ready', held: null };
    }
  }
  if (bill.state === 'held' && bill.held === 'source-open') return { status: 'receiving', held: null };
  if (bill.state === 'held') return { status: 'held', held: { by: 'desk', reason: bill.held ?? 'held' } };
  if (bill.state === 'review') return { status: 'review', held: null };
  return { status: 'ready', held: null };
}

/** The station's counts: what the list header, the queue card, the status bar and the tray show. */
export interface StationCounts {
  receiving: number;
  held: number;
  review: number;
  ready: number;
  sending: number;
  /** Bills the server closed since local midnight. */
  sentToday: number;
}

/** No bills at all. */
export const emptyStationCounts: StationCounts = { receiving: 0, held: 0, review: 0, ready: 0, sending: 0, sentToday: 0 };

/** One stack as the counts read it: its orphan pages (one held entry) and each bill with its upload. */
export interface CountedStack {
  orphans: number;
  bills: Array<{ bill: BillLook; upload: UploadLook | null; closedAt: string | null }>;
}

/** Local midnight of `now` (the day "sent today" counts from). */
export function startOfDay(now: Date): number {
  return new Date(now.getFullYear(), now.getMonth(), now.getDate()).getTime();
}

/** Counts the stacks' bills by their one state; orphan pages count as one held entry per stack. */
export function countStation(stacks: Iterable<CountedStack>, now: Date): StationCounts {
  const counts = { ...emptyStationCounts };
  const since = startOfDay(now);
  for (const stack of stacks) {
    if (stack.orphans > 0) counts.held += 1;
    for (const { bill, upload, closedAt } of stack.bills) {
      const { status } = statusOfBill(bill, upload);
      if (status === 'done') {
        if (closedAt && Date.parse(closedAt) >= since) counts.sentToday += 1;
      } else if (status !== 'discarded') counts[status] += 1;
    }
  }
  return counts;
}

/** Whether anything is still to go out or needs a person (the banner's "all sent" is only true without). */
export function isAllSent(counts: StationCounts): boolean {
  return counts.receiving + counts.held + counts.review + counts.ready + counts.sending === 0;
}

/** The `state` a bill has in `bills --json` / `queue --json`: the one state, `receiving` shown as held (a documented enum). */
export function jsonStateOf(status: BillStatus): 'ready' | 'review' | 'held' | 'sending' | 'done' | 'discarded' {
  return status === 'receiving' ? 'held' : status;
}
