import { createHash, randomBytes } from 'node:crypto';
import { promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CoreError } from '../base/errors.js';
import { isProcessRunning } from '../base/process-running.js';
import { formatBytes } from '../base/format.js';
import { syncDirectory, writeFileAtomic, writeFileDurable } from '../fs/atomic-write.js';
import { defaultDocumentLimits, type DocumentLimits } from '../document/document-limits.js';
import { openDocument } from '../document/read-document.js';
import type { Logger } from '../log/logger.js';
import type { PagePoint } from '../split/classify-page.js';
import type { PageReaderPool } from '../split/page-reader-pool.js';
import { damagedPlaceholder, readStackPages } from '../split/read-stack-pages.js';
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
  /** A scanned page received but not read yet: its bytes as the device sent them (`raw/0007.jpg`). */
  raw?: string;
  /** A scanned page no reader could read (its error code): kept as a damaged page (in no bill; the bill around it held). */
  unreadable?: string;
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
  /** The boot the process ran in (`readBootId`): after a reboot its pid may be another process's, and the scan is interrupted. */
  boot?: string;
  /** The device's own address of the job filling it (an eSCL job path): a crash leaves the job on the device, ended at the next start. */
  jobUri?: string;
}

let bootId: string | null = null;

/** This machine's boot: Linux's boot id, elsewhere `t` and the boot time in seconds (read once). */
export function readBootId(): string {
  if (bootId) return bootId;
  try {
    bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || null;
  } catch {
    bootId = null;
  }
  bootId ??= `t${Math.round(Date.now() / 1000 - os.uptime())}`;
  return bootId;
}

/**
 * Whether the process that recorded `pid` in boot `boot` still runs: a pid of an earlier boot (a power
 * cut, a restart) is gone whatever runs under that number now. No boot recorded: the pid alone decides.
 */
export function isScanProcessRunning(pid: number | undefined, boot?: string): boolean {
  if (pid === undefined || !Number.isInteger(pid) || pid <= 0) return false;
  if (boot !== undefined) {
    const now = readBootId();
    // A boot time read from the uptime moves with clock corrections: ten minutes of slack.
    const same = boot.startsWith('t') && now.startsWith('t') ? Math.abs(Number(boot.slice(1)) - Number(now.slice(1))) <= 600 : boot === now;
    if (!same) return false;
  }
  return isProcessRunning(pid);
}

