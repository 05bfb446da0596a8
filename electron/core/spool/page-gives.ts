// Giving pages of other stacks to a bill, crash-safe in steps: a stack's orphan pages, or (a merge) the pages of the other copies of a repeated code.
import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { CoreError } from '../base/errors.js';
import { syncDirectory, writeFileAtomic, writeFileDurable } from '../fs/atomic-write.js';
import type { AuditLog } from '../log/audit-log.js';
import type { Logger } from '../log/logger.js';
import type { Recycler } from './recycle.js';
import { billLabel, orphansId, stackIdOfBill, storedPagePath, type SpoolBill, type StackRecord, type StoredPage } from './stack-record.js';
import type { StackStore } from './stack-store.js';
import { readStackManifests } from './upload-manifest.js';
import { isProcessRunning } from '../base/process-running.js';

/**
 * A pending give of pages from other stacks to a bill (`stacks/<first source>/giving.json`): a
 * stack's orphan pages, or (a merge) the pages of the other copies of a repeated code.
 */
export interface GiveRecord {
  id: string;
  to: string;
  bill: string;
  /** What each source stack gives, and the number each page gets in the target stack. */
  parts: GivePart[];
  /** A merge of `copies` copies: each source's copies are discarded (`mergedInto`), the bill released once no copy is left. */
  merge?: { copies: number };
  pid: number;
  at: string;
}

/** One source stack's share of a give: its orphan pages, or the pages of its copies (`copies`) of the bill's code. */
export interface GivePart {
  from: string;
  copies?: string[];
  pages: Array<{ from: number; to: number }>;
}

/** The steps of giving pages to a bill of another stack, in order (a test seam fails after each; `source-updated` after each source, `target-released` only for a merge). */
export type GiveStep = 'intent-written' | 'pages-copied' | 'target-committed' | 'source-updated' | 'target-released';

/** What giving pages needs from its spool. */
export interface PageGivesDeps {
  stacks: StackStore;
  recycler: Pick<Recycler, 'recycleIfSpent'>;
  log: Logger;
  now: () => Date;
  audit: AuditLog;
  onStackChanged?: (stackId: string) => void;
  /** Called after each step of a give (a test seam: a throw there is a crash). */
  afterGiveStep?: (step: GiveStep) => void | Promise<void>;
}

