import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { ImageCodeRules } from '../codes/image-code-rules.js';
import { causeParams, CoreError } from '../base/errors.js';
import { formatBytes } from '../base/format.js';
import { defaultDocumentLimits, type DocumentLimits } from '../document/document-limits.js';
import { checkDocumentHead } from '../document/check-document.js';
import { openDocument } from '../document/read-document.js';
import type { Logger } from '../log/logger.js';
import { defaultBlankInkShare, type PagePoint } from '../split/classify-page.js';
import type { PageReaderPool } from '../split/page-reader-pool.js';
import type { SplitSettings } from '../desk/desk-settings.js';
import { readStackPages } from '../split/read-stack-pages.js';
import { syncDirectory, writeFileAtomic, writeFileDurable } from '../fs/atomic-write.js';
import { classifyPayload } from '../codes/image-code-rules.js';
import { createAuditLog, type AuditRecord } from '../log/audit-log.js';
import { createBatchStore, type BatchStore } from './batch-store.js';
import { isStackFinished, manifestPath, readStackManifests, receiptsPath } from './upload-manifest.js';
import { createReturnedBills, returnedBillsPath } from './returned-bills.js';
import { turnCoversUpright } from './upright-pages.js';
import type { StackScan } from '../../shared/station/scan-fields.js';
import { defaultSplitOptions, splitStack, type ClassifiedPage, type SplitBill, type SplitOptions } from '../split/split-stack.js';

/** One stored page: its file in the stack folder and what the split made of it. */
export interface StoredPage {
  page: number;
  file: string;
  format: 'jpeg' | 'png';
  sha256: string;
  kind: ClassifiedPage['what']['kind'];
  /** Where the cover's QR is, as shares of the page (covers and suspect covers only). */
  qr?: PagePoint[];
  /**
   * The page was scanned upside down (a cover fed the wrong way round) and is stored turned upright:
   * `file`, its thumbnail, `qr` and `sha256` are all of the upright page, the one uploaded.
   * `scannedSha256` is the page as scanned (a grown file is matched by it); `lossless` whether the
   * turn kept every pixel (a PNG page) or saved the JPEG again at high quality.
   */
  turned?: { scannedSha256: string; lossless: boolean };
  /** A page copied in from another stack's orphan pages (given to `bill` of this stack). */
  from?: { stackId: string; page: number; source: string; bill: string };
}

/** The id of a stack's pages before its first cover (one held entry, accepted wherever a bill id is). */
export function orphansId(stackId: string): string {
  return `${stackId}-orphans`;
}

/** The stack id of an orphans entry id, or null when the id is no orphans entry. */
export function stackOfOrphansId(id: string): string | null {
  const found = /^([\w-]+)-orphans$/.exec(id);
  return found ? (found[1] as string) : null;
}

/**
 * A pending give of pages from other stacks to a bill (`stacks/<first source>/giving.json`): a
 * stack's orphan pages, or (a merge) the pages of the other copies of a repeated code.
 */
