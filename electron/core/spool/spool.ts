// The spool: createSpool wires its parts together and takes files in (a file's pages stored and split into bills, a grown file continued, its source closed, recovery at every start).
import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { ImageCodeRules } from '../codes/image-code-rules.js';
import { CoreError } from '../base/errors.js';
import { formatBytes } from '../base/format.js';
import type { DocumentLimits } from '../document/document-limits.js';
import { openDocument } from '../document/read-document.js';
import type { Logger } from '../log/logger.js';
import { defaultBlankInkShare } from '../split/classify-page.js';
import type { PageReaderPool } from '../split/page-reader-pool.js';
import { readStackPages } from '../split/read-stack-pages.js';
import { syncDirectory, writeFileAtomic, writeFileDurable } from '../fs/atomic-write.js';
import { createAuditLog, type AuditRecord } from '../log/audit-log.js';
import { createBatchStore, type BatchStore } from './batch-store.js';
import { fromSourceIdentity, isSameFile, moveSource, readSource, toSourceIdentity } from './source-files.js';
import { createStackStore, stackFile } from './stack-store.js';
import { createRecycler } from './recycle.js';
import { createPageGives, type GiveStep } from './page-gives.js';
import { createBillEdits, type BillAction } from './bill-edits.js';
import { readStackManifests } from './upload-manifest.js';
import { createReturnedBills, returnedBillsPath } from './returned-bills.js';
import { turnCoversUpright } from './upright-pages.js';
import type { SplitSettings } from './split-settings.js';
import type { IngestProgress, SourceFate, SourceIdentity, SpoolBill, StackRecord, StoredPage } from './stack-record.js';
import type { StackScan } from '../../shared/station/scan-fields.js';
import { defaultSplitOptions, splitStack, type ClassifiedPage, type SplitOptions } from '../split/split-stack.js';

/**
 * The outcome of taking one file into the spool. `source` says what became of the file itself:
 * moved to `imported/`, or left where it was because it is no longer the file that was read
 * (replaced, rewritten, renamed or removed meanwhile) — a replacement is then taken in on its own.
 */
export type IngestOutcome = ({ status: 'ingested'; stack: StackRecord; continued?: { pagesBefore: number } } | { status: 'already'; stackId: string; importedAt: string }) & { source: SourceFate; read: SourceIdentity };

/** How one file is taken in. */
export interface IngestOptions {
  /** The folder the source moves to once its pages are in (none: it stays). */
  moveSourceTo?: string;
  /** The source's own name when `file` is a claim of it (a watch folder shared by stations). */
  name?: string;
  /**
   * The file may still grow (a watch folder): it is not moved (the watch closes it with
   * `closeSource` once it has stayed unchanged), its stack's last bill waits meanwhile, and a file
   * that grew continues its open stack (same name, the stored pages a prefix of the new ones).
   */
  sourceMayGrow?: boolean;
  /** Told as pages are stored (page 0 once the file is opened): a 48-page file shows its progress. */
  onProgress?: (progress: IngestProgress) => void;
}

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
  /** The station's split settings, read at every intake and change (they override rules, split and blankInkShare). */
  settings?: () => Promise<SplitSettings>;
  /**
   * Told after every write that changes what a stack shows (taken in, continued, closed, edited,
   * recycled, its pages deleted), so a reader's index is told by the writer itself, whatever the path.
   */
  onStackChanged?: (stackId: string) => void;
  /** The least a stack may store whatever its source's size (default `stackBytesFloor`; tests lower it). */
  stackBytesFloor?: number;
  /** Called after each step of giving orphan pages to another stack (a test seam: a throw there is a crash). */
  afterGiveStep?: (step: GiveStep) => void | Promise<void>;
  /** Who scans where now (the desk's signed-in clerk or the station's scan user, and its scan point), read when pages are taken in. */
  scan?: () => Promise<StackScan>;
}

