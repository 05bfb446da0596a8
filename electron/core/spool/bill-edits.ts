// What people do to the spool's bills: release, discard, set a code, move, leave out or put back pages, mark or unmark a cover, and resolve the copies of a repeated code.
import { promises as fs } from 'node:fs';
import { CoreError } from '../base/errors.js';
import { classifyPayload } from '../codes/image-code-rules.js';
import type { AuditLog } from '../log/audit-log.js';
import type { Logger } from '../log/logger.js';
import type { PageGives } from './page-gives.js';
import type { Recycler } from './recycle.js';
import type { SplitSettings } from './split-settings.js';
import { billLabel, orphansId, pagesLeftOut, stackIdOfBill, stackOfOrphansId, type SpoolBill, type StackRecord } from './stack-record.js';
import type { StackStore } from './stack-store.js';
import { manifestPath, readStackManifests, receiptsPath } from './upload-manifest.js';

/** What a person can do to a bill in the spool. */
export type BillAction =
  | { action: 'release' }
  | { action: 'discard' }
  | { action: 'set-code'; code: string }
  /** Put a stack's orphan pages (before its first cover) at the end of this bill. */
  | { action: 'take-orphans'; from?: string }
  /** On an orphans entry (`<stack>-orphans`): give all its pages to this bill, of any stack, not yet sending. */
  | { action: 'give-orphans'; to: string }
  /** Move one of this bill's pages (not its cover) to the end of the bill before, or after the cover of the bill after. */
  | { action: 'move-page'; page: number; to: 'previous' | 'next' }
  /** Leave one of this bill's pages (not its cover) out of the upload; it stays in the spool. */
  | { action: 'exclude-page'; page: number }
  /** Put back a page of this bill's stretch that no bill has (a blank back, or one left out). */
  | { action: 'restore-page'; page: number }
  /** This page is a cover the split missed: a new bill with this code starts there, taking the pages after it. */
  | { action: 'mark-cover'; page: number; code: string }
  /** This bill's cover is no cover: its pages join the bill before (or, first in the stack, wait as orphans). */
  | { action: 'not-a-cover' }
  /** A repeated code: this copy goes up, every other unsent copy of the code is discarded. */
  | { action: 'keep-copy' }
  /** A repeated code: the other copies' pages (in scan order) join this bill, they are discarded, this one goes up. */
  | { action: 'merge-copies' };

/** Copies grouped by their stack, in order. */
function groupByStack<T extends { stack: StackRecord }>(copies: T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const copy of copies) groups.set(copy.stack.id, [...(groups.get(copy.stack.id) ?? []), copy]);
  return groups;
}

/** What changing bills needs from its spool. */
export interface BillEditsDeps {
  stacks: StackStore;
  gives: PageGives;
  recycler: Pick<Recycler, 'recycleStack' | 'recycleIfSpent'>;
  log: Logger;
  audit: AuditLog;
  splitSettings: () => Promise<SplitSettings>;
  onStackChanged?: (stackId: string) => void;
}

