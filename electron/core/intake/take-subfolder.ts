// Subfolders of a watched folder taken whole: one settled, complete subfolder is claimed and becomes one stack, its files in natural name order (resumed after a crash).
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { causeParams, CoreError } from '../base/errors.js';
import { isIgnoredName } from '../document/detect-format.js';
import type { Spool } from '../spool/spool.js';
import type { IngestProgress } from '../spool/stack-record.js';
import { checkFileComplete } from './file-complete.js';
import type { FolderClaims } from './folder-claims.js';
import { compareNatural } from '../text/natural-order.js';
import type { FileTaker, MoveFolders } from './take-file.js';
import { closedBatchEvent, type WatchEvent } from './watch-report.js';

/** What taking subfolders needs of its watch. */
export interface SubfolderTakerOptions {
  folder: string;
  spool: Spool;
  settleMs: number;
  now: () => number;
  claims: FolderClaims;
  /** What cannot be taken is refused like any file. */
  taker: FileTaker;
  /** Told of the file being taken in (null when it is done). */
  showReceiving: (progress: IngestProgress | null) => void;
}

/** What a subfolder holds now (names, sizes, mtimes of its entries): unchanged for the settle time, it is taken. */
async function readFolderSignature(dir: string): Promise<string | null> {
  const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => null);
  if (!entries || entries.length === 0) return null;
  const parts: string[] = [];
  for (const entry of entries) {
    const stat = await fs.lstat(path.join(dir, entry.name)).catch(() => null);
    parts.push(`${entry.name}:${entry.isDirectory() ? 'd' : `${stat?.size ?? 0}:${stat?.mtimeMs ?? 0}`}`);
  }
  return parts.sort().join('\n');
}

/**
 * Takes the subfolders of a watched folder in whole: a subfolder unchanged for the settle time
 * whose files are all complete is claimed and becomes one stack (its own batch, `dir:<name>`).
 */
export function createSubfolderTaker(options: SubfolderTakerOptions) {
  const { now } = options;
  /** Subfolders seen in the folder: what they held and since when unchanged. */
  const folderSeen = new Map<string, { signature: string; since: number }>();

  /**
   * Takes a claimed subfolder in as one stack: its files in natural name order, each committed to the
   * folder's batch before it moves to `imported/<folder>/`; what cannot be taken goes to
   * `refused/<folder>/`. Resumed after a crash (the claimed folder and its batch are both durable).
   */
  const takeFolder = async (claimedDir: string, name: string, dirs: MoveFolders, events: WatchEvent[], shouldStop: () => boolean) => {
    const pattern = `dir:${name}`;
    const found = (await options.spool.batches.listBatches(options.folder)).find((batch) => batch.pattern === pattern);
    const batchId = found?.id ?? (await options.spool.batches.openBatch({ folder: options.folder, pattern, label: name })).id;
    const files = (await fs.readdir(claimedDir, { withFileTypes: true })).filter((entry) => entry.isFile() && !isIgnoredName(entry.name)).map((entry) => entry.name).sort(compareNatural);
    for (const file of files) {
      if (shouldStop()) return;
      const source = path.join(claimedDir, file);
      try {
        await options.spool.batches.addToBatch(batchId, source, { name: file, number: null, moveSourceTo: path.join(dirs.imported, name), onProgress: (progress) => options.showReceiving(progress) });
      } catch (thrown) {
        const error = thrown instanceof CoreError ? thrown : new CoreError('file-unreadable', { name: file, ...causeParams(thrown) }, { cause: thrown });
        // The station's trouble (a full disk) is retried at the next look; a file's own is refused.
        if (error.code === 'disk-full') throw error;
        events.push(await options.taker.refuse(source, file, error, path.join(dirs.refused, name)));
      } finally {
        options.showReceiving(null);
      }
    }
    const stack = await options.spool.batches.closeBatch(batchId);
    if (stack) events.push(closedBatchEvent(options.folder, stack));
    folderSeen.delete(name);
    // What is left (scanner temp names, folders inside) is never deleted: it goes to refused/ as it is.
    if (!(await fs.rmdir(claimedDir).then(() => true, () => false))) {
      events.push(await options.taker.refuse(claimedDir, name, new CoreError('file-unreadable', { name, reason: 'not-regular-file' }), dirs.refused));
    }
  };

  return {
    /** Resumes the subfolders this station claimed and did not finish (a crash), before any new one. */
    async resumeClaimed(dirs: MoveFolders, events: WatchEvent[], shouldStop: () => boolean) {
      for (const entry of await fs.readdir(options.claims.dir(), { withFileTypes: true }).catch(() => [])) if (entry.isDirectory() && !shouldStop()) await takeFolder(path.join(options.claims.dir(), entry.name), entry.name, dirs, events, shouldStop);
    },
    /** Subfolders in the folder that stayed unchanged (and whose files are complete) for the settle time, claimed and taken whole. */
    async lookAt(names: string[], dirs: MoveFolders, events: WatchEvent[], shouldStop: () => boolean) {
      for (const [name] of folderSeen) if (!names.includes(name)) folderSeen.delete(name);
      for (const name of names) {
        if (shouldStop()) return;
        const dir = path.join(options.folder, name);
        const signature = await readFolderSignature(dir);
        const seen = folderSeen.get(name);
        if (signature === null || !seen || seen.signature !== signature) {
          if (signature !== null) folderSeen.set(name, { signature, since: now() });
          continue;
        }
        if (now() - seen.since < options.settleMs) continue;
        let complete = true;
        for (const entry of await fs.readdir(dir, { withFileTypes: true }).catch(() => [])) {
          if (entry.isFile() && !isIgnoredName(entry.name) && (await checkFileComplete(path.join(dir, entry.name)).catch(() => null)) !== null) complete = false;
        }
        if (!complete) continue;
        const claimed = await options.claims.claim(dir, name);
        if (claimed) await takeFolder(claimed, name, dirs, events, shouldStop);
      }
    },
  };
}
