// What the spool stores about a stack (stack.json: its source, pages and bills) and the small shared types its stores use; imports nothing else of the spool.
import path from 'node:path';
import type { StackScan } from '../../shared/station/scan-fields.js';
import type { PagePoint } from '../split/classify-page.js';
import type { ClassifiedPage, SplitBill } from '../split/split-stack.js';

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

/** The stack a bill belongs to: a bill's id is its stack's id and its number (`<stackId>-<n>`). */
export function stackIdOfBill(billId: string): string {
  return billId.replace(/-\d+$/, '');
}

/** Where a stored page's file is: `stacks/<stackId>/<file>` (the queue and the gives read pages through this). */
export function storedPagePath(stacksDir: string, stackId: string, file: string): string {
  return path.join(stacksDir, stackId, file);
}

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

/** What became of a taken-in source: moved, not asked to move, or left because it changed or went. */
export type SourceFate = 'moved' | 'kept' | 'changed' | 'gone';

/** How far the intake of one file is: `page` of `pages` stored. */
export interface IngestProgress {
  name: string;
  page: number;
  pages: number;
}
