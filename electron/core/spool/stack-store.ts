// The stacks on disk: each stack's record (`stacks/<id>/stack.json`) with the edits people made to its bills, its open source, and the index of sources taken in.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../fs/atomic-write.js';
import type { SpoolBill, StackRecord, StoredPage } from './stack-record.js';
import { readStackManifests } from './upload-manifest.js';

/** The name of a stack's record in its folder. */
export const stackFile = 'stack.json';

/** `stacks/<id>/edits.json`: every bill of a stack as people left it, and what they did to its orphan pages. */
export interface EditsFile {
  version: 1;
  bills: SpoolBill[];
  orphans: number[];
  orphansDiscarded?: number[];
  /** Pages copied in from other stacks' orphans (numbered after the stack's own). */
  added?: StoredPage[];
  /** Gives of this stack's orphans to bills of other stacks, done. */
  given?: Array<{ id: string; to: string; bill: string; pages: number[] }>;
  /** Gives of other stacks' orphans to bills of this one, committed. */
  received?: Array<{ id: string; from: string; pages: Array<{ from: number; to: number }> }>;
}

/** What the stack store needs from its spool: the spool folder and who to tell when a stack changes. */
export interface StackStoreDeps {
  dir: string;
  onStackChanged?: (stackId: string) => void;
}

