// The watch loop: one look at a watched folder after another — what it takes in which order, the time slice and its backlog, the imported/ and refused/ folders, the status it reports.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { causeParams, CoreError } from '../base/errors.js';
import { isIgnoredName } from '../document/detect-format.js';
import type { Logger } from '../log/logger.js';
import type { BatchSummary } from '../spool/batch-store.js';
import type { Spool } from '../spool/spool.js';
import type { IngestProgress, StackRecord } from '../spool/stack-record.js';
import { isLoosePageFile, parsePageName } from './page-files.js';
import { compareNatural } from '../text/natural-order.js';
import { createFolderClaims } from './folder-claims.js';
import { createOpenBatch } from './open-batch.js';
import { createFileTaker } from './take-file.js';
import { createSubfolderTaker } from './take-subfolder.js';
import { createFolderPoller } from './watch-folder.js';
import { checkWatchedFolder, type WatchEvent, type WatchStatus } from './watch-report.js';

/** The watch loop's options. */
export interface WatchIntakeOptions {
  folder: string;
  spool: Spool;
  log: Logger;
  settleMs: number;
  /** A file that stays incomplete (still being written?) and unchanged this long is refused. */
  incompleteGraceMs?: number;
  now?: () => number;
  /** Names this station's claims; by default the spool's own id. */
  stationId?: string;
  /** The time slice of one look: no new file is started after it (the rest is the backlog). */
  lookBudgetMs?: number;
  /** The quiet gap after the last page of an open batch before it closes (read at every look; default 10 s). */
  batchGapMs?: () => number | Promise<number>;
}

/** How often a running watch applies the `imported/` retention. */
const importedSweepEveryMs = 60 * 60_000;

/** The default time slice of one look, in ms of real time (see `lookBudgetMs`). */
export const defaultLookBudgetMs = 3000;

/**
 * The watched-folder intake, shared by `scan-station intake --watch` and the desktop app: each look
 * claims settled, complete files (a rename into `.scan-station/claims/<station>/`, so two stations
 * sharing a folder never take the same file) and takes them into the spool one at a time, oldest
 * first, within a time slice (the source moves to `imported/` only after its pages are on disk and
 * only if it is still the file that was read), moves what can never be taken to `refused/` (never
 * deletes), and reports where the folder stands. No throw from one file, nor from a look, ever
 * leaves it: a file's unexpected error is that file's failure, a look that fails twice the same
 * way is the `failing` status. The caller decides how often to look and when to stop.
 */
