// Taking one settled file into the spool: incomplete files wait (refused after a long quiet), junk is refused, a file's failures counted, sources kept open while they may grow.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { causeParams, CoreError } from '../base/errors.js';
import { formatBytes } from '../base/format.js';
import { readImageSize } from '../document/image-size.js';
import type { Logger } from '../log/logger.js';
import type { Spool } from '../spool/spool.js';
import type { IngestProgress, SourceIdentity } from '../spool/stack-record.js';
import { checkFileComplete } from './file-complete.js';
import type { FolderClaims } from './folder-claims.js';
import type { FolderPoller } from './watch-folder.js';
import type { WatchEvent } from './watch-report.js';

/** Below this a file holds no scanned page (a one-page scan at the lowest usable resolution is tens of KB). */
export const minScanBytes = 128;

/** An image narrower or lower than this (pixels) is no scanned page (A6 at 50 dpi is 207 × 291). */
export const minScanSidePx = 100;

/** Where a look moves sources: to `imported/` once their pages are on disk, to `refused/` when they can never be taken. */
export interface MoveFolders {
  imported: string;
  refused: string;
}

/** What taking files needs of its watch. */
export interface FileTakerOptions {
  folder: string;
  spool: Spool;
  log: Logger;
  settleMs: number;
  now: () => number;
  /** A file that stays incomplete (still being written?) and unchanged this long is refused (default 10 minutes). */
  incompleteGraceMs?: number;
  poller: FolderPoller;
  claims: FolderClaims;
  /** Told of the file being taken in, page by page (null when it is done). */
  showReceiving: (progress: IngestProgress | null) => void;
}

/**
 * Takes settled files of a watched folder into the spool, one at a time: a file still incomplete
 * waits, junk and what failed the same way twice go to `refused/` (never deleted), and a source
 * that may still grow stays claimed until it has been quiet for the settle time.
 */
export function createFileTaker(options: FileTakerOptions) {
  const { now, claims } = options;
  const failures = new Map<string, string>();
  const incompleteSince = new Map<string, { signature: string; since: number }>();
  /** Sources taken in and still claimed, waiting to stay unchanged for the settle time before they are closed and moved. */
  const quiet = new Map<string, { name: string; stackId: string; read: SourceIdentity; since: number }>();

  /** Moves `file` (shown as `name`) to the refused folder with the reason; a file gone meanwhile is only logged. */
  const refuse = async (file: string, name: string, error: CoreError, refusedDir: string): Promise<WatchEvent> => {
    await fs.mkdir(refusedDir, { recursive: true });
    let target = path.join(refusedDir, name);
    for (let n = 2; await fs.lstat(target).then(() => true, () => false); n += 1) target = path.join(refusedDir, `${path.parse(name).name} (${n})${path.parse(name).ext}`);
    // A rename moves a link or a FIFO itself, never what it points to, and never opens it.
    await fs.rename(file, target).catch((moveError: unknown) => options.log.warn('intake.refuse-move-failed', { name, ...causeParams(moveError) }));
    failures.delete(name);
    incompleteSince.delete(file);
    options.poller.forget(file);
    claims.forget(file);
    options.log.warn('intake.refused', { name, code: error.code });
    return { kind: 'refused', file: path.join(options.folder, name), error };
  };

  /** Whether a settled file is still incomplete (still being written, or cut short for good): it waits, and is refused only after a long quiet. */
  const checkIncomplete = async (file: string, name: string, signature: string, refusedDir: string, events: WatchEvent[]): Promise<boolean> => {
    const incomplete = await checkFileComplete(file).catch(() => null);
    if (incomplete) {
      const since = incompleteSince.get(file);
      if (!since || since.signature !== signature) incompleteSince.set(file, { signature, since: now() });
      else if (now() - since.since >= (options.incompleteGraceMs ?? 10 * 60_000)) events.push(await refuse(file, name, new CoreError('file-incomplete', { name, reason: incomplete }), refusedDir));
      return true;
    }
    incompleteSince.delete(file);
    return false;
  };

  /** A quick look at a file's header: too small to hold a scanned page? (no split, no decode). */
  const checkPlausibleScan = async (file: string, name: string, size: number): Promise<CoreError | null> => {
    const pixels = await readImageSize(file).catch(() => null);
    if (size >= minScanBytes && (!pixels || (pixels.width >= minScanSidePx && pixels.height >= minScanSidePx))) return null;
    return new CoreError('not-a-scan', { name, size: formatBytes(size), pixels: pixels ? `${pixels.width}×${pixels.height}` : '—' });
  };

  /** A claimed file is in: its past failures are forgotten and its claim no longer watched. */
  const taken = (claimed: string, name: string) => {
    failures.delete(name);
    claims.forget(claimed);
  };

  /** A file's failure: back to settle when it changed, refused after the same failure twice, else looked at again. */
  const fail = async (claimed: string, name: string, thrown: unknown, signature: string, dirs: MoveFolders): Promise<WatchEvent> => {
    const error = thrown instanceof CoreError ? thrown : new CoreError('file-unreadable', { name, ...causeParams(thrown) }, { cause: thrown });
    if (!(thrown instanceof CoreError)) options.log.error('intake.unexpected-error', { name, error: thrown instanceof Error ? (thrown.stack ?? thrown.message) : String(thrown) });
    if (error.code === 'file-changed') {
      // Still being written: back to the folder to settle again; never a failure of the file.
      await claims.release(claimed, name);
      return { kind: 'failed', file: path.join(options.folder, name), error };
    }
    // The same failure twice on an unchanged file is not a file still being written. A full
    // disk is the station's problem, never the file's: it is retried, never refused.
    const key = `${error.code}:${String(error.params['reason'] ?? '')}:${signature}`;
    if (failures.get(name) === key && error.code !== 'disk-full') return refuse(claimed, name, error, dirs.refused);
    failures.set(name, key);
    claims.forget(claimed);
    return { kind: 'failed', file: path.join(options.folder, name), error };
  };

  /** Takes one claimed file in as a stack of its own; every throw becomes this file's failure (refused after the same failure twice). */
  const take = async (claimed: string, name: string, dirs: MoveFolders): Promise<WatchEvent> => {
    const stat = await fs.stat(claimed).catch(() => null);
    const signature = `${stat?.size ?? 0}:${stat?.mtimeMs ?? 0}`;
    try {
      const outcome = await options.spool.ingest(claimed, { moveSourceTo: dirs.imported, name, sourceMayGrow: true, onProgress: (progress) => options.showReceiving(progress) });
      taken(claimed, name);
      // Changed while it was read: what was read is in; the file goes back to settle and be taken on its own.
      if (outcome.source === 'changed') await claims.release(claimed, name);
      // The quiet gap: a scanner may still append pages; the source is closed only once unchanged.
      if (outcome.source === 'kept') quiet.set(claimed, { name, stackId: outcome.status === 'ingested' ? outcome.stack.id : outcome.stackId, read: outcome.read, since: now() });
      return { kind: 'taken', file: path.join(options.folder, name), outcome };
    } catch (thrown) {
      return fail(claimed, name, thrown, signature, dirs);
    } finally {
      options.showReceiving(null);
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
      claims.forget(claimed);
    }
  };

  return {
    refuse,
    checkIncomplete,
    checkPlausibleScan,
    take,
    taken,
    fail,
    closeQuietSources,
    /** Whether a claimed source is in its quiet gap (taken in, kept open): it is not taken again. */
    isQuiet: (claimed: string): boolean => quiet.has(claimed),
  };
}

/** Takes settled files of a watched folder into the spool. */
export type FileTaker = ReturnType<typeof createFileTaker>;