interface GiveRecord {
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
interface GivePart {
  from: string;
  copies?: string[];
  pages: Array<{ from: number; to: number }>;
}

/** The steps of giving pages to a bill of another stack, in order (a test seam fails after each; `source-updated` after each source, `target-released` only for a merge). */
export type GiveStep = 'intent-written' | 'pages-copied' | 'target-committed' | 'source-updated' | 'target-released';

/** A bill in the spool: the split's bill plus its id and the stack it came from. */
export interface SpoolBill extends SplitBill {
  id: string;
  stackId: string;
  /** `review`: waits for a person's release (the desk's release mode is `review`); the upload queue takes only `ready`. */
  state: 'ready' | 'held' | 'review' | 'discarded';
  /** A copy of a repeated code whose pages were merged into that bill (this one is discarded). */
  mergedInto?: string;
  /** Its cover was scanned upside down and is stored, shown and uploaded turned upright (the Scan desk says so). */
  upright?: { lossless: boolean };
  /** Released by a person while its source was still open: it goes up without waiting for the file to close. */
  sendNow?: boolean;
}

/** How messages name a bill: its image code, or (no valid code) its file and cover page — never its internal id. */
export function billLabel(stack: Pick<StackRecord, 'source'>, bill: Pick<SpoolBill, 'code' | 'cover'>): string {
  return bill.code ?? `${stack.source.name} p${bill.cover ?? '?'}`;
}

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

/** The pages between a bill's cover and the next cover that no bill has (blank backs, left-out pages). */
export function pagesLeftOut(stack: StackRecord, billId: string): number[] {
  const index = stack.bills.findIndex((bill) => bill.id === billId);
  const bill = stack.bills[index];
  if (!bill) return [];
  const scanned = stack.pages.filter((page) => page.from === undefined).length;
  const end = stack.bills[index + 1]?.cover ?? scanned + 1;
  const start = bill.cover ?? 0;
  // A damaged page is never put back: it could not be read, so it is not a page of any bill.
  const taken = new Set([...stack.bills.flatMap((candidate) => candidate.pages), ...stack.orphans, ...(stack.orphansDiscarded ?? []), ...stack.pages.filter((page) => page.kind === 'damaged').map((page) => page.page)]);
  const left: number[] = [];
  for (let page = start + 1; page < end && page <= scanned; page += 1) if (!taken.has(page)) left.push(page);
  // Pages given from another stack belong to the bill they were given to.
  for (const page of stack.pages) if (page.from?.bill === billId && !taken.has(page.page)) left.push(page.page);
  return left;
}

/** What `stack.json` holds: the source, its pages and its bills. One file, written once, atomically. */
export interface StackRecord {
  version: 1;
  id: string;
  importedAt: string;
  source: { name: string; path: string; sha256: string; size: number };
  pages: StoredPage[];
  bills: SpoolBill[];
  orphans: number[];
  /** Orphan pages a person discarded (kept in the stack folder, and in the recycle folder with it). */
  orphansDiscarded?: number[];
  blank: number[];
  /**
   * Taken from a watch folder whose file may still grow (a scanner appending pages): the stack's
   * last bill waits (`source-open`) until the watch closes the source (`source-closed.json` beside
   * it), and a grown file continues this stack instead of starting another.
   */
  sourceOpen?: boolean;
  /** The contents this stack's source had before it grew (a continued stack), so each is known as taken in. */
  previousSources?: Array<{ sha256: string; size: number }>;
  /** Made of a batch of files (a scanner writing one file per page, a subfolder, several files at once): each source and its pages here. */
  batch?: { id: string; sources: Array<{ name: string; sha256: string; size: number; pages: number[] }> };
  /**
   * Who scanned it where (the ERP's 影像扫描用户 and 扫描点) as they were when its pages were taken in
   * (a batch's: its first file; a continued stack keeps its first intake's). Its bills' closes carry
   * it, however much later they go up. Absent in stacks taken in before it was recorded.
   */
  scan?: StackScan;
}

/** A source file's identity as read (device, inode, size, mtime in ns, as decimal strings) and the SHA-256 of the bytes read. */
export interface SourceIdentity {
  dev: string;
  ino: string;
  size: string;
  mtimeNs: string;
  sha256: string;
}

/**
 * The outcome of taking one file into the spool. `source` says what became of the file itself:
 * moved to `imported/`, or left where it was because it is no longer the file that was read
 * (replaced, rewritten, renamed or removed meanwhile) — a replacement is then taken in on its own.
 */
export type IngestOutcome = ({ status: 'ingested'; stack: StackRecord; continued?: { pagesBefore: number } } | { status: 'already'; stackId: string; importedAt: string }) & { source: SourceFate; read: SourceIdentity };

/** What became of a taken-in source: moved, not asked to move, or left because it changed or went. */
export type SourceFate = 'moved' | 'kept' | 'changed' | 'gone';

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

/** How far the intake of one file is: `page` of `pages` stored. */
export interface IngestProgress {
  name: string;
  page: number;
  pages: number;
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

const stackFile = 'stack.json';

/** Marks a stack whose page images were deleted after its upload (the record and receipts stay). */
export const pagesRemovedFile = 'pages-removed.json';

/** A source moved into a watch folder's `imported/`, as the spool's ledger records it. */
interface ImportedSource {
  dir: string;
  name: string;
  sha256: string;
  at: string;
}

/** Above this the ledger is not read (about 100,000 files); the sweep says so in the log. */
const maxImportedLedgerBytes = 16 * 1024 * 1024;

/** `stacks/<id>/edits.json`: every bill of a stack as people left it, and what they did to its orphan pages. */
interface EditsFile {
  version: 1;
  bills: SpoolBill[];
  orphans: number[];
  orphansDiscarded?: number[];
  /** Pages copied in from other stacks' orphans (numbered after the stack's own). */
  added?: StoredPage[];
  /** Gives of this stack's orphans to bills of other stacks, done. */
  given?: Array<{ id: string; to: string; bill: string; pages: number[] }>;
  /** Gives of other stacks' orphans to bills of this one, committed. */
  received?: Array<{ id: string; from: string; pages: Array<{ from: number; to: number }> }>;
}

/** Whether a process with this id is running (a pending give of another live process is left to it). */
function isProcessRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Appends a line to a file and flushes it. */
async function appendDurable(file: string, text: string): Promise<void> {
  const handle = await fs.open(file, 'a');
  try {
    await handle.writeFile(text);
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

/** Which file a path or handle is, and its size and mtime, exactly (bigint: Windows file ids exceed 2^53). */
interface FileIdentity {
  dev: bigint;
  ino: bigint;
  size: bigint;
  mtimeNs: bigint;
}

/** An identity as stored and passed on (decimal strings: JSON has no bigint). */
function toSourceIdentity(identity: FileIdentity, sha256: string): SourceIdentity {
  return { dev: String(identity.dev), ino: String(identity.ino), size: String(identity.size), mtimeNs: String(identity.mtimeNs), sha256 };
}

/** The identity back from its strings. */
function fromSourceIdentity(identity: SourceIdentity): FileIdentity {
  return { dev: BigInt(identity.dev), ino: BigInt(identity.ino), size: BigInt(identity.size), mtimeNs: BigInt(identity.mtimeNs) };
}

/** Whether two looks saw the very same file, unchanged. */
function isSameFile(a: FileIdentity, b: FileIdentity): boolean {
  return a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeNs === b.mtimeNs;
}

/** Reads `size` bytes through an open handle into `target`, hashing them on the way; returns the SHA-256 and the count read. */
async function copyThroughHandle(handle: FileHandle, size: number, target: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  const out = await fs.open(target, 'wx');
  const chunk = Buffer.alloc(1024 * 1024);
  let at = 0;
  try {
    for (;;) {
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, at);
      if (bytesRead === 0) break;
      hash.update(chunk.subarray(0, bytesRead));
      await out.write(chunk, 0, bytesRead);
      at += bytesRead;
      // A file that grew while read is caught by the identity check after; never read past what it was.
      if (at >= size) break;
    }
  } finally {
    await out.close();
  }
  return { sha256: hash.digest('hex'), bytes: at };
}

/** Copies grouped by their stack, in order. */
function groupByStack<T extends { stack: StackRecord }>(copies: T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const copy of copies) groups.set(copy.stack.id, [...(groups.get(copy.stack.id) ?? []), copy]);
  return groups;
}

/** Creates the spool over `<dir>` (tmp/ for work in progress, stacks/ for what is safely in). */
export function createSpool(options: SpoolOptions): Spool {
  const tmpDir = path.join(options.dir, 'tmp');
  const stacksDir = path.join(options.dir, 'stacks');
  /** sha256 → stack: the files are the only store; this index is rebuilt from them. */
  let index: Map<string, { id: string; importedAt: string }> | null = null;
  const audit = createAuditLog(path.join(options.dir, 'audit.log'), options.now);
  // Bills the imaging side returned for a rescan live in the spool's own folder: every intake (the
  // app's, the CLI's) expects their rescans instead of holding them as taken in before.
  const returned = createReturnedBills(returnedBillsPath(options.dir));
  /** A bill as people changed it: `stacks/<id>/bills/<bill>.json` beside the stack, rewritten atomically. */
  const billFile = (stackId: string, billId: string) => path.join(stacksDir, stackId, 'bills', `${billId}.json`);
  /** All of a stack's bills as people changed them: one file, rewritten atomically, so a change to two bills (a page moved) is one step. */
  const editsFile = (stackId: string) => path.join(stacksDir, stackId, 'edits.json');
  const closedFile = (stackId: string) => path.join(stacksDir, stackId, 'source-closed.json');
  const isSourceOpen = async (stack: StackRecord) => stack.sourceOpen === true && !(await fs.lstat(closedFile(stack.id)).then(() => true, () => false));
  /** While its source may still grow, a stack's last live bill waits (an appended page joins it). */
  const withOpenSource = async (stack: StackRecord): Promise<StackRecord> => {
    if (!(await isSourceOpen(stack))) return stack;
    const last = stack.bills.findLastIndex((bill) => bill.state !== 'discarded');
    const bill = stack.bills[last];
    if (!bill || (bill.state !== 'ready' && bill.state !== 'review') || bill.sendNow === true) return stack;
    const bills = [...stack.bills];
    bills[last] = { ...bill, state: 'held', held: 'source-open' };
    return { ...stack, bills };
  };
  const withChanges = async (stack: StackRecord): Promise<StackRecord> => withOpenSource(await withEdits(stack));
  const readEdits = async (stackId: string): Promise<EditsFile | null> =>
    fs.readFile(editsFile(stackId), 'utf8').then(
      (text) => JSON.parse(text) as EditsFile,
      () => null,
    );
  /** Rewrites a stack's edits atomically, keeping what the change does not touch (pages given in, gives out). */
  const writeEdits = async (stackId: string, change: Partial<EditsFile> & Pick<EditsFile, 'bills' | 'orphans'>) => {
    const before = await readEdits(stackId);
    await writeFileAtomic(editsFile(stackId), `${JSON.stringify({ ...before, ...change, version: 1 }, null, 1)}\n`);
  };
  const withEdits = async (stack: StackRecord): Promise<StackRecord> => {
    const edits = await readEdits(stack.id);
    if (edits) {
      return {
        ...stack,
        bills: edits.bills,
        orphans: edits.orphans,
        ...(edits.added?.length ? { pages: [...stack.pages, ...edits.added] } : {}),
        ...(edits.orphansDiscarded?.length ? { orphansDiscarded: edits.orphansDiscarded } : {}),
      };
    }
    // Spools written before edits.json kept one file per changed bill.
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
  /** One stack with its changes; ids are checked so a caller's text is never a path. */
  const findStack = async (id: string): Promise<StackRecord | null> => (/^[\w-]+$/.test(id) ? readStack(id).then((record) => record && withChanges(record)) : null);
  const listStacks = async (): Promise<StackRecord[]> => {
    const ids = await fs.readdir(stacksDir).catch(() => [] as string[]);
    const records = await Promise.all(ids.sort().map(readStack));
    return Promise.all(records.filter((record): record is StackRecord => record !== null).map(withChanges));
  };
  const loadIndex = async () => {
    if (index) return index;
    index = new Map();
    for (const stack of await listStacks()) {
      index.set(stack.source.sha256, { id: stack.id, importedAt: stack.importedAt });
      for (const before of stack.previousSources ?? []) index.set(before.sha256, { id: stack.id, importedAt: stack.importedAt });
      for (const part of stack.batch?.sources ?? []) index.set(part.sha256, { id: stack.id, importedAt: stack.importedAt });
    }
    return index;
  };
  /**
   * Moves the source to `target` only while it is still the very file that was read (same
   * device and inode, size and mtime): a file replaced meanwhile (same name, atomic rename — what
   * scanner software does when it rewrites a batch), rewritten or grown in place, renamed or removed
   * stays where it is, and a replacement is taken in on its own next. The ledger records the SHA-256
   * of the bytes that were read.
   */
  const moveSource = async (file: string, name: string, target: string | undefined, read: FileIdentity, sha256: string): Promise<SourceFate> => {
    if (!target) return 'kept';
    const now = await fs.lstat(file, { bigint: true }).catch((error: NodeJS.ErrnoException) => error);
    if (now instanceof Error) {
      if (now.code === 'ENOENT') {
        options.log.warn('spool.source-gone', { name });
        return 'gone';
      }
      throw new CoreError('source-not-moved', { name, folder: target, ...causeParams(now) }, { cause: now });
    }
    if (!now.isFile() || !isSameFile(now, read)) {
      options.log.warn('spool.source-changed', { name });
      return 'changed';
    }
    const notMoved = (error: unknown) => new CoreError('source-not-moved', { name, folder: target, ...causeParams(error) }, { cause: error });
    await fs.mkdir(target, { recursive: true }).catch((error: unknown) => {
      throw notMoved(error);
    });
    let destination = path.join(target, name);
    for (let n = 2; await fs.lstat(destination).then(() => true, () => false); n += 1) destination = path.join(target, `${path.parse(name).name} (${n})${path.parse(name).ext}`);
    await fs.rename(file, destination).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return 'gone' as const;
      throw notMoved(error);
    });
    // Between the look above and the rename another file may have taken the name: put it back.
    const moved = await fs.lstat(destination, { bigint: true }).catch(() => null);
    if (!moved) {
      options.log.warn('spool.source-gone', { name });
      return 'gone';
    }
    if (!isSameFile(moved, read)) {
      const back = await fs.lstat(file).then(() => false, () => true);
      if (back) await fs.rename(destination, file).catch(() => undefined);
      options.log.warn('spool.source-changed', { name, putBack: back });
      return 'changed';
    }
    await syncDirectory(target);
    await syncDirectory(path.dirname(file));
    // The ledger says which files we moved there, when, and with what content: only those are ever
    // deleted by the retention sweep. A crash before this line leaves the file kept for ever.
    await appendDurable(importedLedgerFile, `${JSON.stringify({ dir: path.resolve(target), name: path.basename(destination), sha256, at: options.now().toISOString() })}\n`);
    return 'moved';
  };

