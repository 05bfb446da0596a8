// Claims on a shared folder: a file is renamed into `.scan-station/claims/<station>/` before it is taken, so two stations sharing a folder never take the same file.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { CoreError } from '../base/errors.js';
import type { Logger } from '../log/logger.js';
import { createFolderPoller, type FolderPoller } from './watch-folder.js';

/** Where this station's claims live in the watched folder (a dot folder: every poller skips it). */
export const claimsFolder = path.join('.scan-station', 'claims');

/** What the claims need of their watch. */
export interface FolderClaimsOptions {
  folder: string;
  settleMs: number;
  now: () => number;
  log: Logger;
  /** The watched folder's poller: a file that could not be claimed starts settling over. */
  poller: FolderPoller;
}

/**
 * This station's claims on a watched folder: claiming a file or subfolder (a rename, so only one
 * station wins), giving one back, the own claims a crash left (resumed first), the claims of other
 * stations (left alone, shown), and tidying the claims folders when no station uses them.
 */
export function createFolderClaims(options: FolderClaimsOptions) {
  const claimsRoot = path.join(options.folder, claimsFolder);
  let claimDir: string | null = null;
  let claimPoller: FolderPoller | null = null;

  /** Gives a claimed file back to the folder under its own name (when that name is free; else it stays claimed and is retried). */
  const release = async (claimed: string, name: string) => {
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
          options.poller.forget(file);
          return null;
        }
        if (code !== 'ENOENT') throw error;
        // The claim folder was tidied away by another station at that instant: once more.
        if (attempt === 0 && (await fs.lstat(file).then(() => true, () => false))) continue;
        // Renamed, removed or claimed by another station between the look and the claim.
        options.log.info('intake.file-gone', { name });
        options.poller.forget(file);
        return null;
      }
    }
  };

  /** Removes this station's empty claim folder, and the claims folders above it when no station uses them (rmdir refuses a full one). */
  const tidy = async () => {
    for (const dir of [claimDir as string, claimsRoot, path.dirname(claimsRoot)]) if (!(await fs.rmdir(dir).then(() => true, () => false))) return;
  };

  /** The names other stations have claimed (left alone, shown). */
  const listOthers = async (ownId: string): Promise<string[]> => {
    const names: string[] = [];
    for (const station of await fs.readdir(claimsRoot).catch(() => [] as string[])) {
      if (station === ownId) continue;
      for (const name of await fs.readdir(path.join(claimsRoot, station)).catch(() => [] as string[])) names.push(name);
    }
    return names.sort();
  };

  return {
    /** Names this station's claim folder, once (at the first look: the station's id may come from the spool). */
    start(stationId: string) {
      if (claimDir) return;
      claimDir = path.join(claimsRoot, stationId);
      claimPoller = createFolderPoller(claimDir, { settleMs: options.settleMs, now: options.now });
    },
    /** This station's claim folder (after `start`). */
    dir: (): string => claimDir as string,
    /** Fails the look when a plain file sits where the claims folder goes: it blocks every claim. */
    async checkRoot() {
      const root = await fs.lstat(path.dirname(claimsRoot)).catch(() => null);
      if (root && !root.isDirectory()) throw new CoreError('watch-look-failed', { folder: options.folder, reason: 'ENOTDIR', detail: `${path.dirname(claimsFolder)} is not a folder` });
    },
    /** This station's own claimed files that stayed unchanged for the settle time (a claim a crash left is resumed), oldest first. */
    async settledClaims(): Promise<string[]> {
      return (claimPoller as FolderPoller).settledFiles().catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return [];
        throw error;
      });
    },
    /** Forgets a claimed file (taken, refused, given back) so a new claim of the same name starts over. */
    forget(claimed: string) {
      claimPoller?.forget(claimed);
    },
    claim,
    release,
    tidy,
    listOthers,
  };
}

/** This station's claims on a watched folder. */
export type FolderClaims = ReturnType<typeof createFolderClaims>;