/** Creates the spool's bill edits: one at a time, each one atomic rewrite of a stack's edits file with its audit line. */
export function createBillEdits(deps: BillEditsDeps) {
  const { stacksDir, isSourceOpen, withEdits, writeEdits, readStack, readEdited, writeBills, liveCopies, listStacks } = deps.stacks;
  const { settleGive, settleGives, giveOrphans, mergeCopies } = deps.gives;
  const { recycleStack, recycleIfSpent } = deps.recycler;
  /** The last edit under way: the next waits for it (see serialized). */
  let changing: Promise<unknown> = Promise.resolve();
  /** A stack's orphans entry as a bill-shaped answer (what the CLI and the desk get back). */
  const orphansEntry = (stack: StackRecord, pages: number[], state: SpoolBill['state']): SpoolBill => ({ id: orphansId(stack.id), stackId: stack.id, code: null, cover: null, pages, held: 'orphans', turned: false, state });
  /** What people do to a stack's orphan pages: discard them, give them to a bill, start a bill at one. */
  const changeOrphans = async (stackId: string, change: BillAction): Promise<SpoolBill> => {
    await settleGive(stackId);
    const record = /^[\w-]+$/.test(stackId) ? await readStack(stackId) : null;
    const stack = record && (await withEdits(record));
    if (!stack) throw new CoreError('bill-not-found', { bill: orphansId(stackId) });
    const refuse = (reason: string) => new CoreError('orphans-not-changeable', { file: stack.source.name, reason });
    if (stack.orphans.length === 0) throw refuse('no-orphans');
    switch (change.action) {
      case 'discard': {
        const discarded = stack.orphans;
        const orphansDiscarded = [...(stack.orphansDiscarded ?? []), ...discarded].sort((a, b) => a - b);
        await writeEdits(stackId, { bills: stack.bills, orphans: [], orphansDiscarded });
        deps.onStackChanged?.(stackId);
        deps.audit.write({ event: 'discarded', stack: stackId, bill: orphansId(stackId), source: stack.source.name, pages: discarded, detail: 'the pages before the first cover were discarded (kept with the stack, in the recycle folder once nothing of it is left)' });
        await recycleIfSpent({ ...stack, orphans: [] });
        deps.log.info('spool.bill-changed', { bill: orphansId(stackId), action: 'discard' });
        return orphansEntry(stack, discarded, 'discarded');
      }
      case 'give-orphans':
        if (stackIdOfBill(change.to) === stackId) return changeBillNow(change.to, { action: 'take-orphans' });
        return giveOrphans(stackId, change.to);
      case 'mark-cover': {
        if (!stack.orphans.includes(change.page)) throw refuse('not-an-orphan');
        let at = stack.bills.findIndex((candidate) => (candidate.cover ?? 0) > change.page);
        if (at < 0) at = stack.bills.length;
        const end = stack.bills[at]?.cover ?? Number.POSITIVE_INFINITY;
        const after = stack.orphans.filter((page) => page > change.page && page < end);
        const created = await billStartingAt(stack, change.page, change.code, after, refuse);
        const bills = [...stack.bills];
        bills.splice(at, 0, created);
        const orphans = stack.orphans.filter((page) => page !== change.page && !after.includes(page));
        await writeEdits(stackId, { bills, orphans });
        deps.onStackChanged?.(stackId);
        deps.audit.write({ event: 'edited', stack: stackId, bill: created.id, code: created.code, source: stack.source.name, pages: created.pages, detail: `orphan page ${change.page} made the cover of new bill ${created.id} (${change.code})` });
        return created;
      }
      default:
        // Orphan pages are no bill: released, coded or moved they would have nowhere to go.
        throw refuse('orphans-only');
    }
  };
  /**
   * A new bill a person starts at `page` with `code` (a cover the split missed), taking `after`: held
   * when the code is already on a live bill of the stack, else ready or waiting for review by the
   * desk's release mode. An invalid code is refused.
   */
  const billStartingAt = async (stack: StackRecord, page: number, code: string, after: number[], refuse: (reason: string) => Error): Promise<SpoolBill> => {
    const settings = await deps.splitSettings();
    if (classifyPayload(code, settings.rules).kind !== 'cover') throw refuse('invalid-code');
    const number = Math.max(0, ...stack.bills.map((candidate) => Number(/-(\d+)$/.exec(candidate.id)?.[1] ?? 0))) + 1;
    const duplicate = stack.bills.some((candidate) => candidate.state !== 'discarded' && candidate.code === code);
    return {
      id: `${stack.id}-${number}`,
      stackId: stack.id,
      code,
      cover: page,
      pages: settings.split.coverIsPage ? [page, ...after] : after,
      held: duplicate ? 'duplicate-code' : null,
      turned: false,
      state: duplicate ? 'held' : settings.release === 'review' ? 'review' : 'ready',
    };
  };
  /** Runs one edit of the spool's bills at a time (each is a read-modify-write of a stack's edits file). */
  const serialized = <T>(work: () => Promise<T>): Promise<T> => {
    const run = changing.then(work);
    changing = run.catch(() => undefined);
    return run;
  };
  /**
   * Keep one copy of a repeated code, or merge the copies into the first (mergeCopies). Keep: the
   * other copies are discarded stack by stack (each stack's edits one atomic write), the kept bill is
   * written last, still held until then. A crash between the writes leaves it held (never two bills
   * of one code that both go up, nor a page in two live bills): the worst case is "held".
   */
  const resolveCopiesNow = async (billId: string, mode: 'keep-copy' | 'merge-copies'): Promise<SpoolBill> => {
    // A merge a crash interrupted is finished (or forgotten) before the copies are read.
    await settleGives();
    const stack = await readEdited(stackIdOfBill(billId));
    const bill = stack?.bills.find((candidate) => candidate.id === billId);
    if (!stack || !bill) throw new CoreError('bill-not-found', { bill: billId });
    const refuse = (reason: string) => new CoreError('bill-not-changeable', { bill: bill.code ?? billId, reason });
    if (bill.state === 'discarded') throw refuse('discarded');
    if (!bill.code) throw refuse('needs-code');
    if ((await readStackManifests(stacksDir, stack.id)).has(bill.id)) throw refuse('uploading');
    const copies = await liveCopies(bill);
    if (copies.some((copy) => copy.started)) throw refuse('copy-sent');
    if (mode === 'merge-copies') return mergeCopies([...copies, { stack, bill }]);
    // Other stacks first: their copies discarded.
    for (const [otherId, group] of groupByStack(copies.filter((copy) => copy.stack.id !== stack.id))) {
      const other = group[0]?.stack as StackRecord;
      const ids = new Set(group.map((copy) => copy.bill.id));
      const bills = other.bills.map((candidate) => (ids.has(candidate.id) ? { ...candidate, state: 'discarded' as const } : candidate));
      await writeBills(otherId, bills, other.orphans);
      for (const copy of group) deps.audit.write({ event: 'discarded', stack: otherId, bill: copy.bill.id, code: copy.bill.code, source: other.source.name, pages: copy.bill.pages, detail: `repeated code: the copy ${bill.id} was kept` });
      if (bills.every((candidate) => candidate.state === 'discarded') && other.orphans.length === 0) await recycleStack(other);
    }
    const sameStack = new Set(copies.filter((copy) => copy.stack.id === stack.id).map((copy) => copy.bill.id));
    const kept: SpoolBill = { ...bill, held: null, state: 'ready' };
    const bills = stack.bills.map((candidate) => (candidate.id === bill.id ? kept : sameStack.has(candidate.id) ? { ...candidate, state: 'discarded' as const } : candidate));
    await writeBills(stack.id, bills, stack.orphans);
    for (const copy of copies.filter((candidate) => sameStack.has(candidate.bill.id))) deps.audit.write({ event: 'discarded', stack: stack.id, bill: copy.bill.id, code: copy.bill.code, source: stack.source.name, pages: copy.bill.pages, detail: `repeated code: the copy ${bill.id} was kept` });
    deps.audit.write({ event: 'released', stack: stack.id, bill: bill.id, code: bill.code, source: stack.source.name, pages: kept.pages, detail: `repeated code: this copy kept, ${copies.length} discarded` });
    deps.log.info('spool.copies-resolved', { bill: bill.id, mode, copies: copies.length + 1 });
    return kept;
  };
  /**
   * Holds earlier unsent copies of codes a new stack repeats (the new copies are held by the caller):
   * written before the new stack exists, so a crash between leaves only held bills.
   */
  const holdEarlierCopies = async (copies: Array<{ stack: StackRecord; bill: SpoolBill }>, source: string) => {
    for (const [stackId, group] of groupByStack(copies)) {
      const stack = await readEdited(stackId);
      if (!stack) continue;
      const manifests = await readStackManifests(stacksDir, stackId);
      const ids = new Set(group.map((copy) => copy.bill.id).filter((id) => !manifests.has(id)));
      let changed = false;
      const bills = stack.bills.map((candidate) => {
        if (!ids.has(candidate.id) || (candidate.state !== 'ready' && candidate.state !== 'review')) return candidate;
        changed = true;
        return { ...candidate, state: 'held' as const, held: 'duplicate-code' as const };
      });
      if (!changed) continue;
      await writeBills(stackId, bills, stack.orphans);
      for (const bill of bills.filter((candidate) => ids.has(candidate.id) && candidate.held === 'duplicate-code')) deps.audit.write({ event: 'held', stack: stackId, bill: bill.id, code: bill.code, source: stack.source.name, pages: bill.pages, reason: 'duplicate-code', detail: `the same code was taken in again from ${source}: every copy waits for a person` });
    }
  };
  const changeBillNow = async (billId: string, change: BillAction): Promise<SpoolBill> => {
    const orphansOf = stackOfOrphansId(billId);
    if (orphansOf !== null) return changeOrphans(orphansOf, change);
    if (change.action === 'take-orphans' && change.from !== undefined) {
      const from = stackOfOrphansId(change.from) ?? change.from;
      return changeOrphans(from, { action: 'give-orphans', to: billId });
    }
    if (change.action === 'keep-copy' || change.action === 'merge-copies') return resolveCopiesNow(billId, change.action);
    const stackId = stackIdOfBill(billId);
    // The bills as people left them: the wait of an open source's last bill is shown, never written into edits.
    const stack = /^[\w-]+$/.test(stackId) ? await readStack(stackId).then((record) => record && withEdits(record)) : null;
    const index = stack ? stack.bills.findIndex((candidate) => candidate.id === billId) : -1;
    const bill = stack?.bills[index];
    if (!stack || !bill) throw new CoreError('bill-not-found', { bill: billId });
    if (bill.state === 'discarded') throw new CoreError('bill-not-changeable', { bill: billLabel(stack, bill), reason: 'discarded' });
    const refuse = (reason: string) => new CoreError('bill-not-changeable', { bill: billLabel(stack, bill), reason });
    // Bills the upload queue has started are fixed: their pages may already be on the server. Only
    // a bill the server refused (held by the queue) may be changed; its upload then starts afresh.
    const manifests = await readStackManifests(stacksDir, stackId);
    const touched = change.action === 'move-page' || change.action === 'not-a-cover' || change.action === 'mark-cover' ? [stack.bills[index - 1], bill, stack.bills[index + 1]] : [bill];
    for (const candidate of touched) {
      const manifest = candidate ? manifests.get(candidate.id) : undefined;
      if (manifest && manifest.state !== 'held') throw new CoreError('bill-not-changeable', { bill: billLabel(stack, candidate ?? bill), reason: manifest.state === 'done' ? 'uploaded' : 'uploading' });
    }
    const heldUpload = manifests.get(billId);
    const bills = [...stack.bills];
    let orphans = stack.orphans;
    let next: SpoolBill;
    let detail: string | undefined;
    switch (change.action) {
      case 'release':
        // A suspect cover needs its code first; orphans are never a bill of their own.
        if (bill.held === 'suspect-cover') throw refuse('needs-code');
        // A `code-closed` copy may be released: only the imaging side knows whether it returned the
        // bill (then it goes up as the next round, learnt from its 2008 if the station had not heard);
        // otherwise the server's conflict holds it again with the server's reason.
        // Copies of a repeated code are resolved together (keep one, or merge), never released one by one.
        if (bill.held === 'duplicate-code') {
          const copies = await liveCopies(bill);
          if (copies.some((copy) => copy.started)) throw refuse('copy-sent');
          if (copies.length > 0) throw refuse('copies-left');
        }
        next = { ...bill, held: null, state: 'ready' };
        // The last bill of a stack whose file may still grow: released, it goes up now (the wait is only shown).
        if ((await isSourceOpen(stack)) && stack.bills.findLastIndex((candidate) => candidate.state !== 'discarded') === index) {
          next = { ...next, sendNow: true };
          detail = 'released while its file was still open: it goes up without waiting';
        }
        break;
      case 'discard':
        next = { ...bill, state: 'discarded' };
        break;
      case 'set-code': {
        const settingsRelease = (await deps.splitSettings()).release ?? 'auto';
        if (classifyPayload(change.code, (await deps.splitSettings()).rules).kind !== 'cover') throw refuse('invalid-code');
        const { suspect: _suspect, ...rest } = bill;
        next = { ...rest, code: change.code, held: bill.held === 'suspect-cover' ? null : bill.held, state: bill.held === 'suspect-cover' || bill.held === null ? (bill.state === 'review' || (bill.held === 'suspect-cover' && settingsRelease === 'review') ? 'review' : 'ready') : 'held' };
        detail = `code set (was ${bill.code ?? 'none'})`;
        break;
      }
      case 'take-orphans':
        if (stack.orphans.length === 0) throw refuse('no-orphans');
        next = { ...bill, pages: [...bill.pages, ...stack.orphans] };
        detail = `took orphan pages ${stack.orphans.join(', ')}`;
        orphans = [];
        break;
      case 'move-page': {
        if (!bill.pages.includes(change.page) || change.page === bill.cover) throw refuse('not-movable');
        const targetIndex = change.to === 'previous' ? index - 1 : index + 1;
        const target = bills[targetIndex];
        if (!target || target.state === 'discarded') throw refuse('no-neighbour');
        const moved = target.pages.filter((page) => page !== change.page);
        const at = change.to === 'previous' ? moved.length : moved[0] === target.cover ? 1 : 0;
        moved.splice(at, 0, change.page);
        bills[targetIndex] = { ...target, pages: moved };
        next = { ...bill, pages: bill.pages.filter((page) => page !== change.page) };
        detail = `page ${change.page} moved to ${target.code ?? target.id}`;
        break;
      }
      case 'exclude-page':
        if (!bill.pages.includes(change.page) || change.page === bill.cover) throw refuse('not-movable');
        next = { ...bill, pages: bill.pages.filter((page) => page !== change.page) };
        detail = `page ${change.page} left out of the upload`;
        break;
      case 'mark-cover': {
        const at = bill.pages.indexOf(change.page);
        if (at < 0 || change.page === bill.cover) throw refuse('not-movable');
        const created = await billStartingAt(stack, change.page, change.code, bill.pages.slice(at + 1), refuse);
        bills.splice(index + 1, 0, created);
        next = { ...bill, pages: bill.pages.slice(0, at) };
        detail = `page ${change.page} made the cover of new bill ${created.id} (${change.code})`;
        break;
      }
      case 'not-a-cover': {
        const previous = index > 0 ? bills[index - 1] : undefined;
        const pages = [...new Set([...(bill.cover !== null && !bill.pages.includes(bill.cover) ? [bill.cover] : []), ...bill.pages])].sort((a, b) => a - b);
        const joins = previous !== undefined && previous.state !== 'discarded';
        if (joins) bills[index - 1] = { ...previous, pages: [...previous.pages, ...pages] };
        else orphans = [...orphans, ...pages].sort((a, b) => a - b);
        next = { ...bill, pages: [], state: 'discarded' };
        detail = joins ? `not a cover: pages ${pages.join(', ')} joined ${previous.code ?? previous.id}` : `not a cover: pages ${pages.join(', ')} wait as orphans`;
        break;
      }
      case 'give-orphans':
        // Only a stack's pages before its first cover are given to a bill.
        throw refuse('not-orphans');
      case 'restore-page': {
        if (!pagesLeftOut(stack, billId).includes(change.page)) throw refuse('not-left-out');
        // Back in stack order among the pages after the cover.
        const pages = [...bill.pages];
        let at = pages.findIndex((page) => page !== bill.cover && page > change.page);
        if (at < 0) at = pages.length;
        pages.splice(at, 0, change.page);
        next = { ...bill, pages };
        detail = `page ${change.page} put back`;
        break;
      }
    }
    bills[index] = next;
    await writeEdits(stack.id, { bills, orphans });
    if (heldUpload) {
      // The server refused this bill as it was; changed, it is planned and sent again from the start.
      await fs.rm(manifestPath(stacksDir, stack.id, billId), { force: true });
      await fs.rm(receiptsPath(stacksDir, stack.id, billId), { force: true });
      detail = `${detail ? `${detail}; ` : ''}its held upload starts afresh`;
    }
    deps.onStackChanged?.(stack.id);
    const event = change.action === 'release' ? 'released' : change.action === 'discard' ? 'discarded' : 'edited';
    deps.audit.write({ event, stack: stack.id, bill: billId, code: next.code, source: stack.source.name, pages: next.pages, detail });
    await recycleIfSpent({ ...stack, bills, orphans });
    deps.log.info('spool.bill-changed', { bill: billId, action: change.action });
    return next;
  };
  return {
    /** Changes one bill (one atomic rewrite of its stack's edits file) and writes the audit line. */
    changeBill(billId: string, change: BillAction): Promise<SpoolBill> {
      // One change at a time per spool: each is a read-modify-write of its stack's edits file.
      return serialized(() => changeBillNow(billId, change));
    },
    /** Releases every bill waiting in `review`; returns them. */
    async releaseReviewed(): Promise<SpoolBill[]> {
      const waiting = (await listStacks()).flatMap((stack) => stack.bills.filter((bill) => bill.state === 'review'));
      const released: SpoolBill[] = [];
      for (const bill of waiting) released.push(await serialized(() => changeBillNow(bill.id, { action: 'release' })));
      return released;
    },
    /** Holds earlier unsent copies of codes a new stack repeats, in turn with the edits. */
    holdEarlierCopies(copies: Array<{ stack: StackRecord; bill: SpoolBill }>, source: string): Promise<void> {
      return serialized(() => holdEarlierCopies(copies, source));
    },
  };
}

/** The spool's bill edits. */
export type BillEdits = ReturnType<typeof createBillEdits>;
