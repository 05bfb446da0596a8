import type { Translate } from '../check-messages.js';

/** Why the upload queue is paused (the queue's own reasons). */
export const pauseReasons = ['paused-by-person', 'preflight-missing', 'preflight-failed', 'preflight-stale', 'fix-settings', 'mode-sync-to-submitter'] as const;
/** Why the upload queue is paused. */
export type PauseReason = (typeof pauseReasons)[number];
/**
 * Why the upload queue waits as a whole: its own records in the data folder could not be written or
 * read (the disk full, the folder read-only or failing) or its code failed. It tries again by itself.
 */
export const bookkeepingWaitReasons = ['data-disk-full', 'data-folder-unwritable', 'data-folder-failing', 'queue-fault'] as const;
/** Why the upload queue waits as a whole. */
export type BookkeepingWaitReason = (typeof bookkeepingWaitReasons)[number];
/** Why the upload queue is paused or waits as a whole. */
export type QueueReason = PauseReason | BookkeepingWaitReason;

/** Whether a queue reason is a bookkeeping wait (not a pause). */
export function isBookkeepingWaitReason(reason: string | null): reason is BookkeepingWaitReason {
  return reason !== null && (bookkeepingWaitReasons as readonly string[]).includes(reason);
}

/** The parts of the queue's status these rules read (the core's QueueStatus and its IPC twin both fit). */
interface QueueLook {
  state: 'idle' | 'sending' | 'paused' | 'waiting';
  reason: QueueReason | null;
  counts: { queued: number; sending: number; waiting: number; held: number; done: number };
}
/** The parts of the watched folder's report these rules read: its counts are the one status model's (bill-status.ts). */
interface WatchLook {
  status: { state: string };
  counts: { ready: number; held: number; review?: number };
}

/**
 * What the station is doing at a glance: the tray icon's state. Held wins: a person is needed.
 * `stalled`: the queue waits for its own records in the data folder (a full disk…) and retries by itself.
 * `watch-problem`: the watched scan folder cannot be read (gone, or every look fails): new scans wait.
 */
export type StationState = 'held' | 'paused' | 'stalled' | 'watch-problem' | 'sending' | 'watching' | 'idle';

/** The station as the tray (and its tooltip) shows it. */
export interface StationGlance {
  state: StationState;
  /** Bills still to go (queued, sending, waiting). */
  toGo: number;
  /** Bills a person must look at (split holds and upload holds: the one model's `held`). */
  held: number;
  /** Bills waiting for a person's release (review mode). */
  review: number;
  /** Why the queue is paused or stalled, when it is. */
  pauseReason: QueueReason | null;
  watching: boolean;
  /** The queue is paused by a person (the tray offers "resume"). */
  pausedByPerson: boolean;
}

/** Reads the station's state from the queue and the watched folder (pure: the tray and its tests share it). */
export function glanceAtStation(queue: QueueLook, watch: WatchLook): StationGlance {
  const toGo = queue.counts.queued + queue.counts.sending + queue.counts.waiting;
  // The model's held already holds the bills the server refused (the queue's held): never added twice.
  const held = watch.counts.held;
  const watching = watch.status.state === 'watching';
  const stalled = queue.state === 'waiting' && isBookkeepingWaitReason(queue.reason);
  // A folder that cannot be read wins over sending: what is being sent is fine, what is scanned next is not taken in.
  const watchProblem = watch.status.state === 'failing' || watch.status.state === 'unavailable';
  const state: StationState = held > 0 ? 'held' : queue.state === 'paused' ? 'paused' : stalled ? 'stalled' : watchProblem ? 'watch-problem' : queue.state === 'sending' || (queue.state === 'waiting' && toGo > 0) ? 'sending' : watching ? 'watching' : 'idle';
  return { state, toGo, held, review: watch.counts.review ?? 0, pauseReason: queue.state === 'paused' || stalled ? queue.reason : null, watching, pausedByPerson: queue.reason === 'paused-by-person' };
}

/** Something the clerk should hear about even away from the screen. */
export type StationNotice = { kind: 'bill-held'; code: string; billId: string } | { kind: 'held-at-intake'; count: number } | { kind: 'queue-paused'; reason: PauseReason } | { kind: 'queue-stalled'; reason: BookkeepingWaitReason };

/** One look at the station for notices: the queue, and how many bills the spool holds at intake. */
export interface StationLook {
  queue: Pick<QueueLook, 'state' | 'reason'> & { bills: Array<{ id: string; code: string; state: string }> };
  heldAtIntake: number;
}

/**
 * What changed for the worse between two looks at the queue: each bill newly held by the upload, and
 * the queue newly paused for a reason a person must fix (settings refused, the gate shut). A person's
 * own pause is not news to them; a bill already held at the last look is not announced again.
 */
export function noticesBetween(previous: StationLook | null, next: StationLook): StationNotice[] {
  // The first look sets the baseline: what was already held or paused at start is on the screen.
  if (previous === null) return [];
  const notices: StationNotice[] = [];
  const heldBefore = new Set(previous.queue.bills.filter((bill) => bill.state === 'held').map((bill) => bill.id));
  for (const bill of next.queue.bills) if (bill.state === 'held' && !heldBefore.has(bill.id)) notices.push({ kind: 'bill-held', code: bill.code, billId: bill.id });
  if (next.heldAtIntake > previous.heldAtIntake) notices.push({ kind: 'held-at-intake', count: next.heldAtIntake - previous.heldAtIntake });
  const pausedForSettings = (queue: Pick<QueueLook, 'state' | 'reason'>) => queue.state === 'paused' && queue.reason !== null && queue.reason !== 'paused-by-person' && queue.reason !== 'preflight-missing';
  const reason = next.queue.reason;
  const sameAsBefore = previous.queue.state === next.queue.state && previous.queue.reason === reason;
  if (pausedForSettings(next.queue) && reason && !isBookkeepingWaitReason(reason) && !sameAsBefore) notices.push({ kind: 'queue-paused', reason });
  // A full disk needs a person too (to make room), though the queue comes back by itself.
  if (next.queue.state === 'waiting' && isBookkeepingWaitReason(reason) && !sameAsBefore) notices.push({ kind: 'queue-stalled', reason });
  return notices;
}

/** The words of a notice, in the station's language (tray notifications and the browser's alike). */
export function describeNotice(t: Translate, notice: StationNotice): { title: string; body: string } {
  switch (notice.kind) {
    case 'bill-held':
      return { title: t('tray.notices.billHeldTitle'), body: t('tray.notices.billHeld', { code: notice.code }) };
    case 'held-at-intake':
      return { title: t('tray.notices.billHeldTitle'), body: t('tray.notices.heldAtIntake', { count: notice.count }) };
    case 'queue-paused':
      return { title: t('tray.notices.pausedTitle'), body: t(`queuePanel.reasons.${notice.reason}`) };
    case 'queue-stalled':
      return { title: t('tray.notices.stalledTitle'), body: t(`queuePanel.reasons.${notice.reason}`) };
  }
}
