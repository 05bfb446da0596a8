import { promises as fs } from 'node:fs';
import { isStackFinished, readStackManifests, type UploadManifest, type UploadState } from './upload-manifest.js';
import type { Spool } from './spool.js';
import type { SpoolBill, StackRecord } from './stack-record.js';

/** One stack in full: its record with the changes people made, and its bills' upload manifests. */
export interface IndexedStack {
  stack: StackRecord;
  manifests: Map<string, UploadManifest>;
}

/** One stack in a few numbers: what the counts and the queue need of a stack whatever its age. */
export interface StackSummary {
  id: string;
  importedAt: string;
  /** Nothing left to send, ever: every bill uploaded or discarded, no orphan pages (such a stack no longer changes). */
  finished: boolean;
  orphans: number;
  bills: Array<{ id: string; state: SpoolBill['state']; held: SpoolBill['held']; upload: UploadState | null; closedAt: string | null }>;
}

/**
 * What the screens read the spool through (the desk list, the status-bar counts, the queue card, the
 * tray): a summary of every stack, read from disk once (at start) and then kept, and in full only the
 * stacks still at work and the newest ones. A stack is read again only after a change to it was
 * reported, so a poll costs memory reads, and memory follows the work in hand, not the spool's age.
 */
export interface SpoolIndex {
  /** The stacks' ids, oldest first (ids begin with their import time). */
  ids(): Promise<readonly string[]>;
  /** One stack in a few numbers, or null when there is none by that id. */
  summary(id: string): Promise<StackSummary | null>;
  /** One stack in full (kept while at work or among the newest; read from disk otherwise), or null. */
  get(id: string): Promise<IndexedStack | null>;
  /** A stack changed on disk (taken in, edited, recycled, an upload written): it is read again on the next look. */
  changed(id: string): void;
  /** Everything may have changed (the spool recovered at start): read every stack again. */
  reset(): void;
  /** Reads every stack's summary now (a few at a time), so the first look after start does not wait for it. */
  warm(): Promise<void>;
}

const stackIdPattern = /^[\w-]+$/;

/** A stack's summary from its record and manifests. */
export function summarizeStack({ stack, manifests }: IndexedStack): StackSummary {
  return {
    id: stack.id,
    importedAt: stack.importedAt,
    finished: isStackFinished(stack, manifests),
    orphans: stack.orphans.length,
    bills: stack.bills.map((bill) => ({ id: bill.id, state: bill.state, held: bill.held, upload: manifests.get(bill.id)?.state ?? null, closedAt: manifests.get(bill.id)?.closedAt ?? null })),
  };
}

/** Lists the stack folders, oldest first. */
async function listStackIds(stacksDir: string): Promise<string[]> {
  return (await fs.readdir(stacksDir).catch(() => [] as string[])).filter((name) => !name.startsWith('.') && stackIdPattern.test(name)).sort();
}

/** Options of the spool index. */
export interface SpoolIndexOptions {
  stacksDir: string;
  findStack: (id: string) => Promise<StackRecord | null>;
  /** The newest stacks kept in full (the desk list shows 30). */
  keepNewest?: number;
  /** The folder is listed again after this long (ms), for stacks another process took in. */
  relistMs?: number;
  now?: () => number;
}

/**
 * The index over `stacksDir`, kept by the changes this process makes (the indexed spool's intake and
 * edits, the upload queue's records). Stacks taken in by another process (a CLI intake while the app
 * runs) appear within `relistMs` (one readdir); edits another process makes to an existing stack are
 * seen after a restart.
 */
