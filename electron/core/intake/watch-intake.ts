import { promises as fs } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { causeParams, CoreError } from '../errors.js';
import { formatBytes } from '../format.js';
import type { Logger } from '../log/logger.js';
import type { IngestOutcome, SourceIdentity, Spool } from '../spool/spool.js';
import { checkFileComplete } from './file-complete.js';
import { readImageSize } from './image-size.js';
import { createFolderPoller, isIgnoredName } from './watch-folder.js';

/** A failure as the Scan desk and the CLI show it (the error's code, English text and params). */
export interface WatchFailure {
  code: CoreError['code'];
  message: string;
  params: CoreError['params'];
}

/** Where a watched scan folder stands, for the Scan desk's status line. */
export type WatchStatus =
  | { state: 'off' }
  /**
   * `waiting`: files still being written; `backlog`: complete files not reached in the last look
   * (each look has a time slice); `claimedElsewhere`: files another station sharing the folder is
   * taking in (left to it), by name.
   */
  | { state: 'watching'; folder: string; lastLookAt: string | null; waiting: number; backlog: number; claimedElsewhere: string[] }
  | { state: 'paused'; folder: string }
  /** The folder cannot be watched: gone (USB unplugged, share down), not a folder, or a link. */
  | { state: 'unavailable'; folder: string; reason: 'missing' | 'not-a-folder' | 'link' | 'unreadable'; detail: string }
  /** The look itself failed the same way twice in a row; the watch keeps trying and recovers by itself. */
  | { state: 'failing'; folder: string; since: string; error: WatchFailure };

/** What one look at the folder did, file by file. */
export type WatchEvent =
  | { kind: 'taken'; file: string; outcome: IngestOutcome }
  | { kind: 'failed'; file: string; error: CoreError }
  | { kind: 'refused'; file: string; error: CoreError }
  /** Something in the folder the clerk should know of that is no file's failure (a name taken by a file). */
  | { kind: 'notice'; file: string; error: CoreError };

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
}

/** How often a running watch applies the `imported/` retention. */
const importedSweepEveryMs = 60 * 60_000;

/** The default time slice of one look, in ms of real time (see `lookBudgetMs`). */
export const defaultLookBudgetMs = 3000;

/** Below this a file holds no scanned page (a one-page scan at the lowest usable resolution is tens of KB). */
export const minScanBytes = 128;

/** An image narrower or lower than this (pixels) is no scanned page (A6 at 50 dpi is 207 × 291). */
export const minScanSidePx = 100;

