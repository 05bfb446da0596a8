// Recycling and retention: a spent stack to the recycle folder, recycled stacks, uploaded stacks' page images and the sources in imported/ deleted after their days.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { syncDirectory, writeFileAtomic } from '../fs/atomic-write.js';
import type { AuditLog } from '../log/audit-log.js';
import type { Logger } from '../log/logger.js';
import { hashFile, importedLedgerPath } from './source-files.js';
import type { SplitSettings } from './split-settings.js';
import type { StackRecord } from './stack-record.js';
import type { StackStore } from './stack-store.js';
import { isStackFinished, readStackManifests } from './upload-manifest.js';

/** Marks a stack whose page images were deleted after its upload (the record and receipts stay). */
export const pagesRemovedFile = 'pages-removed.json';

/** A source moved into a watch folder's `imported/`, as the spool's ledger records it. */
export interface ImportedSource {
  dir: string;
  name: string;
  sha256: string;
  at: string;
}

/** Above this the ledger is not read (about 100,000 files); the sweep says so in the log. */
const maxImportedLedgerBytes = 16 * 1024 * 1024;

/** What recycling needs from its spool. */
export interface RecyclerDeps {
  dir: string;
  stacks: StackStore;
  log: Logger;
  now: () => Date;
  audit: AuditLog;
  splitSettings: () => Promise<SplitSettings>;
  onStackChanged?: (stackId: string) => void;
}

/** Creates the spool's recycling and retention sweeps over `<dir>/recycle` and `<dir>/stacks`. */
export function createRecycler(deps: RecyclerDeps) {
  const { stacksDir, findStack, listStacks, loadIndex } = deps.stacks;
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
  const importedLedgerFile = importedLedgerPath(deps.dir);
  /**
   * Deletes sources in `dir` (a watch folder's `imported/`) that the ledger says were moved there
   * more than the retention days ago, and only when the file there still has the content we moved
   * (SHA-256): a file someone put there by hand, or replaced, is never touched.
   */
  const sweepImported = async (dir: string): Promise<number> => {
    const days = (await deps.splitSettings()).importedDays;
    if (days <= 0) return 0;
    const ledgerFile = importedLedgerFile;
    const folder = path.resolve(dir);
    const stat = await fs.lstat(ledgerFile).catch(() => null);
    if (!stat?.isFile()) return 0;
    if (stat.size > maxImportedLedgerBytes) {
      deps.log.warn('spool.imported-ledger-too-large', { size: stat.size });
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
      const due = deps.now().getTime() - Date.parse(entry.at) >= days * 86_400_000;
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
        deps.log.warn('spool.imported-changed', { name: entry.name });
        continue;
      }
      await fs.rm(file, { force: true });
      deps.audit.write({ event: 'source-deleted', source: entry.name, detail: `moved to imported/ at ${entry.at}; the ${days}-day retention has passed and every bill from it is uploaded or discarded` });
      deleted += 1;
    }
    if (kept.length !== entries.length) await writeFileAtomic(ledgerFile, kept.map((entry) => `${JSON.stringify(entry)}\n`).join(''));
    return deleted;
  };

  const recycleDir = path.join(deps.dir, 'recycle');
  /**
   * A stack with nothing left to upload (every bill discarded, no orphans) leaves `stacks/` for
   * `recycle/` in one rename, stamped with the time; it is deleted after the retention days.
   */
  const recycleStack = async (stack: StackRecord) => {
    await writeFileAtomic(path.join(stacksDir, stack.id, 'recycled.json'), `${JSON.stringify({ at: deps.now().toISOString() })}\n`);
    await fs.mkdir(recycleDir, { recursive: true });
    await fs.rename(path.join(stacksDir, stack.id), path.join(recycleDir, stack.id));
    await syncDirectory(recycleDir);
    await syncDirectory(stacksDir);
    deps.onStackChanged?.(stack.id);
    // The same file may be taken in again (a rescan after discarding everything).
    deps.stacks.forgetSource(stack.source.sha256);
    deps.audit.write({ event: 'recycled', stack: stack.id, source: stack.source.name, detail: 'every bill discarded: kept in the recycle folder until the retention days have passed' });
  };
  /**
   * Deletes the page images of stacks whose every bill is uploaded (closed on the server) or
   * discarded, once the last upload is older than the retention days. The stack's record, its
   * thumbnails and the receipts stay: what was sent, when, and the server's proof remain queryable.
   */
  const sweepDone = async (): Promise<number> => {
    const days = (await deps.splitSettings()).doneDays;
    if (days <= 0) return 0;
    let swept = 0;
    for (const stack of await listStacks()) {
      if (await fs.stat(path.join(stacksDir, stack.id, pagesRemovedFile)).then(() => true, () => false)) continue;
      const uploads = await readStackManifests(stacksDir, stack.id);
      const live = stack.bills.filter((bill) => bill.state !== 'discarded');
      if (live.length === 0 || !isStackFinished(stack, uploads)) continue;
      const last = Math.max(...live.map((bill) => Date.parse(uploads.get(bill.id)?.closedAt ?? '')));
      if (!Number.isFinite(last) || deps.now().getTime() - last < days * 86_400_000) continue;
      // The marker first: a crash mid-delete leaves a stack known to have lost its pages, never one that seems whole.
      await writeFileAtomic(path.join(stacksDir, stack.id, pagesRemovedFile), `${JSON.stringify({ at: deps.now().toISOString(), days })}\n`);
      await fs.rm(path.join(stacksDir, stack.id, 'pages'), { recursive: true, force: true });
      deps.onStackChanged?.(stack.id);
      deps.audit.write({ event: 'pages-deleted', stack: stack.id, source: stack.source.name, detail: `every bill uploaded by ${new Date(last).toISOString()}; the ${days}-day retention has passed; receipts kept` });
      swept += 1;
    }
    return swept;
  };
  /** Deletes recycled stacks older than the retention days. */
  const sweepRecycle = async () => {
    const days = (await deps.splitSettings()).recycleDays;
    const ids = await fs.readdir(recycleDir).catch(() => [] as string[]);
    let deleted = 0;
    for (const id of ids) {
      const stamp = await fs.readFile(path.join(recycleDir, id, 'recycled.json'), 'utf8').then((text) => (JSON.parse(text) as { at: string }).at, () => null);
      if (!stamp || deps.now().getTime() - Date.parse(stamp) < days * 86_400_000) continue;
      await fs.rm(path.join(recycleDir, id), { recursive: true, force: true });
      deps.audit.write({ event: 'deleted', stack: id, detail: `recycled at ${stamp}; the ${days}-day retention has passed` });
      deleted += 1;
    }
    return deleted;
  };
  /** Recycles a stack with nothing left: every bill discarded (or none) and no orphan pages waiting. */
  const recycleIfSpent = async (stack: StackRecord) => {
    if (stack.bills.every((candidate) => candidate.state === 'discarded') && stack.orphans.length === 0) await recycleStack(stack);
  };
  return { recycleStack, recycleIfSpent, sweepDone, sweepRecycle, sweepImported };
}

/** The spool's recycling and retention sweeps. */
export type Recycler = ReturnType<typeof createRecycler>;
