// The open batch of one-file-per-page scans a watch fills: page files grouped by their name pattern and numbering, closed by a quiet gap, a restart, another pattern or the clerk.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../log/logger.js';
import type { BatchSummary } from '../spool/batch-store.js';
import type { Spool } from '../spool/spool.js';
import type { IngestProgress } from '../spool/stack-record.js';
import type { FolderClaims } from './folder-claims.js';
import { parsePageName } from './page-files.js';
import { hashFile } from '../spool/source-files.js';
import type { FileTaker, MoveFolders } from './take-file.js';
import { closedBatchEvent, type WatchEvent } from './watch-report.js';

/** Why an open batch closed: a quiet gap, its numbering restarted, another name pattern, the clerk's request, a subfolder taken whole. */
export type BatchCloseReason = 'quiet' | 'restart' | 'pattern' | 'requested' | 'folder';

/** The default quiet gap after which an open batch of page files closes (a desk setting). */
export const defaultBatchGapMs = 10_000;

/** What the open batch needs of its watch. */
export interface OpenBatchOptions {
  folder: string;
  spool: Spool;
  log: Logger;
  now: () => number;
  /** The quiet gap after the last page of an open batch before it closes (read at every look; default 10 s). */
  batchGapMs?: () => number | Promise<number>;
  claims: FolderClaims;
  /** A page file's failures are counted like any file's. */
  taker: FileTaker;
  /** Told of the page being taken in (null when it is done). */
  showReceiving: (progress: IngestProgress | null) => void;
}

/** The figures of a batch the screens show, from its sources. */
function summarizeAdded(sources: Array<{ name: string; number: number | null; seq: number; at: string; pages: unknown[] }>): Pick<BatchSummary, 'pages' | 'files' | 'first' | 'last' | 'lastAt' | 'numbers'> {
  const ordered = [...sources].sort((a, b) => (a.number ?? Number.MAX_SAFE_INTEGER) - (b.number ?? Number.MAX_SAFE_INTEGER) || a.seq - b.seq);
  return { pages: sources.reduce((sum, source) => sum + source.pages.length, 0), files: sources.length, first: ordered[0]?.name ?? null, last: ordered.at(-1)?.name ?? null, lastAt: sources.map((source) => source.at).sort().at(-1) ?? null, numbers: sources.map((source) => source.number) };
}

/** Whether a page numbered `number` restarts the numbering of the open batch (its number, or one at or below where it began, again). */
function restartsNumbering(numbers: Array<number | null>, number: number | null): boolean {
  if (numbers.length === 0) return false;
  if (number === null) return true;
  const known = numbers.filter((value): value is number => value !== null);
  return known.includes(number) || (known.length > 0 && number <= Math.min(...known));
}

/**
 * The open batch of loose page files one watched folder fills (a scanner that writes one file per
 * page): resumed from the spool at the first look, each page committed to it before its source
 * moves, closed into one stack when the quiet gap passes, the numbering restarts, the name pattern
 * changes or the clerk asks.
 */
