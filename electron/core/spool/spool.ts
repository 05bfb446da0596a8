import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import path from 'node:path';
import type { ImageCodeRules } from '../cover/image-code-rules.js';
import { causeParams, CoreError } from '../errors.js';
import type { DocumentLimits } from '../intake/document-limits.js';
import { openDocument } from '../intake/read-document.js';
import type { Logger } from '../log/logger.js';
import { defaultBlankInkShare } from '../split/classify-page.js';
import type { PageReaderPool } from '../split/page-reader-pool.js';
import { readStackPages } from '../split/read-stack-pages.js';
import { syncDirectory, writeFileAtomic } from '../fs/atomic-write.js';
import { classifyPayload } from '../cover/image-code-rules.js';
import { createAuditLog } from './audit-log.js';
import { defaultSplitOptions, splitStack, type ClassifiedPage, type SplitBill, type SplitOptions } from '../split/split-stack.js';

/** One stored page: its file in the stack folder and what the split made of it. */
export interface StoredPage {
  page: number;
  file: string;
  format: 'jpeg' | 'png';
  sha256: string;
  kind: ClassifiedPage['what']['kind'];
}

/** A bill in the spool: the split's bill plus its id and the stack it came from. */
export interface SpoolBill extends SplitBill {
  id: string;
  stackId: string;
  state: 'ready' | 'held' | 'discarded';
}

/** What a person can do to a bill in the spool. */
export type BillAction =
  | { action: 'release' }
  | { action: 'discard' }
  | { action: 'set-code'; code: string }
  /** Put a stack's orphan pages (before its first cover) at the end of this bill. */
  | { action: 'take-orphans' };

/** What `stack.json` holds: the source, its pages and its bills. One file, written once, atomically. */
export interface StackRecord {
  version: 1;
  id: string;
  importedAt: string;
  source: { name: string; path: string; sha256: string; size: number };
  pages: StoredPage[];
  bills: SpoolBill[];
  orphans: number[];
  blank: number[];
}

/** The outcome of taking one file into the spool. */
export type IngestOutcome = { status: 'ingested'; stack: StackRecord } | { status: 'already'; stackId: string; importedAt: string };

/** How the spool reads and splits what it takes in. */
export interface SpoolOptions {
  dir: string;
  log: Logger;
  now: () => Date;
  rules: ImageCodeRules;
  split?: SplitOptions;
  blankInkShare?: number;
  limits?: DocumentLimits;
  /** Vector pages are rendered at this resolution (the station's scan dpi). */
  renderDpi?: number;
  /** Page readers on worker threads (JPEG pages are then read on both cores). */
  pool?: PageReaderPool;
}

/** The station's durable spool (see docs/spool.md). */
export interface Spool {
  /** Removes what a crash left half-done and rebuilds the index; run at every start. */
  recover(): Promise<{ removedTemp: number; stacks: number }>;
  /** Takes a file in: every page stored and flushed before `moveSourceTo` (if given) receives the source. */
  ingest(file: string, options?: { moveSourceTo?: string }): Promise<IngestOutcome>;
  /** Every stack on disk. */
  listStacks(): Promise<StackRecord[]>;
  /** Every bill of every stack, with the changes people made. */
  listBills(): Promise<SpoolBill[]>;
  /** Changes one bill (one atomic rewrite of its file) and writes the audit line. */
  changeBill(billId: string, change: BillAction): Promise<SpoolBill>;
}

const stackFile = 'stack.json';