/** Creates the gives of pages between the spool's stacks (`stacks/<first source>/giving.json` while one is under way). */
export function createPageGives(deps: PageGivesDeps) {
  const { stacksDir, isSourceOpen, readEdits, writeEdits, readEdited, writeBills, liveCopies } = deps.stacks;
  const { recycleIfSpent } = deps.recycler;
  /** A give's intent while it is under way, in its first source stack's folder. */
  const givingFile = (stackId: string) => path.join(stacksDir, stackId, 'giving.json');
  /** A give's intent as written (one written before merges gave one stack's orphans: `from` and `pages` at its top). */
  const readGive = async (stackId: string): Promise<GiveRecord | null> => {
    const found = await fs.readFile(givingFile(stackId), 'utf8').then((text) => JSON.parse(text) as GiveRecord & { from?: string; pages?: GivePart['pages'] }, () => null);
    if (!found) return null;
    return Array.isArray(found.parts) ? found : { ...found, parts: [{ from: found.from as string, pages: found.pages ?? [] }] };
  };
  /**
   * Ends a give a crash (or a failure) interrupted: committed in the target (its edits received it)
   * → each source drops what it gave and a merged bill is released; not committed → everything stays
   * as it was (orphans, or held copies; pages copied into the target are unreferenced, replaced by
   * the next give). A give a live process is still doing is left to it.
   */
  const settleGive = async (stackId: string): Promise<void> => {
    const give = await readGive(stackId);
    if (!give) return;
    if (give.pid !== process.pid && isProcessRunning(give.pid)) return;
    const committed = ((await readEdits(give.to))?.received ?? []).some((entry) => entry.id === give.id);
    if (committed) await finishGive(give, stackId);
    else {
      await fs.rm(givingFile(stackId), { force: true });
      await syncDirectory(path.join(stacksDir, stackId));
      for (const part of give.parts)
        deps.audit.write({ event: 'edited', stack: part.from, pages: part.pages.map((page) => page.from), detail: give.merge ? `merging the copies into ${give.bill} did not finish: every copy is still held` : `giving the orphan pages to ${give.bill} did not finish: they are still orphans` });
    }
  };
  /** Settles every give a crash left (at start, and before a merge reads the copies). */
  const settleGives = async (): Promise<void> => {
    for (const id of await fs.readdir(stacksDir).catch(() => [] as string[])) if (await fs.lstat(givingFile(id)).then(() => true, () => false)) await settleGive(id);
  };
  /** A merged bill goes up once no other copy of its code is left (a copy taken in meanwhile keeps it held). */
  const releaseMerged = async (give: GiveRecord): Promise<void> => {
    const target = await readEdited(give.to);
    const bill = target?.bills.find((candidate) => candidate.id === give.bill);
    if (!target || !bill || bill.state !== 'held' || bill.held !== 'duplicate-code' || (await liveCopies(bill)).length > 0) return;
    const released: SpoolBill = { ...bill, held: null, state: 'ready' };
    await writeBills(give.to, target.bills.map((candidate) => (candidate.id === bill.id ? released : candidate)), target.orphans);
    deps.audit.write({ event: 'merged', stack: give.to, bill: bill.id, code: bill.code, source: target.source.name, pages: released.pages, detail: `repeated code: ${give.merge?.copies ?? 2} copies merged in scan order` });
  };
  /** The give's second half: each source stack drops what it gave (once), a merged bill is released, then the intent (in `home`) goes. */
  const finishGive = async (give: GiveRecord, home: string): Promise<void> => {
    for (const part of give.parts) {
      const source = await readEdited(part.from);
      const before = await readEdits(part.from);
      if (source && !(before?.given ?? []).some((entry) => entry.id === give.id)) {
        const moved = part.pages.map((page) => page.from);
        const copies = new Set(part.copies ?? []);
        // A merge discards the copies (their pages are the merged bill's now); a give of orphans drops them.
        const bills = source.bills.map((candidate) => (copies.has(candidate.id) ? { ...candidate, state: 'discarded' as const, pages: [], mergedInto: give.bill } : candidate));
        const orphans = source.orphans.filter((page) => give.merge !== undefined || !moved.includes(page));
        await writeEdits(part.from, { bills, orphans, given: [...(before?.given ?? []), { id: give.id, to: give.to, bill: give.bill, pages: moved }] });
        deps.onStackChanged?.(part.from);
        const there = `(there pages ${part.pages.map((page) => page.to).join(', ')})`;
        if (give.merge) {
          for (const copy of source.bills.filter((candidate) => copies.has(candidate.id)))
            deps.audit.write({ event: 'discarded', stack: part.from, bill: copy.id, code: copy.code, source: source.source.name, pages: copy.pages, detail: `repeated code: pages ${copy.pages.join(', ')} merged into ${give.bill} of stack ${give.to} ${there}` });
        } else deps.audit.write({ event: 'edited', stack: part.from, bill: orphansId(part.from), source: source.source.name, pages: moved, detail: `orphan pages given to bill ${give.bill} of stack ${give.to} ${there}` });
      }
      await deps.afterGiveStep?.('source-updated');
    }
    if (give.merge) {
      await releaseMerged(give);
      await deps.afterGiveStep?.('target-released');
    }
    await fs.rm(givingFile(home), { force: true });
    await syncDirectory(path.join(stacksDir, home));
    for (const part of give.parts) {
      const after = await readEdited(part.from);
      if (after) await recycleIfSpent(after);
    }
  };
  /**
   * Gives pages of other stacks to a bill (a stack's orphans, or the copies of a repeated code). The
   * pages are copied into the target stack (new page numbers after its own; files and thumbnails
   * flushed), so the bill uploads from its own folder whatever becomes of the sources. Steps: the
   * intent in the first source (`giving.json`), the copies, the target's edits (`bills`: the commit
   * point), each source's edits, a merged bill's release, the intent removed. A crash before the
   * commit leaves everything as it was; after it, the next start (or the next change) finishes the
   * sources' side. Orphans and held copies are never uploaded, so a page is never uploadable twice
   * and never lost. With no source (a merge within one stack) it is the one commit write.
   */
  const giveInto = async (give: GiveRecord, target: StackRecord, sources: Map<string, StackRecord>, bills: SpoolBill[], audited: () => void): Promise<void> => {
    const home = give.parts[0]?.from;
    if (home !== undefined) {
      await writeFileAtomic(givingFile(home), `${JSON.stringify(give)}\n`);
      await deps.afterGiveStep?.('intent-written');
    }
    const added: StoredPage[] = [];
    const targetDir = path.join(stacksDir, give.to);
    for (const part of give.parts) {
      const source = sources.get(part.from);
      for (const { from, to } of part.pages) {
        const stored = source?.pages.find((page) => page.page === from);
        if (!source || !stored) throw new CoreError('bill-not-found', { bill: part.copies?.[0] ?? orphansId(part.from) });
        const bytes = await fs.readFile(storedPagePath(stacksDir, part.from, stored.file));
        // The bytes copied are the bytes taken in: a page changed on disk is never given on.
        if (createHash('sha256').update(bytes).digest('hex') !== stored.sha256) throw new CoreError('upload-page-damaged', { page: from, file: stored.file });
        const number = String(to).padStart(4, '0');
        const file = `pages/${number}.${stored.format === 'jpeg' ? 'jpg' : 'png'}`;
        await writeFileDurable(path.join(targetDir, file), bytes, { replace: true });
        await writeFileDurable(path.join(targetDir, 'thumbs', `${number}.png`), await fs.readFile(path.join(stacksDir, part.from, 'thumbs', `${String(from).padStart(4, '0')}.png`)), { replace: true });
        const { from: _from, ...rest } = stored;
        added.push({ ...rest, page: to, file, from: { stackId: part.from, page: from, source: source.source.name, bill: give.bill } });
      }
    }
    if (home !== undefined) {
      await syncDirectory(path.join(targetDir, 'pages'));
      await syncDirectory(path.join(targetDir, 'thumbs'));
      await deps.afterGiveStep?.('pages-copied');
    }
    const before = await readEdits(give.to);
    // The commit point: from this write the pages are the bill's.
    await writeEdits(give.to, { bills, orphans: target.orphans, added: [...(before?.added ?? []), ...added], received: [...(before?.received ?? []), ...give.parts.map((part) => ({ id: give.id, from: part.from, pages: part.pages }))] });
    deps.onStackChanged?.(give.to);
    audited();
    if (home === undefined) return;
    await deps.afterGiveStep?.('target-committed');
    await finishGive(give, home);
  };
  /** Gives a stack's orphan pages to a bill of another stack (see giveInto), at the end of the bill. */
  const giveOrphans = async (fromId: string, billId: string): Promise<SpoolBill> => {
    const toId = stackIdOfBill(billId);
    await settleGive(fromId);
    const source = await readEdited(fromId);
    if (!source) throw new CoreError('bill-not-found', { bill: orphansId(fromId) });
    if (source.orphans.length === 0) throw new CoreError('orphans-not-changeable', { file: source.source.name, reason: 'no-orphans' });
    const target = await readEdited(toId);
    const bill = target?.bills.find((candidate) => candidate.id === billId);
    if (!target || !bill) throw new CoreError('bill-not-found', { bill: billId });
    const refuse = (reason: string) => new CoreError('bill-not-changeable', { bill: billLabel(target, bill), reason });
    if (bill.state === 'discarded') throw refuse('discarded');
    // Only a bill whose upload has not started: its pages are fixed from its first page on.
    const manifest = (await readStackManifests(stacksDir, toId)).get(billId);
    if (manifest) throw refuse(manifest.state === 'done' ? 'uploaded' : 'uploading');
    // A stack whose file may still grow is split again when it does: no pages of others in it meanwhile.
    if (await isSourceOpen(target)) throw refuse('source-open');
    let next = Math.max(0, ...target.pages.map((page) => page.page)) + 1;
    const pages = source.orphans.map((page) => ({ from: page, to: next++ }));
    const give: GiveRecord = { id: randomBytes(6).toString('hex'), to: toId, bill: billId, parts: [{ from: fromId, pages }], pid: process.pid, at: deps.now().toISOString() };
    const taken = { ...bill, pages: [...bill.pages, ...pages.map((page) => page.to)] };
    await giveInto(give, target, new Map([[fromId, source]]), target.bills.map((candidate) => (candidate.id === billId ? taken : candidate)), () =>
      deps.audit.write({ event: 'edited', stack: toId, bill: billId, code: bill.code, source: target.source.name, pages: taken.pages, detail: `took the orphan pages ${pages.map((page) => page.from).join(', ')} of ${source.source.name} (stack ${fromId}) as pages ${pages.map((page) => page.to).join(', ')}` }),
    );
    deps.log.info('spool.orphans-given', { from: fromId, bill: billId, pages: pages.length });
    return taken;
  };
  /**
   * Merges the copies of a repeated code into the first in scan order (oldest stack first, then page
   * order): the other copies' pages (not their covers) are appended in that order and the copies
   * discarded with `mergedInto`. Copies in other stacks are given like orphan pages (giveInto: copied
   * in, crash-safe in steps); copies in the target's own stack are discarded in its commit. The merged
   * bill stays held until every copy is resolved.
   */
  const mergeCopies = async (entries: Array<{ stack: StackRecord; bill: SpoolBill }>): Promise<SpoolBill> => {
    const at = (entry: { stack: StackRecord; bill: SpoolBill }) => entry.stack.bills.findIndex((known) => known.id === entry.bill.id);
    // Stack ids start with the second they were taken in: two in one second are ordered by the time kept to the millisecond.
    const taken = (entry: { stack: StackRecord }) => `${entry.stack.importedAt} ${entry.stack.id}`;
    const all = [...entries].sort((x, y) => (x.stack.id === y.stack.id ? at(x) - at(y) : taken(x) < taken(y) ? -1 : 1));
    const { stack: target, bill: merged } = all[0] as { stack: StackRecord; bill: SpoolBill };
    const others = all.slice(1);
    if (others.some((other) => other.stack.id !== target.id) && (await isSourceOpen(target))) throw new CoreError('bill-not-changeable', { bill: billLabel(target, merged), reason: 'source-open' });
    let next = Math.max(0, ...target.pages.map((page) => page.page)) + 1;
    const parts: GivePart[] = [];
    const pages = [...merged.pages];
    for (const other of others) {
      const own = other.bill.pages.filter((page) => page !== other.bill.cover);
      if (other.stack.id === target.id) {
        pages.push(...own);
        continue;
      }
      let part = parts.find((candidate) => candidate.from === other.stack.id);
      if (!part) parts.push((part = { from: other.stack.id, copies: [], pages: [] }));
      part.copies?.push(other.bill.id);
      for (const page of own) {
        part.pages.push({ from: page, to: next });
        pages.push(next++);
      }
    }
    // Within one stack every copy is resolved by the one commit; across stacks only once each source has discarded its own.
    const resolvedNow = parts.length === 0;
    const kept: SpoolBill = { ...merged, pages, ...(resolvedNow ? { held: null, state: 'ready' as const } : {}) };
    const sameStack = others.filter((other) => other.stack.id === target.id).map((other) => other.bill);
    const bills = target.bills.map((candidate) => (candidate.id === merged.id ? kept : sameStack.some((other) => other.id === candidate.id) ? { ...candidate, state: 'discarded' as const, pages: [], mergedInto: merged.id } : candidate));
    const give: GiveRecord = { id: randomBytes(6).toString('hex'), to: target.id, bill: merged.id, parts, merge: { copies: all.length }, pid: process.pid, at: deps.now().toISOString() };
    await giveInto(give, target, new Map(others.map((other) => [other.stack.id, other.stack])), bills, () => {
      for (const other of sameStack) deps.audit.write({ event: 'discarded', stack: target.id, bill: other.id, code: other.code, source: target.source.name, pages: other.pages, detail: `repeated code: pages ${other.pages.join(', ')} merged into ${merged.id}` });
      if (resolvedNow) deps.audit.write({ event: 'merged', stack: target.id, bill: merged.id, code: merged.code, source: target.source.name, pages, detail: `repeated code: ${all.length} copies merged in scan order` });
      else {
        const taken = parts.map((part) => `pages ${part.pages.map((page) => page.from).join(', ')} of ${part.copies?.join(', ')} (stack ${part.from}) as ${part.pages.map((page) => page.to).join(', ')}`).join('; ');
        deps.audit.write({ event: 'edited', stack: target.id, bill: merged.id, code: merged.code, source: target.source.name, pages, detail: `repeated code: took ${taken}; held until every copy is discarded` });
      }
    });
    deps.log.info('spool.copies-resolved', { bill: merged.id, mode: 'merge-copies', copies: all.length });
    return (await readEdited(target.id))?.bills.find((candidate) => candidate.id === merged.id) ?? kept;
  };
  return { settleGive, settleGives, giveOrphans, mergeCopies };
}

/** The gives of pages between the spool's stacks. */
export type PageGives = ReturnType<typeof createPageGives>;