export function createOpenBatch(options: OpenBatchOptions) {
  const { now } = options;
  /** The open batch of loose page files this watch fills (resumed from the spool at the first look). */
  let openBatch: { id: string; pattern: string; numbers: Array<number | null>; summary: BatchSummary } | null = null;
  let batchesLoaded = false;
  /** When a page last joined the batch or a file was last seen still changing: the quiet gap counts from it. */
  let lastActivity = now();

  /** Closes the open batch into one stack (split like any stack); its pages' sources already moved. */
  const close = async (reason: BatchCloseReason, events: WatchEvent[]) => {
    const batch = openBatch;
    if (!batch) return;
    openBatch = null;
    const stack = await options.spool.batches.closeBatch(batch.id);
    options.log.info('intake.batch-closed', { batch: batch.id, reason, stack: stack?.id ?? null, pages: stack?.pages.length ?? 0 });
    if (stack) events.push(closedBatchEvent(options.folder, stack));
  };

  /** This folder's open batch, resumed from the spool at the first look (an older one a crash left open is closed). */
  const load = async (events: WatchEvent[]) => {
    if (batchesLoaded) return;
    const open = (await options.spool.batches.listBatches(options.folder)).filter((batch) => !batch.pattern.startsWith('dir:'));
    batchesLoaded = true;
    for (const older of open.slice(0, -1)) {
      const stack = await options.spool.batches.closeBatch(older.id);
      if (stack) events.push(closedBatchEvent(options.folder, stack));
    }
    const newest = open.at(-1);
    if (newest) openBatch = { id: newest.id, pattern: newest.pattern, numbers: newest.numbers, summary: newest };
    // After a restart the quiet gap starts again: the scanner may have written pages meanwhile.
    lastActivity = now();
  };

  /**
   * Whether this file is the very one the open batch already holds under its number: a crash between
   * the batch's commit and the source's move leaves it claimed, and taking it again is "already in"
   * (only moved), never a restart of the numbering that would close the batch early.
   */
  const isInOpenBatch = async (batchId: string, file: string, number: number | null, size: number | undefined): Promise<boolean> => {
    if (number === null || size === undefined) return false;
    const held = (await options.spool.batches.readBatch(batchId))?.sources.find((source) => source.number === number && source.size === size);
    return held !== undefined && (await hashFile(file).catch(() => null)) === held.sha256;
  };

  /** Takes one claimed loose page file into the open batch (closing the batch first when its numbering restarts or its name pattern changes). */
  const takePage = async (claimed: string, name: string, dirs: MoveFolders, events: WatchEvent[]): Promise<WatchEvent> => {
    const stat = await fs.stat(claimed).catch(() => null);
    const signature = `${stat?.size ?? 0}:${stat?.mtimeMs ?? 0}`;
    const { pattern, number } = parsePageName(name);
    try {
      if (openBatch && openBatch.pattern !== pattern) await close('pattern', events);
      if (openBatch && restartsNumbering(openBatch.numbers, number) && !(await isInOpenBatch(openBatch.id, claimed, number, stat?.size))) await close('restart', events);
      if (!openBatch) {
        const opened = await options.spool.batches.openBatch({ folder: options.folder, pattern });
        openBatch = { id: opened.id, pattern, numbers: [], summary: { id: opened.id, folder: opened.folder, pattern, pages: 0, files: 0, first: null, last: null, openedAt: opened.openedAt, lastAt: null, closeRequested: false, numbers: [] } };
      }
      const batch = openBatch;
      const added = await options.spool.batches.addToBatch(batch.id, claimed, { name, number, moveSourceTo: dirs.imported, onProgress: (progress) => options.showReceiving(progress) });
      options.taker.taken(claimed, name);
      lastActivity = now();
      if (added.status === 'added') {
        batch.numbers = added.batch.sources.map((source) => source.number);
        batch.summary = { ...batch.summary, ...summarizeAdded(added.batch.sources) };
      }
      if (added.source === 'changed') await options.claims.release(claimed, name);
      return { kind: 'batched', file: path.join(options.folder, name), status: added.status, batch: batch.summary };
    } catch (thrown) {
      return options.taker.fail(claimed, name, thrown, signature, dirs);
    } finally {
      options.showReceiving(null);
    }
  };

  return {
    /** The open batch as the screens show it (null: none). */
    summary: (): BatchSummary | null => openBatch?.summary ?? null,
    load,
    close,
    takePage,
    /** Closes the open batch when the clerk asked for it ("batch complete"): the pages that settle after it start the next batch. */
    async closeIfRequested(events: WatchEvent[]) {
      if (openBatch && (await options.spool.batches.isRequested(openBatch.id))) await close('requested', events);
    },
    /** Closes the open batch when the clerk asked (`batch complete`, `intake --close-batch`) or after the quiet gap (`pending`: files still settling or not reached keep it open). */
    async checkClose(events: WatchEvent[], pending: boolean) {
      if (!openBatch) return;
      if (await options.spool.batches.isRequested(openBatch.id)) return close('requested', events);
      if (pending) {
        lastActivity = now();
        return;
      }
      const gap = options.batchGapMs ? await options.batchGapMs() : defaultBatchGapMs;
      if (now() - lastActivity >= gap) await close('quiet', events);
    },
  };
}

/** The open batch of page files a watch fills. */
export type OpenBatch = ReturnType<typeof createOpenBatch>;