/** Creates the store of the stacks in `<dir>/stacks` (read with the changes people made; the index rebuilt from the files). */
export function createStackStore(deps: StackStoreDeps) {
  const stacksDir = path.join(deps.dir, 'stacks');
  /** sha256 → stack: the files are the only store; this index is rebuilt from them. */
  let index: Map<string, { id: string; importedAt: string }> | null = null;
  /** A bill as people changed it: `stacks/<id>/bills/<bill>.json` beside the stack, rewritten atomically. */
  const billFile = (stackId: string, billId: string) => path.join(stacksDir, stackId, 'bills', `${billId}.json`);
  /** All of a stack's bills as people changed them: one file, rewritten atomically, so a change to two bills (a page moved) is one step. */
  const editsFile = (stackId: string) => path.join(stacksDir, stackId, 'edits.json');
  /** Written when the watch closes an open stack's source (its last bill may then go up). */
  const closedFile = (stackId: string) => path.join(stacksDir, stackId, 'source-closed.json');
  /** Whether a stack's source may still grow (taken from a watch folder and not closed yet). */
  const isSourceOpen = async (stack: StackRecord) => stack.sourceOpen === true && !(await fs.lstat(closedFile(stack.id)).then(() => true, () => false));
  /** While its source may still grow, a stack's last live bill waits (an appended page joins it). */
  const withOpenSource = async (stack: StackRecord): Promise<StackRecord> => {
    if (!(await isSourceOpen(stack))) return stack;
    const last = stack.bills.findLastIndex((bill) => bill.state !== 'discarded');
    const bill = stack.bills[last];
    if (!bill || (bill.state !== 'ready' && bill.state !== 'review') || bill.sendNow === true) return stack;
    const bills = [...stack.bills];
    bills[last] = { ...bill, state: 'held', held: 'source-open' };
    return { ...stack, bills };
  };
  /** A stack as shown: the edits people made, and the wait of an open source's last bill. */
  const withChanges = async (stack: StackRecord): Promise<StackRecord> => withOpenSource(await withEdits(stack));
  /** A stack's edits file, or null when nobody changed it (or it is from before edits.json). */
  const readEdits = async (stackId: string): Promise<EditsFile | null> =>
    fs.readFile(editsFile(stackId), 'utf8').then(
      (text) => JSON.parse(text) as EditsFile,
      () => null,
    );
  /** Rewrites a stack's edits atomically, keeping what the change does not touch (pages given in, gives out). */
  const writeEdits = async (stackId: string, change: Partial<EditsFile> & Pick<EditsFile, 'bills' | 'orphans'>) => {
    const before = await readEdits(stackId);
    await writeFileAtomic(editsFile(stackId), `${JSON.stringify({ ...before, ...change, version: 1 }, null, 1)}\n`);
  };
  /** A stack with the edits people made (and, for spools from before edits.json, its per-bill files). */
  const withEdits = async (stack: StackRecord): Promise<StackRecord> => {
    const edits = await readEdits(stack.id);
    if (edits) {
      return {
        ...stack,
        bills: edits.bills,
        orphans: edits.orphans,
        ...(edits.added?.length ? { pages: [...stack.pages, ...edits.added] } : {}),
        ...(edits.orphansDiscarded?.length ? { orphansDiscarded: edits.orphansDiscarded } : {}),
      };
    }
    // Spools written before edits.json kept one file per changed bill.
    const bills = await Promise.all(
      stack.bills.map(async (bill) => {
        try {
          return JSON.parse(await fs.readFile(billFile(stack.id, bill.id), 'utf8')) as SpoolBill;
        } catch {
          return bill;
        }
      }),
    );
    const orphansTaken = await fs.readFile(path.join(stacksDir, stack.id, 'bills', 'orphans-taken'), 'utf8').then(() => true, () => false);
    return { ...stack, bills, orphans: orphansTaken ? [] : stack.orphans };
  };

  /** A stack's record as taken in, or null when there is none. */
  const readStack = async (id: string): Promise<StackRecord | null> => {
    try {
      return JSON.parse(await fs.readFile(path.join(stacksDir, id, stackFile), 'utf8')) as StackRecord;
    } catch {
      return null;
    }
  };
  /** One stack with its changes; ids are checked so a caller's text is never a path. */
  const findStack = async (id: string): Promise<StackRecord | null> => (/^[\w-]+$/.test(id) ? readStack(id).then((record) => record && withChanges(record)) : null);
  /** Every stack on disk with its changes, oldest first. */
  const listStacks = async (): Promise<StackRecord[]> => {
    const ids = await fs.readdir(stacksDir).catch(() => [] as string[]);
    const records = await Promise.all(ids.sort().map(readStack));
    return Promise.all(records.filter((record): record is StackRecord => record !== null).map(withChanges));
  };
  /** The index of sources taken in (SHA-256 → stack), built from the stacks at the first look. */
  const loadIndex = async () => {
    if (index) return index;
    index = new Map();
    for (const stack of await listStacks()) {
      index.set(stack.source.sha256, { id: stack.id, importedAt: stack.importedAt });
      for (const before of stack.previousSources ?? []) index.set(before.sha256, { id: stack.id, importedAt: stack.importedAt });
      for (const part of stack.batch?.sources ?? []) index.set(part.sha256, { id: stack.id, importedAt: stack.importedAt });
    }
    return index;
  };
  /** A stack as people left it (without the open source's wait, which is shown, never written). */
  const readEdited = async (stackId: string) => (/^[\w-]+$/.test(stackId) ? readStack(stackId).then((record) => record && withEdits(record)) : null);
  /** Writes a stack's bills as people changed them (one atomic rewrite of its edits file) and tells the index. */
  const writeBills = async (stackId: string, bills: SpoolBill[], orphans: number[]) => {
    await writeEdits(stackId, { bills, orphans });
    deps.onStackChanged?.(stackId);
  };
  /** The other live copies of a bill's code in the spool (any stack), in scan order, each with its upload state. */
  const liveCopies = async (bill: SpoolBill): Promise<Array<{ stack: StackRecord; bill: SpoolBill; started: boolean }>> => {
    if (!bill.code) return [];
    const found: Array<{ stack: StackRecord; bill: SpoolBill; started: boolean }> = [];
    const ids = (await fs.readdir(stacksDir).catch(() => [] as string[])).filter((id) => /^[\w-]+$/.test(id)).sort();
    for (const id of ids) {
      const stack = await readEdited(id);
      if (!stack) continue;
      const copies = stack.bills.filter((candidate) => candidate.id !== bill.id && candidate.state !== 'discarded' && candidate.code === bill.code);
      if (copies.length === 0) continue;
      const manifests = await readStackManifests(stacksDir, id);
      for (const copy of copies) found.push({ stack, bill: copy, started: manifests.has(copy.id) });
    }
    return found;
  };
  return {
    stacksDir,
    editsFile,
    closedFile,
    isSourceOpen,
    withEdits,
    withChanges,
    readEdits,
    writeEdits,
    readStack,
    findStack,
    listStacks,
    readEdited,
    writeBills,
    liveCopies,
    loadIndex,
    /** Forgets the index (rebuilt at the next look): at start, after a crash may have left stacks it did not see. */
    resetIndex(): void {
      index = null;
    },
    /** Forgets one source (a recycled stack's: the same file may be taken in again). */
    forgetSource(sha256: string): void {
      index?.delete(sha256);
    },
  };
}

/** The stacks on disk, as the spool's other parts use them. */
export type StackStore = ReturnType<typeof createStackStore>;
