import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { CoreError } from '../base/errors.js';
import { formatBytes } from '../base/format.js';
import { syncDirectory, writeFileAtomic, writeFileDurable } from '../fs/atomic-write.js';
import type { DocumentLimits } from '../document/document-limits.js';
import { openDocument } from '../document/read-document.js';
import type { Logger } from '../log/logger.js';
import type { PagePoint } from '../split/classify-page.js';
import type { PageReaderPool } from '../split/page-reader-pool.js';
import { readStackPages } from '../split/read-stack-pages.js';
import type { ClassifiedPage, PageKind } from '../split/split-stack.js';
import type { AuditRecord } from '../log/audit-log.js';
import { turnCoversUpright } from './upright-pages.js';
import type { StackScan } from '../../shared/station/scan-fields.js';
import type { ScanSettings } from '../../shared/capture/capture-types.js';
import type { SplitSettings } from './split-settings.js';
import type { IngestProgress, SourceFate, SourceIdentity, SpoolBill, StackRecord, StoredPage } from './stack-record.js';

/** One page a batch holds, stored in the batch folder until the batch becomes a stack. */
export interface BatchPage {
  file: string;
  thumb: string;
  format: 'jpeg' | 'png';
  sha256: string;
  what: PageKind;
  qr?: PagePoint[];
}

/** One source file a batch took in (one page for a page-per-file scanner; a document in a subfolder may have more). */
export interface BatchSource {
  /** Arrival order in the batch (1, 2, …). */
  seq: number;
  name: string;
  /** The number in its name (`scan_0012.jpg`: 12) that orders it; null: by arrival only. */
  number: number | null;
  sha256: string;
  size: number;
  at: string;
  pages: BatchPage[];
}

/**
 * An open batch: `<spool>/batches/<id>/batch.json`, rewritten atomically once per source taken in —
 * the commit point of that source's pages (its files are written and flushed before).
 */
export interface BatchRecord {
  version: 1;
  id: string;
  /** The watched folder it fills (resolved); null: one call's files (`intake a.jpg b.jpg`, a drop), never resumed. */
  folder: string | null;
  /** The name pattern its page files share (`scan_#`), or `dir:<name>` for a subfolder. */
  pattern: string;
  /** What the stack will be called (a subfolder's name); null: from its first and last file. */
  label: string | null;
  openedAt: string;
  sources: BatchSource[];
  /** Who scanned where when the batch opened (its first file): the stack it becomes keeps it. Absent in batches opened before it was recorded. */
  scan?: StackScan;
  /** A scan job's batch (direct capture): its pages came from a device, not from files; absent for every other batch. */
  capture?: BatchCapture;
}

/** What a capture batch records of the scan that fills it: an open one after a restart is an interrupted scan. */
export interface BatchCapture {
  device: { id: string; name: string };
  settings: ScanSettings;
  /** The job filling it now (or last); a continued scan writes its own. */
  jobId: string;
  /** `scanning` while a job fills it; `interrupted` once a job stopped on a device error (a crash leaves `scanning`: read as interrupted at the next start). */
  state: 'scanning' | 'interrupted';
  /** The process filling it (a scan another process runs is not interrupted while that process lives). */
  pid?: number;
}

/** One page a scanner sent, as the capture gives it to its batch (bytes never decoded before). */
export interface CapturedPageInput {
  bytes: Uint8Array;
  mime: 'image/jpeg' | 'image/png' | 'image/tiff';
}

/** The mime types a scanner's page may have, with the extension its page file gets. */
const capturedExtensions: Record<CapturedPageInput['mime'], string> = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/tiff': 'tif' };

/** An open batch as the watch and the screens see it. */
export interface BatchSummary {
  id: string;
  folder: string | null;
  pattern: string;
  pages: number;
  files: number;
  first: string | null;
  last: string | null;
  openedAt: string;
  lastAt: string | null;
  closeRequested: boolean;
  /** The numbers in its files' names, in arrival order (a restart of the numbering closes it). */
  numbers: Array<number | null>;
  /** A scan's batch: the device and the job (absent for files). */
  capture?: BatchCapture;
}

/** What became of a file given to a batch. */
export interface BatchAddOutcome {
  status: 'added' | 'already';
  batch: BatchRecord;
  /** Already in this stack (taken in before), when `already` found it in a stack. */
  stackId?: string;
  source: SourceFate;
}