/**
 * A stack may store this many times its source's size. A scanner PDF or a JPEG stores its own
 * JPEG bytes (about 1×), a TIFF page becomes a PNG of about its own size; 4× leaves room for that.
 */
export const stackBytesPerSourceByte = 4;

/**
 * A stack may always store this much: a small vector PDF renders to gray PNG pages far larger than
 * itself (about 100–500 KB a page at 200 dpi: a 1,000-page one stays under it). A 2.2 MB PDF
 * repeating one JPEG on 2,000 pages grew the spool by 3.6 GB before this budget.
 */
export const stackBytesFloor = 512 * 1024 * 1024;

/** The most bytes (pages and thumbnails) one source may add to the spool: max(4 × its size, the floor). */
export function maxStackBytes(sourceSize: number, floor = stackBytesFloor): number {
  return Math.max(stackBytesPerSourceByte * sourceSize, floor);
}

/** The station's durable spool (see docs/spool.md). */
export interface Spool {
  /** Removes what a crash left half-done and rebuilds the index; run at every start. */
  recover(): Promise<{ removedTemp: number; stacks: number }>;
  /** Takes a file in: every page stored and flushed before `moveSourceTo` (if given) receives the source. */
  ingest(file: string, options?: IngestOptions): Promise<IngestOutcome>;
  /** This station's id (made once, kept in the spool): names its claims in a shared watch folder. */
  stationId(): Promise<string>;
  /**
   * Closes an open stack's source once it stayed unchanged: when `file` is still the file read
   * (`read`), the stack is marked closed (its last bill may go up) and the file moves to
   * `moveSourceTo`; a file that changed again is left for its continuation (`changed`).
   */
  closeSource(stackId: string, file: string, options: { name: string; moveSourceTo: string; read: SourceIdentity }): Promise<SourceFate>;
  /** Every stack on disk. */
  listStacks(): Promise<StackRecord[]>;
  /** One stack (with the changes people made), or null when there is none by that id. */
  findStack(id: string): Promise<StackRecord | null>;
  /** Every bill of every stack, with the changes people made. */
  listBills(): Promise<SpoolBill[]>;
  /** Deletes recycled stacks past the retention days (also done at every start); returns how many. */
  sweepRecycle(): Promise<number>;
  /** Deletes the page images of fully uploaded stacks past the retention days (receipts kept); returns how many stacks. */
  sweepDone(): Promise<number>;
  /** Deletes sources in a watch folder's `imported/` older than the retention days (0: never); returns how many. */
  sweepImported(dir: string): Promise<number>;
  /** Changes one bill (one atomic rewrite of its file) and writes the audit line. */
  changeBill(billId: string, change: BillAction): Promise<SpoolBill>;
  /** Releases every bill waiting in `review` (the desk's "release all reviewed"); returns them. */
  releaseReviewed(): Promise<SpoolBill[]>;
  /** Writes one line to the spool's audit log (the upload queue's events go there too). */
  audit(record: AuditRecord): void;
  /** Open batches of page files (see docs/spool.md, "Batches"): each file committed to its batch before its source moves, closed into one stack. */
  batches: BatchStore;
  /** Takes several files in as one stack (pages in the order given): a drop of page images, `intake` of several images or a folder. */
  ingestBatch(files: Array<{ file: string; name: string }>, options?: { label?: string | null; onProgress?: (progress: IngestProgress) => void }): Promise<IngestOutcome>;
}

