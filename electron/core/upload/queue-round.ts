// Which bills the queue holds (read through the spool index) and which of a round goes next.
import type { SpoolBill, StackRecord } from '../spool/spool.js';
import type { SpoolIndex } from '../spool/spool-index.js';
import type { UploadManifest } from '../spool/upload-manifest.js';

/** A bill the queue looks at: its stack, the spool's bill and its manifest (none before its upload started). */
export type QueueEntry = { stack: StackRecord; bill: SpoolBill; manifest: UploadManifest | null };

/**
 * Visits every bill that is (or was) in the queue, stack by stack in import order (stack ids begin
 * with their import time), through the index (memory reads once it holds the stacks). Finished
 * stacks (every bill done or discarded: they no longer change) are only counted: `onFinished` gets
 * their done bills in a few fields, without reading the stacks.
 */
export async function visitQueueBills(index: SpoolIndex, visit: (entry: QueueEntry) => void, onFinished?: (stackId: string, done: Array<{ id: string; closedAt: string | null }>) => void): Promise<void> {
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
}

/** The bills still to go (a round's work), oldest stack first. */
export async function listRound(index: SpoolIndex): Promise<QueueEntry[]> {
  const found: QueueEntry[] = [];
  await visitQueueBills(index, (entry) => {
    if (entry.manifest?.state !== 'done') found.push(entry);
  });
  return found;
}

/**
 * Picks the bill of a round to send now: one already sending first, else the oldest due (queued, or
 * waiting past its time or tried once at start); `later` holds when the waiting ones not yet due are.
 */
export function pickNextBill(entries: QueueEntry[], options: { nowMs: number; retryAtStart: ReadonlySet<string>; unplannable: ReadonlySet<string> }): { entry: QueueEntry | undefined; later: number[] } {
  const isDue = (entry: QueueEntry) => {
    const { manifest } = entry;
    if (!manifest || manifest.state === 'queued' || manifest.state === 'sending') return true;
    return manifest.state === 'waiting' && (options.retryAtStart.has(entry.bill.id) || Date.parse(manifest.nextAttemptAt ?? '') <= options.nowMs);
  };
  const due = entries.filter(({ bill }) => !options.unplannable.has(bill.id)).filter(isDue);
  const later = entries.filter((entry) => entry.manifest?.state === 'waiting' && !isDue(entry)).map(({ manifest }) => Date.parse(manifest?.nextAttemptAt ?? ''));
  const entry = due.sort((a, b) => (a.manifest?.state === 'sending' ? -1 : 0) - (b.manifest?.state === 'sending' ? -1 : 0))[0];
  return { entry, later };
}