  /**
   * Deletes sources in `dir` (a watch folder's `imported/`) that the ledger says were moved there
   * more than the retention days ago, and only when the file there still has the content we moved
   * (SHA-256): a file someone put there by hand, or replaced, is never touched.
   */
  /**
   * Whether nothing taken in from the source with this SHA-256 is still to go: every bill uploaded
   * (closed on the server) or discarded, no orphan pages. A source whose stack is gone (recycled and
   * deleted) has nothing left either.
   */
  const allUploaded = async (sha256: string): Promise<boolean> => {
    const known = (await loadIndex()).get(sha256);
    if (!known) return true;
    const stack = await findStack(known.id);
    return !stack || isStackFinished(stack, await readStackManifests(stacksDir, stack.id));
  };
  /** Sources moved to `imported/` folders: kept in the spool, so nothing of ours sits in the clerk's folder. */
  const importedLedgerFile = path.join(options.dir, 'imported-sources.jsonl');
  const sweepImported = async (dir: string): Promise<number> => {
    const days = (await splitSettings()).importedDays;
    if (days <= 0) return 0;
    const ledgerFile = importedLedgerFile;
    const folder = path.resolve(dir);
    const stat = await fs.lstat(ledgerFile).catch(() => null);
    if (!stat?.isFile()) return 0;
    if (stat.size > maxImportedLedgerBytes) {
      options.log.warn('spool.imported-ledger-too-large', { size: stat.size });
      return 0;
    }
    const entries = (await fs.readFile(ledgerFile, 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        try {
          return JSON.parse(line) as ImportedSource;
        } catch {
          return null;
        }
      })
      .filter((entry): entry is ImportedSource => entry !== null && typeof entry.dir === 'string' && typeof entry.name === 'string' && typeof entry.sha256 === 'string' && typeof entry.at === 'string');
    const kept: typeof entries = [];
    let deleted = 0;
    for (const entry of entries) {
      // Another watch folder's sources wait for that folder's sweep.
      if (entry.dir !== folder) {
        kept.push(entry);
        continue;
      }
      const due = options.now().getTime() - Date.parse(entry.at) >= days * 86_400_000;
      // A name is only ever a plain file name in this folder.
      const file = path.join(folder, path.basename(entry.name));
      const found = await fs.lstat(file).catch(() => null);
      if (!found?.isFile()) continue;
      // The original is kept until every page taken from it has gone up (or was discarded).
      if (!due || !(await allUploaded(entry.sha256))) {
        kept.push(entry);
        continue;
      }
      if ((await hashFile(file).catch(() => null)) !== entry.sha256) {
        options.log.warn('spool.imported-changed', { name: entry.name });
        continue;
      }
      await fs.rm(file, { force: true });
      audit.write({ event: 'source-deleted', source: entry.name, detail: `moved to imported/ at ${entry.at}; the ${days}-day retention has passed and every bill from it is uploaded or discarded` });
      deleted += 1;
    }
    if (kept.length !== entries.length) await writeFileAtomic(ledgerFile, kept.map((entry) => `${JSON.stringify(entry)}\n`).join(''));
    return deleted;
  };