/** Creates the spool over `<dir>` (tmp/ for work in progress, stacks/ for what is safely in). */
export function createSpool(options: SpoolOptions): Spool {
  const tmpDir = path.join(options.dir, 'tmp');
  const stackStore = createStackStore({ dir: options.dir, onStackChanged: options.onStackChanged });
  const { stacksDir, editsFile, closedFile, isSourceOpen, readStack, findStack, listStacks, loadIndex } = stackStore;
  const audit = createAuditLog(path.join(options.dir, 'audit.log'), options.now);
  /** What reading and moving a source needs: the spool folder (its ledger of moved sources), the log, the clock and the document limits. */
  const sourceDeps = { dir: options.dir, log: options.log, now: options.now, limits: options.limits };
  // Bills the imaging side returned for a rescan live in the spool's own folder: every intake (the
  // app's, the CLI's) expects their rescans instead of holding them as taken in before.
  const returned = createReturnedBills(returnedBillsPath(options.dir));

  /** The split settings now: the station's (read at every intake and change), or the options' with the default retention days. */
  const splitSettings = async (): Promise<SplitSettings> =>
    options.settings ? options.settings() : { rules: options.rules, blankInkShare: options.blankInkShare ?? defaultBlankInkShare, split: options.split ?? defaultSplitOptions, recycleDays: 30, importedDays: 0, doneDays: 30, release: 'auto' };
  /** Who scans where now; a spool without a source (tools, tests) records nobody and nowhere. */
  const scanNow = async (): Promise<StackScan> => (options.scan ? options.scan() : { user: null, point: null });
  const recycler = createRecycler({ dir: options.dir, stacks: stackStore, log: options.log, now: options.now, audit, splitSettings, onStackChanged: options.onStackChanged });
  const { sweepDone, sweepRecycle, sweepImported } = recycler;
  const gives = createPageGives({ stacks: stackStore, recycler, log: options.log, now: options.now, audit, onStackChanged: options.onStackChanged, afterGiveStep: options.afterGiveStep });
  const billEdits = createBillEdits({ stacks: stackStore, gives, recycler, log: options.log, audit, splitSettings, onStackChanged: options.onStackChanged });

  /** The open stack a grown file continues: same name, smaller, still open, unchanged by people, its pages the first of the new ones. */
  const findContinued = async (name: string, size: number, pages: StoredPage[]): Promise<StackRecord | null> => {
    const ids = (await fs.readdir(stacksDir).catch(() => [] as string[])).sort().reverse();
    for (const id of ids) {
      const stack = await readStack(id);
      if (!stack || stack.source.name !== name || stack.source.size >= size || stack.pages.length >= pages.length || !(await isSourceOpen(stack))) continue;
      // Bills people changed are never re-split under them: the grown file is then a stack of its own.
      if (await fs.lstat(editsFile(id)).then(() => true, () => false)) continue;
      // A page stored turned upright is matched as it was scanned.
      if (stack.pages.every((page, index) => pages[index]?.sha256 === (page.turned?.scannedSha256 ?? page.sha256))) return stack;
    }
    return null;
  };
  /**
   * Adds a grown file's new pages to its stack: each page and thumbnail renamed in (a page file
   * left by an interrupted attempt is unreferenced and replaced), flushed, then the stack's record
   * rewritten atomically — the one step that makes the pages part of the stack.
   */
  const commitContinuation = async (work: string, record: StackRecord, pagesBefore: number) => {
    const dir = path.join(stacksDir, record.id);
    for (const page of record.pages.slice(pagesBefore)) {
      const thumb = `thumbs/${String(page.page).padStart(4, '0')}.png`;
      for (const relative of [page.file, thumb]) {
        await fs.rm(path.join(dir, relative), { force: true });
        await fs.rename(path.join(work, relative), path.join(dir, relative));
      }
    }
    await syncDirectory(path.join(dir, 'pages'));
    await syncDirectory(path.join(dir, 'thumbs'));
    await writeFileAtomic(path.join(dir, stackFile), `${JSON.stringify(record, null, 1)}\n`);
    options.onStackChanged?.(record.id);
  };

  /**
   * The split of a stack's pages into bills with their ids. A code taken in before (another stack,
   * not discarded) is never merged or sent twice by guess: a copy not yet started (no upload record)
   * is held with the new one, before anything of the code goes up (the earlier copies are held here,
   * before the new stack exists, so a crash between leaves only held bills); one being sent makes the
   * new copy `taken-in-before`, one the server closed makes it `code-closed` (only discard, or a
   * rescan after a return, remain). A code the imaging side returned for a rescan is expected again:
   * only a bill taken in after the return was noticed (a second rescan) counts as earlier.
   */
  const splitBills = async (classified: ClassifiedPage[], stackId: string, settings: SplitSettings, name: string = stackId): Promise<{ bills: SpoolBill[]; orphans: number[]; blank: number[] }> => {
    const split = splitStack(classified, settings.split);
    const returns = new Map((await returned.list()).filter((entry) => !entry.resolved).map((entry) => [entry.code, entry.noticedAt]));
    const earlier = new Map<string, Array<{ stack: StackRecord; bill: SpoolBill; upload: string | null }>>();
    for (const stack of await listStacks()) {
      if (stack.id === stackId) continue;
      const candidates = stack.bills.filter((bill) => bill.state !== 'discarded' && bill.code && (!returns.has(bill.code) || stack.importedAt > (returns.get(bill.code) as string)));
      if (candidates.length === 0) continue;
      const manifests = await readStackManifests(stacksDir, stack.id);
      for (const bill of candidates) earlier.set(bill.code as string, [...(earlier.get(bill.code as string) ?? []), { stack, bill, upload: manifests.get(bill.id)?.state ?? null }]);
    }
    const toHold: Array<{ stack: StackRecord; bill: SpoolBill }> = [];
    for (const bill of split.bills) {
      const copies = bill.code ? earlier.get(bill.code) : undefined;
      if (!copies || (bill.held !== null && bill.held !== 'duplicate-code')) continue;
      if (copies.some((copy) => copy.upload === 'done')) bill.held = 'code-closed';
      else if (copies.some((copy) => copy.upload !== null)) bill.held = 'taken-in-before';
      else {
        bill.held = 'duplicate-code';
        toHold.push(...copies);
      }
    }
    await billEdits.holdEarlierCopies(toHold, name);
    return { bills: split.bills.map((bill, n) => ({ ...bill, id: `${stackId}-${n + 1}`, stackId, state: bill.held ? 'held' : settings.release === 'review' ? 'review' : 'ready' })), orphans: split.orphans, blank: split.blank };
  };


  const batches = createBatchStore({
    dir: options.dir,
    scan: scanNow,
    log: options.log,
    now: options.now,
    audit: (record) => audit.write(record),
    async readSource(file, name, work) {
      const { read, sha256, copy } = await readSource(file, name, work, sourceDeps);
      return { identity: toSourceIdentity(read, sha256), copy };
    },
    moveSource: (file, name, target, identity) => moveSource(file, name, target, fromSourceIdentity(identity), identity.sha256, sourceDeps),
    knownSource: async (sha256) => (await loadIndex()).get(sha256),
    async indexStack(stack) {
      const known = await loadIndex();
      for (const sha256 of [stack.source.sha256, ...(stack.batch?.sources ?? []).map((part) => part.sha256)]) known.set(sha256, { id: stack.id, importedAt: stack.importedAt });
    },
    splitSettings,
    splitBills,
    onStackChanged: options.onStackChanged,
    limits: options.limits,
    renderDpi: options.renderDpi,
    pool: options.pool,
    maxBytes: (size) => maxStackBytes(size, options.stackBytesFloor),
  });

  return {
    batches,
    async ingestBatch(files, batchOptions = {}) {
      // One call's batch: its sources are never moved, so a crash loses nothing (it is removed at the next start).
      const batch = await batches.openBatch({ folder: null, pattern: 'call', label: batchOptions.label ?? null });
      let already: { stackId: string } | null = null;
      try {
        for (const [n, entry] of files.entries()) {
          const added = await batches.addToBatch(batch.id, entry.file, { name: entry.name, number: n + 1, onProgress: batchOptions.onProgress });
          if (added.status === 'already' && added.stackId) already ??= { stackId: added.stackId };
        }
      } catch (error) {
        // One file that cannot be taken in stops the call: nothing was moved, nothing is kept.
        await batches.dropBatch(batch.id);
        throw error;
      }
      const stack = await batches.closeBatch(batch.id);
      const last: SourceIdentity = { dev: '0', ino: '0', size: String(stack?.source.size ?? 0), mtimeNs: '0', sha256: stack?.source.sha256 ?? '' };
      if (!stack) {
        const known = already ? await loadIndex().then((found) => [...found.values()].find((value) => value.id === already?.stackId)) : undefined;
        return { status: 'already', stackId: already?.stackId ?? '', importedAt: known?.importedAt ?? '', source: 'kept', read: last };
      }
      return { status: 'ingested', stack, source: 'kept', read: last };
    },
    async closeSource(stackId, file, closeOptions) {
      const stack = /^[\w-]+$/.test(stackId) ? await readStack(stackId) : null;
      if (!stack) throw new CoreError('bill-not-found', { bill: stackId });
      const expected = fromSourceIdentity(closeOptions.read);
      const found = await fs.lstat(file, { bigint: true }).catch(() => null);
      if (found && (!found.isFile() || !isSameFile(found, expected))) return 'changed';
      // Closed before the move: a crash between the two leaves a closed stack whose source is
      // taken again as already in and only moved; never a moved source whose stack waits for ever.
      if (await isSourceOpen(stack)) {
        await writeFileAtomic(closedFile(stackId), `${JSON.stringify({ at: options.now().toISOString(), sha256: closeOptions.read.sha256, size: Number(closeOptions.read.size) })}\n`);
        options.onStackChanged?.(stackId);
        audit.write({ event: 'source-closed', stack: stackId, source: closeOptions.name, detail: `unchanged for the settle time at ${stack.pages.length} pages: its last bill may go up` });
      }
      if (!found) {
        options.log.warn('spool.source-gone', { name: closeOptions.name });
        return 'gone';
      }
      return moveSource(file, closeOptions.name, closeOptions.moveSourceTo, expected, closeOptions.read.sha256, sourceDeps);
    },
    async recover() {
      await fs.mkdir(tmpDir, { recursive: true });
      await fs.mkdir(stacksDir, { recursive: true });
      // Work in progress never counts: its source is still where it was (it moves only after the stack is in).
      const leftovers = await fs.readdir(tmpDir);
      for (const name of leftovers) await fs.rm(path.join(tmpDir, name), { recursive: true, force: true });
      if (leftovers.length > 0) options.log.warn('spool.recovered', { removedTemp: leftovers.length });
      stackStore.resetIndex();
      // A give (orphan pages, or a merge of copies) a crash interrupted is finished (committed) or forgotten (not).
      await gives.settleGives();
      await sweepRecycle();
      const stacks = (await loadIndex()).size;
      // A batch whose stack is in was closed when the crash came: only its folder is left to remove.
      await batches.recoverBatches(async () => new Set((await listStacks()).flatMap((stack) => (stack.batch ? [stack.batch.id] : []))));
      return { removedTemp: leftovers.length, stacks };
    },
    listStacks,
    findStack,
    sweepRecycle: () => sweepRecycle(),
    sweepDone: () => sweepDone(),
    sweepImported: (dir: string) => sweepImported(dir),
    audit: (record) => audit.write(record),
    async listBills() {
      return (await listStacks()).flatMap((stack) => stack.bills);
    },
    changeBill: (billId, change) => billEdits.changeBill(billId, change),
    releaseReviewed: () => billEdits.releaseReviewed(),
    async stationId() {
      const file = path.join(options.dir, 'station-id');
      const known = await fs.readFile(file, 'utf8').then((text) => text.trim(), () => '');
      if (/^[0-9a-f]{8,32}$/.test(known)) return known;
      const made = randomBytes(6).toString('hex');
      await writeFileAtomic(file, `${made}\n`);
      return made;
    },
    async ingest(file, ingestOptions = {}) {
      const name = ingestOptions.name ?? path.basename(file);
      const now = options.now();
      const id = `${now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '')}-${randomBytes(4).toString('hex')}`;
      const work = path.join(tmpDir, id);
      const { read, sha256, copy } = await readSource(file, name, work, sourceDeps);
      const identity = toSourceIdentity(read, sha256);
      const known = (await loadIndex()).get(sha256);
      if (known) {
        await fs.rm(work, { recursive: true, force: true });
        // Already safely in (a crash may have come between storing it and moving the source). The
        // source of a stack still open waits for the watch to close it.
        const open = ingestOptions.sourceMayGrow === true && (await readStack(known.id).then((stack) => stack !== null && isSourceOpen(stack)));
        const source = open ? 'kept' : await moveSource(file, name, ingestOptions.moveSourceTo, read, sha256, sourceDeps);
        options.log.info('spool.already-imported', { name, stack: known.id });
        audit.write({ event: 'already-imported', stack: known.id, source: name, detail: `same SHA-256 as the file taken in at ${known.importedAt}` });
        return { status: 'already', stackId: known.id, importedAt: known.importedAt, source, read: identity };
      }
      let record: StackRecord;
      let pages: StoredPage[];
      try {
        await fs.mkdir(path.join(work, 'pages'), { recursive: true });
        await fs.mkdir(path.join(work, 'thumbs'), { recursive: true });
        pages = [];
        const classified: ClassifiedPage[] = [];
        const settings = await splitSettings();
        // Who scans is read as the pages come in: a sign-out while they go up later changes nothing.
        const scan = await scanNow();
        const document = await openDocument(copy, { limits: options.limits, renderDpi: options.renderDpi });
        const budget = maxStackBytes(Number(read.size), options.stackBytesFloor);
        let storedBytes = 0;
        ingestOptions.onProgress?.({ name, page: 0, pages: document.pageCount });
        try {
          for await (const item of readStackPages(document, { name, rules: settings.rules, blankInkShare: settings.blankInkShare, limits: options.limits, pool: options.pool, store: true })) {
            const stored = item.stored as NonNullable<typeof item.stored>;
            // Checked before the page is written: the spool never grows past the budget.
            storedBytes += stored.bytes.length + item.thumbPng.length;
            if (storedBytes > budget) throw new CoreError('stack-too-large', { name, limit: formatBytes(budget) });
            const number = String(item.index + 1).padStart(4, '0');
            const page = `${number}.${stored.format === 'jpeg' ? 'jpg' : 'png'}`;
            await writeFileDurable(path.join(work, 'pages', page), stored.bytes);
            await writeFileDurable(path.join(work, 'thumbs', `${number}.png`), item.thumbPng);
            pages.push({ page: item.index + 1, file: `pages/${page}`, format: stored.format, sha256: createHash('sha256').update(stored.bytes).digest('hex'), kind: item.what.kind, ...(item.qr ? { qr: item.qr } : {}) });
            classified.push({ page: item.index + 1, what: item.what });
            ingestOptions.onProgress?.({ name, page: item.index + 1, pages: document.pageCount });
          }
        } finally {
          document.close();
        }
        // The copy has served: the stack holds the pages, and the source is still in the watch folder.
        await fs.rm(path.join(work, 'source'), { recursive: true, force: true });
        // A grown file continues its open stack when the pages stored are exactly its first pages.
        const continues = ingestOptions.sourceMayGrow ? await findContinued(name, Number(read.size), pages) : null;
        const stackId = continues?.id ?? id;
        const split = await splitBills(classified, stackId, settings, name);
        // A cover fed upside down is stored upright (file, thumbnail, QR box, sha256), so the desk shows
        // and the queue uploads it the right way up; a continued stack's earlier pages were turned when first taken in.
        const bills = await turnCoversUpright(work, pages, split.bills, name, continues?.pages ?? []);
        const source = { name, path: path.resolve(path.dirname(file), name), sha256, size: Number(read.size) };
        if (continues) {
          record = {
            ...continues,
            source,
            previousSources: [...(continues.previousSources ?? []), { sha256: continues.source.sha256, size: continues.source.size }],
            pages: [...continues.pages, ...pages.slice(continues.pages.length)],
            bills,
            orphans: split.orphans,
            blank: split.blank,
            sourceOpen: true,
          };
          await commitContinuation(work, record, continues.pages.length);
          (await loadIndex()).set(sha256, { id: stackId, importedAt: record.importedAt });
          await fs.rm(work, { recursive: true, force: true });
          const added = record.pages.slice(continues.pages.length).map((page) => page.page);
          audit.write({ event: 'continued', stack: stackId, source: name, pages: added, detail: `the file grew from ${continues.source.size} to ${source.size} bytes (sha256 ${sha256}): pages ${added.join(', ')} added to the stack` });
          options.log.info('spool.continued', { name, stack: stackId, pagesBefore: continues.pages.length, pages: record.pages.length, bills: record.bills.length });
          return { status: 'ingested', stack: record, continued: { pagesBefore: continues.pages.length }, source: 'kept', read: identity };
        }
        record = {
          version: 1,
          id,
          importedAt: now.toISOString(),
          source,
          pages,
          bills,
          orphans: split.orphans,
          blank: split.blank,
          ...(ingestOptions.sourceMayGrow ? { sourceOpen: true } : {}),
          scan,
        };
        await writeFileDurable(path.join(work, stackFile), `${JSON.stringify(record, null, 1)}\n`);
        await syncDirectory(path.join(work, 'pages'));
        await syncDirectory(path.join(work, 'thumbs'));
        await syncDirectory(work);
        // The one step that makes the stack exist: a rename, then both parents flushed.
        await fs.rename(work, path.join(stacksDir, id));
        // Indexed at once: if a flush below fails, a retry finds the stack and does not store it twice.
        (await loadIndex()).set(sha256, { id, importedAt: record.importedAt });
        options.onStackChanged?.(id);
        await syncDirectory(stacksDir);
        await syncDirectory(tmpDir);
      } catch (error) {
        // Nothing half in the spool: the work folder goes (the next start would remove it anyway),
        // and the source was not touched. A full disk gets its own clear message.
        await fs.rm(work, { recursive: true, force: true }).catch(() => undefined);
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOSPC' || code === 'EDQUOT') throw new CoreError('disk-full', { name, dir: options.dir }, { cause: error });
        throw error;
      }
      audit.write({ event: 'imported', stack: id, source: record.source.name, pages: pages.map((page) => page.page), detail: `sha256 ${sha256}`, scan: record.scan });
      for (const bill of record.bills) audit.write({ event: bill.held ? 'held' : 'split', stack: id, bill: bill.id, code: bill.code, source: record.source.name, pages: bill.pages, reason: bill.held ?? undefined });
      if (record.orphans.length) audit.write({ event: 'held', stack: id, source: record.source.name, pages: record.orphans, reason: 'orphans' });
      options.log.info('spool.ingested', { name: record.source.name, stack: id, pages: pages.length, bills: record.bills.length, held: record.bills.filter((bill) => bill.held).length, orphans: record.orphans.length });
      // Only now, with every page on disk, does the source leave the watch folder.
      // A file that may still grow stays until the watch closes it (`closeSource`).
      const source = ingestOptions.sourceMayGrow ? 'kept' : await moveSource(file, name, ingestOptions.moveSourceTo, read, sha256, sourceDeps);
      return { status: 'ingested', stack: record, source, read: identity };
    },
  };
}