export function createWatchIntake(options: WatchIntakeOptions) {
  const now = options.now ?? (() => Date.now());
  const budgetMs = options.lookBudgetMs ?? defaultLookBudgetMs;
  const poller = createFolderPoller(options.folder, { settleMs: options.settleMs, now });
  const claims = createFolderClaims({ folder: options.folder, settleMs: options.settleMs, now, log: options.log, poller });
  /** The file being taken in, page by page. */
  let receiving: IngestProgress | null = null;
  const showReceiving = (progress: IngestProgress | null) => {
    receiving = progress;
  };
  const taker = createFileTaker({ folder: options.folder, spool: options.spool, log: options.log, settleMs: options.settleMs, now, incompleteGraceMs: options.incompleteGraceMs, poller, claims, showReceiving });
  const noticedNames = new Set<string>();
  let status: WatchStatus = { state: 'watching', folder: options.folder, lastLookAt: null, waiting: 0, backlog: 0, claimedElsewhere: [] };
  let lastSweepAt: number | null = null;
  const pageBatch = createOpenBatch({ folder: options.folder, spool: options.spool, log: options.log, now, batchGapMs: options.batchGapMs, claims, taker, showReceiving });
  const subfolders = createSubfolderTaker({ folder: options.folder, spool: options.spool, settleMs: options.settleMs, now, claims, taker, showReceiving });
  let lookFailure: { key: string; count: number; since: number } | null = null;

  /**
   * The folder `imported` or `refused` (or, when a plain file has that name, `imported-2`, …):
   * a clerk's file is never moved away to make room, and the watch says which name it uses.
   */
  const pickFolder = async (base: string, events: WatchEvent[]): Promise<string> => {
    for (let n = 1; ; n += 1) {
      const candidate = path.join(options.folder, n === 1 ? base : `${base}-${n}`);
      const found = await fs.lstat(candidate).catch(() => null);
      if (!found || found.isDirectory()) {
        if (n > 1 && !noticedNames.has(base)) {
          noticedNames.add(base);
          const error = new CoreError('folder-name-taken', { name: base, using: path.basename(candidate) });
          options.log.warn('intake.folder-name-taken', { name: base, using: path.basename(candidate) });
          events.push({ kind: 'notice', file: path.join(options.folder, base), error });
        }
        if (n === 1) noticedNames.delete(base);
        return candidate;
      }
    }
  };

  /** The `imported/` retention, at the first look and then hourly (a station may run for weeks). */
  const sweepImportedNow = async (importedDir: string) => {
    if (lastSweepAt !== null && now() - lastSweepAt < importedSweepEveryMs) return;
    lastSweepAt = now();
    const deleted = await options.spool.sweepImported(importedDir).catch((error: unknown) => {
      options.log.warn('intake.imported-sweep-failed', { reason: String(error) });
      return 0;
    });
    if (deleted > 0) options.log.info('intake.imported-deleted', { count: deleted });
  };

  const lookNow = async (shouldStop: () => boolean, events: WatchEvent[]) => {
    const unavailable = await checkWatchedFolder(options.folder);
    if (unavailable) {
      if (status.state !== 'unavailable') options.log.warn('intake.folder-unavailable', { reason: unavailable.state === 'unavailable' ? unavailable.reason : '' });
      status = unavailable;
      return;
    }
    const started = performance.now();
    const dirs = { imported: await pickFolder('imported', events), refused: await pickFolder('refused', events) };
    await sweepImportedNow(dirs.imported);
    const stationId = options.stationId ?? (await options.spool.stationId());
    claims.start(stationId);
    // A plain file where the claims folder goes blocks every claim: the look fails (and says so).
    await claims.checkRoot();
    await pageBatch.load(events);
    // The clerk's "batch complete" comes first: the pages that settle after it start the next batch.
    await pageBatch.closeIfRequested(events);
    const entries = await fs.readdir(options.folder, { withFileTypes: true });
    for (const entry of entries) {
      if (isIgnoredName(entry.name) || entry.isDirectory() || entry.isFile()) continue;
      // A link, junction, FIFO, socket or device: never opened, moved aside with the reason.
      events.push(await taker.refuse(path.join(options.folder, entry.name), entry.name, new CoreError('file-unreadable', { name: entry.name, reason: 'not-regular-file' }), dirs.refused));
    }
    // This station's own claims first (a claim a crash left is resumed), then the folder's files.
    const ownClaims = await claims.settledClaims();
    await taker.closeQuietSources(dirs.imported);
    // A subfolder this station claimed and did not finish (a crash) is resumed first, then new ones.
    await subfolders.resumeClaimed(dirs, events, shouldStop);
    await subfolders.lookAt(entries.filter((entry) => entry.isDirectory() && !isIgnoredName(entry.name)).map((entry) => entry.name), dirs, events, shouldStop);
    // A source in its quiet gap is not taken again; one that changed has left its gap and is taken as a continuation.
    const claimed = ownClaims.filter((file) => !taker.isQuiet(file)).map((file) => ({ file, claimed: true }));
    const settled = (await poller.settledFiles()).map((file) => ({ file, claimed: false }));
    // Page images in natural name order (scan_2 before scan_10): a batch fills in its order.
    const isImageName = (file: string) => /\.(jpe?g|png|tiff?)$/i.test(file);
    const ordered = (list: Array<{ file: string; claimed: boolean }>) => {
      // Oldest-settled first stays the rule; only the images' own places are filled in natural name order.
      const images = list.filter((item) => isImageName(item.file)).sort((a, b) => compareNatural(path.basename(a.file), path.basename(b.file)));
      return list.map((item) => (isImageName(item.file) ? (images.shift() as typeof item) : item));
    };
    const candidates = [...ordered(claimed), ...ordered(settled)];
    let waiting = 0;
    let done = 0;
    for (const candidate of candidates) {
      // At least one file per look, whatever the time slice: the backlog always moves.
      if (shouldStop() || (done > 0 && performance.now() - started >= budgetMs)) break;
      done += 1;
      const name = path.basename(candidate.file);
      const stat = await fs.stat(candidate.file).catch(() => null);
      if (!stat) {
        options.log.info('intake.file-gone', { name });
        continue;
      }
      const signature = `${stat.size}:${stat.mtimeMs}`;
      // Still being written, or cut short for good: wait, and refuse only after a long quiet.
      if (await taker.checkIncomplete(candidate.file, name, signature, dirs.refused, events)) {
        waiting += 1;
        continue;
      }
      const file = candidate.claimed ? candidate.file : await claims.claim(candidate.file, name);
      if (!file) continue;
      const junk = await taker.checkPlausibleScan(file, name, stat.size);
      if (junk) {
        events.push(await taker.refuse(file, name, junk, dirs.refused));
        continue;
      }
      // A numbered image of one page is a page of a batch; a name without a number stays a stack of its own (and may grow).
      const page = parsePageName(name).number !== null && (await isLoosePageFile(file).catch(() => false));
      events.push(await (page ? pageBatch.takePage(file, name, dirs, events) : taker.take(file, name, dirs)));
    }
    if (!shouldStop()) await pageBatch.checkClose(events, waiting > 0 || candidates.length - done > 0 || poller.unsettled() > 0);
    await claims.tidy();
    status = { state: 'watching', folder: options.folder, lastLookAt: new Date(now()).toISOString(), waiting, backlog: candidates.length - done, claimedElsewhere: await claims.listOthers(stationId) };
  };

  return {
    /** Where the folder stood at the last look. */
    status: (): WatchStatus => status,
    /** The open batch of page files (null: none), as the screens show it ("receiving… 12 pages"). */
    batch: (): BatchSummary | null => pageBatch.summary(),
    /**
     * Closes the open batch now (the clerk stopped watching this folder: its pages must not wait for
     * a watch that will not come). Call between looks. Returns the stack made, if any.
     */
    async closeBatchNow(): Promise<StackRecord | null> {
      const events: WatchEvent[] = [];
      await pageBatch.load(events);
      await pageBatch.close('requested', events);
      const made = events.flatMap((event) => (event.kind === 'taken' && event.outcome.status === 'ingested' ? [event.outcome.stack] : []));
      return made.at(-1) ?? null;
    },
    /** The file being taken in now, page by page (null between files). */
    receiving: (): IngestProgress | null => receiving,
    /**
     * One look: files that can never be taken (links, FIFOs, devices) are refused; settled and
     * complete files are claimed and taken in, oldest first, until the time slice is used or
     * `shouldStop()` says to stop between files. Never throws.
     */
    async lookOnce(shouldStop: () => boolean = () => false): Promise<WatchEvent[]> {
      const events: WatchEvent[] = [];
      try {
        await lookNow(shouldStop, events);
        if (lookFailure && lookFailure.count >= 2) options.log.info('intake.watch-recovered', { folder: options.folder });
        lookFailure = null;
      } catch (thrown) {
        const error = thrown instanceof CoreError ? thrown : new CoreError('watch-look-failed', { folder: options.folder, ...causeParams(thrown) }, { cause: thrown });
        const key = `${error.code}:${String(error.params['reason'] ?? '')}`;
        lookFailure = lookFailure?.key === key ? { ...lookFailure, count: lookFailure.count + 1 } : { key, count: 1, since: now() };
        options.log.error('intake.look-failed', { folder: options.folder, count: lookFailure.count, error: thrown instanceof Error ? (thrown.stack ?? thrown.message) : String(thrown) });
        // Once is a hiccup (a share blinking); the same failure twice in a row is what the desk shows.
        if (lookFailure.count >= 2) status = { state: 'failing', folder: options.folder, since: new Date(lookFailure.since).toISOString(), error: { code: error.code, message: error.message, params: error.params } };
      }
      return events;
    },
  };
}

/** The type of a watch intake. */
export type WatchIntake = ReturnType<typeof createWatchIntake>;