  const recycleDir = path.join(options.dir, 'recycle');
  /**
   * A stack with nothing left to upload (every bill discarded, no orphans) leaves `stacks/` for
   * `recycle/` in one rename, stamped with the time; it is deleted after the retention days.
   */
  const recycleStack = async (stack: StackRecord) => {
    await writeFileAtomic(path.join(stacksDir, stack.id, 'recycled.json'), `${JSON.stringify({ at: options.now().toISOString() })}\n`);
    await fs.mkdir(recycleDir, { recursive: true });
    await fs.rename(path.join(stacksDir, stack.id), path.join(recycleDir, stack.id));
    await syncDirectory(recycleDir);
    await syncDirectory(stacksDir);
    options.onStackChanged?.(stack.id);
    // The same file may be taken in again (a rescan after discarding everything).
    index?.delete(stack.source.sha256);
    audit.write({ event: 'recycled', stack: stack.id, source: stack.source.name, detail: 'every bill discarded: kept in the recycle folder until the retention days have passed' });
  };
  /**
   * Deletes the page images of stacks whose every bill is uploaded (closed on the server) or
   * discarded, once the last upload is older than the retention days. The stack's record, its
   * thumbnails and the receipts stay: what was sent, when, and the server's proof remain queryable.
   */
  const sweepDone = async (): Promise<number> => {
    const days = (await splitSettings()).doneDays;
    if (days <= 0) return 0;
    let swept = 0;
    for (const stack of await listStacks()) {
      if (await fs.stat(path.join(stacksDir, stack.id, pagesRemovedFile)).then(() => true, () => false)) continue;
      const uploads = await readStackManifests(stacksDir, stack.id);
      const live = stack.bills.filter((bill) => bill.state !== 'discarded');
      if (live.length === 0 || !isStackFinished(stack, uploads)) continue;
      const last = Math.max(...live.map((bill) => Date.parse(uploads.get(bill.id)?.closedAt ?? '')));
      if (!Number.isFinite(last) || options.now().getTime() - last < days * 86_400_000) continue;
      // The marker first: a crash mid-delete leaves a stack known to have lost its pages, never one that seems whole.
      await writeFileAtomic(path.join(stacksDir, stack.id, pagesRemovedFile), `${JSON.stringify({ at: options.now().toISOString(), days })}\n`);
      await fs.rm(path.join(stacksDir, stack.id, 'pages'), { recursive: true, force: true });
      options.onStackChanged?.(stack.id);
      audit.write({ event: 'pages-deleted', stack: stack.id, source: stack.source.name, detail: `every bill uploaded by ${new Date(last).toISOString()}; the ${days}-day retention has passed; receipts kept` });
      swept += 1;
    }
    return swept;
  };
  /** Deletes recycled stacks older than the retention days. */
  const sweepRecycle = async () => {
    const days = (await splitSettings()).recycleDays;
    const ids = await fs.readdir(recycleDir).catch(() => [] as string[]);
    let deleted = 0;
    for (const id of ids) {
      const stamp = await fs.readFile(path.join(recycleDir, id, 'recycled.json'), 'utf8').then((text) => (JSON.parse(text) as { at: string }).at, () => null);
      if (!stamp || options.now().getTime() - Date.parse(stamp) < days * 86_400_000) continue;
      await fs.rm(path.join(recycleDir, id), { recursive: true, force: true });
      audit.write({ event: 'deleted', stack: id, detail: `recycled at ${stamp}; the ${days}-day retention has passed` });
      deleted += 1;
    }
    return deleted;
  };
  const splitSettings = async (): Promise<SplitSettings> =>
    options.settings ? options.settings() : { rules: options.rules, blankInkShare: options.blankInkShare ?? defaultBlankInkShare, split: options.split ?? defaultSplitOptions, recycleDays: 30, importedDays: 0, doneDays: 30, release: 'auto' };
  /** Who scans where now; a spool without a source (tools, tests) records nobody and nowhere. */
  const scanNow = async (): Promise<StackScan> => (options.scan ? options.scan() : { user: null, point: null });
  let changing: Promise<unknown> = Promise.resolve();
  const givingFile = (stackId: string) => path.join(stacksDir, stackId, 'giving.json');
  /** A stack's orphans entry as a bill-shaped answer (what the CLI and the desk get back). */
  const orphansEntry = (stack: StackRecord, pages: number[], state: SpoolBill['state']): SpoolBill => ({ id: orphansId(stack.id), stackId: stack.id, code: null, cover: null, pages, held: 'orphans', turned: false, state });
  /** Recycles a stack with nothing left: every bill discarded (or none) and no orphan pages waiting. */
  const recycleIfSpent = async (stack: StackRecord) => {
    if (stack.bills.every((candidate) => candidate.state === 'discarded') && stack.orphans.length === 0) await recycleStack(stack);
  };
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
        audit.write({ event: 'edited', stack: part.from, pages: part.pages.map((page) => page.from), detail: give.merge ? `merging the copies into ${give.bill} did not finish: every copy is still held` : `giving the orphan pages to ${give.bill} did not finish: they are still orphans` });
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
    audit.write({ event: 'merged', stack: give.to, bill: bill.id, code: bill.code, source: target.source.name, pages: released.pages, detail: `repeated code: ${give.merge?.copies ?? 2} copies merged in scan order` });
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
        options.onStackChanged?.(part.from);
        const there = `(there pages ${part.pages.map((page) => page.to).join(', ')})`;
        if (give.merge) {
          for (const copy of source.bills.filter((candidate) => copies.has(candidate.id)))
            audit.write({ event: 'discarded', stack: part.from, bill: copy.id, code: copy.code, source: source.source.name, pages: copy.pages, detail: `repeated code: pages ${copy.pages.join(', ')} merged into ${give.bill} of stack ${give.to} ${there}` });
        } else audit.write({ event: 'edited', stack: part.from, bill: orphansId(part.from), source: source.source.name, pages: moved, detail: `orphan pages given to bill ${give.bill} of stack ${give.to} ${there}` });
      }
      await options.afterGiveStep?.('source-updated');
    }
    if (give.merge) {
      await releaseMerged(give);
      await options.afterGiveStep?.('target-released');
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
      await options.afterGiveStep?.('intent-written');
    }
    const added: StoredPage[] = [];
    const targetDir = path.join(stacksDir, give.to);
    for (const part of give.parts) {
      const source = sources.get(part.from);
      for (const { from, to } of part.pages) {
        const stored = source?.pages.find((page) => page.page === from);
        if (!source || !stored) throw new CoreError('bill-not-found', { bill: part.copies?.[0] ?? orphansId(part.from) });
        const bytes = await fs.readFile(path.join(stacksDir, part.from, stored.file));
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
      await options.afterGiveStep?.('pages-copied');
    }
    const before = await readEdits(give.to);
    // The commit point: from this write the pages are the bill's.
    await writeEdits(give.to, { bills, orphans: target.orphans, added: [...(before?.added ?? []), ...added], received: [...(before?.received ?? []), ...give.parts.map((part) => ({ id: give.id, from: part.from, pages: part.pages }))] });
    options.onStackChanged?.(give.to);
    audited();
    if (home === undefined) return;
    await options.afterGiveStep?.('target-committed');
    await finishGive(give, home);
  };
  /** Gives a stack's orphan pages to a bill of another stack (see giveInto), at the end of the bill. */
  const giveOrphans = async (fromId: string, billId: string): Promise<SpoolBill> => {
    const toId = billId.replace(/-\d+$/, '');
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
    const give: GiveRecord = { id: randomBytes(6).toString('hex'), to: toId, bill: billId, parts: [{ from: fromId, pages }], pid: process.pid, at: options.now().toISOString() };
    const taken = { ...bill, pages: [...bill.pages, ...pages.map((page) => page.to)] };
    await giveInto(give, target, new Map([[fromId, source]]), target.bills.map((candidate) => (candidate.id === billId ? taken : candidate)), () =>
      audit.write({ event: 'edited', stack: toId, bill: billId, code: bill.code, source: target.source.name, pages: taken.pages, detail: `took the orphan pages ${pages.map((page) => page.from).join(', ')} of ${source.source.name} (stack ${fromId}) as pages ${pages.map((page) => page.to).join(', ')}` }),
    );
    options.log.info('spool.orphans-given', { from: fromId, bill: billId, pages: pages.length });
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
    const give: GiveRecord = { id: randomBytes(6).toString('hex'), to: target.id, bill: merged.id, parts, merge: { copies: all.length }, pid: process.pid, at: options.now().toISOString() };
    await giveInto(give, target, new Map(others.map((other) => [other.stack.id, other.stack])), bills, () => {
      for (const other of sameStack) audit.write({ event: 'discarded', stack: target.id, bill: other.id, code: other.code, source: target.source.name, pages: other.pages, detail: `repeated code: pages ${other.pages.join(', ')} merged into ${merged.id}` });
      if (resolvedNow) audit.write({ event: 'merged', stack: target.id, bill: merged.id, code: merged.code, source: target.source.name, pages, detail: `repeated code: ${all.length} copies merged in scan order` });
      else {
        const taken = parts.map((part) => `pages ${part.pages.map((page) => page.from).join(', ')} of ${part.copies?.join(', ')} (stack ${part.from}) as ${part.pages.map((page) => page.to).join(', ')}`).join('; ');
        audit.write({ event: 'edited', stack: target.id, bill: merged.id, code: merged.code, source: target.source.name, pages, detail: `repeated code: took ${taken}; held until every copy is discarded` });
      }
    });
    options.log.info('spool.copies-resolved', { bill: merged.id, mode: 'merge-copies', copies: all.length });
    return (await readEdited(target.id))?.bills.find((candidate) => candidate.id === merged.id) ?? kept;
  };
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
        options.onStackChanged?.(stackId);
        audit.write({ event: 'discarded', stack: stackId, bill: orphansId(stackId), source: stack.source.name, pages: discarded, detail: 'the pages before the first cover were discarded (kept with the stack, in the recycle folder once nothing of it is left)' });
        await recycleIfSpent({ ...stack, orphans: [] });
        options.log.info('spool.bill-changed', { bill: orphansId(stackId), action: 'discard' });
        return orphansEntry(stack, discarded, 'discarded');
      }
      case 'give-orphans':
        if (change.to.replace(/-\d+$/, '') === stackId) return changeBillNow(change.to, { action: 'take-orphans' });
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
        options.onStackChanged?.(stackId);
        audit.write({ event: 'edited', stack: stackId, bill: created.id, code: created.code, source: stack.source.name, pages: created.pages, detail: `orphan page ${change.page} made the cover of new bill ${created.id} (${change.code})` });
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
    const settings = await splitSettings();
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
  /** A stack as people left it (without the open source's wait, which is shown, never written). */
  const readEdited = async (stackId: string) => (/^[\w-]+$/.test(stackId) ? readStack(stackId).then((record) => record && withEdits(record)) : null);
  /** Writes a stack's bills as people changed them (one atomic rewrite of its edits file) and tells the index. */
  const writeBills = async (stackId: string, bills: SpoolBill[], orphans: number[]) => {
    await writeEdits(stackId, { bills, orphans });
    options.onStackChanged?.(stackId);
  };
  /** The other live copies of a bill's code in the spool (any stack), in scan order, each with its upload state. */
  const liveCopies = async (bill: SpoolBill): Promise<Array<{ stack: StackRecord; bill: SpoolBill; started: boolean }>> => {
    if (!bill.code) return [];
    const found: Array<{ stack: StackRecord; bill: SpoolBill; started: boolean }> = [];
    const ids = (await fs.readdir(stacksDir).catch(() => [] as string[])).filter((id) => /^[\w-]+$/.test(id)).sort();
    for (const id of ids) {
      const stack = await readEdited(id);
      if (!stack) continue;
      const copies = stack.bills.filter((candidate) => candidate.id !== bill.id && candidate.state !== 'discarded' && candidate.code === bill.code);
      if (copies.length === 0) continue;
      const manifests = await readStackManifests(stacksDir, id);
      for (const copy of copies) found.push({ stack, bill: copy, started: manifests.has(copy.id) });
    }
    return found;
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
    const stack = await readEdited(billId.replace(/-\d+$/, ''));
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
      for (const copy of group) audit.write({ event: 'discarded', stack: otherId, bill: copy.bill.id, code: copy.bill.code, source: other.source.name, pages: copy.bill.pages, detail: `repeated code: the copy ${bill.id} was kept` });
      if (bills.every((candidate) => candidate.state === 'discarded') && other.orphans.length === 0) await recycleStack(other);
    }
    const sameStack = new Set(copies.filter((copy) => copy.stack.id === stack.id).map((copy) => copy.bill.id));
    const kept: SpoolBill = { ...bill, held: null, state: 'ready' };
    const bills = stack.bills.map((candidate) => (candidate.id === bill.id ? kept : sameStack.has(candidate.id) ? { ...candidate, state: 'discarded' as const } : candidate));
    await writeBills(stack.id, bills, stack.orphans);
    for (const copy of copies.filter((candidate) => sameStack.has(candidate.bill.id))) audit.write({ event: 'discarded', stack: stack.id, bill: copy.bill.id, code: copy.bill.code, source: stack.source.name, pages: copy.bill.pages, detail: `repeated code: the copy ${bill.id} was kept` });
    audit.write({ event: 'released', stack: stack.id, bill: bill.id, code: bill.code, source: stack.source.name, pages: kept.pages, detail: `repeated code: this copy kept, ${copies.length} discarded` });
    options.log.info('spool.copies-resolved', { bill: bill.id, mode, copies: copies.length + 1 });
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
      for (const bill of bills.filter((candidate) => ids.has(candidate.id) && candidate.held === 'duplicate-code')) audit.write({ event: 'held', stack: stackId, bill: bill.id, code: bill.code, source: stack.source.name, pages: bill.pages, reason: 'duplicate-code', detail: `the same code was taken in again from ${source}: every copy waits for a person` });
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
    const stackId = billId.replace(/-\d+$/, '');
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
        const settingsRelease = (await splitSettings()).release ?? 'auto';
        if (classifyPayload(change.code, (await splitSettings()).rules).kind !== 'cover') throw refuse('invalid-code');
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
    options.onStackChanged?.(stack.id);
    const event = change.action === 'release' ? 'released' : change.action === 'discard' ? 'discarded' : 'edited';
    audit.write({ event, stack: stack.id, bill: billId, code: next.code, source: stack.source.name, pages: next.pages, detail });
    await recycleIfSpent({ ...stack, bills, orphans });
    options.log.info('spool.bill-changed', { bill: billId, action: change.action });
    return next;
  };

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
    await serialized(() => holdEarlierCopies(toHold, name));
    return { bills: split.bills.map((bill, n) => ({ ...bill, id: `${stackId}-${n + 1}`, stackId, state: bill.held ? 'held' : settings.release === 'review' ? 'review' : 'ready' })), orphans: split.orphans, blank: split.blank };
  };

  /**
   * Opens `file` once and copies its bytes, hashed on the way, into `<work>/source/` (removing `work`
   * on any failure): everything after reads that copy, so what is stored is exactly what was hashed.
   */
  const readSource = async (file: string, name: string, work: string): Promise<{ read: FileIdentity & { isFile(): boolean }; sha256: string; copy: string }> => {
    const unreadable = (error: unknown) => new CoreError('file-unreadable', { name, ...causeParams(error) }, { cause: error });
    // The file is opened once; its bytes are read (and hashed) through that handle into the work
    // folder, and everything after reads that copy: what is stored is exactly what was hashed,
    // whatever happens to the path meanwhile.
    const linked = await fs.lstat(file).catch((error: unknown) => {
      throw unreadable(error);
    });
    if (!linked.isFile()) throw new CoreError('file-unreadable', { name, reason: 'not-regular-file' });
    const handle = await fs.open(file, 'r').catch((error: unknown) => {
      throw unreadable(error);
    });
    let read: FileIdentity & { isFile(): boolean };
    let sha256: string;
    let copy: string;
    try {
      read = await handle.stat({ bigint: true });
      // A link swapped in between the lstat and the open is never read.
      if (!read.isFile() || Number(read.ino) !== linked.ino) throw new CoreError('file-unreadable', { name, reason: 'not-regular-file' });
      // Size and format before anything is copied or hashed: a 2 GB file, or one that is no
      // document at all, is refused from its size and first kilobyte.
      const head = new Uint8Array(1024);
      const { bytesRead } = await handle.read(head, 0, head.length, 0).catch((error: unknown) => {
        throw unreadable(error);
      });
      checkDocumentHead(name, Number(read.size), head.subarray(0, bytesRead), options.limits ?? defaultDocumentLimits);
      await fs.mkdir(path.join(work, 'source'), { recursive: true });
      copy = path.join(work, 'source', path.basename(name));
      const copied = await copyThroughHandle(handle, Number(read.size), copy).catch((error: unknown) => {
        if (error instanceof CoreError) throw error;
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOSPC' || code === 'EDQUOT') throw new CoreError('disk-full', { name, dir: options.dir }, { cause: error });
        throw unreadable(error);
      });
      sha256 = copied.sha256;
      // Written to while it was read (grown, rewritten in place): what was read is no stack.
      if (copied.bytes !== Number(read.size) || !isSameFile(await handle.stat({ bigint: true }), read)) throw new CoreError('file-changed', { name });
    } catch (error) {
      await fs.rm(work, { recursive: true, force: true }).catch(() => undefined);
      throw error;
    } finally {
      await handle.close();
    }
    return { read, sha256, copy };
  };

  const batches = createBatchStore({
    dir: options.dir,
    scan: scanNow,
    log: options.log,
    now: options.now,
    audit: (record) => audit.write(record),
    async readSource(file, name, work) {
      const { read, sha256, copy } = await readSource(file, name, work);
      return { identity: toSourceIdentity(read, sha256), copy };
    },
    moveSource: (file, name, target, identity) => moveSource(file, name, target, fromSourceIdentity(identity), identity.sha256),
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
      return moveSource(file, closeOptions.name, closeOptions.moveSourceTo, expected, closeOptions.read.sha256);
    },
    async recover() {
      await fs.mkdir(tmpDir, { recursive: true });
      await fs.mkdir(stacksDir, { recursive: true });
      // Work in progress never counts: its source is still where it was (it moves only after the stack is in).
      const leftovers = await fs.readdir(tmpDir);
      for (const name of leftovers) await fs.rm(path.join(tmpDir, name), { recursive: true, force: true });
      if (leftovers.length > 0) options.log.warn('spool.recovered', { removedTemp: leftovers.length });
      index = null;
      // A give (orphan pages, or a merge of copies) a crash interrupted is finished (committed) or forgotten (not).
      await settleGives();
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
    changeBill(billId, change) {
      // One change at a time per spool: each is a read-modify-write of its stack's edits file.
      return serialized(() => changeBillNow(billId, change));
    },
    async releaseReviewed() {
      const waiting = (await listStacks()).flatMap((stack) => stack.bills.filter((bill) => bill.state === 'review'));
      const released: SpoolBill[] = [];
      for (const bill of waiting) released.push(await serialized(() => changeBillNow(bill.id, { action: 'release' })));
      return released;
    },
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
      const { read, sha256, copy } = await readSource(file, name, work);
      const identity = toSourceIdentity(read, sha256);
      const known = (await loadIndex()).get(sha256);
      if (known) {
        await fs.rm(work, { recursive: true, force: true });
        // Already safely in (a crash may have come between storing it and moving the source). The
        // source of a stack still open waits for the watch to close it.
        const open = ingestOptions.sourceMayGrow === true && (await readStack(known.id).then((stack) => stack !== null && isSourceOpen(stack)));
        const source = open ? 'kept' : await moveSource(file, name, ingestOptions.moveSourceTo, read, sha256);
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
      const source = ingestOptions.sourceMayGrow ? 'kept' : await moveSource(file, name, ingestOptions.moveSourceTo, read, sha256);
      return { status: 'ingested', stack: record, source, read: identity };
    },
  };
}