/** Whether another live process fills this scan now (its recorded pid, in this boot, is not ours). */
export function isScanFilledElsewhere(capture: BatchCapture): boolean {
  return capture.pid !== undefined && capture.pid !== process.pid && isScanProcessRunning(capture.pid, capture.boot);
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
    pages: batch.sources.reduce((sum, source) => sum + (source.raw ? 1 : source.pages.length), 0),
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
  /** Who fills or closes a scan's batch now (a pid): one process at a time, the app or a CLI. */
  const lockFile = (id: string) => path.join(dirOf(id), 'capture.lock');
  /** The stack a close is making of the batch: written before the stack's rename, so a crash after it is known to have closed it. */
  const closingFile = (id: string) => path.join(dirOf(id), 'closing.json');
  /** Scan batches this process holds the lock of. */
  const claims = new Set<string>();
  const makeId = () => `${deps.now().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '')}-${randomBytes(4).toString('hex')}`;

  const readBatch = async (id: string): Promise<BatchRecord | null> => {
    if (!/^[\w-]+$/.test(id)) return null;
    const text = await fs.readFile(recordFile(id), 'utf8').catch(() => null);
    if (text === null) return null;
    // A damaged record (by hand, by the disk) reads as none here; recovery keeps its folder (see `isDamaged`).
    try {
      const batch = JSON.parse(text) as BatchRecord | null;
      return batch && typeof batch === 'object' && Array.isArray(batch.sources) ? batch : null;
    } catch {
      return null;
    }
  };
  const list = async (): Promise<BatchRecord[]> => {
    const ids = (await fs.readdir(batchesDir).catch(() => [] as string[])).filter((id) => /^[\w-]+$/.test(id)).sort();
    return (await Promise.all(ids.map(readBatch))).filter((batch): batch is BatchRecord => batch !== null);
  };
  const isRequested = (id: string) => fs.lstat(requestFile(id)).then(() => true, () => false);
  /** Whether a batch's record is there but cannot be read (damaged by hand or by the disk): such a batch is kept, never removed. */
  const isDamaged = async (id: string): Promise<boolean> => (await fs.lstat(recordFile(id)).then(() => true, () => false)) && (await readBatch(id)) === null;
  /** The stack a batch already became (a crash between the stack's rename and the batch folder's removal), or null. */
  const findClosedStack = async (id: string): Promise<string | null> => {
    if (!/^[\w-]+$/.test(id)) return null;
    const text = await fs.readFile(closingFile(id), 'utf8').catch(() => null);
    const stack = text === null ? null : (JSON.parse(text) as { stack?: unknown }).stack;
    if (typeof stack !== 'string' || !/^[\w-]+$/.test(stack)) return null;
    return (await fs.lstat(path.join(stacksDir, stack, 'stack.json')).then(() => true, () => false)) ? stack : null;
  };
  /** A scan batch's lock: the pid and boot of its holder (none: no lock, or one that cannot be read). */
  const readLock = async (id: string): Promise<{ pid?: number; boot?: string }> => {
    const [pid, boot] = (await fs.readFile(lockFile(id), 'utf8').catch(() => '')).trim().split(/\s+/);
    const number = Number(pid);
    return Number.isInteger(number) && number > 0 ? { pid: number, ...(boot ? { boot } : {}) } : {};
  };
  /** Takes the lock file of a scan's batch for this process (its content written before it appears: never seen empty). */
  const takeLock = async (id: string): Promise<boolean> => {
    const temp = path.join(dirOf(id), `.capture.lock.${process.pid}.${randomBytes(4).toString('hex')}`);
    await writeFileDurable(temp, `${process.pid} ${readBootId()}\n`);
    try {
      await fs.link(temp, lockFile(id));
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw error;
    } finally {
      await fs.rm(temp, { force: true });
    }
  };
  /** Writes to one batch's record one at a time in this process (a scan receives and classifies at once). */
  const recordQueues = new Map<string, Promise<unknown>>();
  const withRecord = <T>(id: string, change: (batch: BatchRecord) => Promise<{ next: BatchRecord; result: T }>): Promise<T> => {
    const run = (recordQueues.get(id) ?? Promise.resolve()).then(async () => {
      const batch = await readBatch(id);
      if (!batch) throw new CoreError('scan-not-interrupted', { batch: id });
      const { next, result } = await change(batch);
      // The commit point of what changed: before it the batch is as it was.
      await writeFileAtomic(recordFile(id), `${JSON.stringify(next, null, 1)}\n`);
      return result;
    });
    const settled = run.catch(() => undefined);
    recordQueues.set(id, settled);
    void settled.then(() => {
      if (recordQueues.get(id) === settled) recordQueues.delete(id);
    });
    return run;
  };

  const store = {
    /**
     * Claims a scan's batch for this process (to scan into it or close it): a lock file holding the
     * pid, taken over only from a process that is gone. False when another process (the app, a CLI)
     * or another call of this one holds it: never two jobs filling one batch.
     */
    async claimCapture(batchId: string): Promise<boolean> {
      if (!/^[\w-]+$/.test(batchId) || claims.has(batchId)) return false;
      if (!(await readBatch(batchId))?.capture) throw new CoreError('scan-not-interrupted', { batch: batchId });
      for (let attempt = 0; attempt < 3; attempt += 1) {
        if (await takeLock(batchId)) {
          claims.add(batchId);
          return true;
        }
        const owner = await readLock(batchId);
        if (owner.pid !== process.pid && isScanProcessRunning(owner.pid, owner.boot)) return false;
        // A lock of a process that is gone (kill -9) or of an earlier run of this pid: moved aside in one rename, so two claimers cannot both take it over.
        const aside = `${lockFile(batchId)}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
        await fs.rename(lockFile(batchId), aside).then(() => fs.rm(aside, { force: true }), () => undefined);
      }
      return false;
    },
    /** Gives up this process's claim on a scan's batch (it stays open, an interrupted scan). */
    async releaseCapture(batchId: string): Promise<void> {
      if (!claims.delete(batchId)) return;
      if ((await readLock(batchId)).pid === process.pid) await fs.rm(lockFile(batchId), { force: true });
    },
    /** The pid holding a scan batch's lock, or null (none, or its process is gone). */
    async captureOwner(batchId: string): Promise<number | null> {
      if (!/^[\w-]+$/.test(batchId)) return null;
      const owner = await readLock(batchId);
      return owner.pid !== undefined && isScanProcessRunning(owner.pid, owner.boot) ? owner.pid : null;
    },
    findClosedStack,
    isDamaged,
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
      // A scan's batch is born locked by the process filling it: no other can continue or release it meanwhile.
      if (init.capture) await writeFileAtomic(path.join(work, 'capture.lock'), `${process.pid} ${readBootId()}\n`);
      await fs.mkdir(batchesDir, { recursive: true });
      await fs.rename(work, dirOf(id));
      await syncDirectory(batchesDir);
      if (init.capture) claims.add(id);
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
     * Receives one page a scanner sent into a capture batch: its bytes written as they came and
     * flushed (`raw/`), then `batch.json` rewritten atomically — the commit point; the caller asks the
     * device for the next page only after. Read and classified later (`classifyCapturedPage`, on the
     * page readers while the device scans on; a close does what is left). Never deduplicated by
     * SHA-256 (two identical pages are two sheets: blank backs, test patterns); no source to move.
     */
    async receiveCapturedPage(batchId: string, page: CapturedPageInput): Promise<BatchSource> {
      const extension = capturedExtensions[page.mime];
      return withRecord(batchId, async (batch) => {
        if (!batch.capture) throw new CoreError('scan-not-interrupted', { batch: batchId });
        if (!extension) throw new CoreError('scanner-bad-answer', { device: batch.capture.device.name, reason: 'page-type' });
        const seq = Math.max(0, ...batch.sources.map((source) => source.seq)) + 1;
        const raw = `raw/${String(seq).padStart(4, '0')}.${extension}`;
        // A page over what one file may be (a driver without its own bound, a device sending junk) is refused before a byte is written: the job stops, interrupted.
        const limit = deps.limits?.maxBytes ?? defaultDocumentLimits.maxBytes;
        if (page.bytes.length > limit) throw new CoreError('file-too-large', { name: `page-${String(seq).padStart(4, '0')}.${extension}`, size: formatBytes(page.bytes.length), limit: formatBytes(limit) });
        try {
          await fs.mkdir(path.join(dirOf(batchId), 'raw'), { recursive: true });
          // Named by its place in the scan: a file an interrupted attempt left under this name is unreferenced and replaced.
          await writeFileDurable(path.join(dirOf(batchId), raw), page.bytes, { replace: true });
          await syncDirectory(path.join(dirOf(batchId), 'raw'));
        } catch (error) {
          // Nothing half-written stays (a full disk): the page is not in the batch, its file not either.
          await fs.rm(path.join(dirOf(batchId), raw), { force: true }).catch(() => undefined);
          const code = (error as NodeJS.ErrnoException).code;
          if (code === 'ENOSPC' || code === 'EDQUOT') throw new CoreError('scan-disk-full', { page: seq, dir: deps.dir }, { cause: error });
          throw error;
        }
        const source: BatchSource = { seq, name: `page-${String(seq).padStart(4, '0')}.${extension}`, number: seq, sha256: createHash('sha256').update(page.bytes).digest('hex'), size: page.bytes.length, at: deps.now().toISOString(), pages: [], raw };
        return { next: { ...batch, sources: [...batch.sources, source] }, result: source };
      }).then((source) => {
        deps.log.info('spool.capture-page', { batch: batchId, page: source.seq, bytes: source.size });
        return source;
      });
    },
    /**
     * Reads and classifies a received page with the same readers as any file: its page and thumbnail
     * written and flushed, then `batch.json` rewritten atomically with them. A page no reader can read
     * is kept as a damaged page with why (in no bill, the bill around it held); the scan goes on.
     */
    async classifyCapturedPage(batchId: string, seq: number, options: { settings?: SplitSettings } = {}): Promise<{ source: BatchSource; thumbs: Uint8Array[] }> {
      const batch = await readBatch(batchId);
      const found = batch?.sources.find((source) => source.seq === seq);
      if (!batch || !found) throw new CoreError('scan-not-interrupted', { batch: batchId });
      if (!found.raw) return { source: found, thumbs: [] };
      const name = found.name;
      // A job reads the split settings once (an expected-codes list is megabytes), not at every page.
      const settings = options.settings ?? (await deps.splitSettings());
      const budget = deps.maxBytes(found.size);
      const pages: BatchPage[] = [];
      const thumbs: Uint8Array[] = [];
      let unreadable: string | undefined;
      let storedBytes = 0;
      try {
        const bytes = await fs.readFile(path.join(dirOf(batchId), found.raw));
        const document = await openDocument({ name, bytes }, { limits: deps.limits, renderDpi: deps.renderDpi });
        try {
          for await (const item of readStackPages(document, { name, rules: settings.rules, blankInkShare: settings.blankInkShare, limits: deps.limits, pool: deps.pool, store: true })) {
            const stored = item.stored as NonNullable<typeof item.stored>;
            storedBytes += stored.bytes.length + item.thumbPng.length;
            if (storedBytes > budget) throw new CoreError('stack-too-large', { name, limit: formatBytes(budget) });
            const base = `${String(seq).padStart(4, '0')}-${String(item.index + 1).padStart(4, '0')}`;
            const pageFile = `pages/${base}.${stored.format === 'jpeg' ? 'jpg' : 'png'}`;
            const thumb = `thumbs/${base}.png`;
            await Promise.all([writeFileDurable(path.join(dirOf(batchId), pageFile), stored.bytes, { replace: true }), writeFileDurable(path.join(dirOf(batchId), thumb), item.thumbPng, { replace: true })]);
            pages.push({ file: pageFile, thumb, format: stored.format, sha256: createHash('sha256').update(stored.bytes).digest('hex'), what: item.what, ...(item.qr ? { qr: item.qr } : {}) });
            thumbs.push(item.thumbPng);
          }
        } finally {
          document.close();
        }
        await Promise.all([syncDirectory(path.join(dirOf(batchId), 'pages')), syncDirectory(path.join(dirOf(batchId), 'thumbs'))]);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOSPC' || code === 'EDQUOT') throw new CoreError('scan-disk-full', { page: seq, dir: deps.dir }, { cause: error });
        // The device's own bad page (a truncated JPEG): kept as a damaged page, as intake keeps one, and the scan goes on.
        if (!(error instanceof CoreError) || error.code === 'disk-full' || error.code === 'scan-disk-full') throw error;
        unreadable = error.code;
        const png = await damagedPlaceholder();
        const base = `${String(seq).padStart(4, '0')}-0001`;
        await writeFileDurable(path.join(dirOf(batchId), `pages/${base}.png`), png, { replace: true });
        await writeFileDurable(path.join(dirOf(batchId), `thumbs/${base}.png`), png, { replace: true });
        await Promise.all([syncDirectory(path.join(dirOf(batchId), 'pages')), syncDirectory(path.join(dirOf(batchId), 'thumbs'))]);
        pages.length = 0;
        thumbs.length = 0;
        pages.push({ file: `pages/${base}.png`, thumb: `thumbs/${base}.png`, format: 'png', sha256: createHash('sha256').update(png).digest('hex'), what: { kind: 'damaged', reason: String(error.params['reason'] ?? error.code) } });
        thumbs.push(png);
        deps.log.warn('spool.capture-page-unreadable', { batch: batchId, page: seq, code: error.code });
      }
      const source = await withRecord(batchId, async (current) => {
        const updated: BatchSource = { ...found, pages, ...(unreadable ? { unreadable } : {}) };
        delete updated.raw;
        return { next: { ...current, sources: current.sources.map((entry) => (entry.seq === seq ? updated : entry)) }, result: updated };
      });
      return { source, thumbs };
    },
    /** Receives and classifies one page (see `receiveCapturedPage`): stored whole before it returns. */
    async addCapturedPage(batchId: string, page: CapturedPageInput, options: { settings?: SplitSettings } = {}): Promise<{ source: BatchSource; thumbs: Uint8Array[] }> {
      const received = await store.receiveCapturedPage(batchId, page);
      return store.classifyCapturedPage(batchId, received.seq, options);
    },
    /** Records what a capture batch's scan is now (the job filling it, or interrupted): `batch.json` rewritten atomically. */
    async markCapture(batchId: string, change: Partial<BatchCapture>): Promise<BatchRecord | null> {
      if (!(await readBatch(batchId))?.capture) return null;
      return withRecord(batchId, async (batch) => {
        const next: BatchRecord = { ...batch, ...(batch.capture ? { capture: { ...batch.capture, ...change } } : {}) };
        return { next, result: next };
      });
    },
    /** Removes a batch of one call that failed (its sources were never moved: nothing is lost). */
    async dropBatch(batchId: string): Promise<void> {
      if (!/^[\w-]+$/.test(batchId)) return;
      await fs.rm(dirOf(batchId), { recursive: true, force: true });
      await syncDirectory(batchesDir).catch(() => undefined);
      claims.delete(batchId);
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
      const pending = await readBatch(batchId);
      if (!pending) return null;
      // Already a stack (a crash after its rename, before the batch folder went): only the folder is left to remove — never two stacks.
      const closed = await findClosedStack(batchId);
      if (closed) {
        const existing = JSON.parse(await fs.readFile(path.join(stacksDir, closed, 'stack.json'), 'utf8')) as StackRecord;
        await deps.indexStack(existing);
        await fs.rm(dirOf(batchId), { recursive: true, force: true });
        await syncDirectory(batchesDir);
        claims.delete(batchId);
        deps.log.warn('spool.batch-closed-before', { batch: batchId, stack: closed });
        return existing;
      }
      // A scan's pages received and not read yet (a crash, a cancel) are read now: the stack has them all.
      for (const source of pending.sources) if (source.raw) await store.classifyCapturedPage(batchId, source.seq);
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
        // Which stack this batch becomes, said before it exists: a crash after the rename leaves a batch known to be closed.
        await writeFileAtomic(closingFile(batchId), `${JSON.stringify({ stack: id })}\n`);
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
      claims.delete(batchId);
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
        if (!batch && (await isDamaged(id))) {
          // A record that cannot be read: the folder (its pages) is kept for support, never removed by a guess.
          deps.log.error('spool.batch-damaged', { batch: id, file: recordFile(id) });
          continue;
        }
        // A scan's batch with no page yet is kept only while the process scanning into it lives.
        // One with its job's address is kept for the capture to end that job on the device first (it removes the batch then).
        const emptyScan = batch?.capture && batch.sources.length === 0 && !batch.capture.jobUri && !isScanFilledElsewhere(batch.capture);
        if (batch && (batch.folder !== null || (batch.capture && !emptyScan)) && !closedIds.has(id)) {
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
  return store;
}

/** The type of a batch store. */
export type BatchStore = ReturnType<typeof createBatchStore>;