/** What the batch store needs from the spool it lives in. */
export interface BatchStoreDeps {
  dir: string;
  log: Logger;
  now: () => Date;
  audit: (record: AuditRecord) => void;
  readSource: (file: string, name: string, work: string) => Promise<{ identity: SourceIdentity; copy: string }>;
  moveSource: (file: string, name: string, target: string | undefined, identity: SourceIdentity) => Promise<SourceFate>;
  knownSource: (sha256: string) => Promise<{ id: string; importedAt: string } | undefined>;
  indexStack: (stack: StackRecord) => Promise<void>;
  splitSettings: () => Promise<SplitSettings>;
  splitBills: (classified: ClassifiedPage[], stackId: string, settings: SplitSettings, name?: string) => Promise<{ bills: SpoolBill[]; orphans: number[]; blank: number[] }>;
  onStackChanged?: (stackId: string) => void;
  limits?: DocumentLimits;
  renderDpi?: number;
  pool?: PageReaderPool;
  maxBytes: (sourceSize: number) => number;
  /** Who scans where now (read when a batch opens). */
  scan: () => Promise<StackScan>;
}

/** Links `from` to `to` (same disk: no copy), or copies and flushes it where links are refused. */
async function linkOrCopy(from: string, to: string): Promise<void> {
  try {
    await fs.link(from, to);
  } catch {
    await fs.copyFile(from, to);
    const handle = await fs.open(to, 'r+');
    await handle.sync().finally(() => handle.close());
  }
}

/** A batch's pages in batch order: by the number in their file's name, then arrival; a file's own pages in order. */
export function orderBatchPages(batch: BatchRecord): Array<{ source: BatchSource; page: BatchPage }> {
  const sources = [...batch.sources].sort((a, b) => (a.number ?? Number.MAX_SAFE_INTEGER) - (b.number ?? Number.MAX_SAFE_INTEGER) || a.seq - b.seq);
  return sources.flatMap((source) => source.pages.map((page) => ({ source, page })));
}

/** The batch's page files and pages, summed up for the screens. */
export function summarizeBatch(batch: BatchRecord, closeRequested: boolean): BatchSummary {
  const ordered = [...batch.sources].sort((a, b) => (a.number ?? Number.MAX_SAFE_INTEGER) - (b.number ?? Number.MAX_SAFE_INTEGER) || a.seq - b.seq);
  return {
    id: batch.id,
    folder: batch.folder,
    pattern: batch.pattern,
    pages: batch.sources.reduce((sum, source) => sum + source.pages.length, 0),
    files: batch.sources.length,
    first: ordered[0]?.name ?? null,
    last: ordered.at(-1)?.name ?? null,
    openedAt: batch.openedAt,
    lastAt: batch.sources.map((source) => source.at).sort().at(-1) ?? null,
    closeRequested,
    numbers: batch.sources.map((source) => source.number),
    ...(batch.capture ? { capture: batch.capture } : {}),
  };
}

/**
 * Open batches in the spool (`batches/<id>/`): page files taken in one by one, each committed to the
 * batch (its pages written and flushed, then `batch.json` rewritten atomically) before its source
 * moves; closed into one stack (pages linked into `tmp/<stack>`, split, renamed into `stacks/` — the
 * commit point), then the batch folder removed. A crash leaves every page in the batch or still in
 * the folder (taken again: known by its SHA-256, only moved), and a batch whose stack exists is
 * removed at the next start: never lost, never twice.
 */
