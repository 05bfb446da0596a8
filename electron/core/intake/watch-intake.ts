import { promises as fs } from 'node:fs';
import path from 'node:path';
import { CoreError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import type { IngestOutcome, Spool } from '../spool/spool.js';
import { checkFileComplete } from './file-complete.js';
import { createFolderPoller, isIgnoredName } from './watch-folder.js';

/** Where a watched scan folder stands, for the Scan desk's status line. */
export type WatchStatus =
  | { state: 'off' }
  | { state: 'watching'; folder: string; lastLookAt: string | null; waiting: number }
  | { state: 'paused'; folder: string }
  /** The folder cannot be watched: gone (USB unplugged, share down), not a folder, or a link. */
  | { state: 'unavailable'; folder: string; reason: 'missing' | 'not-a-folder' | 'link' | 'unreadable'; detail: string };

/** What one look at the folder did, file by file. */
export type WatchEvent =
  | { kind: 'taken'; file: string; outcome: IngestOutcome }
  | { kind: 'failed'; file: string; error: CoreError }
  | { kind: 'refused'; file: string; error: CoreError };

/** The watch loop's options. */
export interface WatchIntakeOptions {
  folder: string;
  spool: Spool;
  log: Logger;
  settleMs: number;
  /** A file that stays incomplete (still being written?) and unchanged this long is refused. */
  incompleteGraceMs?: number;
  now?: () => number;
}

/** How often a running watch applies the `imported/` retention. */
const importedSweepEveryMs = 60 * 60_000;

/**
 * The watched-folder intake, shared by `scan-station intake --watch` and the desktop app: each look
 * takes settled, complete files into the spool one at a time (the source moves to `imported/` only
 * after its pages are on disk, and is deleted from there after the retention days when a station
 * sets them), moves what can never be taken to `refused/` (never deletes), and
 * reports where the folder stands. The caller decides how often to look and when to stop.
 */
export function createWatchIntake(options: WatchIntakeOptions) {
  const now = options.now ?? (() => Date.now());
  const poller = createFolderPoller(options.folder, { settleMs: options.settleMs, now });
  const importedDir = path.join(options.folder, 'imported');
  const refusedDir = path.join(options.folder, 'refused');
  const failures = new Map<string, string>();
  const incompleteSince = new Map<string, { signature: string; since: number }>();
  let status: WatchStatus = { state: 'watching', folder: options.folder, lastLookAt: null, waiting: 0 };
  let lastSweepAt: number | null = null;

  /** The `imported/` retention, at the first look and then hourly (a station may run for weeks). */
  const sweepImportedNow = async () => {
    if (lastSweepAt !== null && now() - lastSweepAt < importedSweepEveryMs) return;
    lastSweepAt = now();
    const deleted = await options.spool.sweepImported(importedDir).catch((error: unknown) => {
      options.log.warn('intake.imported-sweep-failed', { reason: String(error) });
      return 0;
    });
    if (deleted > 0) options.log.info('intake.imported-deleted', { count: deleted });
  };

  const refuse = async (file: string, error: CoreError): Promise<WatchEvent> => {
    await fs.mkdir(refusedDir, { recursive: true });
    let target = path.join(refusedDir, path.basename(file));
    for (let n = 2; await fs.lstat(target).then(() => true, () => false); n += 1) target = path.join(refusedDir, `${path.parse(file).name} (${n})${path.parse(file).ext}`);
    // A rename moves a link or a FIFO itself, never what it points to, and never opens it.
    await fs.rename(file, target).catch(() => undefined);
    failures.delete(file);
    incompleteSince.delete(file);
    poller.forget(file);
    options.log.warn('intake.refused', { name: path.basename(file), code: error.code });
    return { kind: 'refused', file, error };
  };

  /** Checks the folder itself: present, a real folder (not a link or junction), readable. */
  const checkFolder = async (): Promise<WatchStatus | null> => {
    const stat = await fs.lstat(options.folder).catch((error: NodeJS.ErrnoException) => error);
    if (stat instanceof Error) return { state: 'unavailable', folder: options.folder, reason: stat.code === 'ENOENT' ? 'missing' : 'unreadable', detail: stat.code ?? stat.message };
    if (stat.isSymbolicLink()) return { state: 'unavailable', folder: options.folder, reason: 'link', detail: 'symlink' };
    if (!stat.isDirectory()) return { state: 'unavailable', folder: options.folder, reason: 'not-a-folder', detail: '' };
    return null;
  };

  return {
    /** Where the folder stood at the last look. */
    status: (): WatchStatus => status,
    /**
     * One look: files that can never be taken (links, FIFOs, devices) are refused; settled and
     * complete files are taken in name order until `shouldStop()` says to stop between files.
     */
    async lookOnce(shouldStop: () => boolean = () => false): Promise<WatchEvent[]> {
      const unavailable = await checkFolder();
      if (unavailable) {
        if (status.state !== 'unavailable') options.log.warn('intake.folder-unavailable', { reason: unavailable.state === 'unavailable' ? unavailable.reason : '' });
        status = unavailable;
        return [];
      }
      await sweepImportedNow();
      const events: WatchEvent[] = [];
      const entries = await fs.readdir(options.folder, { withFileTypes: true }).catch(() => []);
      for (const entry of entries) {
        if (isIgnoredName(entry.name) || entry.isDirectory() || entry.isFile()) continue;
        // A link, junction, FIFO, socket or device: never opened, moved aside with the reason.
        events.push(await refuse(path.join(options.folder, entry.name), new CoreError('file-unreadable', { name: entry.name, reason: 'not-regular-file' })));
      }
      const settled = await poller.settledFiles().catch(() => []);
      let waiting = 0;
      for (const file of settled) {
        if (shouldStop()) break;
        const stat = await fs.stat(file).catch(() => null);
        const signature = `${stat?.size ?? 0}:${stat?.mtimeMs ?? 0}`;
        const incomplete = await checkFileComplete(file).catch(() => null);
        if (incomplete) {
          // Still being written, or cut short for good: wait, and refuse only after a long quiet.
          const since = incompleteSince.get(file);
          if (!since || since.signature !== signature) incompleteSince.set(file, { signature, since: now() });
          else if (now() - since.since >= (options.incompleteGraceMs ?? 10 * 60_000)) events.push(await refuse(file, new CoreError('file-incomplete', { name: path.basename(file), reason: incomplete })));
          waiting += 1;
          continue;
        }
        incompleteSince.delete(file);
        try {
          events.push({ kind: 'taken', file, outcome: await options.spool.ingest(file, { moveSourceTo: importedDir }) });
          failures.delete(file);
          poller.forget(file);
        } catch (error) {
          if (!(error instanceof CoreError)) throw error;
          // The same failure twice on an unchanged file is not a file still being written. A full
          // disk is the station's problem, never the file's: it is retried, never refused.
          const key = `${error.code}:${signature}`;
          if (failures.get(file) === key && error.code !== 'disk-full') events.push(await refuse(file, error));
          else {
            failures.set(file, key);
            poller.forget(file);
            events.push({ kind: 'failed', file, error });
          }
        }
      }
      status = { state: 'watching', folder: options.folder, lastLookAt: new Date(now()).toISOString(), waiting };
      return events;
    },
  };
}

/** The type of a watch intake. */
export type WatchIntake = ReturnType<typeof createWatchIntake>;