/** Writes a file and flushes it before returning. */
async function writeDurable(file: string, bytes: Uint8Array | string): Promise<void> {
  const handle = await fs.open(file, 'wx');
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** SHA-256 of a file, streamed (a 1 GB scan is never held in memory). */
export async function hashFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Creates the spool over `<dir>` (tmp/ for work in progress, stacks/ for what is safely in). */
export function createSpool(options: SpoolOptions): Spool {
  const tmpDir = path.join(options.dir, 'tmp');
  const stacksDir = path.join(options.dir, 'stacks');
  /** sha256 → stack: the files are the only store; this index is rebuilt from them. */
  let index: Map<string, { id: string; importedAt: string }> | null = null;
  const audit = createAuditLog(path.join(options.dir, 'audit.log'), options.now);
  /** A bill as people changed it: `stacks/<id>/bills/<bill>.json` beside the stack, rewritten atomically. */
  const billFile = (stackId: string, billId: string) => path.join(stacksDir, stackId, 'bills', `${billId}.json`);
  const withChanges = async (stack: StackRecord): Promise<StackRecord> => {
    const bills = await Promise.all(
      stack.bills.map(async (bill) => {
        try {
          return JSON.parse(await fs.readFile(billFile(stack.id, bill.id), 'utf8')) as SpoolBill;
        } catch {
          return bill;
        }
      }),
    );
    const orphansTaken = await fs.readFile(path.join(stacksDir, stack.id, 'bills', 'orphans-taken'), 'utf8').then(() => true, () => false);
    return { ...stack, bills, orphans: orphansTaken ? [] : stack.orphans };
  };

  const readStack = async (id: string): Promise<StackRecord | null> => {
    try {
      return JSON.parse(await fs.readFile(path.join(stacksDir, id, stackFile), 'utf8')) as StackRecord;
    } catch {
      return null;
    }
  };
  const listStacks = async (): Promise<StackRecord[]> => {
    const ids = await fs.readdir(stacksDir).catch(() => [] as string[]);
    const records = await Promise.all(ids.sort().map(readStack));
    return Promise.all(records.filter((record): record is StackRecord => record !== null).map(withChanges));
  };
  const loadIndex = async () => {
    if (index) return index;
    index = new Map();
    for (const stack of await listStacks()) index.set(stack.source.sha256, { id: stack.id, importedAt: stack.importedAt });
    return index;
  };
  const moveSource = async (file: string, target: string | undefined) => {
    if (!target) return;
    await fs.mkdir(target, { recursive: true });
    const base = path.basename(file);
    let destination = path.join(target, base);
    for (let n = 2; await fs.lstat(destination).then(() => true, () => false); n += 1) destination = path.join(target, `${path.parse(base).name} (${n})${path.parse(base).ext}`);
    await fs.rename(file, destination);
    await syncDirectory(target);
    await syncDirectory(path.dirname(file));
  };

  return {
    async recover() {
      await fs.mkdir(tmpDir, { recursive: true });
      await fs.mkdir(stacksDir, { recursive: true });
      // Work in progress never counts: its source is still where it was (it moves only after the stack is in).
      const leftovers = await fs.readdir(tmpDir);
      for (const name of leftovers) await fs.rm(path.join(tmpDir, name), { recursive: true, force: true });
      if (leftovers.length > 0) options.log.warn('spool.recovered', { removedTemp: leftovers.length });
      index = null;
      const stacks = (await loadIndex()).size;
      return { removedTemp: leftovers.length, stacks };
    },
    listStacks,
    async listBills() {
      return (await listStacks()).flatMap((stack) => stack.bills);
    },
    async changeBill(billId, change) {
      const stackId = billId.replace(/-\d+$/, '');
      const stack = /^[\w-]+$/.test(stackId) ? await readStack(stackId).then((record) => record && withChanges(record)) : null;
      const bill = stack?.bills.find((candidate) => candidate.id === billId);
      if (!stack || !bill) throw new CoreError('bill-not-found', { bill: billId });
      if (bill.state === 'discarded') throw new CoreError('bill-not-changeable', { bill: billId, reason: 'discarded' });
      let next: SpoolBill;
      switch (change.action) {
        case 'release':
          // A suspect cover needs its code first; orphans are never a bill of their own.
          if (bill.held === 'suspect-cover') throw new CoreError('bill-not-changeable', { bill: billId, reason: 'needs-code' });
          next = { ...bill, held: null, state: 'ready' };
          break;
        case 'discard':
          next = { ...bill, state: 'discarded' };
          break;
        case 'set-code': {
          if (classifyPayload(change.code, options.rules).kind !== 'cover') throw new CoreError('bill-not-changeable', { bill: billId, reason: 'invalid-code' });
          const { suspect: _suspect, ...rest } = bill;
          next = { ...rest, code: change.code, held: bill.held === 'suspect-cover' ? null : bill.held, state: bill.held === 'suspect-cover' || bill.held === null ? 'ready' : 'held' };
          break;
        }
        case 'take-orphans':
          if (stack.orphans.length === 0) throw new CoreError('bill-not-changeable', { bill: billId, reason: 'no-orphans' });
          next = { ...bill, pages: [...bill.pages, ...stack.orphans] };
          break;
      }
      await fs.mkdir(path.join(stacksDir, stack.id, 'bills'), { recursive: true });
      await writeFileAtomic(billFile(stack.id, billId), `${JSON.stringify(next, null, 1)}\n`);
      if (change.action === 'take-orphans') await writeFileAtomic(path.join(stacksDir, stack.id, 'bills', 'orphans-taken'), billId);
      const event = change.action === 'release' ? 'released' : change.action === 'discard' ? 'discarded' : 'edited';
      audit.write({ event, stack: stack.id, bill: billId, code: next.code, source: stack.source.name, pages: next.pages, detail: change.action === 'set-code' ? `code set (was ${bill.code ?? 'none'})` : change.action === 'take-orphans' ? `took orphan pages ${stack.orphans.join(', ')}` : undefined });
      options.log.info('spool.bill-changed', { bill: billId, action: change.action });
      return next;
    },
    async ingest(file, ingestOptions = {}) {
      const stat = await fs.lstat(file).catch((error: unknown) => {
        throw new CoreError('file-unreadable', { name: path.basename(file), ...causeParams(error) }, { cause: error });
      });
      if (!stat.isFile()) throw new CoreError('file-unreadable', { name: path.basename(file), reason: 'not-regular-file' });
      if (stat.size === 0) throw new CoreError('file-empty', { name: path.basename(file) });
      const sha256 = await hashFile(file);
      const known = (await loadIndex()).get(sha256);
      if (known) {
        // Already safely in (a crash may have come between storing it and moving the source).
        await moveSource(file, ingestOptions.moveSourceTo);
        options.log.info('spool.already-imported', { name: path.basename(file), stack: known.id });
        audit.write({ event: 'already-imported', stack: known.id, source: path.basename(file), detail: `same SHA-256 as the file taken in at ${known.importedAt}` });
        return { status: 'already', stackId: known.id, importedAt: known.importedAt };
      }
      const now = options.now();
      const id = `${now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '')}-${randomBytes(4).toString('hex')}`;
      const work = path.join(tmpDir, id);
      await fs.mkdir(path.join(work, 'pages'), { recursive: true });
      await fs.mkdir(path.join(work, 'thumbs'), { recursive: true });
      const pages: StoredPage[] = [];
      const classified: ClassifiedPage[] = [];
      const document = await openDocument(file, { limits: options.limits, renderDpi: options.renderDpi });
      try {
        for await (const read of readStackPages(document, { name: path.basename(file), rules: options.rules, blankInkShare: options.blankInkShare ?? defaultBlankInkShare, limits: options.limits, pool: options.pool, store: true })) {
          const stored = read.stored as NonNullable<typeof read.stored>;
          const number = String(read.index + 1).padStart(4, '0');
          const name = `${number}.${stored.format === 'jpeg' ? 'jpg' : 'png'}`;
          await writeDurable(path.join(work, 'pages', name), stored.bytes);
          await writeDurable(path.join(work, 'thumbs', `${number}.png`), read.thumbPng);
          pages.push({ page: read.index + 1, file: `pages/${name}`, format: stored.format, sha256: createHash('sha256').update(stored.bytes).digest('hex'), kind: read.what.kind });
          classified.push({ page: read.index + 1, what: read.what });
        }
      } finally {
        document.close();
      }
      const split = splitStack(classified, options.split ?? defaultSplitOptions);
      // A code taken in before (another stack, not discarded) is never merged or sent twice by guess.
      const earlier = new Set((await listStacks()).flatMap((stack) => stack.bills.filter((bill) => bill.state !== 'discarded' && bill.code).map((bill) => bill.code as string)));
      for (const bill of split.bills) if (bill.held === null && bill.code && earlier.has(bill.code)) bill.held = 'taken-in-before';
      const record: StackRecord = {
        version: 1,
        id,
        importedAt: now.toISOString(),
        source: { name: path.basename(file), path: path.resolve(file), sha256, size: stat.size },
        pages,
        bills: split.bills.map((bill, n) => ({ ...bill, id: `${id}-${n + 1}`, stackId: id, state: bill.held ? 'held' : 'ready' })),
        orphans: split.orphans,
        blank: split.blank,
      };
      await writeDurable(path.join(work, stackFile), `${JSON.stringify(record, null, 1)}\n`);
      await syncDirectory(path.join(work, 'pages'));
      await syncDirectory(path.join(work, 'thumbs'));
      await syncDirectory(work);
      // The one step that makes the stack exist: a rename, then both parents flushed.
      await fs.rename(work, path.join(stacksDir, id));
      await syncDirectory(stacksDir);
      await syncDirectory(tmpDir);
      (await loadIndex()).set(sha256, { id, importedAt: record.importedAt });
      audit.write({ event: 'imported', stack: id, source: record.source.name, pages: pages.map((page) => page.page), detail: `sha256 ${sha256}` });
      for (const bill of record.bills) audit.write({ event: bill.held ? 'held' : 'split', stack: id, bill: bill.id, code: bill.code, source: record.source.name, pages: bill.pages, reason: bill.held ?? undefined });
      if (record.orphans.length) audit.write({ event: 'held', stack: id, source: record.source.name, pages: record.orphans, reason: 'orphans' });
      options.log.info('spool.ingested', { name: record.source.name, stack: id, pages: pages.length, bills: record.bills.length, held: record.bills.filter((bill) => bill.held).length, orphans: record.orphans.length });
      // Only now, with every page on disk, does the source leave the watch folder.
      await moveSource(file, ingestOptions.moveSourceTo);
      return { status: 'ingested', stack: record };
    },
  };
}