/** Where this station's claims live in the watched folder (a dot folder: every poller skips it). */
export const claimsFolder = path.join('.scan-station', 'claims');

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
  const claimsRoot = path.join(options.folder, claimsFolder);
  let claimDir: string | null = null;
  let claimPoller: ReturnType<typeof createFolderPoller> | null = null;
  const failures = new Map<string, string>();
  const incompleteSince = new Map<string, { signature: string; since: number }>();
  const noticedNames = new Set<string>();
  /** Sources taken in and still claimed, waiting to stay unchanged for the settle time before they are closed and moved. */
  const quiet = new Map<string, { name: string; stackId: string; read: SourceIdentity; since: number }>();
  let status: WatchStatus = { state: 'watching', folder: options.folder, lastLookAt: null, waiting: 0, backlog: 0, claimedElsewhere: [] };
  let lastSweepAt: number | null = null;
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

  /** Moves `file` (shown as `name`) to the refused folder with the reason; a file gone meanwhile is only logged. */
  const refuse = async (file: string, name: string, error: CoreError, refusedDir: string): Promise<WatchEvent> => {
    await fs.mkdir(refusedDir, { recursive: true });
    let target = path.join(refusedDir, name);
    for (let n = 2; await fs.lstat(target).then(() => true, () => false); n += 1) target = path.join(refusedDir, `${path.parse(name).name} (${n})${path.parse(name).ext}`);
    // A rename moves a link or a FIFO itself, never what it points to, and never opens it.
    await fs.rename(file, target).catch((moveError: unknown) => options.log.warn('intake.refuse-move-failed', { name, ...causeParams(moveError) }));
    failures.delete(name);
    incompleteSince.delete(file);
    poller.forget(file);
    claimPoller?.forget(file);
    options.log.warn('intake.refused', { name, code: error.code });
    return { kind: 'refused', file: path.join(options.folder, name), error };
  };

  /** Checks the folder itself: present, a real folder (not a link or junction), readable. */
  const checkFolder = async (): Promise<WatchStatus | null> => {
    const stat = await fs.lstat(options.folder).catch((error: NodeJS.ErrnoException) => error);
    if (stat instanceof Error) return { state: 'unavailable', folder: options.folder, reason: stat.code === 'ENOENT' ? 'missing' : 'unreadable', detail: stat.code ?? stat.message };
    if (stat.isSymbolicLink()) return { state: 'unavailable', folder: options.folder, reason: 'link', detail: 'symlink' };
    if (!stat.isDirectory()) return { state: 'unavailable', folder: options.folder, reason: 'not-a-folder', detail: '' };
    return null;
  };

  /** A quick look at a file's header: too small to hold a scanned page? (no split, no decode). */
  const checkPlausibleScan = async (file: string, name: string, size: number): Promise<CoreError | null> => {
    const pixels = await readImageSize(file).catch(() => null);
    if (size >= minScanBytes && (!pixels || (pixels.width >= minScanSidePx && pixels.height >= minScanSidePx))) return null;
    return new CoreError('not-a-scan', { name, size: formatBytes(size), pixels: pixels ? `${pixels.width}×${pixels.height}` : '—' });
  };

  /** Takes one claimed file in; every throw becomes this file's failure (refused after the same failure twice). */
  const takeClaimed = async (claimed: string, name: string, dirs: { imported: string; refused: string }): Promise<WatchEvent> => {
    const stat = await fs.stat(claimed).catch(() => null);
    const signature = `${stat?.size ?? 0}:${stat?.mtimeMs ?? 0}`;
    try {
      const outcome = await options.spool.ingest(claimed, { moveSourceTo: dirs.imported, name, sourceMayGrow: true });
      failures.delete(name);
      claimPoller?.forget(claimed);
      // Changed while it was read: what was read is in; the file goes back to settle and be taken on its own.
      if (outcome.source === 'changed') await releaseClaim(claimed, name);
      // The quiet gap: a scanner may still append pages; the source is closed only once unchanged.
      if (outcome.source === 'kept') quiet.set(claimed, { name, stackId: outcome.status === 'ingested' ? outcome.stack.id : outcome.stackId, read: outcome.read, since: now() });
      return { kind: 'taken', file: path.join(options.folder, name), outcome };
    } catch (thrown) {
      const error = thrown instanceof CoreError ? thrown : new CoreError('file-unreadable', { name, ...causeParams(thrown) }, { cause: thrown });
      if (!(thrown instanceof CoreError)) options.log.error('intake.unexpected-error', { name, error: thrown instanceof Error ? (thrown.stack ?? thrown.message) : String(thrown) });
      if (error.code === 'file-changed') {
        // Still being written: back to the folder to settle again; never a failure of the file.
        await releaseClaim(claimed, name);
        return { kind: 'failed', file: path.join(options.folder, name), error };
      }
      // The same failure twice on an unchanged file is not a file still being written. A full
      // disk is the station's problem, never the file's: it is retried, never refused.
      const key = `${error.code}:${String(error.params['reason'] ?? '')}:${signature}`;
      if (failures.get(name) === key && error.code !== 'disk-full') return refuse(claimed, name, error, dirs.refused);
      failures.set(name, key);
      claimPoller?.forget(claimed);
      return { kind: 'failed', file: path.join(options.folder, name), error };
    }
  };

  /**
   * Closes the sources taken in that stayed unchanged for the settle time since they were read (the
   * stack's last bill may then go up; the file moves to `imported/`). One that changed is left to
   * settle and be taken again as its stack's continuation; one that went closes its stack.
   */
  const closeQuietSources = async (importedDir: string) => {
    for (const [claimed, entry] of [...quiet]) {
      const found = await fs.lstat(claimed, { bigint: true }).catch(() => null);
      const same = found !== null && String(found.ino) === entry.read.ino && String(found.size) === entry.read.size && String(found.mtimeNs) === entry.read.mtimeNs;
      if (found && !same) {
        quiet.delete(claimed);
        continue;
      }
      if (found && now() - entry.since < options.settleMs) continue;
      quiet.delete(claimed);
      const fate = await options.spool.closeSource(entry.stackId, claimed, { name: entry.name, moveSourceTo: importedDir, read: entry.read });
      if (fate === 'changed') continue;
      claimPoller?.forget(claimed);
    }
  };

  /** Gives a claimed file back to the folder under its own name (when that name is free; else it stays claimed and is retried). */
  const releaseClaim = async (claimed: string, name: string) => {
    const back = path.join(options.folder, name);
    if (await fs.lstat(back).then(() => false, () => true)) await fs.rename(claimed, back).catch(() => undefined);
    claimPoller?.forget(claimed);
  };

  /** Claims `file` for this station by renaming it into its claim folder; null when another station (or the clerk) took it first. */
  const claim = async (file: string, name: string): Promise<string | null> => {
    const claimed = path.join(claimDir as string, name);
    // Our own earlier claim of the same name waits its turn: a rename would replace it.
    if (await fs.lstat(claimed).then(() => true, () => false)) return null;
    for (let attempt = 0; ; attempt += 1) {
      try {
        await fs.mkdir(claimDir as string, { recursive: true });
        await fs.rename(file, claimed);
        return claimed;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EBUSY' || code === 'EPERM' || code === 'EACCES') {
          // Still open in the scanner (Windows refuses to rename such a file): one file's wait, never the look's failure.
          options.log.info('intake.file-busy', { name, code });
          poller.forget(file);
          return null;
        }
        if (code !== 'ENOENT') throw error;
        // The claim folder was tidied away by another station at that instant: once more.
        if (attempt === 0 && (await fs.lstat(file).then(() => true, () => false))) continue;
        // Renamed, removed or claimed by another station between the look and the claim.
        options.log.info('intake.file-gone', { name });
        poller.forget(file);
        return null;
      }
    }
  };

  /** Removes this station's empty claim folder, and the claims folders above it when no station uses them (rmdir refuses a full one). */
  const tidyClaims = async () => {
    for (const dir of [claimDir as string, claimsRoot, path.dirname(claimsRoot)]) if (!(await fs.rmdir(dir).then(() => true, () => false))) return;
  };

  /** The names other stations have claimed (left alone, shown). */
  const listOtherClaims = async (ownId: string): Promise<string[]> => {
    const names: string[] = [];
    for (const station of await fs.readdir(claimsRoot).catch(() => [] as string[])) {
      if (station === ownId) continue;
      for (const name of await fs.readdir(path.join(claimsRoot, station)).catch(() => [] as string[])) names.push(name);
    }
    return names.sort();
  };

  const lookNow = async (shouldStop: () => boolean, events: WatchEvent[]) => {
    const unavailable = await checkFolder();
    if (unavailable) {
      if (status.state !== 'unavailable') options.log.warn('intake.folder-unavailable', { reason: unavailable.state === 'unavailable' ? unavailable.reason : '' });
      status = unavailable;
      return;
    }
    const started = performance.now();
    const dirs = { imported: await pickFolder('imported', events), refused: await pickFolder('refused', events) };
    await sweepImportedNow(dirs.imported);
    const stationId = options.stationId ?? (await options.spool.stationId());
    if (!claimDir) {
      claimDir = path.join(claimsRoot, stationId);
      claimPoller = createFolderPoller(claimDir, { settleMs: options.settleMs, now });
    }
    // A plain file where the claims folder goes blocks every claim: the look fails (and says so).
    const root = await fs.lstat(path.dirname(claimsRoot)).catch(() => null);
    if (root && !root.isDirectory()) throw new CoreError('watch-look-failed', { folder: options.folder, reason: 'ENOTDIR', detail: `${path.dirname(claimsFolder)} is not a folder` });
    const entries = await fs.readdir(options.folder, { withFileTypes: true });
    for (const entry of entries) {
      if (isIgnoredName(entry.name) || entry.isDirectory() || entry.isFile()) continue;
      // A link, junction, FIFO, socket or device: never opened, moved aside with the reason.
      events.push(await refuse(path.join(options.folder, entry.name), entry.name, new CoreError('file-unreadable', { name: entry.name, reason: 'not-regular-file' }), dirs.refused));
    }
    // This station's own claims first (a claim a crash left is resumed), then the folder's files.
    const ownClaims = await (claimPoller as NonNullable<typeof claimPoller>).settledFiles().catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [];
      throw error;
    });
    await closeQuietSources(dirs.imported);
    // A source in its quiet gap is not taken again; one that changed has left `quiet` and is taken as a continuation.
    const claimed = ownClaims.filter((file) => !quiet.has(file)).map((file) => ({ file, claimed: true }));
    const settled = (await poller.settledFiles()).map((file) => ({ file, claimed: false }));
    const candidates = [...claimed, ...settled];
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
      const incomplete = await checkFileComplete(candidate.file).catch(() => null);
      if (incomplete) {
        // Still being written, or cut short for good: wait, and refuse only after a long quiet.
        const since = incompleteSince.get(candidate.file);
        if (!since || since.signature !== signature) incompleteSince.set(candidate.file, { signature, since: now() });
        else if (now() - since.since >= (options.incompleteGraceMs ?? 10 * 60_000)) events.push(await refuse(candidate.file, name, new CoreError('file-incomplete', { name, reason: incomplete }), dirs.refused));
        waiting += 1;
        continue;
      }
      incompleteSince.delete(candidate.file);
      const file = candidate.claimed ? candidate.file : await claim(candidate.file, name);
      if (!file) continue;
      const junk = await checkPlausibleScan(file, name, stat.size);
      if (junk) {
        events.push(await refuse(file, name, junk, dirs.refused));
        continue;
      }
      events.push(await takeClaimed(file, name, dirs));
    }
    await tidyClaims();
    status = { state: 'watching', folder: options.folder, lastLookAt: new Date(now()).toISOString(), waiting, backlog: candidates.length - done, claimedElsewhere: await listOtherClaims(stationId) };
  };

  return {
    /** Where the folder stood at the last look. */
    status: (): WatchStatus => status,
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