export function createSpoolIndex(options: SpoolIndexOptions): SpoolIndex {
  const now = options.now ?? (() => Date.now());
  const relistMs = options.relistMs ?? 30_000;
  const keepNewest = options.keepNewest ?? 30;
  let listing: { at: number; ids: Promise<string[]> } | null = null;
  /** The newest listing seen: which stacks are among the newest. */
  let listed: readonly string[] = [];
  const summaries = new Map<string, Promise<StackSummary | null>>();
  const kept = new Map<string, Promise<IndexedStack | null>>();
  const isNewest = (id: string) => listed.length <= keepNewest || id >= (listed[listed.length - keepNewest] as string);
  const load = async (id: string): Promise<IndexedStack | null> => {
    const stack = await options.findStack(id);
    return stack ? { stack, manifests: await readStackManifests(options.stacksDir, id) } : null;
  };
  /** Reads a stack, records its summary, and keeps it in full when it is at work or among the newest. */
  const read = (id: string): Promise<IndexedStack | null> => {
    const entry = load(id);
    const summary = entry.then((found) => (found ? summarizeStack(found) : null));
    summaries.set(id, summary);
    void summary.then(
      (found) => {
        if (found && (!found.finished || isNewest(id)) && summaries.get(id) === summary) kept.set(id, entry);
      },
      // A failed read is not kept: the next look tries again.
      () => summaries.get(id) === summary && summaries.delete(id),
    );
    return entry;
  };
  const ids = () => {
    if (!listing || now() - listing.at >= relistMs) {
      const next = listStackIds(options.stacksDir).then((found) => {
        listed = found;
        // Stacks that left the newest and have nothing left to do are no longer kept in full.
        for (const [id] of kept) if (!isNewest(id)) void summaries.get(id)?.then((summary) => summary?.finished && kept.delete(id));
        return found;
      });
      listing = { at: now(), ids: next };
    }
    return listing.ids;
  };
  const summary = (id: string): Promise<StackSummary | null> => {
    if (!stackIdPattern.test(id)) return Promise.resolve(null);
    const found = summaries.get(id);
    if (found) return found;
    void read(id).catch(() => undefined);
    return summaries.get(id) as Promise<StackSummary | null>;
  };
  return {
    ids,
    summary,
    get(id) {
      if (!stackIdPattern.test(id)) return Promise.resolve(null);
      return kept.get(id) ?? read(id);
    },
    changed(id) {
      summaries.delete(id);
      kept.delete(id);
      // A new stack, or one recycled: the listing follows at once (one readdir, not one per poll).
      listing = null;
    },
    reset() {
      summaries.clear();
      kept.clear();
      listing = null;
    },
    async warm() {
      const all = [...(await ids())];
      const next = async () => {
        for (let id = all.shift(); id !== undefined; id = all.shift()) await summary(id).catch(() => null);
      };
      await Promise.all(Array.from({ length: 8 }, next));
    },
  };
}

/** An index that keeps nothing: every look reads the files (a spool used without the Scan desk, as in tests). */
export function createUncachedSpoolIndex(options: { stacksDir: string; findStack: (id: string) => Promise<StackRecord | null> }): SpoolIndex {
  const get = async (id: string): Promise<IndexedStack | null> => {
    const stack = stackIdPattern.test(id) ? await options.findStack(id) : null;
    return stack ? { stack, manifests: await readStackManifests(options.stacksDir, id) } : null;
  };
  return {
    ids: () => listStackIds(options.stacksDir),
    get,
    summary: async (id) => {
      const found = await get(id);
      return found ? summarizeStack(found) : null;
    },
    changed: () => undefined,
    reset: () => undefined,
    warm: async () => undefined,
  };
}

/**
 * The spool with its reading side served through the index (`findStack`, `listStacks`, `listBills`).
 * Its writes reach the index through the spool's own `onStackChanged` (every write path, including
 * ones added later, tells it); recovery at start resets it here.
 */
export function indexSpool(spool: Spool, index: SpoolIndex): Spool {
  const stacks = async (): Promise<StackRecord[]> => {
    const found: StackRecord[] = [];
    // One stack at a time: old, finished stacks are read from disk, and not all held at once.
    for (const id of await index.ids()) {
      const entry = await index.get(id);
      if (entry) found.push(entry.stack);
    }
    return found;
  };
  return {
    ...spool,
    async recover() {
      const recovered = await spool.recover();
      index.reset();
      return recovered;
    },
    listStacks: stacks,
    async findStack(id) {
      return (await index.get(id))?.stack ?? null;
    },
    async listBills(): Promise<SpoolBill[]> {
      return (await stacks()).flatMap((stack) => stack.bills);
    },
  };
}
