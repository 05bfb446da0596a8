import { promises as fs } from 'node:fs';
import path from 'node:path';
import { isIgnoredName } from '../document/detect-format.js';

/** A candidate file and what was last seen of it. */
interface Seen {
  size: number;
  mtimeMs: number;
  since: number;
}

/**
 * Polls a folder (native change events are unreliable on mapped network shares) and reports files
 * that are complete: a regular file (links, FIFOs and devices never), size and mtime unchanged for
 * `settleMs`. Parsing to the end (PDF trailer, TIFF IFDs, JPEG EOI) is the caller's next check.
 */
export function createFolderPoller(folder: string, options: { settleMs: number; now?: () => number }) {
  const now = options.now ?? (() => Date.now());
  const seen = new Map<string, Seen>();
  let unsettled = 0;
  return {
    /** How many files the last look saw still changing or settling (a batch's quiet gap waits for them). */
    unsettled: () => unsettled,
    /**
     * Files settled since they last changed, oldest-settled first (then oldest mtime, then name): a
     * file that has waited longest is taken first, whatever its name — a folder full of junk named
     * `0001…` never starves a good scan that came after.
     */
    async settledFiles(): Promise<string[]> {
      const entries = await fs.readdir(folder, { withFileTypes: true });
      const ready: Array<{ file: string; since: number; mtimeMs: number }> = [];
      const present = new Set<string>();
      let changing = 0;
      for (const entry of entries) {
        if (!entry.isFile() || isIgnoredName(entry.name)) continue;
        const file = path.join(folder, entry.name);
        present.add(file);
        const stat = await fs.lstat(file).catch(() => null);
        if (!stat?.isFile()) continue;
        const previous = seen.get(file);
        if (!previous || previous.size !== stat.size || previous.mtimeMs !== stat.mtimeMs) {
          seen.set(file, { size: stat.size, mtimeMs: stat.mtimeMs, since: now() });
          changing += 1;
          continue;
        }
        if (now() - previous.since >= options.settleMs) ready.push({ file, since: previous.since, mtimeMs: previous.mtimeMs });
        else changing += 1;
      }
      unsettled = changing;
      for (const file of seen.keys()) if (!present.has(file)) seen.delete(file);
      return ready.sort((a, b) => a.since - b.since || a.mtimeMs - b.mtimeMs || (a.file < b.file ? -1 : a.file > b.file ? 1 : 0)).map((entry) => entry.file);
    },
    /** Forgets a file (taken, or refused) so a new file of the same name starts over. */
    forget(file: string) {
      seen.delete(file);
    },
  };
}

/** A folder poller (see `createFolderPoller`). */
export type FolderPoller = ReturnType<typeof createFolderPoller>;