export function createBatchStore(deps: BatchStoreDeps) {
  const batchesDir = path.join(deps.dir, 'batches');
  const tmpDir = path.join(deps.dir, 'tmp');
  const stacksDir = path.join(deps.dir, 'stacks');
  const dirOf = (id: string) => path.join(batchesDir, id);
  const recordFile = (id: string) => path.join(dirOf(id), 'batch.json');
  const requestFile = (id: string) => path.join(dirOf(id), 'close-requested.json');
  const makeId = () => `${deps.now().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '')}-${randomBytes(4).toString('hex')}`;

  const readBatch = async (id: string): Promise<BatchRecord | null> => {
    if (!/^[\w-]+$/.test(id)) return null;
    return fs.readFile(recordFile(id), 'utf8').then((text) => JSON.parse(text) as BatchRecord, () => null);
  };
  const list = async (): Promise<BatchRecord[]> => {
    const ids = (await fs.readdir(batchesDir).catch(() => [] as string[])).filter((id) => /^[\w-]+$/.test(id)).sort();
    return (await Promise.all(ids.map(readBatch))).filter((batch): batch is BatchRecord => batch !== null);
  };
  const isRequested = (id: string) => fs.lstat(requestFile(id)).then(() => true, () => false);

  return {
    /** Open batches (of one watched folder when given), oldest first. */
    async listBatches(folder?: string): Promise<BatchSummary[]> {
      const wanted = folder === undefined ? null : path.resolve(folder);
      const batches = (await list()).filter((batch) => wanted === null || batch.folder === wanted);
      return Promise.all(batches.map(async (batch) => summarizeBatch(batch, await isRequested(batch.id))));
    },
    /** Opens an empty batch (created in `tmp/` and renamed in, so a batch folder always has its record). */
    async openBatch(init: { folder: string | null; pattern: string; label?: string | null; capture?: BatchCapture }): Promise<BatchRecord> {
      const id = makeId();
      // Who scans is the one at the batch's first file: a sign-out before it closes changes nothing.
      const record: BatchRecord = { version: 1, id, folder: init.folder === null ? null : path.resolve(init.folder), pattern: init.pattern, label: init.label ?? null, openedAt: deps.now().toISOString(), sources: [], scan: await deps.scan(), ...(init.capture ? { capture: init.capture } : {}) };
      const work = path.join(tmpDir, `batch-${id}`);
      await fs.mkdir(path.join(work, 'pages'), { recursive: true });
      await fs.mkdir(path.join(work, 'thumbs'), { recursive: true });
      await writeFileAtomic(path.join(work, 'batch.json'), `${JSON.stringify(record, null, 1)}\n`);
      await fs.mkdir(batchesDir, { recursive: true });
      await fs.rename(work, dirOf(id));
      await syncDirectory(batchesDir);
      deps.log.info('spool.batch-opened', { batch: id, pattern: record.pattern });
      return record;
    },
    /**
     * Takes one file into an open batch: read once (hashed) into the batch folder, each page written
     * and flushed, then `batch.json` rewritten (the commit point), and only then the source moved to
     * `moveSourceTo`. A file already in a stack or an open batch is only moved.
     */
    async addToBatch(batchId: string, file: string, options: { name: string; number: number | null; moveSourceTo?: string; onProgress?: (progress: IngestProgress) => void }): Promise<BatchAddOutcome> {
      const batch = await readBatch(batchId);
      if (!batch) throw new CoreError('bill-not-found', { bill: batchId });
      const seq = Math.max(0, ...batch.sources.map((source) => source.seq)) + 1;
      const work = path.join(dirOf(batchId), `incoming-${seq}`);
      await fs.rm(work, { recursive: true, force: true });
      const { identity, copy } = await deps.readSource(file, options.name, work);
      try {
        const known = await deps.knownSource(identity.sha256);
        // A scan's pages are no files: a file that equals one (a blank back) is still a file of its own.
        const inBatch = known ? null : (await list()).find((open) => !open.capture && open.sources.some((source) => source.sha256 === identity.sha256));
        if (known || inBatch) {
          // Already safely in (a crash may have come between the commit and the move): only moved.
          const source = await deps.moveSource(file, options.name, options.moveSourceTo, identity);
          deps.log.info('spool.already-imported', { name: options.name, stack: known?.id ?? `batch ${inBatch?.id ?? ''}` });
          return { status: 'already', batch: inBatch ?? batch, ...(known ? { stackId: known.id } : {}), source };
        }
        const settings = await deps.splitSettings();
        const document = await openDocument(copy, { limits: deps.limits, renderDpi: deps.renderDpi });
        const pages: BatchPage[] = [];
        const budget = deps.maxBytes(Number(identity.size));
        let storedBytes = 0;
        options.onProgress?.({ name: options.name, page: 0, pages: document.pageCount });
        try {
          for await (const item of readStackPages(document, { name: options.name, rules: settings.rules, blankInkShare: settings.blankInkShare, limits: deps.limits, pool: deps.pool, store: true })) {
            const stored = item.stored as NonNullable<typeof item.stored>;
            storedBytes += stored.bytes.length + item.thumbPng.length;
            if (storedBytes > budget) throw new CoreError('stack-too-large', { name: options.name, limit: formatBytes(budget) });
            const base = `${String(seq).padStart(4, '0')}-${String(item.index + 1).padStart(4, '0')}`;
            const pageFile = `pages/${base}.${stored.format === 'jpeg' ? 'jpg' : 'png'}`;
            const thumb = `thumbs/${base}.png`;
            await writeFileDurable(path.join(dirOf(batchId), pageFile), stored.bytes, { replace: true });
            await writeFileDurable(path.join(dirOf(batchId), thumb), item.thumbPng, { replace: true });
            pages.push({ file: pageFile, thumb, format: stored.format, sha256: createHash('sha256').update(stored.bytes).digest('hex'), what: item.what, ...(item.qr ? { qr: item.qr } : {}) });
            options.onProgress?.({ name: options.name, page: item.index + 1, pages: document.pageCount });
          }
        } finally {
          document.close();
        }
        await syncDirectory(path.join(dirOf(batchId), 'pages'));
        await syncDirectory(path.join(dirOf(batchId), 'thumbs'));
        const next: BatchRecord = { ...batch, sources: [...batch.sources, { seq, name: options.name, number: options.number, sha256: identity.sha256, size: Number(identity.size), at: deps.now().toISOString(), pages }] };
        // The commit point of this file's pages: before it they are unreferenced, after it they are in the batch.
        await writeFileAtomic(recordFile(batchId), `${JSON.stringify(next, null, 1)}\n`);
        deps.log.info('spool.batch-page', { batch: batchId, name: options.name, pages: pages.length, total: next.sources.reduce((sum, source) => sum + source.pages.length, 0) });
        const source = await deps.moveSource(file, options.name, options.moveSourceTo, identity);
        return { status: 'added', batch: next, source };
      } finally {
        await fs.rm(work, { recursive: true, force: true }).catch(() => undefined);
      }
    },
    /** An open batch's record (null: no such batch). */
    readBatch,
    /**
     * Stores one page a scanner sent into a capture batch: read and classified with the same readers
     * as any file, its page and thumbnail written and flushed, then `batch.json` rewritten atomically
     * — the commit point; the caller asks the device for the next page only after. Never deduplicated
     * by SHA-256 (two identical pages are two sheets: blank backs, test patterns); no source to move.
     */
    async addCapturedPage(batchId: string, page: CapturedPageInput, options: { onProgress?: (progress: IngestProgress) => void; settings?: SplitSettings } = {}): Promise<{ batch: BatchRecord; source: BatchSource; thumbs: Uint8Array[] }> {
      const batch = await readBatch(batchId);
      if (!batch?.capture) throw new CoreError('scan-not-interrupted', { batch: batchId });
      const seq = Math.max(0, ...batch.sources.map((source) => source.seq)) + 1;
      const extension = capturedExtensions[page.mime];
      if (!extension) throw new CoreError('scanner-bad-answer', { device: batch.capture.device.name, reason: 'page-type' });
      const name = `page-${String(seq).padStart(4, '0')}.${extension}`;
      // A job reads the split settings once (an expected-codes list is megabytes), not at every page.
      const settings = options.settings ?? (await deps.splitSettings());
      const budget = deps.maxBytes(page.bytes.length);
      const pages: BatchPage[] = [];
      const thumbs: Uint8Array[] = [];
      let storedBytes = 0;
      const document = await openDocument({ name, bytes: page.bytes }, { limits: deps.limits, renderDpi: deps.renderDpi });
      options.onProgress?.({ name, page: 0, pages: document.pageCount });
      try {
        for await (const item of readStackPages(document, { name, rules: settings.rules, blankInkShare: settings.blankInkShare, limits: deps.limits, pool: deps.pool, store: true })) {
          const stored = item.stored as NonNullable<typeof item.stored>;
          storedBytes += stored.bytes.length + item.thumbPng.length;
          if (storedBytes > budget) throw new CoreError('stack-too-large', { name, limit: formatBytes(budget) });
          // Named by the source's arrival: a page an interrupted attempt left under this name is unreferenced and replaced.
          const base = `${String(seq).padStart(4, '0')}-${String(item.index + 1).padStart(4, '0')}`;
          const pageFile = `pages/${base}.${stored.format === 'jpeg' ? 'jpg' : 'png'}`;
          const thumb = `thumbs/${base}.png`;
          await Promise.all([writeFileDurable(path.join(dirOf(batchId), pageFile), stored.bytes, { replace: true }), writeFileDurable(path.join(dirOf(batchId), thumb), item.thumbPng, { replace: true })]);
          pages.push({ file: pageFile, thumb, format: stored.format, sha256: createHash('sha256').update(stored.bytes).digest('hex'), what: item.what, ...(item.qr ? { qr: item.qr } : {}) });
          thumbs.push(item.thumbPng);
          options.onProgress?.({ name, page: item.index + 1, pages: document.pageCount });
        }
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOSPC' || code === 'EDQUOT') throw new CoreError('disk-full', { name, dir: deps.dir }, { cause: error });
        throw error;
      } finally {
        document.close();
      }
      await Promise.all([syncDirectory(path.join(dirOf(batchId), 'pages')), syncDirectory(path.join(dirOf(batchId), 'thumbs'))]);
      const source: BatchSource = { seq, name, number: seq, sha256: createHash('sha256').update(page.bytes).digest('hex'), size: page.bytes.length, at: deps.now().toISOString(), pages };
      const next: BatchRecord = { ...batch, sources: [...batch.sources, source] };
      // The commit point of this page: before it its files are unreferenced, after it the page is in the scan.
      await writeFileAtomic(recordFile(batchId), `${JSON.stringify(next, null, 1)}\n`);
      deps.log.info('spool.capture-page', { batch: batchId, page: seq, bytes: page.bytes.length });
      return { batch: next, source, thumbs };
    },
    /** Records what a capture batch's scan is now (the job filling it, or interrupted): `batch.json` rewritten atomically. */
    async markCapture(batchId: string, change: Partial<BatchCapture>): Promise<BatchRecord | null> {
      const batch = await readBatch(batchId);
      if (!batch?.capture) return null;
      const next: BatchRecord = { ...batch, capture: { ...batch.capture, ...change } };
      await writeFileAtomic(recordFile(batchId), `${JSON.stringify(next, null, 1)}\n`);
      return next;
    },
    /** Removes a batch of one call that failed (its sources were never moved: nothing is lost). */
    async dropBatch(batchId: string): Promise<void> {
      if (!/^[\w-]+$/.test(batchId)) return;
      await fs.rm(dirOf(batchId), { recursive: true, force: true });
      await syncDirectory(batchesDir).catch(() => undefined);
    },
    /** Asks the watch that fills this batch to close it at its next look (a file in the batch folder: another process may ask). */
    async requestClose(batchId: string): Promise<boolean> {
      if (!(await readBatch(batchId))) return false;
      await writeFileAtomic(requestFile(batchId), `${JSON.stringify({ at: deps.now().toISOString() })}\n`);
      return true;
    },
    isRequested,
    /**
     * Closes a batch into one stack, its pages in batch order, split like any stack: the pages linked
     * into `tmp/<stack>`, the record written, renamed into `stacks/` (the commit point), then the batch
     * folder removed. An empty batch is only removed (null).
     */
    async closeBatch(batchId: string): Promise<StackRecord | null> {
      const batch = await readBatch(batchId);
      if (!batch) return null;
      if (batch.sources.length === 0) {
        await fs.rm(dirOf(batchId), { recursive: true, force: true });
        await syncDirectory(batchesDir);
        return null;
      }
      const id = makeId();
      const work = path.join(tmpDir, id);
      const ordered = orderBatchPages(batch);
      let record: StackRecord;
      try {
        await fs.mkdir(path.join(work, 'pages'), { recursive: true });
        await fs.mkdir(path.join(work, 'thumbs'), { recursive: true });
        const pages: StoredPage[] = [];
        const classified: ClassifiedPage[] = [];
        const at = new Map<BatchSource, number[]>();
        for (const [index, { source, page }] of ordered.entries()) {
          const number = String(index + 1).padStart(4, '0');
          const file = `pages/${number}.${page.format === 'jpeg' ? 'jpg' : 'png'}`;
          await linkOrCopy(path.join(dirOf(batchId), page.file), path.join(work, file));
          await linkOrCopy(path.join(dirOf(batchId), page.thumb), path.join(work, 'thumbs', `${number}.png`));
          pages.push({ page: index + 1, file, format: page.format, sha256: page.sha256, kind: page.what.kind, ...(page.qr ? { qr: page.qr } : {}) });
          classified.push({ page: index + 1, what: page.what });
          at.set(source, [...(at.get(source) ?? []), index + 1]);
        }
        const sources = [...at.keys()];
        const first = sources[0] as BatchSource;
        const last = sources.at(-1) as BatchSource;
        const split = await deps.splitBills(classified, id, await deps.splitSettings(), batch.label ?? first.name);
        // A cover fed upside down is stored upright, as in any stack (its link in the work folder is replaced, the batch's page kept).
        const bills = await turnCoversUpright(work, pages, split.bills, batch.label ?? first.name);
        record = {
          version: 1,
          id,
          importedAt: deps.now().toISOString(),
          source: {
            name: batch.label ?? (sources.length === 1 ? first.name : `${first.name} … ${last.name}`),
            path: batch.folder ?? '',
            // The batch as a whole: the SHA-256 of its sources' SHA-256s in order; each source is indexed too.
            sha256: createHash('sha256').update(sources.map((source) => source.sha256).join('\n')).digest('hex'),
            size: sources.reduce((sum, source) => sum + source.size, 0),
          },
          pages,
          bills,
          orphans: split.orphans,
          blank: split.blank,
          batch: { id: batch.id, sources: sources.map((source) => ({ name: source.name, sha256: source.sha256, size: source.size, pages: at.get(source) ?? [] })) },
          // A batch opened before this was recorded takes who scans now: its pages are still coming in at this desk.
          scan: batch.scan ?? (await deps.scan()),
        };
        await writeFileDurable(path.join(work, 'stack.json'), new TextEncoder().encode(`${JSON.stringify(record, null, 1)}\n`), { replace: true });
        await syncDirectory(path.join(work, 'pages'));
        await syncDirectory(path.join(work, 'thumbs'));
        await syncDirectory(work);
        // The one step that makes the stack exist; the batch folder goes only after it.
        await fs.rename(work, path.join(stacksDir, id));
        await deps.indexStack(record);
        deps.onStackChanged?.(id);
        await syncDirectory(stacksDir);
      } catch (error) {
        await fs.rm(work, { recursive: true, force: true }).catch(() => undefined);
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOSPC' || code === 'EDQUOT') throw new CoreError('disk-full', { name: batch.label ?? batch.sources[0]?.name ?? batch.id, dir: deps.dir }, { cause: error });
        throw error;
      }
      await fs.rm(dirOf(batchId), { recursive: true, force: true });
      await syncDirectory(batchesDir);
      deps.audit({ event: 'imported', stack: id, source: record.source.name, pages: record.pages.map((page) => page.page), detail: `a batch of ${batch.sources.length} files (${record.batch?.sources.map((source) => source.name).join(', ') ?? ''}), sha256 ${record.source.sha256}`, scan: record.scan });
      for (const bill of record.bills) deps.audit({ event: bill.held ? 'held' : 'split', stack: id, bill: bill.id, code: bill.code, source: record.source.name, pages: bill.pages, reason: bill.held ?? undefined });
      if (record.orphans.length) deps.audit({ event: 'held', stack: id, source: record.source.name, pages: record.orphans, reason: 'orphans' });
      deps.log.info('spool.batch-closed', { batch: batchId, stack: id, files: batch.sources.length, pages: record.pages.length, bills: record.bills.length });
      return record;
    },
    /**
     * At start: a batch whose stack exists (a crash after the commit) is removed, as is one of a
     * single call (its sources were never moved: taken in again by the clerk) and any folder without
     * its record. A watched folder's batch stays open and resumes; a scan's batch stays open too (its
     * pages cannot be taken again): an interrupted scan, continued or released by the clerk.
     */
    async recoverBatches(findClosedIds: () => Promise<ReadonlySet<string>>): Promise<number> {
      let removed = 0;
      const ids = await fs.readdir(batchesDir).catch(() => [] as string[]);
      // Read only when a batch is there: a start with no batch costs nothing more.
      const closedIds = ids.length > 0 ? await findClosedIds() : new Set<string>();
      for (const id of ids) {
        const batch = await readBatch(id);
        if (batch && (batch.folder !== null || batch.capture) && !closedIds.has(id)) {
          // Half-read files of an interrupted intake are unreferenced: gone.
          for (const name of await fs.readdir(dirOf(id)).catch(() => [] as string[])) if (name.startsWith('incoming-')) await fs.rm(path.join(dirOf(id), name), { recursive: true, force: true });
          continue;
        }
        await fs.rm(dirOf(id), { recursive: true, force: true });
        removed += 1;
      }
      if (removed > 0) await syncDirectory(batchesDir);
      return removed;
    },
  };
}

/** The type of a batch store. */
export type BatchStore = ReturnType<typeof createBatchStore>;
